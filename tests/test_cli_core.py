"""The README's main job and the core subcommands, run as a user would."""

from __future__ import annotations

import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "retrograd", *args], capture_output=True, text=True, timeout=300)


def test_bench_lists_the_benchmarks():
    res = run("bench", "--list")
    assert res.returncode == 0
    assert "chain" in res.stdout.split()


def test_bench_rejects_unknown_names():
    res = run("bench", "nope")
    assert res.returncode == 2 and "unknown benchmark" in res.stderr


def test_help_lists_subcommands():
    res = run("--help")
    assert res.returncode == 0 and "bench" in res.stdout
