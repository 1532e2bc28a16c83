"""Explanations: the forward table and the backward walk, every derivative checked.

:class:`Explanation` renders a :class:`~retrograd.graph_model.Graph` (:func:`retrograd.learn.explain`
builds one from a Program or an output Tensor) and writes what the course notebooks do by
hand: the forward values left to right; then, right to left, for each node its
local derivatives, the gradient arriving from the right, the chain-rule
product, the sum where a value feeds several nodes. Every derivative is checked
by finite differences and symbolically with SymPy: the default (short) text
says how many checks passed and shows only the failing ones; ``verbose=True``
shows each check ((f(v+ε) − f(v))/ε with its truncation error, the central
difference, the SymPy formula).

Notation (see :mod:`retrograd.learn.i18n`): ``∂f/∂x`` is a local derivative,
``dJ/dx`` the gradient of the output. Numbers have ``digits`` significant digits
(:mod:`retrograd.learn.numfmt`).

The same content renders as plain text (``str``), Markdown
(:meth:`Explanation.to_markdown`) and HTML for notebooks (``_repr_html_``).

>>> from retrograd.learn import program, explain
>>> text = str(explain(program("a = 2 + 3*w\\nJ = a**2", w=3.0), verbose=True))
>>> "(121.022 − 121)/0.001 = 22.001" in text
True
"""

from __future__ import annotations

import re
from html import escape

from . import symbolic
from .i18n import grad_d, local_d, tr
from .numfmt import fmt, paren, small_error


def _close(a, b, rtol=1e-6) -> bool:
    if a is None or b is None:
        return False
    if float(a) == float(b):
        return True
    return abs(float(a) - float(b)) <= rtol * max(1.0, abs(float(b)))


class Explanation:
    """A rendered explanation of one graph: ``str()`` for terminals, Markdown, HTML for notebooks.

    ``verbose`` shows every check; ``digits`` is the number of significant digits.

    >>> from retrograd.learn import lesson
    >>> e = lesson("coursera-nw1").explain(lang="es")
    >>> "regla de la cadena" in str(e) and "| nodo |" in e.to_markdown() and "<table" in e._repr_html_()
    True
    """

    def __init__(self, graph, lang: str = "en", verbose: bool = False, digits=None, blocks=None):
        tr(lang, "program")  # validates lang
        self.graph = graph
        self.lang = lang
        self.verbose = verbose
        self.digits = digits
        self.blocks = blocks if blocks is not None else _blocks(graph, lang, verbose, digits)

    @property
    def text(self) -> str:
        """Plain text (what ``str()`` gives)."""
        return _to_text(self.blocks, gap=self.verbose)

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
        return _to_html(self.blocks, self.graph.to_svg(self.lang) if with_svg and self.graph is not None else "")

    def _repr_html_(self):
        return self.to_html()


# ----- content ------------------------------------------------------------------------------
def _blocks(g, lang, verbose=False, digits=None):
    T = lambda key, **kw: tr(lang, key, **kw)  # noqa: E731
    F = lambda v: fmt(v, digits)  # noqa: E731
    P = lambda v: paren(v, digits)  # noqa: E731
    nodes = {n["id"]: n for n in g.nodes}
    out = nodes[g.output]["name"]
    blocks = []
    title = g.extra.get("title")
    if title:
        blocks.append(("title", title))
    if g.source and verbose:
        blocks.append(("heading", T("program")))
        blocks.append(("code", g.source))
    notes = list(g.extra.get("notes") or [])
    notes += [T(key, **kw) for key, kw in g.extra.get("auto_notes") or []]
    if any("step(" in (e.get("local_formula") or "") for e in g.edges) and symbolic.AVAILABLE:
        notes.append(T("relu_step"))
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
        rows.append([n["name"], what, F(n["value"])])
    blocks.append(("table", [T("node"), T("formula"), T("value")], rows))

    # Backward walk.
    head = T("backward")
    if g.extra.get("eps"):
        head += ", " + T("eps", eps=fmt(g.extra["eps"]))
    blocks.append(("heading", head))
    generic = next(c for c in ("f", "g", "h", "u") if c != out)
    intro = [(0, T("notation", f=generic, out=out)), (0, T("start", d=grad_d(out, out)))]
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
    checks = []  # (passed, line) for every check, in walk order

    def add_check(lines, ok, text):
        checks.append((ok, text))
        if verbose:
            lines.append((1, text))

    def sum_line(s):
        parts = done[s["id"]]
        terms = " + ".join(P(x["product"]) if i else F(x["product"]) for i, x in enumerate(reversed(parts)))
        names = ", ".join(nodes[x["target"]]["name"] for x in reversed(parts))
        return (0, T("sum", name=s["name"], k=len(parts), names=names, d=grad_d(out, s["name"]), terms=terms,
                     v=F(s["grad"])))

    for t in reversed(g.nodes):
        if t["kind"] != "op":
            continue
        head_text = T("node_head", name=t["name"], formula=t["formula"])
        lines = []
        if t["grad"] is None:
            lines.append((0, T("unused", name=t["name"], out=out)))
            blocks.append(("step", head_text, lines))
            continue
        up_text = T("upstream", d=grad_d(out, t["name"]), v=F(t["grad"]))
        if verbose:
            lines.append((0, up_text))
        else:
            head_text += ": " + up_text
        for e in incoming.get(t["id"], []):
            s = nodes[e["source"]]
            if e["local"] is None:
                continue
            dl = local_d(t["name"], s["name"])
            formula = e.get("local_formula")
            ftxt = f"{formula} = " if formula and formula != F(e["local"]) else ""
            if scalar:
                local_text = T("local", d=dl, formula=ftxt, v=F(e["local"]))
            else:
                local_text = T("local_vec", d=dl, t=t["name"], formula=ftxt, v=F(e["local"]))
            edge_lines = [(0, local_text)]
            c = e.get("check")
            if c:
                add_check(edge_lines, *_fd_check(T, "check_local", c, e["local"], digits,
                                                  d=dl, f=t["name"], s=s["name"]))
            if formula is not None and e.get("local_formula_value") is not None:
                ok = _close(e["local_formula_value"], e["local"])
                add_check(edge_lines, ok, T("sympy_local", expr=t.get("formula_sympy") or t["formula"],
                                            s=s["name"], formula=formula, v=F(e["local_formula_value"]))
                          + " " + (T("agree") if ok else T("disagree")))
            chain_lines = []
            if s["grad"] is None:
                key = "const_edge" if s["kind"] == "const" else "data_edge"
                if s["kind"] != "op":
                    chain_lines.append((1, T(key, name=s["name"])))
            else:
                k = len(pending.get(s["id"], []))
                prod = e.get("product")
                if not scalar:
                    chain_lines.append((0, T("chain_vec", d=grad_d(out, s["name"]), local=dl,
                                             up=grad_d(out, t["name"]), v=F(prod))))
                    if k > 1:
                        done[s["id"]].append(e)
                        if len(done[s["id"]]) == k:
                            chain_lines.append(sum_line(s))
                elif k <= 1:
                    chain_lines.append((0, T("chain", d=grad_d(out, s["name"]), local=dl, up=grad_d(out, t["name"]),
                                             a=F(e["local"]), b=P(t["grad"]),
                                             v=F(prod if prod is not None else s["grad"]))))
                    if t["id"] != g.output:  # next to the output, the gradient is the local derivative
                        _grad_checks(T, s, out, digits, chain_lines, add_check)
                else:
                    done[s["id"]].append(e)
                    chain_lines.append((0, T("chain_part", via=t["name"], local=dl, up=grad_d(out, t["name"]),
                                             a=F(e["local"]), b=P(t["grad"]), v=F(prod))))
                    if len(done[s["id"]]) == k:
                        chain_lines.append(sum_line(s))
                        _grad_checks(T, s, out, digits, chain_lines, add_check)
            if verbose:
                lines += edge_lines + chain_lines
            else:  # one line per edge: the local derivative and its chain-rule product
                main = [text for ind, text in chain_lines if ind == 0]
                notes_ = [text for ind, text in chain_lines if ind == 1]
                first = local_text + ("; " + main[0] if main else "") + (" (" + notes_[0] + ")" if notes_ else "")
                lines.append((0, first))
                lines += [(0, text) for text in main[1:]]
        blocks.append(("step", head_text, lines))

    # Summary.
    params = [n for n in g.nodes if n["kind"] == "input" and n["grad"] is not None]
    if params and verbose:
        blocks.append(("heading", f"{T('summary')} ({T('param_grads')})"))
        blocks.append(("table", [T("node"), T("value"), grad_d(out, "·")],
                       [[n["name"], F(n["value"]), F(n["grad"])] for n in params]))
    elif params:
        items = ", ".join(f"{grad_d(out, n['name'])} = {F(n['grad'])}" for n in params)
        blocks.append(("para", T("grads_line", out=out, items=items)))
    if not verbose:
        kinks = [text for ok, text in checks if ok == "kink"]
        if kinks:
            blocks.append(("list", [(0, text) for text in kinks]))
        bad = [text for ok, text in checks if not ok]
        if not checks:
            blocks.append(("para", T("checks_none")))
        elif not bad:
            blocks.append(("para", T("checks_ok", n=len(checks))))
        else:
            blocks.append(("para", T("checks_bad", k=len(bad), n=len(checks))))
            blocks.append(("list", [(0, text) for text in bad]))
    return blocks


def _fd_check(T, key, c, exact, digits, **kw):
    """(passed, line) for a finite-difference check ``c`` of the engine's value ``exact``."""
    F = lambda v: fmt(v, digits)  # noqa: E731
    ok = _close(c["central"], exact, 1e-4)
    text = T(key, fp=F(c["f_plus"]), f0=paren(c["f"], digits), eps=fmt(c["eps"]), k=F(c["forward"]),
             bias=small_error(c["bias"], exact, digits), c=F(c["central"]), **kw)
    if not ok:
        left = (c["f"] - c["f_minus"]) / c["eps"]
        right = (c["f_plus"] - c["f"]) / c["eps"]
        tol = 1e-3 * max(1.0, abs(left), abs(right))
        if abs(left - right) > 10 * tol and min(left, right) - tol <= float(exact) <= max(left, right) + tol:
            name = kw.get("out") or kw.get("f")
            return "kink", T("kink", f=name, s=kw["s"], at=F(c["at"]), l=F(left), r=F(right), v=F(exact))
    return ok, text + " " + (T("agree") if ok else T("disagree"))


def _grad_checks(T, s, out, digits, lines, add_check):
    c = s.get("check")
    if c:
        add_check(lines, *_fd_check(T, "check_grad", c, s["grad"], digits, d=grad_d(out, s["name"]), out=out,
                                    s=s["name"]))
    if s.get("grad_formula") is not None and s.get("grad_formula_value") is not None:
        ok = _close(s["grad_formula_value"], s["grad"])
        add_check(lines, ok, T("sympy_grad", d=grad_d(out, s["name"]), formula=s["grad_formula"],
                               v=fmt(s["grad_formula_value"], digits))
                  + " " + (T("agree") if ok else T("disagree")))


# ----- renderers ----------------------------------------------------------------------------
def _to_text(blocks, gap=True):
    out = []
    for b in blocks:
        kind = b[0]
        if kind == "title":
            out += [b[1], "=" * len(b[1]), ""]
        elif kind == "heading":
            gap = [""] if out and out[-1] != "" else []  # one blank line before a heading, none at the top
            out += [*gap, b[1], "-" * len(b[1])]
        elif kind == "code":
            out += ["  " + line for line in b[1].splitlines()] + [""]
        elif kind == "list":
            out += ["  " + "  " * ind + text for ind, text in b[1]] + [""]
        elif kind == "table":
            header, rows = b[1], b[2]
            widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
            line = lambda r, widths=widths: "  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
            out += [line(header), "  " + "  ".join("-" * w for w in widths)] + [line(r) for r in rows] + [""]
        elif kind == "step":
            out.append("  " + b[1])
            out += ["    " + "    " * ind + text for ind, text in b[2]]
            if gap:
                out.append("")
        elif kind == "para":
            if out and out[-1] != "":
                out.append("")
            out += [b[1], ""]
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


_MD_SPECIALS = re.compile(r"([\\`*_\[\]<>|~#])")


def _md(s):
    r"""Text as Markdown shows it literally: ``d**2`` stays ``d**2``, ``dJ_dw`` is not emphasis.

    >>> print(_md("J = d**2/2, dJ_dw | [x]"))
    J = d\*\*2/2, dJ\_dw \| \[x\]
    """
    return _MD_SPECIALS.sub(r"\\\1", str(s))


_md_cell = _md


def _to_markdown(blocks):
    out = []
    for b in blocks:
        kind = b[0]
        if kind == "title":
            out += [f"## {_md(b[1])}", ""]
        elif kind == "heading":
            out += [f"### {_md(b[1])}", ""]
        elif kind == "code":
            out += ["```python", b[1], "```", ""]
        elif kind == "list":
            out += ["  " * ind + "- " + _md(text) for ind, text in b[1]] + [""]
        elif kind == "table":
            header, rows = b[1], b[2]
            out.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
            out.append("|" + "---|" * len(header))
            out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
            out.append("")
        elif kind == "step":
            out += [f"**{_md(b[1])}**", ""]
            out += ["  " * ind + "- " + _md(text) for ind, text in b[2]] + [""]
        elif kind == "para":
            out += [_md(b[1]), ""]
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
        elif kind == "para":
            out.append(f"<p>{escape(b[1])}</p>")
    out.append("</div>")
    return "\n".join(out)
