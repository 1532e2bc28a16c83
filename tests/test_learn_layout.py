"""Pictures without collisions: geometry of the one layout every view draws (SVG, lab, Jupyter).

No edge passes through a node box, no label overlaps a box or another label, no text is
clipped (estimated widths), everything is inside the picture; on the lessons and on
generated programs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import assume, given, strategies as st

import retrograd as rg
from retrograd.learn import lessons, program
from retrograd.learn.layout import label_text, node_title, text_width
from retrograd.learn.numfmt import fmt


def sample_path(d, steps=24):
    """Points along an SVG path made of M, L and C commands."""
    tok = d.split()
    pts, i, cur = [], 0, None
    while i < len(tok):
        cmd = tok[i]
        if cmd in ("M", "L"):
            p = (float(tok[i + 1]), float(tok[i + 2]))
            if cmd == "L" and cur is not None:
                pts += [(cur[0] + (p[0] - cur[0]) * k / steps, cur[1] + (p[1] - cur[1]) * k / steps)
                        for k in range(1, steps + 1)]
            else:
                pts.append(p)
            cur, i = p, i + 3
        elif cmd == "C":
            c1, c2, p = [(float(tok[i + 1 + 2 * k]), float(tok[i + 2 + 2 * k])) for k in range(3)]
            for k in range(1, steps + 1):
                t = k / steps
                a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
                pts.append((a * cur[0] + b * c1[0] + c * c2[0] + e * p[0],
                            a * cur[1] + b * c1[1] + c * c2[1] + e * p[1]))
            cur, i = p, i + 7
        else:
            raise AssertionError(f"unexpected path command {cmd!r} in {d!r}")
    return pts


def node_box(n):
    return (n["x"] - n["w"] / 2, n["y"] - n["h"] / 2, n["w"], n["h"])


def overlap(a, b, pad=0.0):
    return (a[0] < b[0] + b[2] + pad and b[0] < a[0] + a[2] + pad
            and a[1] < b[1] + b[3] + pad and b[1] < a[1] + a[3] + pad)


def strictly_inside(p, box, shrink=1.0):
    return box[0] + shrink < p[0] < box[0] + box[2] - shrink and box[1] + shrink < p[1] < box[1] + box[3] - shrink


def check_geometry(g):
    check_boxes(g.output, g.nodes, g.edges, g.width, g.height)
    # the top-to-bottom layout (narrow screens) obeys the same rules
    tb = g.extra.get("layout_tb")
    if tb is None:
        assert len(g.nodes) > 150
        return
    nodes = [dict(n, x=tb["nodes"][n["id"]][0], y=tb["nodes"][n["id"]][1], w=tb["nodes"][n["id"]][2],
                  h=tb["nodes"][n["id"]][3]) for n in g.nodes]
    edges = [dict(e, **r) for e, r in zip(g.edges, tb["edges"])]
    check_boxes(g.output, nodes, edges, tb["width"], tb["height"])
    assert all(n["y"] < m["y"] for e in edges for n in nodes for m in nodes
               if n["id"] == e["source"] and m["id"] == e["target"])  # every edge points down
    # and the SVG draws exactly these boxes
    root = ET.fromstring(g.to_svg())
    assert float(root.get("width")) == g.width and float(root.get("height")) == g.height


class _G:
    pass


def check_boxes(out, nodes, edges, width, height):
    g = _G()
    g.nodes, g.edges, g.width, g.height = nodes, edges, width, height
    boxes = [("node", n["id"], node_box(n)) for n in g.nodes]
    boxes += [("label", (e["source"], e["target"]), tuple(e["label_box"])) for e in g.edges if e.get("label_box")]
    # nothing overlaps anything, everything is inside the picture
    for i, (k1, id1, b1) in enumerate(boxes):
        assert b1[0] >= 0 and b1[1] >= 0 and b1[0] + b1[2] <= g.width and b1[1] + b1[3] <= g.height, (id1, b1)
        for k2, id2, b2 in boxes[i + 1:]:
            assert not overlap(b1, b2, pad=2.0), (k1, id1, b1, k2, id2, b2)
    # no edge through a node box or through another edge's label
    for e in g.edges:
        pts = sample_path(e["path"])
        for kind, ident, b in boxes:
            if kind == "label" and ident == (e["source"], e["target"]):
                continue  # an edge runs behind its own label
            hits = [p for p in pts if strictly_inside(p, b)]
            assert not hits, (e["source"], e["target"], kind, ident, hits[:3])
    # no clipped text: every line fits in its box
    for n in g.nodes:
        lines = [(node_title(n) if n["kind"] == "op" else f'{n["name"]}  (constante)', 12.5),
                 (f'{n["name"]} = {fmt(n["value"])}', 14)]
        if n["grad"] is not None:
            lines.append((f'd{out}/d{n["name"]} = {fmt(n["grad"])}', 13))
        for text, size in lines:
            assert text_width(text, size) <= n["w"], (n["id"], text)
    for e in g.edges:
        if e.get("label_box"):
            assert text_width(label_text(e, fmt), 10.5) <= e["label_box"][2], e


@pytest.mark.parametrize("name", [les.name for les in lessons()])
@pytest.mark.parametrize("level", ["assignment", "primitive"])
def test_lessons_have_no_collisions(name, level):
    check_geometry(rg.learn.lesson(name).graph(level))


@pytest.mark.parametrize("src,values", [
    ("h = x*y\nf = h + x", {"x": 3.0, "y": -4.0}),                      # fan-out
    ("f = (x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)", {"x": 3.0, "y": -4.0}),  # CS231n, per operation
    ("z1 = w1*x + b1\na1 = sigmoid(z1)\nz2 = w2*x + b2\na2 = sigmoid(z2)\nz = v1*a1 + v2*a2 + c\n"
     "yhat = sigmoid(z)\nL = (yhat - y)**2/2",
     {"x": 0.5, "w1": 0.3, "b1": 0.1, "w2": -0.2, "b2": 0.4, "v1": 0.7, "v2": -0.5, "c": 0.2, "y": 1.0}),
])
@pytest.mark.parametrize("level", ["assignment", "primitive"])
def test_known_hard_pictures_have_no_collisions(src, values, level):
    check_geometry(program(src, **values).graph(level))


NAMES = ["x", "y", "w", "b"]
OPS = ["{a} + {b}", "{a}*{b}", "{a} - {b}", "sin({a})", "exp({a}/4)", "{a}**2", "sigmoid({a})", "{a}/({b}**2 + 1)"]


@st.composite
def programs(draw):
    n = draw(st.integers(1, 7))
    avail, lines = list(NAMES[:draw(st.integers(1, 4))]), []
    for i in range(n):
        op = draw(st.sampled_from(OPS))
        a, b = draw(st.sampled_from(avail)), draw(st.sampled_from(avail))
        lines.append(f"v{i} = " + op.format(a=a, b=b))
        avail.append(f"v{i}")
    return "\n".join(lines)


@given(programs(), st.sampled_from(["assignment", "primitive"]))
def test_generated_programs_have_no_collisions(src, level):
    vals = {n: 0.5 + i for i, n in enumerate(NAMES)}
    used = {n: v for n, v in vals.items() if re.search(rf"\b{n}\b", src)}
    try:
        p = program(src, **used)
    except rg.learn.ProgramError:  # e.g. exp(exp(...)) overflows: not a picture to check
        assume(False)
    check_geometry(p.graph(level))
