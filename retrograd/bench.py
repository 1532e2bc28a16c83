"""``retrograd bench``: run the benchmark scripts of a source checkout (``benchmarks/bench_*.py``).

Benchmarks are not tests: each script times retrograd against its peers in
the same run (each variant in a fresh process) and prints ratios.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def find_benchmarks(root: Path | None = None) -> dict[str, Path]:
    """Map benchmark names (``chain``, ``jacobian``, ...) to their scripts.

    >>> sorted(find_benchmarks(Path("/nonexistent")))
    []
    """
    root = root or Path(__file__).resolve().parent.parent
    folder = root / "benchmarks"
    if not folder.is_dir():
        return {}
    return {p.stem.removeprefix("bench_"): p for p in sorted(folder.glob("bench_*.py"))}


def run(args) -> int:
    """Run the chosen benchmarks one after another, passing their output through."""
    found = find_benchmarks()
    if not found:
        print("retrograd bench: no benchmarks/ folder here; the benchmarks ship with the source "
              "checkout (git clone, then pip install -e .)", file=sys.stderr)
        return 2
    if args.list:
        print("\n".join(found))
        return 0
    names = list(found) if not args.names or args.names == ["all"] else args.names
    unknown = [n for n in names if n not in found]
    if unknown:
        print(f"retrograd bench: unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(found)}",
              file=sys.stderr)
        return 2
    status = 0
    for name in names:
        print(f"== {name} ({found[name].name})", flush=True)
        status |= subprocess.call([sys.executable, str(found[name])])
    return status


def add_parser(subparsers) -> None:
    """Register ``retrograd bench [NAME ...] [--list]``."""
    p = subparsers.add_parser("bench", help="run the benchmarks (ratios against PyTorch and NumPy)",
                              description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    p.add_argument("--list", action="store_true", help="list the available benchmarks")
    p.set_defaults(func=run)
