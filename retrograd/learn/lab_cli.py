"""``retrograd lab``: the web lab from the command line (see :mod:`retrograd.learn.lab`).

::

    retrograd lab [--port N] [--host H] [--no-browser] [--lang es|en] [--lesson NAME]
    retrograd lab --export lesson.html --lesson coursera-nw1 [--lang es|en]
"""

from __future__ import annotations

import sys

DEFAULT_PORT = 8765


def add_parser(subparsers):
    """Add the ``lab`` subcommand to an argparse ``subparsers`` object.

    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="retrograd").add_subparsers(dest="command")
    >>> p = add_parser(sub)
    >>> args = p.parse_args(["--export", "x.html", "--lesson", "udl-7.1", "--lang", "es"])
    >>> args.export, args.lesson, args.lang, args.host, args.port
    ('x.html', 'udl-7.1', 'es', '127.0.0.1', 8765)
    """
    p = subparsers.add_parser(
        "lab", help="fill in a computation graph in the browser, with instant feedback",
        description="Serve the web lab on 127.0.0.1 and open it in the browser, or export it as "
                    "one self-contained offline HTML file (--export).")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--lang", choices=("en", "es"), default="en", help="page language (default en)")
    p.add_argument("--lesson", default=None,
                   help="lesson to start on (coursera-nw0, coursera-nw1, udl-7.1, romaintha-111, layers-2-3-1)")
    p.add_argument("--level", choices=("assignment", "primitive"), default="assignment",
                   help="one box per program line (assignment) or per operation (primitive)")
    p.add_argument("--export", metavar="FILE", default=None,
                   help="write a self-contained offline HTML file instead of serving")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    """Run ``retrograd lab`` with parsed ``args``; returns the exit status."""
    import importlib
    # (the package's ``lab`` attribute is the lab() function; this is the module)
    labmod = importlib.import_module("retrograd.learn.lab")

    names = [les["name"] for les in labmod.lesson_list()]
    if args.lesson is not None and args.lesson not in names:
        print(f"retrograd lab: no lesson {args.lesson!r}; lessons: {', '.join(names)}", file=sys.stderr)
        return 2
    if args.export:
        try:
            path = labmod.export_html(args.export, args.lesson or "coursera-nw1", lang=args.lang,
                                      level=args.level)
        except OSError as exc:
            print(f"retrograd lab: cannot write {args.export}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"wrote {path} (open it in any browser; it works offline)")
        return 0
    if not 0 <= args.port <= 65535:
        print(f"retrograd lab: bad port {args.port}", file=sys.stderr)
        return 2
    try:
        return labmod.serve(args.host, args.port, args.lang, args.lesson,
                            open_browser=not args.no_browser)
    except OSError as exc:
        print(f"retrograd lab: cannot listen on {args.host}:{args.port}: {exc.strerror or exc} "
              "(try --port 0 for any free port)", file=sys.stderr)
        return 1
