"""``retrograd explain`` and ``retrograd lessons``.

::

    retrograd explain "J = (2 + 3*w)**2" --at w=3 [--lang es] [--svg graph.svg] [--primitives]
    retrograd explain --lesson coursera-nw1
    retrograd lessons

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="retrograd")
>>> add_parser(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["explain", "J = (2 + 3*w)**2", "--at", "w=3"])
>>> args.at, args.lang, args.primitives
(['w=3'], 'en', False)
"""

from __future__ import annotations

import json
import math
import sys


def add_parser(subparsers) -> None:
    """Add the ``explain`` and ``lessons`` subcommands to an argparse subparsers object.

    >>> import argparse
    >>> sub = argparse.ArgumentParser().add_subparsers()
    >>> add_parser(sub)
    >>> sorted(sub.choices)
    ['explain', 'lessons']
    """
    p = subparsers.add_parser(
        "explain", help="explain a computation graph: forward values, local derivatives, chain rule, checks",
        description="Explain a program (one expression, or assignments separated by newlines or ';') "
                    "or a built-in lesson: the forward table, then the backward walk with every local "
                    "derivative checked by finite differences and SymPy.")
    p.add_argument("program", nargs="?", help='the program, e.g. "J = (2 + 3*w)**2" or "c = w*x; J = c**2"')
    p.add_argument("--at", action="append", default=[], metavar="NAME=VALUE[,NAME=VALUE...]",
                   help="input values, e.g. --at w=3 or --at x=2,w=-2 (repeatable)")
    p.add_argument("--data", default="", metavar="NAMES",
                   help="comma-separated inputs that are data, not parameters (no gradient shown)")
    p.add_argument("--lesson", metavar="NAME", help="a built-in lesson (see `retrograd lessons`)")
    p.add_argument("--lang", choices=["en", "es"], default="en", help="language of the explanation")
    p.add_argument("--primitives", action="store_true", help="one node per primitive operation")
    p.add_argument("--eps", type=float, default=None, help="finite-difference step (default 0.001)")
    p.add_argument("--markdown", action="store_true", help="print Markdown instead of plain text")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="show every check in full (finite differences, SymPy), not only how many passed")
    p.add_argument("--digits", type=int, default=None, metavar="N",
                   help="significant digits of every number (default 6; 17 prints Python's exact repr)")
    p.add_argument("--svg", metavar="FILE", help="also write the graph as SVG")
    p.add_argument("--dot", metavar="FILE", help="also write the graph in Graphviz DOT")
    p.add_argument("--json", metavar="FILE", help="also write the graph model as JSON ('-' for stdout only)")
    p.add_argument("--code", action="store_true",
                   help="print the forward and backward pass as the Python code rg.jit generates")
    p.set_defaults(func=run_explain)

    q = subparsers.add_parser(
        "lessons", help="list the built-in lessons",
        description="List the built-in lessons (use them with `retrograd explain --lesson NAME`).")
    q.add_argument("--lang", choices=["en", "es"], default="en")
    q.set_defaults(func=run_lessons)


def parse_values(items) -> dict:
    """``["w=3", "x=2,b=8"]`` -> ``{"w": 3.0, "x": 2.0, "b": 8.0}`` (JSON lists allowed for arrays).

    >>> parse_values(["w=3", "x=2,b=-8"])
    {'w': 3.0, 'x': 2.0, 'b': -8.0}
    """
    from .program import ProgramError
    values = {}
    for item in items:
        for part in _split(item):
            if not part.strip():
                continue
            if "=" not in part:
                raise ProgramError(f"--at expects NAME=VALUE, got {part!r}")
            name, text = part.split("=", 1)
            name, text = name.strip(), text.strip()
            if not name.isidentifier():
                raise ProgramError(f"--at expects NAME=VALUE with a name like w or x1, got {part!r}")
            try:
                values[name] = float(text)
            except ValueError:
                try:
                    v = json.loads(text)
                except ValueError:
                    raise ProgramError(f"--at {name}: {text!r} is not a number") from None
                values[name] = v
    return values


def _split(item):
    """Split on commas outside brackets."""
    parts, depth, cur = [], 0, ""
    for ch in item:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def run_explain(args) -> int:
    """The ``explain`` subcommand; returns the exit status.

    >>> import argparse
    >>> run_explain(argparse.Namespace(program=None, lesson=None, at=[], data="", lang="en", primitives=False,
    ...     eps=None, markdown=False, svg=None, dot=None, json=None))
    2
    """
    from ..graph_model import GraphError
    from .explain_any import explain
    from .extract import build_graph
    from .i18n import tr, translate_error
    from .lessons import lessons
    from .program import Program, ProgramError
    level = "primitive" if args.primitives else "assignment"
    lang = getattr(args, "lang", "en")
    if args.eps is not None and not (math.isfinite(args.eps) and args.eps > 0):
        print(f"retrograd explain: --eps must be a positive finite step such as 0.001, not {args.eps}",
              file=sys.stderr)
        return 2
    try:
        values = parse_values(args.at)
        data = [d.strip() for d in args.data.split(",") if d.strip()]
        if args.lesson == "layers-2-3-1":  # layers as matrices: its own explanation
            from .layers import layers_lesson
            exp = layers_lesson().explain(lang, getattr(args, "digits", None))
            print(exp.to_markdown() if args.markdown else exp.text)
            return 0
        if args.lesson:
            found = [les for les in lessons() if les.name == args.lesson]
            if not found:
                names = ", ".join(les.name for les in lessons())
                print(f"retrograd explain: {tr(lang, 'cli_no_lesson', name=repr(args.lesson), names=names)}",
                      file=sys.stderr)
                return 2
            les = found[0]
            prog = les.program(args.lang)
            if values or data or args.program:
                prog = Program(args.program or les.source, {**les.values, **values},
                               data=data or les.data, title=prog.title, notes=prog.notes, eps=les.eps)
        elif args.program:
            prog = Program(args.program, values, data=data)
        else:
            print(f"retrograd explain: {tr(lang, 'cli_give_program')}", file=sys.stderr)
            return 2
        if getattr(args, "code", False):
            from .code import program_code
            print(program_code(prog), end="")
            return 0
        graph = prog.graph(level) if args.eps is None else build_graph(prog, level, args.eps)
        exp = explain(graph, lang=args.lang, verbose=getattr(args, "verbose", False),
                      digits=getattr(args, "digits", None))
    except ProgramError as e:
        print(f"retrograd explain: {translate_error(str(e), lang)}", file=sys.stderr)
        if e.pointer():
            print(e.pointer(), file=sys.stderr)
        return 2
    except (GraphError, ValueError) as e:
        print(f"retrograd explain: {e}", file=sys.stderr)
        return 2
    if args.json == "-":
        print(graph.to_json(indent=1))
    else:
        print(exp.to_markdown() if args.markdown else exp.text)
    for path, content in ((args.svg, lambda: graph.to_svg(args.lang)), (args.dot, graph.to_dot),
                          (args.json if args.json != "-" else None, lambda: graph.to_json(indent=1))):
        if path:
            try:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(content())
            except OSError as e:
                print(f"retrograd explain: cannot write {path}: {e.strerror or e}", file=sys.stderr)
                return 2
            print(tr(lang, "cli_wrote", path=path), file=sys.stderr)
    return 0


def run_lessons(args) -> int:
    """The ``lessons`` subcommand: one line per lesson.

    >>> import argparse
    >>> run_lessons(argparse.Namespace(lang="en"))  # doctest: +ELLIPSIS
    coursera-nw0    Coursera lab: J = (2 + 3w)^2
    ...
    0
    """
    from .lessons import lessons
    items = lessons()
    width = max(len(les.name) for les in items)
    from .i18n import tr
    for les in items:
        title = les.title_es if args.lang == "es" else les.title_en
        print(f"{les.name.ljust(width)}   {title}")
    print(f"{'layers-2-3-1'.ljust(width)}   {tr(args.lang, 'layers_title')}")
    return 0
