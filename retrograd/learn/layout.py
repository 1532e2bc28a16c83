"""The one layout of a graph, for every view (SVG, web lab, Jupyter): boxes, edge routes, label boxes.

A layered (Sugiyama) layout, left to right, done the way Graphviz's ``dot`` does it:

1. **layers**: an operation sits right of all its sources; an input or a constant just left of
   its first consumer; each edge's local-derivative label is a *vertex* of its own, in the layer
   just left of the edge's target (so labels are placed like boxes and never overlap one),
   and a long edge gets a zero-size dummy vertex in every layer it crosses;
2. **order** within each layer by barycentre sweeps (few crossings);
3. **coordinates**: layers are columns as wide as their widest box, separated by a gap; the
   boxes of a column are stacked top to bottom without overlapping, pulled towards their
   neighbours' heights;
4. **routes**: between two consecutive vertices of an edge, a horizontal stub inside the
   vertex's own row of its column, then a curve across the empty gap between the two columns.
   No route can cross a box: inside a column it stays in its vertex's band, between columns
   there are no boxes.

Why our own ~200 lines and not a library: Graphviz is a system program (not on a learner's
laptop or in a notebook by default), ELK compiled to JavaScript would put the layout in the
page only (the SVG and the text need it in Python: DESIGN principle 9) and add ~1 MB to every
page, and grandalf (pure-Python Sugiyama) has had no release since 2023 and places no edge
labels. The graphs of the learning layer have tens of nodes; the steps above are the textbook
ones (Gansner et al., "A technique for drawing directed graphs", 1993).

Box sizes: a node box is :data:`NODE_W` x :data:`NODE_H` or wider for a long title; a label box
:data:`LABEL_W` x :data:`LABEL_H` or wider for a long label (text widths estimated from the
character count, :func:`text_width`).

>>> nodes = [{"id": "w", "kind": "input", "name": "w"}, {"id": "a", "kind": "op", "name": "a", "formula": "3*w"}]
>>> edges = [{"source": "w", "target": "a", "label": "∂a/∂w", "local": 3.0}]
>>> width, height = layout(nodes, edges)
>>> nodes[0]["x"] < edges[0]["label_box"][0] < nodes[1]["x"] - nodes[1]["w"] / 2
True
"""

from __future__ import annotations

import itertools

#: Smallest node box (the lab's value and gradient inputs fit in it).
NODE_W, NODE_H = 150.0, 88.0
#: Smallest edge-label box (the lab's local-derivative input fits in it).
LABEL_W, LABEL_H = 80.0, 44.0
#: Space between columns (where the edges bend), between boxes of a column, around the picture.
GAP_X, GAP_Y, MARGIN = 18.0, 16.0, 16.0
#: Above this many vertices (boxes, labels, bends), fewer ordering and placing passes.
BIG_LAYOUT = 3000
#: Above this many nodes no top-to-bottom variant is computed (the page scales the picture).
MAX_TOP_DOWN_NODES = 150
#: Longest formula shown in a node's title (longer ones end in "…").
TITLE_CHARS = 26


def text_width(text: str, size: float = 12.0) -> float:
    """Estimated width in pixels of ``text`` at font ``size`` (sans-serif; generous, never short).

    >>> text_width("abc") < text_width("abcdef")
    True
    """
    return 0.62 * size * len(text or "")


def short(text, n: int = TITLE_CHARS) -> str:
    """``text`` cut to ``n`` characters with "…" (titles of very long formulas).

    >>> short("a" * 30, 5)
    'aaaa…'
    """
    text = text or ""
    return text if len(text) <= n else text[: n - 1] + "…"


def node_title(n) -> str:
    """The bold first line of a node's box: ``name = formula`` for operations, the name otherwise.

    >>> node_title({"name": "a", "kind": "op", "formula": "2 + 3*w"})
    'a = 2 + 3*w'
    """
    if n.get("kind") == "op" and n.get("formula"):
        return f'{n["name"]} = {short(n["formula"])}'
    return str(n["name"])


def grid_rows(v):
    """A vector or matrix value as rows (a vector is a column, as in z = W a + b); None for a number.

    >>> grid_rows([1.0, 2.0]), grid_rows([[1.0, 2.0]]), grid_rows(3.0)
    ([[1.0], [2.0]], [[1.0, 2.0]], None)
    """
    if not isinstance(v, list):
        return None
    if v and isinstance(v[0], list):
        return [list(r) for r in v]
    return [[x] for x in v]


def node_lines(n, out, fmt):
    """The text lines of a node's box after its title: (text, font size), value lines first.

    A number gives ``a = 4`` and ``dJ/da = 3``; a vector or matrix one line per row.

    >>> node_lines({"name": "a", "value": 4.0, "grad": 3.0}, "J", str)
    [('a = 4.0', 14), ('dJ/da = 3.0', 13)]
    >>> [t for t, _ in node_lines({"name": "z", "value": [1, 2], "grad": None}, "J", str)]
    ['z = [1]', '[2]']
    """
    lines = []
    for key, label, size in (("value", n["name"], 14), ("grad", f'd{out}/d{n["name"]}', 13)):
        v = n.get(key)
        if key == "grad" and v is None:
            continue
        rows = grid_rows(v)
        if rows is None:
            lines.append((f"{label} = {fmt(v)}" if key == "grad" or label != fmt(v) else fmt(v), size))
        else:
            for i, r in enumerate(rows):
                lead = f"{label} = " if i == 0 else ""
                lines.append((lead + "[" + ", ".join(fmt(x) for x in r) + "]", size))
    return lines


#: The lab's answer cell for one entry of a vector or matrix.
CELL_W, CELL_H = 62.0, 24.0


def _node_size(n, fmt, out):
    """Wide and tall enough for the title, the value and gradient lines (SVG) and the answer grids (lab)."""
    title = node_title(n) if n.get("kind") == "op" else f'{n["name"]}  (constante)'
    lines = node_lines(n, out, fmt)
    w = max([NODE_W, text_width(title, 12.5) + 20] + [text_width(t, size) + 20 for t, size in lines])
    if grid_rows(n.get("value")) is None:
        return w, NODE_H if n.get("grad") is not None else NODE_H - 24  # no gradient row
    rows = grid_rows(n["value"])
    label = max(len(n["name"]) + 2, len(f'd{out}/d{n["name"]}') + 1)
    w = max(w, 16 + 7.0 * label + len(rows[0]) * CELL_W)
    grids = 1 + (n.get("grad") is not None)
    h = max(34 + 20 * len(lines), 34 + grids * len(rows) * (CELL_H + 2) + 6 * grids)
    return w, h


def label_text(e, fmt) -> str:
    """The text of an edge's label: ``∂a/∂w = 3`` (with the formula when it is short).

    >>> label_text({"label": "∂J/∂a", "local": 22.0, "local_formula": "2*a"}, str)
    '∂J/∂a = 2*a = 22.0'
    """
    if isinstance(e.get("local"), list):  # arrays: the edge carries a vector-Jacobian product, named only
        return e.get("label") or ""
    formula = e.get("local_formula")
    value = fmt(e["local"])
    show = formula and formula != value and len(formula) <= 10
    return f'{e.get("label") or ""} = {formula + " = " if show else ""}{value}'


def layout(nodes, edges, fmt=None, out=""):
    """Place ``nodes`` (in topological order) left to right and route ``edges``; returns (width, height).

    Sets on each node ``x``, ``y`` (box centre), ``w``, ``h`` and ``layer``; on each edge
    ``path`` (SVG path data), and ``label_box`` ([left, top, width, height]) when it has a
    local derivative.

    >>> nodes = [{"id": "w", "kind": "input", "name": "w"}, {"id": "J", "kind": "op", "name": "J", "formula": "w**2"}]
    >>> edges = [{"source": "w", "target": "J", "local": 6.0, "label": "∂J/∂w"}]
    >>> width, height = layout(nodes, edges)
    >>> edges[0]["path"].startswith("M "), [n["layer"] for n in nodes]
    (True, [0, 1])
    """
    res = _layered(nodes, edges, fmt, out, transpose=False)
    for n in nodes:
        n["x"], n["y"], n["w"], n["h"] = res["nodes"][n["id"]]
        n["layer"] = res["layer"][n["id"]]
    for e, r in zip(edges, res["edges"]):
        e["path"], e["label_box"] = r["path"], r["label_box"]
    return res["width"], res["height"]


def layout_top_down(nodes, edges, fmt=None, out=""):
    """The same layered layout, top to bottom (for narrow screens): a plain dict
    ``{"width", "height", "nodes": {id: [x, y, w, h]}, "edges": [{"path", "label_box"}]}``.

    >>> nodes = [{"id": "w", "kind": "input", "name": "w"}, {"id": "a", "kind": "op", "name": "a"}]
    >>> tb = layout_top_down(nodes, [{"source": "w", "target": "a", "local": 3.0, "label": "∂a/∂w"}])
    >>> tb["nodes"]["w"][1] < tb["edges"][0]["label_box"][1] < tb["nodes"]["a"][1]
    True
    """
    res = _layered(nodes, edges, fmt, out, transpose=True)
    return {"width": res["width"], "height": res["height"],
            "nodes": {k: list(v) for k, v in res["nodes"].items()}, "edges": res["edges"]}


def _layered(nodes, edges, fmt, out, transpose):
    """The four steps on abstract axes: "x" along the layers, "y" across; ``transpose`` swaps them."""
    if fmt is None:
        from .numfmt import fmt
    ids = [n["id"] for n in nodes]
    sources, targets = {}, {}
    for e in edges:
        sources.setdefault(e["target"], []).append(e["source"])
        targets.setdefault(e["source"], []).append(e["target"])

    def size(w, h):  # a box's extent (along the layers, across them)
        return (h, w) if transpose else (w, h)

    # 1. layers (nodes on even columns, labels on odd ones)
    layer = {}
    for n in nodes:
        srcs = [s for s in sources.get(n["id"], []) if s in layer]
        layer[n["id"]] = 1 + max(layer[s] for s in srcs) if srcs else 0
    for n in nodes:
        if not sources.get(n["id"]) and targets.get(n["id"]):
            layer[n["id"]] = max(0, min(layer[t] for t in targets[n["id"]]) - 1)
    verts = {}  # vertex id -> {"col", "w" (along), "h" (across)}
    for n in nodes:
        w, h = _node_size(n, fmt, out)
        along, across = size(w, h)
        verts[("n", n["id"])] = {"col": 2 * layer[n["id"]], "w": along, "h": across}
    chains = []  # per edge: the vertex ids from source to target
    for i, e in enumerate(edges):
        s, t = e["source"], e["target"]
        c0, c1 = verts[("n", s)]["col"], verts[("n", t)]["col"]
        chain = [("n", s)]
        for c in range(c0 + 1, c1):
            if c == c1 - 1 and e.get("local") is not None:
                along, across = size(max(LABEL_W, text_width(label_text(e, fmt), 10.5) + 12), LABEL_H)
                verts[("l", i)] = {"col": c, "w": along, "h": across}
                chain.append(("l", i))
            else:
                verts[("d", i, c)] = {"col": c, "w": 0.0, "h": 8.0}
                chain.append(("d", i, c))
        chain.append(("n", t))
        chains.append(chain)
    n_cols = 1 + max(v["col"] for v in verts.values()) if verts else 1
    cols = [[] for _ in range(n_cols)]
    for v, d in verts.items():  # first-seen order: inputs in program order
        cols[d["col"]].append(v)

    # 2. order: barycentre sweeps
    nbrs = {v: [] for v in verts}
    for chain in chains:
        for a, b in itertools.pairwise(chain):
            nbrs[a].append(b)
            nbrs[b].append(a)

    pos = {v: i for col in cols for i, v in enumerate(col)}
    big = len(verts) > BIG_LAYOUT  # a few passes suffice for huge graphs, which nobody reads box by box
    for sweep in range(2 if big else 6):
        rng = range(1, n_cols) if sweep % 2 == 0 else range(n_cols - 2, -1, -1)
        for c in rng:
            side = c - 1 if sweep % 2 == 0 else c + 1

            def bary(v, side=side):
                ps = [pos[u] for u in nbrs[v] if verts[u]["col"] == side]
                return sum(ps) / len(ps) if ps else pos[v]
            cols[c].sort(key=lambda v: (bary(v), pos[v]))
            for i, v in enumerate(cols[c]):  # only this column moved
                pos[v] = i

    # 3. coordinates
    gap_along, gap_across = (GAP_X + 8, GAP_Y + 6) if transpose else (GAP_X, GAP_Y)
    col_w = [max([verts[v]["w"] for v in col] + [0.0]) for col in cols]
    left, x = [], MARGIN
    for c in range(n_cols):
        left.append(x)
        x += col_w[c] + gap_along
    for c, col in enumerate(cols):
        for v in col:
            verts[v]["x"] = left[c] + col_w[c] / 2
    y = {}
    for col in cols:  # start stacked
        top = MARGIN
        for v in col:
            y[v] = top + verts[v]["h"] / 2
            top += verts[v]["h"] + gap_across
    for _ in range(2 if big else 8):  # pull towards neighbours, keep order and spacing
        for col in cols:
            want = {v: (sum(y[u] for u in nbrs[v]) / len(nbrs[v]) if nbrs[v] else y[v]) for v in col}
            _place(col, verts, want, y, gap_across)
    top = min(y[v] - verts[v]["h"] / 2 for v in verts) if verts else MARGIN
    for v in verts:
        y[v] += MARGIN - top
        verts[v]["y"] = y[v]
    extent_along = left[-1] + col_w[-1] + MARGIN
    extent_across = max(verts[v]["y"] + verts[v]["h"] / 2 for v in verts) + MARGIN if verts else 2 * MARGIN

    def pt(cmd, *xy):  # a path command, its points on the page's axes
        coords = []
        for k in range(0, len(xy), 2):
            a, b = (xy[k + 1], xy[k]) if transpose else (xy[k], xy[k + 1])
            coords.append(f"{a:.1f} {b:.1f}")
        return f"{cmd} " + " ".join(coords)

    # 4. routes, with ports spread along the sides of node boxes
    out_port, in_port = {}, {}
    for nid in ids:
        v = verts[("n", nid)]
        outs = [i for i, ch in enumerate(chains) if ch[0] == ("n", nid)]
        ins = [i for i, ch in enumerate(chains) if ch[-1] == ("n", nid)]
        outs.sort(key=lambda i: verts[chains[i][1]]["y"])
        ins.sort(key=lambda i: verts[chains[i][-2]]["y"])
        for group, ports in ((outs, out_port), (ins, in_port)):
            k = len(group)
            step = min(14.0, (v["h"] - 24) / max(k, 1))
            for j, i in enumerate(group):
                ports[i] = v["y"] + (j - (k - 1) / 2) * step
    routes = []
    for i, (_e, chain) in enumerate(zip(edges, chains)):
        cmds = []  # (command, abstract coordinates); level stretches merge into one line

        def line_to(x, y, cmds=cmds):
            if cmds and cmds[-1][0] == "L" and abs(cmds[-1][1][-1] - y) < 0.05 and (
                    len(cmds) < 2 or abs(cmds[-2][1][-1] - y) < 0.05):
                cmds[-1] = ("L", (x, y))  # extend a level line instead of adding a point
            else:
                cmds.append(("L", (x, y)))
        for j, (a, b) in enumerate(itertools.pairwise(chain)):
            va, vb = verts[a], verts[b]
            ya = out_port[i] if j == 0 else va["y"]
            yb = in_port[i] if j == len(chain) - 2 else vb["y"]
            xa, xb = va["x"] + va["w"] / 2, vb["x"] - vb["w"] / 2
            ca, cb = left[va["col"]] + col_w[va["col"]], left[vb["col"]]
            if not cmds:
                cmds.append(("M", (xa, ya)))
            elif a[0] == "l":  # through the label box: the line runs behind it
                line_to(xa, ya)
            if ca > xa:
                line_to(ca, ya)
            if abs(ya - yb) < 0.05:  # level: a straight line across the gap
                line_to(cb, yb)
            else:
                mx = (ca + cb) / 2
                cmds.append(("C", (mx, ya, mx, yb, cb, yb)))
            if xb > cb:
                line_to(xb, yb)
        pts = [pt(cmd, *xy) for cmd, xy in cmds]
        lab = next((verts[v] for v in chain if v[0] == "l"), None)
        box = None
        if lab is not None:
            box = [lab["x"] - lab["w"] / 2, lab["y"] - lab["h"] / 2, lab["w"], lab["h"]]
            if transpose:
                box = [box[1], box[0], box[3], box[2]]
            box = [round(c, 1) for c in box]
        routes.append({"path": " ".join(pts), "label_box": box})
    placed = {}
    for n in nodes:
        v = verts[("n", n["id"])]
        x_, y_, w_, h_ = v["x"], v["y"], v["w"], v["h"]
        if transpose:
            x_, y_, w_, h_ = y_, x_, h_, w_
        placed[n["id"]] = (round(x_, 1), round(y_, 1), round(w_, 1), round(h_, 1))
    width, height = (extent_across, extent_along) if transpose else (extent_along, extent_across)
    return {"nodes": placed, "edges": routes, "layer": layer,
            "width": float(round(width)), "height": float(round(height))}


def _place(col, verts, want, y, gap):
    """Move the boxes of one column towards ``want`` (centres), keeping their order, without overlaps."""
    if not col:
        return
    # forward pass: each box at its wish or just below the previous one
    prev_bottom = None
    placed = []
    for v in col:
        h = verts[v]["h"]
        c = want[v]
        if prev_bottom is not None:
            c = max(c, prev_bottom + gap + h / 2)
        placed.append(c)
        prev_bottom = c + h / 2
    # balance: shift the whole column up by the mean excess, still keeping spacing
    excess = sum(p - want[v] for p, v in zip(placed, col)) / len(col)
    placed = [p - excess for p in placed]
    for k in range(1, len(col)):  # restore spacing after the shift
        need = placed[k - 1] + verts[col[k - 1]]["h"] / 2 + gap + verts[col[k]]["h"] / 2
        placed[k] = max(placed[k], need)
    for v, p in zip(col, placed):
        y[v] = p


def ensure_layout(graph):
    """Lay out a Graph that came without a layout (``rg.jit(f).lower()``), in place; returns it.

    Extractors below the learning layer build the model only; the first view that draws it
    computes the same layered layout as every other graph (left to right, and top to bottom
    for narrow screens). A graph that has its layout is returned as it is.

    >>> import retrograd as rg
    >>> g = ensure_layout(rg.jit(lambda x: rg.sin(x) * x).lower(1.0))
    >>> g.width > 0 and all(n["w"] >= NODE_W for n in g.nodes) and "layout_tb" in g.extra
    True
    """
    if graph.width and graph.nodes and "w" in graph.nodes[0]:
        return graph
    graph.width, graph.height = layout(graph.nodes, graph.edges, out=graph.output or "")
    if len(graph.nodes) <= MAX_TOP_DOWN_NODES:
        graph.extra["layout_tb"] = layout_top_down(graph.nodes, graph.edges, out=graph.output or "")
    return graph
