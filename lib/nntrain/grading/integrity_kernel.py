"""The half of the integrity checks that runs inside the student's kernel (see :mod:`.integrity`).

The grader's first cell loads this file by its path (never by import name, so that no module
of the submission's folder can stand in for it) and calls :func:`snapshot` before any student
code has run.  :func:`snapshot` imports the modules the tests use (with the notebook's own
folder off ``sys.path``, so a ``numpy.py`` handed in beside the notebook is not what gets
imported) and records every attribute of them, the standard streams, IPython's shell methods
and input hooks (after pyplot has installed its own: :func:`_settle_matplotlib`).  It returns ``check(index)``: the grader runs it right before each test
cell; it puts back whatever differs from the snapshot, prints the names it restored, and
ends with an acknowledgement keyed with the run's secret.

Standard library only; everything ``check`` uses is bound when the snapshot is taken, so
rebinding a builtin later does not change what the check does.
"""
import builtins
import hashlib
import importlib
import os
import sys

#: modules whose attributes the tests depend on
MODULES = ("builtins", "math", "numpy", "numpy.testing", "numpy.linalg", "numpy.random",
           "nntrain", "nntrain.testing", "nntrain.reference", "nntrain.checks",
           "nntrain.gradcheck", "nntrain.losses", "nntrain.optim", "nntrain.ema",
           "nntrain.functions", "nntrain.preprocess", "nntrain.init", "nntrain.layers",
           "nntrain.data", "nntrain.tuning")

#: attributes the kernel itself changes while running honest code
VOLATILE = frozenset({("builtins", "input"), ("builtins", "raw_input"), ("builtins", "getpass"),
                      ("builtins", "_"), ("builtins", "__"), ("builtins", "___")})

#: IPython shell methods that decide whether an error is shown and reported
SHELL_METHODS = ("run_cell", "run_cell_async", "run_code", "run_ast_nodes", "showtraceback",
                 "_showtraceback", "showsyntaxerror", "transform_cell", "set_custom_exc")

#: the first words of the check's two kinds of output line (read by :mod:`.integrity`)
RESTORED = "nntrain-integrity restored: "
ACK = "nntrain-integrity ok "


def token(secret: str, index: int) -> str:
    """The acknowledgement of check number ``index`` in the run with ``secret``."""
    return hashlib.sha256(f"{secret}:{index}".encode()).hexdigest()[:24]


def _import_trusted(names):
    """The modules ``names``, imported with the notebook's folder off ``sys.path``."""
    saved = list(sys.path)
    here = {"", ".", os.getcwd()}
    sys.path[:] = [p for p in sys.path if p not in here]
    try:
        return {name: importlib.import_module(name) for name in names}
    finally:
        sys.path[:] = saved


def _hooks(shell) -> dict:
    """The lists of IPython hooks that could rewrite a test cell or act around it."""
    manager = shell.input_transformer_manager
    hooks = {"input_transformers_post": shell.input_transformers_post,
             "ast_transformers": shell.ast_transformers,
             "cleanup_transforms": manager.cleanup_transforms,
             "line_transforms": manager.line_transforms,
             "token_transformers": manager.token_transformers,
             **{f"events.{e}": cbs for e, cbs in shell.events.callbacks.items()}}
    return {name: (lst, list(lst)) for name, lst in hooks.items()}


def _methods(shell):
    """The shell's methods of :data:`SHELL_METHODS`: its class's, and its own (None: none)."""
    return ({m: type(shell).__dict__.get(m) for m in SHELL_METHODS},
            {m: vars(shell).get(m) for m in SHELL_METHODS})


def _settle_matplotlib():
    """Let pyplot install its IPython hooks now (it does so at the first figure), so that a
    student's own plot is not taken for tampering with IPython's events."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return
    plt.close(plt.figure())


def snapshot(secret: str, shell):
    """Record what the tests rely on now; return ``check(index)``, which puts it back."""
    _settle_matplotlib()
    attrs = {name: (module, dict(vars(module))) for name, module in _import_trusted(MODULES).items()}
    streams = {n: getattr(sys, n) for n in ("stdout", "stderr")}
    cls, hooks = type(shell), _hooks(shell)
    methods, own = _methods(shell)
    write, flush, modules = sys.stdout.write, sys.stdout.flush, sys.modules
    get, put, delete, names = builtins.getattr, builtins.setattr, builtins.delattr, builtins.vars
    digest, ack, missing = hashlib.sha256, ACK + "{}\n", object()

    def check(index):
        """Put back what differs from the snapshot; print what, then the acknowledgement."""
        restored = []
        for n, stream in streams.items():
            if get(sys, n) is not stream:
                put(sys, n, stream)
                restored.append(f"sys.{n}")
        for name, (module, saved) in attrs.items():
            if modules.get(name) is not module:
                modules[name] = module
                restored.append(f"sys.modules[{name!r}]")
            current = names(module)
            for key, value in saved.items():
                if (name, key) not in VOLATILE and current.get(key, missing) is not value:
                    try:
                        put(module, key, value)
                        restored.append(f"{name}.{key}")
                    except (AttributeError, TypeError):
                        pass
        for m in SHELL_METHODS:
            if names(shell).get(m) is not own[m]:
                delete(shell, m) if own[m] is None else put(shell, m, own[m])
                restored.append(f"IPython shell.{m}")
            if cls.__dict__.get(m) is not methods[m] and methods[m] is not None:
                put(cls, m, methods[m])
                restored.append(f"IPython {cls.__name__}.{m}")
        for name, (lst, saved) in hooks.items():
            if lst != saved:
                lst[:] = saved
                restored.append(f"IPython {name}")
        if shell.custom_exceptions:
            shell.custom_exceptions = ()
            restored.append("IPython custom exception handler")
        if restored:
            write(RESTORED + ", ".join(sorted(set(restored))) + "\n")
        write(ack.format(digest(f"{secret}:{index}".encode()).hexdigest()[:24]))   # = token()
        flush()

    return check
