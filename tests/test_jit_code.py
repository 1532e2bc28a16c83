"""The generated code of the course's networks: the golden file, runnable, and `explain --code`."""

import ast
import math
import pathlib
import subprocess
import sys

import pytest

from retrograd.learn import lesson, lessons
from retrograd.learn.code import program_code

GOLDEN = pathlib.Path(__file__).parent / "golden" / "coursera_nw1_jit.py"


def test_coursera_network_source_matches_the_golden_file():
    # The golden file was checked by hand against the lab: dJ/dd = d, dJ/dw = dJ/dd * x, dJ/db = dJ/dd.
    assert program_code(lesson("coursera-nw1")) == GOLDEN.read_text()


@pytest.mark.parametrize("name", [les.name for les in lessons()])
def test_every_lesson_code_runs_on_its_own_and_gives_the_lesson_gradients(name):
    prog = lesson(name)
    src = program_code(prog)
    tree = ast.parse(src)
    fn = tree.body[-1]
    ns = {"math": math}
    exec(compile(src, "<lesson>", "exec"), ns)
    params = [n for n in prog.parsed.inputs if n not in prog.data]
    out = ns[fn.name](*[float(prog.inputs[n]) for n in prog.parsed.inputs])
    assert out[0] == pytest.approx(float(prog.output.item()), rel=1e-12)
    grads = prog.grads()
    for n, g in zip(params, out[1:]):
        assert g == pytest.approx(grads[n], rel=1e-10, abs=1e-12), n


def test_explain_code_on_the_command_line():
    res = subprocess.run([sys.executable, "-m", "retrograd", "explain", "c = w*x; J = (c - y)**2",
                          "--at", "w=2,x=3,y=1", "--data", "x,y", "--code"],
                         capture_output=True, text=True)
    assert res.returncode == 0 and "Traceback" not in res.stderr
    assert "dJ_dw = dJ_dsub1 * x" in res.stdout and res.stdout.startswith("def forward_backward(w, x, y):")
    ast.parse(res.stdout)
    res = subprocess.run([sys.executable, "-m", "retrograd", "explain", "--lesson", "coursera-nw1", "--code"],
                         capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout == GOLDEN.read_text()
