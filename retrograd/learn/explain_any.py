"""``rg.learn.explain``: the explanation of anything, a Program, a lesson, a Graph or an output Tensor.

This entry point only finds the graph (a lesson's program, a Program's graph, the extractor
for a Tensor); :class:`~retrograd.learn.explain.Explanation` renders it. It sits above the
lessons and the extractor, so the renderer imports neither.

>>> from retrograd.learn import program, explain
>>> text = str(explain(program("a = 2 + 3*w\\nJ = a**2", w=3.0), verbose=True))
>>> "(121.022 − 121)/0.001 = 22.001" in text
True
"""

from __future__ import annotations

from ..graph_model import Graph
from .explain import Explanation
from .extract import build_graph
from .i18n import tr
from .lessons import lesson
from .program import Program

__all__ = ["Explanation", "explain"]


def explain(output, lang: str = "en", level: str = "assignment", eps=None, verbose: bool = False,
            digits=None) -> Explanation:
    """Explain a Program, a lesson name, a Graph or an output Tensor (before or after its backward).

    ``eps`` is the finite-difference step (the notebooks use 0.001); ``verbose`` shows every
    check in full; ``digits`` sets the significant digits of every number (default 6; 17 prints
    exactly what Python prints).

    >>> import retrograd as rg
    >>> w = rg.tensor(3.0, requires_grad=True, name="w")
    >>> J = ((2 + 3 * w).named("a") ** 2).named("J")
    >>> print(str(rg.learn.explain(J)).splitlines()[0])
    Forward pass (left to right)
    """
    tr(lang, "program")
    if isinstance(output, str):
        output = lesson(output, lang)
    if isinstance(output, Graph):
        g = output
    elif isinstance(output, Program):
        g = output.graph(level) if eps is None or eps == output.eps else build_graph(output, level, eps)
    else:
        g = build_graph(output, level, eps)
    return Explanation(g, lang, verbose=verbose, digits=digits)
