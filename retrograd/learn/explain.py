"""Explanations: the forward table and the backward walk, every derivative checked.

:func:`explain` reads a :class:`~retrograd.learn.graph.Graph` (it builds one
from a Program or an output Tensor) and writes what the course notebooks do by
hand: the forward values left to right; then, right to left, for each node its
local derivatives (SymPy formula and value), the gradient arriving from the
right, the chain-rule product, the sum where a value feeds several nodes; and
each derivative checked arithmetically ((f(v+ε) − f(v))/ε, with its bias),
by a central difference and symbolically with SymPy.

The same content renders as plain text (``str``), Markdown
(:meth:`Explanation.to_markdown`) and HTML for notebooks (``_repr_html_``).

>>> from retrograd.learn import program, explain
>>> text = str(explain(program("a = 2 + 3*w\\nJ = a**2", w=3.0)))
>>> "(121.02200099999999 − 121)/0.001 = 22.000999999988835" in text
True
"""

from __future__ import annotations

from html import escape

from . import symbolic
from .i18n import tr
from .svg import fmt


def _r(v) -> str:
    """Full precision, as the notebooks print it: 121 for integers, repr otherwise."""
    if v is None:
        return "–"
    v = float(v)
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _bias(v) -> str:
    if v is None:
        return "–"
    return f"{v:+.2g}"


def _close(a, b, rtol=1e-6) -> bool:
    if a is None or b is None:
        return False
    if float(a) == float(b):
        return True
    return abs(float(a) - float(b)) <= rtol * max(1.0, abs(float(b)))


def _d(out, name) -> str:
    return f"∂{out}/∂{name}"


class Explanation:
    """A rendered explanation of one graph: ``str()`` for terminals, Markdown, HTML for notebooks.

    >>> from retrograd.learn import lesson
    >>> e = lesson("coursera-nw1").explain(lang="es")
    >>> "regla de la cadena" in str(e) and "| nodo |" in e.to_markdown() and "<table" in e._repr_html_()
    True
    """

    def __init__(self, graph, lang: str = "en"):
        tr(lang, "program")  # validates lang
        self.graph = graph
        self.lang = lang
        self.blocks = _blocks(graph, lang)

    @property
    def text(self) -> str:
        """Plain text (what ``str()`` gives)."""
        return _to_text(self.blocks)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def to_markdown(self) -> str:
        """The explanation as Markdown (tables and lists)."""
        return _to_markdown(self.blocks)

    def _repr_markdown_(self):
        return self.to_markdown()

    def to_html(self, with_svg: bool = True) -> str:
        """The explanation as an HTML fragment, with the graph's SVG first."""
        return _to_html(self.blocks, self.graph.to_svg(self.lang) if with_svg else "")

    def _repr_html_(self):
        return self.to_html()


def explain(output, lang: str = "en", level: str = "assignment", eps=None) -> Explanation:
    """Explain a Program, a lesson name, a Graph or an output Tensor (built before its backward).

    ``eps`` is the finite-difference step (the notebooks use 0.001).

    >>> import retrograd as rg
    >>> w = rg.tensor(3.0, requires_grad=True, name="w")
    >>> J = ((2 + 3 * w).named("a") ** 2).named("J")
    >>> print(str(rg.learn.explain(J)).splitlines()[0])
    Forward pass (left to right)
    """
    from .graph import Graph, build_graph
    from .program import Program
    tr(lang, "program")
    if isinstance(output, str):
        from .lessons import lesson
        output = lesson(output, lang)
    if isinstance(output, Graph):
        g = output
    elif isinstance(output, Program):
        g = output.graph(level) if eps is None or eps == output.eps else build_graph(output, level, eps)
    else:
        g = build_graph(output, level, eps)
    return Explanation(g, lang)


# ----- content ------------------------------------------------------------------------------
def _blocks(g, lang):
    T = lambda key, **kw: tr(lang, key, **kw)  # noqa: E731
    nodes = {n["id"]: n for n in g.nodes}
    out = nodes[g.output]["name"]
    blocks = []
    title = g.extra.get("title")
    if title:
        blocks.append(("title", title))
    if g.source:
        blocks.append(("heading", T("program")))
        blocks.append(("code", g.source))
    notes = g.extra.get("notes") or []
    if notes:
        blocks.append(("heading", T("notes")))
        blocks.append(("list", [(0, n) for n in notes]))

    # Forward table.
    blocks.append(("heading", T("forward")))
    rows = []
    for n in g.nodes:
        if n["kind"] == "op":
            what = n["formula"]
        elif n["kind"] == "input":
            what = T("input") if n["requires_grad"] else T("data")
        else:
            what = T("const")
        rows.append([n["name"], what, _r(n["value"]) if not isinstance(n["value"], list) else fmt(n["value"])])
    blocks.append(("table", [T("node"), T("formula"), T("value")], rows))

    # Backward walk.
    head = T("backward")
    if g.extra.get("eps"):
        head += ", " + T("eps", eps=_r(g.extra["eps"]))
    blocks.append(("heading", head))
    intro = [(0, T("start", d=_d(out, out)))]
    if not g.extra.get("symbolic", symbolic.AVAILABLE):
        intro.append((0, T("nosym")))
    if not g.extra.get("scalar", True):
        intro.append((0, T("not_scalar")))
    blocks.append(("list", intro))

    incoming, outgoing = {}, {}
    for e in g.edges:
        incoming.setdefault(e["target"], []).append(e)
        outgoing.setdefault(e["source"], []).append(e)

    def live(e):
        return e["local"] is not None and nodes[e["target"]]["grad"] is not None

    scalar = g.extra.get("scalar", True)
    pending = {nid: [e for e in outgoing.get(nid, []) if live(e)] for nid in nodes}
    done = {nid: [] for nid in nodes}
    for t in reversed(g.nodes):
        if t["kind"] != "op":
            continue
        lines = []
        if t["grad"] is None:
            lines.append((0, T("unused", name=t["name"], out=out)))
            blocks.append(("step", T("node_head", name=t["name"], formula=t["formula"]), lines))
            continue
        lines.append((0, T("upstream", d=_d(out, t["name"]), v=fmt(t["grad"]))))
        for e in incoming.get(t["id"], []):
            s = nodes[e["source"]]
            if e["local"] is None:
                continue
            dl = _d(t["name"], s["name"])
            formula = e.get("local_formula")
            ftxt = f"{formula} = " if formula and formula != fmt(e["local"]) else ""
            if scalar:
                lines.append((0, T("local", d=dl, formula=ftxt, v=fmt(e["local"]))))
            else:
                lines.append((0, T("local_vec", d=dl, t=t["name"], formula=ftxt, v=fmt(e["local"]))))
            c = e.get("check")
            if c:
                lines.append((1, T("check_local", d=dl, f=t["name"], s=s["name"], fp=_r(c["f_plus"]),
                                   f0=_r(c["f"]), eps=_r(c["eps"]), k=_r(c["forward"]), bias=_bias(c["bias"]),
                                   c=fmt(c["central"], 10))
                           + " " + (T("agree") if _close(c["central"], e["local"], 1e-4) else T("disagree"))))
            if formula is not None and e.get("local_formula_value") is not None:
                lines.append((1, T("sympy_local", expr=t.get("formula_sympy") or t["formula"], s=s["name"],
                                   formula=formula, v=fmt(e["local_formula_value"]))
                           + " " + (T("agree") if _close(e["local_formula_value"], e["local"]) else T("disagree"))))
            if s["grad"] is None:
                key = "const_edge" if s["kind"] == "const" else "data_edge"
                if s["kind"] != "op":
                    lines.append((1, T(key, name=s["name"])))
                continue
            k = len(pending.get(s["id"], []))
            prod = e.get("product")
            if not scalar:
                lines.append((0, T("chain_vec", d=_d(out, s["name"]), local=dl, up=_d(out, t["name"]),
                                   v=fmt(prod))))
                if k > 1:
                    done[s["id"]].append(e)
                    if len(done[s["id"]]) == k:
                        terms = " + ".join(fmt(x["product"]) for x in reversed(done[s["id"]]))
                        lines.append((0, T("sum", name=s["name"], k=k, d=_d(out, s["name"]), terms=terms,
                                           v=fmt(s["grad"]))))
                continue
            if k <= 1:
                lines.append((0, T("chain", d=_d(out, s["name"]), local=dl, up=_d(out, t["name"]),
                                   a=fmt(e["local"]), b=fmt(t["grad"]), v=fmt(prod if prod is not None else s["grad"]))))
                if t["id"] != g.output:  # next to the output, the gradient is the local derivative
                    lines += _grad_checks(T, s, out)
            else:
                done[s["id"]].append(e)
                lines.append((0, T("chain_part", via=t["name"], local=dl, up=_d(out, t["name"]),
                                   a=fmt(e["local"]), b=fmt(t["grad"]), v=fmt(prod))))
                if len(done[s["id"]]) == k:
                    terms = " + ".join(fmt(x["product"]) for x in reversed(done[s["id"]]))
                    lines.append((0, T("sum", name=s["name"], k=k, d=_d(out, s["name"]), terms=terms,
                                       v=fmt(s["grad"]))))
                    lines += _grad_checks(T, s, out)
        blocks.append(("step", T("node_head", name=t["name"], formula=t["formula"]), lines))

    # Summary.
    params = [n for n in g.nodes if n["kind"] == "input" and n["grad"] is not None]
    if params:
        blocks.append(("heading", f"{T('summary')} ({T('param_grads')})"))
        blocks.append(("table", [T("node"), T("value"), _d(out, "·")],
                       [[n["name"], fmt(n["value"]), fmt(n["grad"])] for n in params]))
    return blocks


def _grad_checks(T, s, out):
    lines = []
    c = s.get("check")
    if c:
        lines.append((1, T("check_grad", d=_d(out, s["name"]), out=out, s=s["name"], fp=_r(c["f_plus"]),
                           f0=_r(c["f"]), eps=_r(c["eps"]), k=_r(c["forward"]), bias=_bias(c["bias"]),
                           c=fmt(c["central"], 10))
                      + " " + (T("agree") if _close(c["central"], s["grad"], 1e-4) else T("disagree"))))
    if s.get("grad_formula") is not None and s.get("grad_formula_value") is not None:
        lines.append((1, T("sympy_grad", d=_d(out, s["name"]), formula=s["grad_formula"],
                           v=fmt(s["grad_formula_value"]))
                      + " " + (T("agree") if _close(s["grad_formula_value"], s["grad"]) else T("disagree"))))
    return lines


# ----- renderers ----------------------------------------------------------------------------
def _to_text(blocks):
    out = []
    for b in blocks:
        kind = b[0]
        if kind == "title":
            out += [b[1], "=" * len(b[1]), ""]
        elif kind == "heading":
            out += [b[1], "-" * len(b[1])] if out and out[-1] == "" else ["", b[1], "-" * len(b[1])] if out else [b[1], "-" * len(b[1])]
        elif kind == "code":
            out += ["  " + line for line in b[1].splitlines()] + [""]
        elif kind == "list":
            out += ["  " + "  " * ind + text for ind, text in b[1]] + [""]
        elif kind == "table":
            header, rows = b[1], b[2]
            widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
            line = lambda r: "  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
            out += [line(header), "  " + "  ".join("-" * w for w in widths)] + [line(r) for r in rows] + [""]
        elif kind == "step":
            out.append("  " + b[1])
            out += ["    " + "    " * ind + text for ind, text in b[2]]
            out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def _md_cell(s):
    return str(s).replace("|", "\\|")


def _to_markdown(blocks):
    out = []
    for b in blocks:
        kind = b[0]
        if kind == "title":
            out += [f"## {b[1]}", ""]
        elif kind == "heading":
            out += [f"### {b[1]}", ""]
        elif kind == "code":
            out += ["```python", b[1], "```", ""]
        elif kind == "list":
            out += ["  " * ind + "- " + text for ind, text in b[1]] + [""]
        elif kind == "table":
            header, rows = b[1], b[2]
            out.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
            out.append("|" + "---|" * len(header))
            out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
            out.append("")
        elif kind == "step":
            out += [f"**{b[1]}**", ""]
            out += ["  " * ind + "- " + text for ind, text in b[2]] + [""]
    return "\n".join(out).rstrip() + "\n"


def _to_html(blocks, svg):
    out = ['<div class="retrograd-explain">']
    if svg:
        out.append(f'<div class="retrograd-graph">{svg}</div>')
    for b in blocks:
        kind = b[0]
        if kind == "title":
            out.append(f"<h3>{escape(b[1])}</h3>")
        elif kind == "heading":
            out.append(f"<h4>{escape(b[1])}</h4>")
        elif kind == "code":
            out.append(f"<pre>{escape(b[1])}</pre>")
        elif kind == "list":
            out.append("<ul>" + "".join(f'<li style="margin-left:{2 * ind}em">{escape(t)}</li>' for ind, t in b[1])
                       + "</ul>")
        elif kind == "table":
            head = "".join(f"<th>{escape(str(h))}</th>" for h in b[1])
            rows = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in b[2])
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif kind == "step":
            out.append(f"<p><b>{escape(b[1])}</b></p><ul>"
                       + "".join(f'<li style="margin-left:{2 * ind}em">{escape(t)}</li>' for ind, t in b[2])
                       + "</ul>")
    out.append("</div>")
    return "\n".join(out)
