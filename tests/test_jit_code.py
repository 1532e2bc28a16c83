"""The generated code of the course's networks: the golden file, runnable, and `explain --code`."""

import ast
import math
import pathlib
import subprocess
import sys

import pytest

from retrograd.learn import lesson, lessons
from retrograd.learn.code import program_code

GOLDEN = pathlib.Path(__file__).parent / "golden" / "coursera_nw1_jit.py"


def test_coursera_network_source_matches_the_golden_file():
    # The golden file was checked by hand against the lab: dJ/dd = d, dJ/dw = dJ/dd * x, dJ/db = dJ/dd.
    assert program_code(lesson("coursera-nw1")) == GOLDEN.read_text()


@pytest.mark.parametrize("name", [les.name for les in lessons()])
def test_every_lesson_code_runs_on_its_own_and_gives_the_lesson_gradients(name):
    prog = lesson(name)
    src = program_code(prog)
    tree = ast.parse(src)
    fn = tree.body[-1]
    ns = {"math": math}
    exec(compile(src, "<lesson>", "exec"), ns)
    params = [n for n in prog.parsed.inputs if n not in prog.data]
    out = ns[fn.name](*[float(prog.inputs[n]) for n in prog.parsed.inputs])
    assert out[0] == pytest.approx(float(prog.output.item()), rel=1e-12)
    grads = prog.grads()
    for n, g in zip(params, out[1:]):
        assert g == pytest.approx(grads[n], rel=1e-10, abs=1e-12), n


def test_explain_code_on_the_command_line():
    res = subprocess.run([sys.executable, "-m", "retrograd", "explain", "c = w*x; J = (c - y)**2",
                          "--at", "w=2,x=3,y=1", "--data", "x,y", "--code"],
                         capture_output=True, text=True)
    assert res.returncode == 0 and "Traceback" not in res.stderr
    assert "dJ_dw = dJ_dsub1 * x" in res.stdout and res.stdout.startswith("def forward_backward(w, x, y):")
    ast.parse(res.stdout)
    res = subprocess.run([sys.executable, "-m", "retrograd", "explain", "--lesson", "coursera-nw1", "--code"],
                         capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout == GOLDEN.read_text()


# ----- rg.jit(f).lower(*args): the traced forward + backward graph as the learning layer's Graph ----------
def _coursera_lowered():
    from retrograd.learn.code import _as_function, _named_jit
    from retrograd.transforms import value_and_grad
    prog = lesson("coursera-nw1")
    names = prog.parsed.inputs
    params = tuple(i for i, n in enumerate(names) if n not in prog.data)
    fn = _named_jit(value_and_grad(_as_function(prog.parsed), argnums=params), names)
    return fn.lower(*[prog.inputs[n] for n in names]), prog


def _sin_exp_cos(x):
    import retrograd as rg
    return rg.cos(rg.exp(rg.sin(x)))


def test_lower_gives_a_graph_with_the_code_lines_as_nodes():
    from retrograd.learn import Graph
    g, prog = _coursera_lowered()
    assert isinstance(g, Graph) and g.level == "traced" and g.output == "J"
    assert g.source == program_code(prog)                     # the same code as the golden file
    assert list(g.inputs) == ["w", "x", "b", "y"] and g.extra["outputs"] == ["J", "dJ_dw", "dJ_db"]
    lines = {n["id"]: n["formula"] for n in g.nodes if n["kind"] == "op"}
    for name, formula in lines.items():                      # every node is a line of the code
        assert f"    {name} = {formula}\n" in g.source, name
    assert lines["dJ_dd"] == "d" and lines["dJ_dw"] == "dJ_dd * x"
    phase = {n["id"]: n["phase"] for n in g.nodes}
    assert phase["w"] == "input" and phase["J"] == "forward" and phase["dJ_dw"] == "backward"
    assert g.node("dJ_dw")["comment"] == "# d c / d w: mul rule, g * x"
    assert g.node("J")["value"] == 4.5 and g.node("dJ_dw")["value"] == float(prog.grads()["w"])
    assert {(e["source"], e["target"]) for e in g.edges} >= {("dJ_dd", "dJ_dw"), ("x", "dJ_dw"), ("w", "c")}
    assert Graph.from_dict(g.to_dict()).to_dict() == g.to_dict()


@pytest.mark.parametrize("make", ["coursera", "sin_exp_cos", "arrays"])
def test_the_lowered_graph_draws_without_collisions(make):
    import xml.etree.ElementTree as ET

    import numpy as np
    from test_learn_layout import check_geometry

    import retrograd as rg
    if make == "coursera":
        g = _coursera_lowered()[0]
    elif make == "sin_exp_cos":
        g = rg.jit(rg.value_and_grad(_sin_exp_cos)).lower(0.5)
    else:
        g = rg.jit(rg.value_and_grad(lambda w, x: (rg.tanh(x @ w) ** 2).sum())).lower(np.ones((5, 4)),
                                                                                     np.ones((6, 5)))
        assert g.node("w")["value"] is None and g.node("w")["shape"] == [5, 4]  # big arrays: no values
    assert g.width == 0  # the model comes without a layout; the first view lays it out
    root = ET.fromstring(g.to_svg())
    assert g.width > 0 and float(root.get("width")) == g.width
    check_geometry(g)  # no box over another, no edge through a box, in both orientations
    drawn = {el.get("id") for el in root.iter() if el.get("id", "").startswith("node-")}
    assert drawn == {f"node-{n['id']}" for n in g.nodes}
    dot = g.to_dot()
    assert all(f'"{e["source"]}" -> "{e["target"]}"' in dot for e in g.edges)


def test_the_sin_exp_cos_chain_reads_backward_through_the_rules():
    import math

    import retrograd as rg
    g = rg.jit(rg.grad(_sin_exp_cos)).lower(0.5)
    ops = [(n["id"], n["formula"]) for n in g.nodes if n["phase"] == "backward"]
    assert ops[-1] == ("dout_dx", "dout_dsin1 * g2")
    assert g.node("dout_dx")["value"] == pytest.approx(-math.sin(math.exp(math.sin(0.5))) * math.exp(
        math.sin(0.5)) * math.cos(0.5))
    assert [n["comment"] for n in g.nodes if n.get("comment")] == [
        "# d cos / d exp1: cos rule, -g * sin(exp1)", "# d exp1 / d sin1: exp rule, g * exp1",
        "# d sin1 / d x: sin rule, g * cos(x)"]


def test_rule_comments_use_the_codes_names_not_the_rules_letters():
    # In J = (w*x + b - y)**2 / 2 the program has its own x and y: the mul rule for d c / d w must
    # read "g * x" (the other operand, the program's x), never the rule's generic "g * y".
    prog = lesson("coursera-nw1")
    text = program_code(prog)
    assert "# d c / d w: mul rule, g * x" in text
    assert "# d pow1 / d d: pow rule, g * 2 * d**1" in text
    assert "g * y" not in text and "x**(y-1)" not in text
