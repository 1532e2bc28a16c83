"""Run one benchmark variant's code in a fresh Python process (shared by the bench_*.py scripts).

Each variant runs alone, so no library's imports, caches or allocator state leak into another's time.
"""

from __future__ import annotations

import os
import subprocess
import sys

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run_code(name: str, code: str, threads: int = 0, source: str | None = None) -> list[str]:
    """The stdout lines of ``python -c code``; ``threads`` > 0 pins every BLAS/OpenMP pool to that many
    threads, ``source`` runs another retrograd checkout (from its own folder: ``python -c`` puts the
    working directory first on sys.path)."""
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = source + os.pathsep + env.get("PYTHONPATH", "")
    if threads:
        env.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=source)
    if out.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{out.stderr}")
    return out.stdout.strip().splitlines()
