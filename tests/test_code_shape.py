"""The library reads as a model: no import circle between its modules (counting the imports
inside functions, which is where circles hide), no public function or class without a
docstring, and in the grading package no function over 50 lines."""
import ast
from pathlib import Path

LIB = Path(__file__).resolve().parents[1] / "lib"
GRADING = LIB / "nntrain" / "grading"
MAX_LINES = 50


def _module(path: Path) -> str:
    parts = list(path.relative_to(LIB).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, modules: set) -> set:
    """The library's modules that ``path`` imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            found |= {f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m in modules and m != name}


def _graph() -> dict:
    paths = {_module(p): p for p in LIB.rglob("*.py") if "__pycache__" not in p.parts}
    return {name: _imports(path, name, set(paths)) for name, path in paths.items()}


def _circles(graph: dict) -> list:
    circles, done = [], set()

    def visit(node, path):
        for dep in sorted(graph[node]):
            if dep in path:
                circles.append(path[path.index(dep):] + [dep])
            elif dep not in done:
                visit(dep, path + [dep])
        done.add(node)

    for node in sorted(graph):
        if node not in done:
            visit(node, [node])
    return circles


def test_the_graph_finds_a_circle_when_there_is_one():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_the_library():
    graph = _graph()
    assert "nntrain.grading.sandbox" in graph["nntrain.grading.execute"]       # the graph sees imports
    circles = _circles(graph)
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def _definitions():
    for path in sorted(GRADING.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                yield path.name, node


def test_no_function_in_grading_is_over_50_lines():
    long = [f"{file}: {node.name} ({node.end_lineno - node.lineno + 1} lines)" for file, node in _definitions()
            if not isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > MAX_LINES]
    assert not long, "split these functions: " + ", ".join(long)


def test_every_public_function_and_class_has_a_docstring():
    bare = [f"{path.relative_to(LIB)}: {node.name}" for path in sorted(LIB.rglob("*.py"))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and not node.name.startswith("_") and not ast.get_docstring(node)]
    assert not bare, "no docstring: " + ", ".join(bare)
