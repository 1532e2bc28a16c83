"""Imports inside retrograd/ point one way: no cycles, and each layer imports only from layers below.

Every ``import`` and ``from ... import`` is read with ``ast``, at module level and inside
functions alike (a cycle hidden in a function is still a cycle). An import of one's own
ancestor package (``retrograd/nn/modules.py`` reading ``retrograd.nn``) is left out of the
cycle check, as Python imports the ancestors first anyway, but the top-level package is the
facade: a module that imports ``retrograd`` itself imports the top layer.
"""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "retrograd"

# The declared layers, bottom first (DESIGN.md, "Layers"). A module may import its own layer
# and the layers below it. Patterns are matched against dotted module names, first match wins.
LAYERS: list[tuple[str, list[str]]] = [
    ("base", ["retrograd.backend", "retrograd.errors", "retrograd.return_types", "retrograd.pytree",
              "retrograd.hints", "retrograd.version", "retrograd.graph_model", "retrograd.accelerator"]),
    ("ops", ["retrograd.ops", "retrograd.ops.*"]),
    ("core", ["retrograd.core"]),
    ("autograd/forward", ["retrograd.autograd", "retrograd.forward"]),
    ("functions", ["retrograd.functions", "retrograd.functions_*", "retrograd.conversion", "retrograd.dims",
                   "retrograd.inplace", "retrograd.custom_function", "retrograd.tensor", "retrograd.creation",
                   "retrograd.linalg", "retrograd.serialization"]),
    ("transforms", ["retrograd.transforms", "retrograd.tracing", "retrograd.vmap", "retrograd.batching",
                    "retrograd.custom_derivatives", "retrograd.gradcheck"]),
    ("jit", ["retrograd.jit", "retrograd.jit.*"]),
    ("nn/optim/data", ["retrograd.nn", "retrograd.nn.*", "retrograd.optim", "retrograd.optim.*",
                       "retrograd.data", "retrograd.data.*", "retrograd.utils", "retrograd.utils.*",
                       "retrograd.train"]),
    ("learn", ["retrograd.learn", "retrograd.learn.*"]),
    ("cli", ["retrograd", "retrograd.cli", "retrograd.__main__", "retrograd.bench", "retrograd.demo"]),
]

def module_name(path: Path) -> str:
    """``retrograd/nn/modules.py`` -> ``retrograd.nn.modules``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def imports_of(name: str) -> set[str]:
    """The retrograd modules that module ``name`` imports, anywhere in its source."""
    path = MODULES[name]
    package = name if _is_package(name) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _walk_runtime(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:  # `from pkg import sub` imports the submodule pkg.sub
                sub = f"{target}.{a.name}"
                found.add(sub if sub in MODULES else target)
    return {t for t in found if t in MODULES and t != name}


def _walk_runtime(tree: ast.AST):
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:`` (imports for the type checker
    only, never run: ``retrograd.hints`` names Tensor in annotations from the bottom layer)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


GRAPH = {name: imports_of(name) for name in MODULES}


def _ancestor(pkg: str, name: str) -> bool:
    return name.startswith(pkg + ".")


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def layer_of(name: str) -> int:
    """The index in LAYERS of the layer that holds module ``name``."""
    for i, (_, patterns) in enumerate(LAYERS):
        if any(fnmatch.fnmatchcase(name, p) for p in patterns):
            return i
    raise AssertionError(f"module {name} is in no layer: add it to LAYERS in tests/test_layering.py")


def test_the_walk_sees_imports_inside_functions_and_relative_ones():
    src = "from . import a\nfrom .b import x\ndef f():\n    from ..c import y\n    import retrograd.d\n"
    tree = ast.parse(src)
    kinds = [type(n).__name__ for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert kinds.count("ImportFrom") == 3 and kinds.count("Import") == 1
    assert "retrograd.core" in GRAPH["retrograd.autograd"]            # module level, relative
    assert "retrograd.ops.shape" in GRAPH["retrograd.ops"]             # `from .shape import ...`


def test_cycle_finder_names_every_module_of_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles():
    graph = {name: {t for t in targets if not _ancestor(t, name)}
             for name, targets in GRAPH.items()}
    found = cycles(graph)
    assert not found, "import cycles in retrograd/ (break each so imports point one way):\n" + "\n".join(
        "  " + " <-> ".join(c) for c in found)


def test_every_module_has_a_layer():
    for name in MODULES:
        layer_of(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_the_layers(name):
    mine = layer_of(name)
    upward = sorted(t for t in GRAPH[name]
                    if layer_of(t) > mine
                    and not (_ancestor(t, name) and t != "retrograd"))
    assert not upward, (
        f"{name} (layer {LAYERS[mine][0]!r}) imports from higher layers: "
        + ", ".join(f"{t} ({LAYERS[layer_of(t)][0]!r})" for t in upward)
        + "; move the shared code down, or install it from the higher layer")


def test_imports_for_the_type_checker_only_are_not_edges():
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .core import Tensor\n"
                     "else:\n    from .backend import device\n")
    found = [n.module for n in _walk_runtime(tree) if isinstance(n, ast.ImportFrom)]
    assert sorted(found) == ["backend", "typing"]
    assert "retrograd.core" not in GRAPH["retrograd.hints"]
