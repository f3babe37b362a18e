"""The code's layout keeps its promises: no import circles, and data flowing one way through the stages
(read → parse → engine, with the library, CLI, web UI and crawler on top).

Imports are read with ``ast`` from the source, function-level imports included (a lazy import is still a
dependency); an import of a package's ``__init__`` is not taken to import the package's parents.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("indexer", "scrapers", "webui")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports: ``import a.b``, ``from a import b`` (b a module or a name in a),
    relative imports resolved, imports under ``if TYPE_CHECKING:`` included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` imports the module pkg.mod (like `import pkg.mod`); `from mod import name`, mod
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:  # `import a.b.c` where only a.b is ours, or a name inside a module
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.append(m)
                    if m == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_lazy_and_relative_imports(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from indexer.engine import index\n    import indexer.model\n"
                   "from .engine import QueryError\n", encoding="utf-8")
    assert _imports("indexer.x", src, {"indexer.engine", "indexer.engine.index", "indexer.model"}) == {
        "indexer.engine", "indexer.engine.index", "indexer.model"}


def test_no_module_imports_a_module_that_imports_it_back():
    assert _cycles(_graph()) == []


# Each stage may use the ones before it, never one after it nor the layers on top.
LAYERS = {
    "indexer.read": ("indexer.parse", "indexer.engine", "indexer.library", "indexer.store", "indexer.cli",
                     "indexer.export", "scrapers", "webui"),
    "indexer.parse": ("indexer.read", "indexer.engine", "indexer.library", "indexer.store", "indexer.cli",
                      "indexer.export", "scrapers", "webui"),
    "indexer.engine": ("indexer.read", "indexer.library", "indexer.cli", "indexer.export", "scrapers", "webui"),
    "indexer.model": ("indexer.read", "indexer.parse", "indexer.engine", "indexer.library", "scrapers", "webui"),
}


@pytest.mark.parametrize("stage", sorted(LAYERS))
def test_data_flows_one_way(stage):
    graph = _graph()
    wrong = sorted((m, t) for m, targets in graph.items() if m == stage or m.startswith(stage + ".")
                   for t in targets for banned in LAYERS[stage] if t == banned or t.startswith(banned + "."))
    assert wrong == []


def test_every_package_says_what_it_holds():
    for name, path in _modules().items():
        if path.name == "__init__.py" and name.count(".") == 1 and name.startswith("indexer."):
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            assert doc, f"{name} has no docstring"
