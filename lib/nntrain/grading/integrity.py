"""Undo tampering with the checking machinery before every test cell.

Student code and tests share one kernel, so a submission could rebind what the tests rely
on: ``np.allclose``, the library's reference implementations, ``nntrain.testing``'s checks,
builtins, ``sys.modules`` entries, or IPython's error display.  The grader therefore runs
two cells of its own that the student never sees:

- the snapshot, first in the notebook, before any student code: it imports the modules the
  tests use and records every attribute of them;
- a check, right before each test cell: it puts back every attribute, ``sys.modules`` entry,
  standard stream and IPython hook that differs from the snapshot, and prints what it
  restored.

So rebinding things makes wrong code fail its tests as it should, and the row is flagged
with the names that were restored.

The check cannot be switched off from the notebook: it lives under a name drawn at random
for every grading run, and it ends with an acknowledgement keyed with a secret of that run
(:func:`token`), which the grader requires before it counts the next test.  A submission
that replaces or removes the check gets no acknowledgement, and that test scores 0.  (To go
further it would have to dig the secret out of the kernel's objects, which takes
introspection that the static scan in :mod:`.scan` flags.)
"""
from __future__ import annotations

import hashlib
import re
import secrets

MARK = "nntrain_injected"
REPORT = re.compile(r"^nntrain-integrity restored: (.*)$", re.M)
ACK = "nntrain-integrity ok "

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

_SNAPSHOT = f'''
def __nntrain_snapshot():
    import builtins, hashlib, importlib, sys
    sha256 = hashlib.sha256
    streams = {{n: getattr(sys, n) for n in ("stdout", "stderr")}}
    write = sys.stdout.write
    flush = sys.stdout.flush
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
    # hooks that could rewrite a test cell before it runs, or act around it
    manager = shell.input_transformer_manager
    hooks = {{"input_transformers_post": shell.input_transformers_post,
             "ast_transformers": shell.ast_transformers,
             "cleanup_transforms": manager.cleanup_transforms,
             "line_transforms": manager.line_transforms,
             "token_transformers": manager.token_transformers,
             **{{f"events.{{e}}": cbs for e, cbs in shell.events.callbacks.items()}}}}
    hooks = {{name: (lst, list(lst)) for name, lst in hooks.items()}}

    def check(index):
        restored = []
        for n, stream in streams.items():
            if getattr(sys, n) is not stream:
                setattr(sys, n, stream)
                restored.append(f"sys.{{n}}")
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
        for name, (lst, saved) in hooks.items():
            if lst != saved:
                lst[:] = saved
                restored.append(f"IPython {{name}}")
        if shell.custom_exceptions:
            shell.custom_exceptions = ()
            restored.append("IPython custom exception handler")
        if restored:
            write("nntrain-integrity restored: " + ", ".join(sorted(set(restored))) + "\\n")
        write(ACK + sha256(f"{{SECRET}}:{{index}}".encode()).hexdigest()[:24] + "\\n")
        flush()

    return check

KEY = __nntrain_snapshot()
del __nntrain_snapshot
'''.strip()


class Run:
    """The integrity cells of one grading run: a fresh key (the check's name) and secret."""

    def __init__(self):
        self.key = "_" + secrets.token_hex(8)
        self.secret = secrets.token_hex(16)

    def snapshot(self) -> str:
        return (_SNAPSHOT.replace("__nntrain_snapshot", f"{self.key}_make")
                .replace("KEY = ", f"{self.key} = ").replace("{SECRET}", self.secret)
                .replace("ACK + ", repr(ACK) + " + "))

    def check(self, index: int) -> str:
        return f"{self.key}({index})"

    def token(self, index: int) -> str:
        return hashlib.sha256(f"{self.secret}:{index}".encode()).hexdigest()[:24]

    def acknowledged(self, index: int, text: str) -> bool:
        """Did the check cell number ``index`` run to its end (its output is ``text``)?"""
        return f"{ACK}{self.token(index)}" in (text or "")


def restored_names(text: str) -> list:
    """The names a CHECK cell's output says it put back."""
    names = []
    for match in REPORT.finditer(text or ""):
        names.extend(n.strip() for n in match.group(1).split(","))
    return names
