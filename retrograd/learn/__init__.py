"""The learning layer: computation graphs you can read, explain, check and draw.

* :func:`program` parses a few lines of arithmetic safely and runs them on the engine;
* :class:`Graph` is the one graph model (JSON-ready) that every view reads;
* :func:`explain` walks it forward and backward, checking every derivative;
* :func:`lessons` / :func:`lesson` are the course notebooks' graphs, with their numbers.

>>> import retrograd as rg
>>> p = rg.learn.program("a = 2 + 3*w\\nJ = a**2", w=3.0)
>>> p.graph().node("w")["grad"]
66.0

This package is the facade; none of its modules imports it, and their imports point one way:
``explain_any``, ``lab``, ``cli`` -> ``program``, ``lessons``, ``layers`` -> the extractor ``extract``
-> the model :mod:`retrograd.graph_model`; the renderers (``svg``, ``explain``) read only the model.
The model imports none of its renderers: they are registered here as its views
(``Graph.to_svg``, ``Graph.to_dot``, ``Graph.explain``).
"""

from ..graph_model import Graph, GraphError, register_view
from .explain import Explanation
from .explain_any import explain
from .extract import build_graph
from .lab import lab
from .layers import layers_lesson
from .lessons import lesson, lessons
from .program import FUNCTIONS, ParsedProgram, Program, ProgramError, parse_program, program
from .svg import to_dot, to_svg

register_view("svg", to_svg)
register_view("dot", to_dot)
register_view("explain", explain)
del register_view, to_dot, to_svg

__all__ = ["FUNCTIONS", "Explanation", "Graph", "GraphError", "ParsedProgram", "Program", "ProgramError",
           "build_graph", "explain", "lab", "layers_lesson", "lesson", "lessons", "parse_program", "program"]
