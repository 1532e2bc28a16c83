"""Explanations (English and Spanish; text, Markdown, HTML), the CLI and the main job."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import retrograd as rg
from retrograd.cli import main
from retrograd.learn import explain, lesson, program

needs_sympy = pytest.mark.skipif(not rg.learn.symbolic.AVAILABLE, reason="needs SymPy (the learn extra)")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@needs_sympy
def test_english_walk_of_coursera_nw0():
    text = str(explain(lesson("coursera-nw0"), verbose=True, digits=17))
    # forward table
    assert "Forward pass" in text and "2 + 3*w" in text
    lines = text.splitlines()
    assert any(line.split()[:3] == ["a", "2", "+"] and line.split()[-1] == "11" for line in lines)
    # backward walk, right to left: node J before node a
    assert text.index("Node J = a**2") < text.index("Node a = 2 + 3*w")
    # local derivative with its SymPy formula and value, the arithmetic check with the notebook's digits
    assert "local derivative ∂J/∂a = 2*a = 22" in text
    assert "(121.02200099999999 − 121)/0.001 = 22.000999999988835" in text
    assert "(11.003 − 11)/0.001 = 3.0000000000001137" in text
    # the chain rule product, and the gradient checked end to end
    assert "dJ/dw = ∂a/∂w × dJ/da = 3 × 22 = 66" in text
    assert "(121.06600900000001 − 121)/0.001 = 66.0090000000082" in text
    assert "dJ/dw = 6*a → 66 ✓" in text
    assert "truncation error +0.009" in text
    assert "✗" not in text


@needs_sympy
def test_spanish_walk_of_coursera_nw1():
    text = str(explain(lesson("coursera-nw1", "es"), lang="es", verbose=True))
    assert "Propagación hacia delante" in text and "Retropropagación" in text
    assert "regla de la cadena: dJ/dw = ∂c/∂w × dJ/dc = 2 × 3 = 6" in text
    assert "derivada local ∂c/∂w = x = 2" in text
    assert "(4.506 − 4.5)/0.001 = 6.002" in text
    assert "x es un dato" in text and "error de truncamiento" in text and "diferencia centrada" in text
    assert "sesgo" not in text and "central " not in text
    assert "Gradientes" in text
    assert "✗" not in text


def test_sums_where_a_value_feeds_several_nodes():
    text = str(program("a = w*w\nb = 3*w\nJ = a + b", w=2.0).explain())
    assert "w feeds 2 nodes (a, b), so the contributions of all paths add up: dJ/dw = 4 + 3 = 7" in text
    es = str(program("a = w*w\nb = 3*w\nJ = a + b", w=2.0).explain(lang="es"))
    assert "w interviene en 2 nodos (a, b)" in es and "= 4 + 3 = 7" in es


def test_udl_explanation_mentions_the_slip_and_has_the_right_value():
    text = str(explain("udl-7.1"))
    assert "slip" in text and "-17.060" in text
    assert "dl/dbeta1 = ∂f1/∂beta1 × dl/df1 = 1 × (-17.0605) = -17.0605" in text


def test_markdown_and_html():
    e = explain(lesson("coursera-nw1"))
    md = e.to_markdown()
    assert "| node | formula | value |" in md and "| c | w\\*x | -4 |" in md
    assert "**Node J = d\\*\\*2/2: upstream gradient dJ/dJ = 1**" in md
    # Markdown specials in formulas are escaped: a renderer shows d**2/2, not d<em>2/2 (regression)
    markdown = pytest.importorskip("markdown")
    page = markdown.markdown(md, extensions=["tables"])
    assert "<strong>Node J = d**2/2: upstream gradient dJ/dJ = 1</strong>" in page
    assert "<td>w*x</td>" in page and "<em>" not in page
    names = markdown.markdown(explain(program("dJ_dw = w_1*w_2", w_1=2.0, w_2=3.0)).to_markdown(),
                              extensions=["tables"])
    assert "<td>w_1*w_2</td>" in names and "<em>" not in names
    html = e._repr_html_()
    assert html.startswith('<div class="retrograd-explain">') and "<svg" in html and "<table>" in html
    # the HTML fragment is well-formed XML
    ET.fromstring(html.replace("<br/>", ""))


def test_explain_a_tensor_and_the_primitive_level():
    w = rg.tensor(3.0, requires_grad=True, name="w")
    J = ((2 + 3 * w).named("a") ** 2).named("J")
    text = str(rg.learn.explain(J, level="primitive"))
    assert "Node t1 = 3*w" in text and "dJ/dw" in text
    with pytest.raises(ValueError, match="lang"):
        rg.learn.explain(J, lang="fr")


def test_explain_eps():
    text = str(explain(lesson("coursera-nw0"), eps=1e-4))
    assert "ε = 0.0001" in text


# ----- CLI -------------------------------------------------------------------------------------
def test_cli_explain_expression(capsys, tmp_path):
    svg = tmp_path / "graph.svg"
    rc = main(["explain", "J = (2 + 3*w)**2", "--at", "w=3", "--svg", str(svg)])
    out = capsys.readouterr().out
    assert rc == 0 and "dJ/dw" in out and "66" in out
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")


def test_cli_explain_spanish_primitives_and_json(capsys, tmp_path):
    path = tmp_path / "g.json"
    rc = main(["explain", "c = w*x; J = c**2", "--at", "w=2,x=3", "--data", "x", "--lang", "es",
               "--primitives", "--json", str(path)])
    out = capsys.readouterr().out
    assert rc == 0 and "Retropropagación" in out
    g = rg.learn.Graph.from_dict(__import__("json").loads(path.read_text()))
    assert g.level == "primitive" and g.node("w")["grad"] == 36.0 and g.node("x")["grad"] is None


def test_cli_lessons_and_lesson(capsys):
    assert main(["lessons"]) == 0
    out = capsys.readouterr().out
    for name in ("coursera-nw0", "coursera-nw1", "udl-7.1", "romaintha-111"):
        assert name in out
    assert main(["explain", "--lesson", "coursera-nw1", "--markdown", "--verbose"]) == 0
    assert "| w | -2 | 6 |" in capsys.readouterr().out
    assert main(["explain", "--lesson", "nope"]) == 2
    assert "coursera-nw0" in capsys.readouterr().err


def test_cli_errors_point_at_the_character(capsys):
    assert main(["explain", "J = w.__class__", "--at", "w=3"]) == 2
    err = capsys.readouterr().err
    assert "line 1, column 5" in err and "attribute access" in err and "    ^" in err
    assert main(["explain", "J = q*w", "--at", "w=3"]) == 2
    assert "unknown name 'q'" in capsys.readouterr().err
    assert main(["explain", "J = w", "--at", "w"]) == 2
    assert main(["explain"]) == 2


def test_main_job_runs_the_explained_lessons(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for les in rg.learn.lessons():
        assert les.title_en in out
    assert "dJ/dw = ∂a/∂w × dJ/da = 3 × 22 = 66" in out and "checks passed" in out


def test_main_job_without_sympy():
    code = ("import sys; sys.modules['sympy'] = None\n"
            "from retrograd.cli import main\n"
            "raise SystemExit(main([]))\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, PYTHONPATH=ROOT))
    assert r.returncode == 0, r.stderr
    assert "symbolic checks need SymPy: pip install 'retrograd[learn]'" in r.stdout
    assert "dJ/dw = ∂a/∂w × dJ/da = 3 × 22 = 66" in r.stdout
    assert "SymPy: diff(" not in r.stdout


def test_arrays_are_explained_as_vector_jacobian_products():
    p = program("a = w*x\nJ = a*a + w", w=[1.0, 2.0], x=3.0)
    g = p.graph()
    # dJ/dw = 2*a*x + 1 elementwise, at a = [3, 6]
    assert g.node("w")["grad"] == [19.0, 37.0]
    assert g.edge("w", "a")["product"] == [18.0, 36.0] and g.edge("w", "J")["product"] == [1.0, 1.0]
    text = str(p.explain())
    assert "vector-Jacobian product" in text and "= [18, 36] + [1, 1] = [19, 37]" in text
    x = rg.tensor([1.0, 2.0], requires_grad=True, name="x")
    W = rg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="W")
    J = rg.tanh((W @ x).named("h")).sum().named("J")
    g = rg.learn.build_graph(J)
    W.grad = None
    J.backward()
    assert np.allclose(g.node("W")["grad"], W.grad.numpy(), rtol=1e-12)
    assert "matmul(W, x)" in str(rg.learn.explain(g))


def test_no_derivative_is_said_not_hidden():
    p = program("J = sqrt(w)", w=0.0)
    g = p.graph()
    assert g.node("w")["grad"] == float("inf")
    assert g.to_dict()["nodes"][0]["grad"] is None  # JSON has no inf: the note says it
    assert any(key == "not_finite" for key, _ in g.to_dict()["auto_notes"])
    assert "inf" in str(p.explain())
