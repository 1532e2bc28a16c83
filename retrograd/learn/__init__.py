"""The learning layer: computation graphs you can read, explain, check and draw.

* :func:`program` parses a few lines of arithmetic safely and runs them on the engine;
* :class:`Graph` is the one graph model (JSON-ready) that every view reads;
* :func:`explain` walks it forward and backward, checking every derivative;
* :func:`lessons` / :func:`lesson` are the course notebooks' graphs, with their numbers.

>>> import retrograd as rg
>>> p = rg.learn.program("a = 2 + 3*w\\nJ = a**2", w=3.0)
>>> p.graph().node("w")["grad"]
66.0
"""

from .explain import Explanation, explain
from .graph import Graph, GraphError, build_graph
from .lab import lab
from .layers import layers_lesson
from .lessons import lesson, lessons
from .program import FUNCTIONS, ParsedProgram, Program, ProgramError, parse_program, program

__all__ = ["FUNCTIONS", "Explanation", "Graph", "GraphError", "ParsedProgram", "Program", "ProgramError",
           "build_graph", "explain", "lab", "layers_lesson", "lesson", "lessons", "parse_program", "program"]
