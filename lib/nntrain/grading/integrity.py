"""Undo tampering with the checking machinery before every test cell.

Student code and tests share one kernel, so a submission could rebind what the tests rely
on: ``np.allclose``, the library's reference implementations, ``nntrain.testing``'s checks,
builtins, ``sys.modules`` entries, or IPython's error display.  The grader therefore runs
two cells of its own that the student never sees:

- SNAPSHOT, first in the notebook, before any student code: it imports the modules the
  tests use and records every attribute of them;
- CHECK, right before each test cell: it puts back every attribute, ``sys.modules`` entry
  and IPython hook that differs from the snapshot, and prints what it restored.

So rebinding things makes wrong code fail its tests as it should, and the row is flagged
with the names that were restored.  (Code that goes further, e.g. digs the snapshot out of
the kernel, is caught by the static scan in :mod:`.scan`.)
"""
from __future__ import annotations

import re

MARK = "nntrain_injected"
REPORT = re.compile(r"^nntrain-integrity restored: (.*)$", re.M)

#: modules whose attributes the tests depend on
MODULES = ("builtins", "math", "numpy", "numpy.testing", "numpy.linalg", "numpy.random",
           "nntrain", "nntrain.testing", "nntrain.reference", "nntrain.checks",
           "nntrain.gradcheck", "nntrain.losses", "nntrain.optim", "nntrain.ema",
           "nntrain.functions", "nntrain.preprocess", "nntrain.init", "nntrain.layers",
           "nntrain.data", "nntrain.tuning")

#: attributes the kernel itself changes while running honest code
VOLATILE = (("builtins", "input"), ("builtins", "raw_input"), ("builtins", "getpass"),
            ("builtins", "_"), ("builtins", "__"), ("builtins", "___"))

#: IPython shell methods that decide whether an error is shown and reported
SHELL_METHODS = ("run_cell", "run_cell_async", "run_code", "run_ast_nodes", "showtraceback",
                 "_showtraceback", "showsyntaxerror", "transform_cell", "set_custom_exc")

SNAPSHOT = f'''
def __nntrain_snapshot():
    import builtins, importlib, sys
    modules = {MODULES!r}
    shell = get_ipython()
    attrs = {{}}
    for name in modules:
        module = importlib.import_module(name)
        attrs[name] = (module, dict(vars(module)))
    cls = type(shell)
    methods = {{m: cls.__dict__.get(m) for m in {SHELL_METHODS!r}}}
    own = {{m: vars(shell).get(m) for m in {SHELL_METHODS!r}}}
    volatile = {VOLATILE!r}

    def check():
        restored = []
        for name, (module, saved) in attrs.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
                restored.append(f"sys.modules[{{name!r}}]")
            current = vars(module)
            for key, value in saved.items():
                if (name, key) in volatile:
                    continue
                if current.get(key, check) is not value:
                    try:
                        setattr(module, key, value)
                        restored.append(f"{{name}}.{{key}}")
                    except (AttributeError, TypeError):
                        pass
        for m in {SHELL_METHODS!r}:
            if vars(shell).get(m) is not own[m]:
                if own[m] is None:
                    delattr(shell, m)
                else:
                    setattr(shell, m, own[m])
                restored.append(f"IPython shell.{{m}}")
            if cls.__dict__.get(m) is not methods[m] and methods[m] is not None:
                setattr(cls, m, methods[m])
                restored.append(f"IPython {{cls.__name__}}.{{m}}")
        if shell.custom_exceptions:
            shell.custom_exceptions = ()
            restored.append("IPython custom exception handler")
        if restored:
            print("nntrain-integrity restored: " + ", ".join(sorted(set(restored))))

    return check

__nntrain_check = __nntrain_snapshot()
del __nntrain_snapshot
'''.strip()

CHECK = "__nntrain_check()"


def restored_names(text: str) -> list:
    """The names a CHECK cell's output says it put back."""
    names = []
    for match in REPORT.finditer(text or ""):
        names.extend(n.strip() for n in match.group(1).split(","))
    return names
