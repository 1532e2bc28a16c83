"""Pictures of a :class:`~retrograd.graph_model.Graph`: SVG with no system dependency, and Graphviz DOT.

The SVG uses the graph's own layout (``x``, ``y`` are box centres): forward
values in blue, gradients d(output)/d(node) in green, local derivatives on the
edges, as in the course diagrams.

>>> from retrograd.learn import program
>>> svg = program("a = 2 + 3*w\\nJ = a**2", w=3.0).graph().to_svg()
>>> "121" in svg and "66" in svg
True
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .i18n import grad_d, tr
from .layout import NODE_H, NODE_W, ensure_layout, grid_rows, label_text, node_lines, node_title
from .numfmt import fmt

BLUE = "#1f5fbf"
GREEN = "#1a7f37"
GREY = "#57606a"
EDGE = "#8c959f"



def to_svg(graph, lang: str = "en") -> str:
    """The graph as a standalone SVG document (a string).

    >>> from retrograd.learn import program
    >>> import xml.etree.ElementTree as ET
    >>> root = ET.fromstring(program("J = (2 + 3*w)**2", w=3.0).graph().to_svg())
    >>> root.tag.endswith("svg")
    True
    """
    lang = lang if lang in ("en", "es") else "en"
    ensure_layout(graph)  # a graph from rg.jit(f).lower() is laid out when first drawn
    words = {k: tr(lang, "svg_" + k) for k in ("input", "const", "data")}
    out = graph.output
    w, h = graph.width, graph.height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.0f} {h:.0f}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
        "<defs><marker id=\"rg-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
        f"markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"{EDGE}\"/>"
        "</marker></defs>",
        f'<rect width="{w:.0f}" height="{h:.0f}" fill="white"/>',
    ]
    for e in graph.edges:  # routes and label boxes come from the layout (retrograd.learn.layout)
        parts.append(f'<path class="edge" d="{e["path"]}" fill="none" stroke="{EDGE}" stroke-width="1.5" '
                     'marker-end="url(#rg-arrow)"/>')
    for e in graph.edges:
        if e.get("local") is None or not e.get("label_box"):
            continue
        lx, ly, lw, lh = e["label_box"]
        parts.append(f'<rect class="label-box" x="{lx:.1f}" y="{ly + lh / 2 - 10:.1f}" width="{lw:.1f}" '
                     f'height="20" rx="4" fill="white" stroke="#d0d7de" stroke-width="1"/>')
        parts.append(f'<text class="local" x="{lx + lw / 2:.1f}" y="{ly + lh / 2 + 4:.1f}" text-anchor="middle" '
                     f'fill="{GREY}" font-size="10.5">{escape(label_text(e, fmt))}</text>')
    for n in graph.nodes:
        nw, nh = n.get("w", NODE_W), n.get("h", NODE_H)
        x0, y0 = n["x"] - nw / 2, n["y"] - nh / 2
        fill = "#f6f8fa" if n["kind"] != "op" else "#ffffff"
        dash = ' stroke-dasharray="4 3"' if n["kind"] == "const" else ""
        # quoteattr escapes quotes too: no node name can add an attribute
        parts.append(f'<g class="node" id={quoteattr("node-" + str(n["id"]))}>')
        parts.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{nw:.1f}" height="{nh:.0f}" rx="8" '
                     f'fill="{fill}" stroke="#57606a" stroke-width="1.2"{dash}/>')
        if n["kind"] == "op":
            title = node_title(n)
        elif n["kind"] == "input":
            title = f'{n["name"]}  ({words["input"] if n.get("requires_grad") else words["data"]})'
        else:
            title = f'{n["name"]}  ({words["const"]})'
        parts.append(f'<text class="title" x="{n["x"]:.1f}" y="{y0 + 20:.1f}" text-anchor="middle" '
                     f'font-weight="bold">{escape(title)}</text>')
        lines = node_lines(n, out, fmt)
        step = 26.0 if grid_rows(n.get("value")) is None else 20.0
        for i, (text, size) in enumerate(lines):
            cls, color = ("value", BLUE) if size == 14 else ("grad", GREEN)
            parts.append(f'<text class="{cls}" x="{n["x"]:.1f}" y="{y0 + 46 + i * step:.1f}" text-anchor="middle" '
                         f'fill="{color}" font-size="{size}">{escape(text)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)


def to_dot(graph) -> str:
    """The graph in Graphviz DOT, left to right, same colours as the SVG.

    >>> from retrograd.learn import program
    >>> print(program("J = w**2", w=3.0).graph().to_dot().splitlines()[1])
      rankdir=LR; node [shape=box, style=rounded, fontname="Helvetica"];
    """
    def q(s):
        return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = ["digraph retrograd {", '  rankdir=LR; node [shape=box, style=rounded, fontname="Helvetica"];']
    for n in graph.nodes:
        head = f'{n["name"]} = {n["formula"]}' if n["kind"] == "op" and n.get("formula") else n["name"]
        rows = [f"<b>{escape(head)}</b>",
                f'<font color="{BLUE}">{escape(n["name"])} = {escape(fmt(n["value"]))}</font>']
        if n.get("grad") is not None:
            rows.append(f'<font color="{GREEN}">{escape(grad_d(graph.output, n["name"]))} = '
                        f'{escape(fmt(n["grad"]))}</font>')
        lines.append(f'  {q(n["id"])} [label=<{"<br/>".join(rows)}>];')
    for e in graph.edges:
        label = "" if e.get("local") is None else f' [label={q(e["label"] + " = " + fmt(e["local"], 4))}]'
        lines.append(f'  {q(e["source"])} -> {q(e["target"])}{label};')
    lines.append("}")
    return "\n".join(lines)
