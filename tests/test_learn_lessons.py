"""The built-in lessons reproduce the course notebooks (../shared/seeds/), to the digits they print."""

from __future__ import annotations

import math

import pytest

import retrograd as rg
from retrograd.learn import lesson, lessons


@pytest.fixture
def sympy():
    return pytest.importorskip("sympy")


def test_lesson_list():
    names = [les.name for les in lessons()]
    assert names == ["coursera-nw0", "coursera-nw1", "udl-7.1", "romaintha-111"]
    for les in lessons():
        assert les["title_en"] and les["title_es"] and les["source"] and les["values"]
        assert les.to_dict()["name"] == les.name
    with pytest.raises(KeyError, match="coursera-nw0"):
        lesson("nope")


# ----- Coursera C2 W2 optional lab, network 0: J = (2 + 3w)^2 at w = 3 -------------------------
def test_coursera_nw0_forward_and_backward():
    g = lesson("coursera-nw0").graph()
    # print(f"a = {a}, J = {J}")  ->  a = 11, J = 121
    assert g.node("a")["value"] == 11 and g.node("J")["value"] == 121
    assert g.node("a")["grad"] == 22 and g.node("w")["grad"] == 66


def test_coursera_nw0_arithmetic_checks_print_the_notebook_digits():
    g = lesson("coursera-nw0").graph()
    # J = 121, J_epsilon = 121.02200099999999, dJ_da ~= k = 22.000999999988835
    c = g.edge("a", "J")["check"]
    assert c["eps"] == 0.001
    assert repr(c["f_plus"]) == "121.02200099999999" and repr(c["forward"]) == "22.000999999988835"
    # a = 11, a_epsilon = 11.003, da_dw ~= k = 3.0000000000001137
    c = g.edge("w", "a")["check"]
    assert repr(c["f_plus"]) == "11.003" and repr(c["forward"]) == "3.0000000000001137"
    # J = 121, J_epsilon = 121.06600900000001, dJ_dw ~= k = 66.0090000000082
    c = g.node("w")["check"]
    assert repr(c["f_plus"]) == "121.06600900000001" and repr(c["forward"]) == "66.0090000000082"


def test_coursera_nw0_symbolic_formulas(sympy):
    g = lesson("coursera-nw0").graph()
    assert g.edge("a", "J")["local_formula"] == "2*a"      # dJ_da = diff(sJ, sa) -> 2*a
    assert g.edge("w", "a")["local_formula"] == "3"        # da_dw = diff(sa, sw) -> 3
    assert g.node("w")["grad_formula"] == "6*a"            # dJ_dw = da_dw * dJ_da -> 6*a


# ----- network 1: c = w*x, a = c + b, d = a - y, J = d**2/2 -------------------------------------
def test_coursera_nw1_forward_and_backward():
    p = lesson("coursera-nw1")
    # print(f"J={J}, d={d}, a={a}, c={c}")  ->  J=4.5, d=3, a=4, c=-4
    assert (p.values["J"], p.values["d"], p.values["a"], p.values["c"]) == (4.5, 3, 4, -4)
    g = p.graph()
    assert [g.node(n)["grad"] for n in "dacbw"] == [3, 3, 3, 3, 6]
    # x and y are data: the lab does not back-propagate to them
    assert g.node("x")["grad"] is None and g.node("y")["grad"] is None
    assert g.node("x")["requires_grad"] is False


def test_coursera_nw1_arithmetic_checks_print_the_notebook_digits():
    g = lesson("coursera-nw1").graph()
    # J = 4.5, J_epsilon = 4.5030005, dJ_dd ~= k = 3.0004999999997395
    c = g.node("d")["check"]
    assert repr(c["f_plus"]) == "4.5030005" and repr(c["forward"]) == "3.0004999999997395"
    # d = 3, d_epsilon = 3.0010000000000003, dd_da ~= k = 1.000000000000334
    c = g.edge("a", "d")["check"]
    assert repr(c["f_plus"]) == "3.0010000000000003" and repr(c["forward"]) == "1.000000000000334"
    # J = 4.5, J_epsilon = 4.503000500000001, dJ_da ~= k = 3.0005000000006277
    c = g.node("a")["check"]
    assert repr(c["f_plus"]) == "4.503000500000001" and repr(c["forward"]) == "3.0005000000006277"
    # J = 4.5, J_epsilon = 4.506002, dJ_dw ~= k = 6.001999999999619
    c = g.node("w")["check"]
    assert repr(c["f_plus"]) == "4.506002" and repr(c["forward"]) == "6.001999999999619"


def test_coursera_nw1_symbolic_formulas(sympy):
    g = lesson("coursera-nw1").graph()
    assert g.edge("d", "J")["local_formula"] == "d"         # dJ_dd -> d
    assert g.edge("a", "d")["local_formula"] == "1"         # dd_da -> 1
    assert g.edge("c", "a")["local_formula"] == "1" and g.edge("b", "a")["local_formula"] == "1"
    assert g.node("c")["grad_formula"] == "d" and g.node("b")["grad_formula"] == "d"   # dJ_dc = d, dJ_db = d
    assert g.edge("w", "c")["local_formula"] == "x"         # dc_dw -> x
    assert g.node("w")["grad_formula"] == "d*x"             # dJ_dw -> d*x


# ----- UDL 7.1 ----------------------------------------------------------------------------------
UDL_FORWARD = {"f0": 1.230, "h1": 0.942, "f1": 1.623, "h2": 5.068, "f2": 7.137, "h3": 0.657, "f3": 2.372,
               "l": 0.139}
UDL_BACKWARD = {"f3": 0.745, "h3": 2.234, "f2": -1.683, "h2": -3.366, "f1": -17.060, "h1": 6.824,
                "f0": 2.281,
                "beta3": 0.745, "omega3": 0.489, "beta2": -1.683, "omega2": -8.530, "beta1": -17.060,
                "omega1": -16.079, "beta0": 2.281, "omega0": 5.246}


def test_udl_forward_pass_to_three_decimals():
    p = lesson("udl-7.1")
    for name, printed in UDL_FORWARD.items():
        assert f"{p.values[name]:3.3f}" == f"{printed:3.3f}", name


def test_udl_backward_pass_to_three_decimals():
    g = lesson("udl-7.1").graph()
    for name, printed in UDL_BACKWARD.items():
        assert "{:3.3f}".format(g.node(name)["grad"]) == f"{printed:3.3f}", name


def test_udl_dldbeta1_is_the_correct_value_not_the_notebooks_slip():
    g = lesson("udl-7.1").graph()
    # The notebook's cell computes dldbeta1 = dldf2 (-1.683); the true value it prints is -17.060.
    assert "{:3.3f}".format(g.node("beta1")["grad"]) == "-17.060"
    assert g.node("beta1")["grad"] == pytest.approx(g.node("f1")["grad"], rel=1e-15)
    assert any("-17.060" in n for n in g.extra["notes"])


def test_udl_omega0_matches_the_closed_form_and_the_finite_difference():
    # The notebook's dldomega0_func and its finite difference with delta 1e-5 (both print 5.246).
    v = dict(lesson("udl-7.1").values)
    b0, b1, b2, b3 = v["beta0"], v["beta1"], v["beta2"], v["beta3"]
    o0, o1, o2, o3, x, y = v["omega0"], v["omega1"], v["omega2"], v["omega3"], v["x"], v["y"]

    def loss(o0_):
        return (b3 + o3 * math.cos(b2 + o2 * math.exp(b1 + o1 * math.sin(b0 + o0_ * x))) - y) ** 2
    closed = (-2 * (b3 + o3 * math.cos(b2 + o2 * math.exp(b1 + o1 * math.sin(b0 + o0 * x))) - y)
              * o1 * o2 * o3 * x * math.cos(b0 + o0 * x) * math.exp(b1 + o1 * math.sin(b0 + o0 * x))
              * math.sin(b2 + o2 * math.exp(b1 + o1 * math.sin(b0 + o0 * x))))
    fd = (loss(o0 + 0.00001) - loss(o0)) / 0.00001
    g = lesson("udl-7.1").graph()
    assert g.node("omega0")["grad"] == pytest.approx(closed, rel=1e-12)
    assert "{:3.3f}".format(g.node("omega0")["check"]["forward"]) == f"{fd:3.3f}" == "5.246"


def test_udl_local_derivatives_are_the_notebooks(sympy):
    g = lesson("udl-7.1").graph()
    assert g.edge("f2", "h3")["local_formula"] == "-sin(f2)"
    assert g.edge("f1", "h2")["local_formula"] == "exp(f1)"
    assert g.edge("f0", "h1")["local_formula"] == "cos(f0)"
    assert g.edge("h3", "f3")["local_formula"] == "omega3"


# ----- romaintha 1-1-1 sigmoid network ----------------------------------------------------------
def test_romaintha_gradients_against_the_notebooks_analytic_formula_and_sympy(sympy):
    p = lesson("romaintha-111")
    v = p.values
    # The notebook's analytic derivation:
    # dL/dw2 = h e^{-h w2 - b2} / (1 + e^{-h w2 - b2})^2 * (1 / (1 + e^{-h w2 - b2}) - y_T)
    e = math.exp(-v["h"] * v["w2"] - v["b2"])
    dL_dw2 = v["h"] * e / (1 + e) ** 2 * (1 / (1 + e) - v["y_T"])
    g = p.graph()
    assert g.node("w2")["grad"] == pytest.approx(dL_dw2, rel=1e-12)
    # Every parameter against SymPy on the closed form of the whole network.
    x, w1, b1, w2, b2, yT = sympy.symbols("x w1 b1 w2 b2 y_T")
    sig = lambda z: 1 / (1 + sympy.exp(-z))
    L = (sig(sig(x * w1 + b1) * w2 + b2) - yT) ** 2 / 2
    subs = {s: v[str(s)] for s in (x, w1, b1, w2, b2, yT)}
    for s in (w1, b1, w2, b2):
        assert g.node(str(s))["grad"] == pytest.approx(float(sympy.diff(L, s).subs(subs)), rel=1e-12)
    assert g.node("L")["value"] == pytest.approx(float(L.subs(subs)), rel=1e-14)


def test_romaintha_gradients_against_central_differences():
    les = next(x for x in lessons() if x.name == "romaintha-111")
    g = les.program().graph()
    for name in ("w1", "b1", "w2", "b2"):
        h = 1e-6
        up = dict(les.values, **{name: les.values[name] + h})
        down = dict(les.values, **{name: les.values[name] - h})
        fd = (rg.learn.program(les.source, **up).output.item()
              - rg.learn.program(les.source, **down).output.item()) / (2 * h)
        assert g.node(name)["grad"] == pytest.approx(fd, rel=1e-6, abs=1e-9)


def test_every_lesson_is_consistent_everywhere(sympy):
    # engine = SymPy chain rule = central differences, for every node and every edge, at both levels
    for les in lessons():
        for level in ("assignment", "primitive"):
            g = les.program().graph(level)
            for n in g.nodes:
                if n["grad"] is None:
                    continue
                assert n["grad_formula_value"] == pytest.approx(n["grad"], rel=1e-9, abs=1e-12), (les.name, n)
                if n["check"]:
                    assert n["check"]["central"] == pytest.approx(n["grad"], rel=1e-4, abs=1e-6), (les.name, n)
            for e in g.edges:
                if e["local"] is None:
                    continue
                assert e["local_formula_value"] == pytest.approx(e["local"], rel=1e-9, abs=1e-12), (les.name, e)
                assert e["check"]["central"] == pytest.approx(e["local"], rel=1e-4, abs=1e-6), (les.name, e)
