"""The Graph model below the learning layer, its registered views, and the engine surface learn/ reads.

(Import cycles and the layer order are checked for the whole package in tests/test_layering.py.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import retrograd as rg
from retrograd import graph_model
from retrograd.learn import build_graph, program, svg
from retrograd.learn.extract import GraphSource

ROOT = Path(__file__).resolve().parent.parent / "retrograd"


def _imports(path):
    """Every module an import statement in ``path`` names (module and function level, relative as dots)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


def test_the_model_imports_nothing_of_retrograd_and_is_the_learn_graph():
    named = list(_imports(ROOT / "graph_model.py"))
    assert named and not [m for m in named if m.startswith((".", "retrograd"))]
    assert rg.learn.Graph is graph_model.Graph and rg.learn.GraphError is graph_model.GraphError


def test_the_learning_layer_reads_only_the_engines_public_graph():
    private = [(p.name, n.lineno, n.attr) for p in sorted((ROOT / "learn").glob("*.py"))
               for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
               if isinstance(n, ast.Attribute) and n.attr in ("_node", "impl", "prim", "saved", "parents")]
    assert private == []


def test_node_replay_records_the_same_primitive_again():
    w = rg.tensor(2.0, requires_grad=True)
    node = (w * 3).grad_fn
    v = rg.tensor(5.0, requires_grad=True)
    out = node.replay(v, 3)
    assert out.grad_fn is not node and out.grad_fn.name == "mul" and float(out) == 15.0
    out.backward()
    assert float(v.grad) == 3.0


def test_the_conveniences_are_the_registered_renderers():
    g = program("a = 2 + 3*w\nJ = a**2", w=3.0).graph()
    assert g.to_svg("es") == svg.to_svg(g, lang="es") and g._repr_svg_() == svg.to_svg(g)
    assert g.to_dot() == svg.to_dot(g)
    assert str(g.explain("es")) == str(rg.learn.explain(g, lang="es"))


def test_a_graph_without_its_renderer_says_what_to_import(monkeypatch):
    g = graph_model.Graph("J", "assignment", None, {}, [], [])
    monkeypatch.delitem(graph_model._VIEWS, "dot")
    with pytest.raises(RuntimeError, match=r"import retrograd\.learn"):
        g.to_dot()
    with pytest.raises(ValueError, match="'svg', 'dot' and 'explain'"):
        graph_model.register_view("png", lambda graph: b"")


def test_a_registered_view_replaces_the_renderer(monkeypatch):
    monkeypatch.setitem(graph_model._VIEWS, "dot", None)
    graph_model.register_view("dot", lambda graph: f"digraph {graph.output} {{}}")
    assert graph_model.Graph("J", "assignment", None, {}, [], []).to_dot() == "digraph J {}"


@pytest.mark.parametrize("make", [
    lambda x: x * 3.0,
    lambda x: rg.sum(x, dim=0),
    lambda x: rg.sum(x, dim=1, keepdim=True),
    lambda x: x.reshape(3, 2),
    lambda x: rg.maximum(x, 0.5),
], ids=["mul", "sum", "sum-keepdim", "reshape", "maximum"])
def test_node_evaluate_is_the_forward_on_plain_arrays(make):
    x = rg.tensor(np.arange(6.0).reshape(2, 3) / 4, requires_grad=True)
    out = make(x)
    node = out.grad_fn
    args = [a.data if isinstance(a, rg.Tensor) else a for a in node.inputs]
    got = node.evaluate(*args)
    assert not isinstance(got, rg.Tensor)
    np.testing.assert_array_equal(got, out.data)
    np.testing.assert_array_equal(node.evaluate(*[a * 2 if isinstance(a, np.ndarray) else a for a in args]),
                                  make(rg.tensor(x.data * 2)).data)


def test_a_program_describes_itself_to_the_extractor():
    p = program("a = 2 + 3*w\nJ = a**2", w=3.0)
    src = p.graph_source()
    assert src.output is p.output and src.level is None and src.inputs == {"w": 3.0}
    assert build_graph(src).to_dict() == build_graph(p).to_dict() == p.graph().to_dict()
    one = program("J = (2 + 3*w)**2", w=3.0)
    assert one.graph_source().level == "primitive" and one.graph_source("primitive").level is None
    assert ["one_line", {}] in build_graph(one).extra["auto_notes"]
    assert ["one_line", {}] not in build_graph(one, "primitive").extra["auto_notes"]


def test_a_graph_source_from_tensors_names_its_lines():
    w = rg.tensor(2.0, requires_grad=True, name="w")
    a = (w * w).named("a")
    J = (a + 1).named("J")
    g = build_graph(GraphSource(J, [a, J], extra_roots=[w], formulas={"a": "w*w", "J": "a + 1"},
                                data={"w"}, title="t"))
    assert [n["id"] for n in g.nodes] == ["w", "a", "J"]
    assert g.node("a")["formula"] == "w*w" and g.node("w")["grad"] is None and g.extra["title"] == "t"


def test_build_graph_of_something_else_says_what_it_takes():
    with pytest.raises(TypeError, match="takes a Program or a Tensor, got int"):
        build_graph(3)
