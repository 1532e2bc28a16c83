"""Unit tests of the lab page's modules (parse, grade, diagnose, state): tests/js/lab_units.js.

They run with node where it is installed, and always in Chromium through Playwright (CI has
Chromium, not node), on graphs made here by the learning layer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from retrograd.learn import lesson, program
from retrograd.learn.i18n import lab_strings

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "retrograd" / "learn" / "static"
UNITS = ROOT / "tests" / "js" / "lab_units.js"
MODULES = ["lab_parse.js", "lab_grade.js", "lab_diagnose.js", "lab_state.js", "lab_walk.js"]


def walk_lines(graph):
    """The backward walk of the (short) explanation, line by line: what the step-through must say."""
    from retrograd.learn.explain import Explanation
    blocks = Explanation(graph, "en").blocks
    lines = [text for b in blocks if b[0] == "list" for _, text in b[1] if text.startswith("Start at")]
    for b in blocks:
        if b[0] == "step":
            lines += [b[1]] + [text for _, text in b[2]]
    return lines


def fixtures():
    import importlib
    labmod = importlib.import_module("retrograd.learn.lab")
    graphs = {
        "nw1": lesson("coursera-nw1").graph(),
        "nw1p": lesson("coursera-nw1").graph("primitive"),
        "udl": lesson("udl-7.1").graph(),
        "fan": program("h = x*y\nf = h + x", x=3.0, y=-4.0).graph(),
        "ones": program("a = w*w\nb = 3*w\nJ = a + b", w=2.0).graph(),
        "unused": program("u = sin(w)\nJ = w**2", w=1.5).graph(),
    }
    return {
        "tolerance": labmod.TOLERANCE,
        "strings": lab_strings()["en"],
        "graphs": {k: g.to_dict() for k, g in graphs.items()},
        "walks": {k: walk_lines(g) for k, g in graphs.items()},
    }


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed (the Chromium run below still runs)")
def test_lab_modules_with_node(tmp_path):
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps(fixtures()), encoding="utf-8")
    r = subprocess.run(["node", str(UNITS)], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, RG_FIXTURES=str(path)))
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["count"] >= 10


def test_lab_modules_in_chromium():
    try:  # the browser set-up (and its skips) of the end-to-end tests
        from tests.test_lab_browser import ARGS, CHROMIUM, sync_api
    except ImportError:  # run as plain `pytest`: tests/ itself is on sys.path
        from test_lab_browser import ARGS, CHROMIUM, sync_api
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = b.new_page()
            page.set_content("<!DOCTYPE html><html><body></body></html>")
            page.evaluate("f => { window.RG_FIXTURES = f; }", fixtures())
            for name in MODULES:
                page.add_script_tag(content=(STATIC / name).read_text(encoding="utf-8"))
            page.add_script_tag(content=UNITS.read_text(encoding="utf-8"))
            result = page.evaluate("() => window.RGLabTests()")
        finally:
            b.close()
    assert result["failures"] == [] and result["count"] >= 10
