"""The ``retrograd`` command line.

Each feature registers its own subcommand from its own module (a function
``add_parser(subparsers)`` that sets ``func`` on its parser), so this file only
lists them. With no subcommand it runs the main job: the course lessons,
forward values and every gradient.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# (module, what it adds). A module that is not there yet is skipped.
SUBCOMMAND_MODULES = [
    "retrograd.learn.cli",     # explain, lessons
    "retrograd.learn.lab_cli",  # lab
    "retrograd.train",         # train
    "retrograd.bench",         # bench
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand.

    >>> build_parser().prog
    'retrograd'
    """
    parser = argparse.ArgumentParser(
        prog="retrograd",
        description="Backpropagation through computation graphs. With no command: run the course lessons.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.add_parser(sub)
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from .demo import main_job
        return main_job()
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
