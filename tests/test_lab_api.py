"""The web lab's server and exports, without a browser: JSON API, limits, offline file, CLI."""

import http.client
import importlib
import json
import re
import subprocess
import sys
import time

import numpy as np
import pytest

from retrograd.cli import main as cli_main

from labclient import request

labmod = importlib.import_module("retrograd.learn.lab")  # the module, not rg.learn.lab()

TIMEOUT = 10


def node(g, name):
    return next(n for n in g["nodes"] if n["name"] == name)


def test_binds_loopback_by_default(server):
    assert server.server_address[0] == "127.0.0.1"
    assert server.url.startswith("http://127.0.0.1:")


def test_health_and_lessons(server):
    status, body = request(server, "GET", "/api/health")
    assert status == 200 and body["ok"] is True
    status, body = request(server, "GET", "/api/lessons")
    names = [les["name"] for les in body["lessons"]]
    assert status == 200
    assert {"coursera-nw0", "coursera-nw1", "udl-7.1", "romaintha-111"} <= set(names)
    nw1 = body["lessons"][names.index("coursera-nw1")]
    assert nw1["values"] == {"x": 2, "w": -2, "b": 8, "y": 1}
    assert nw1["title_es"] and nw1["title_en"]


def test_lesson_graph_has_the_coursera_numbers(server):
    status, body = request(server, "GET", "/api/lesson/coursera-nw1")
    assert status == 200
    g = body["graph"]
    values = {n["name"]: n["value"] for n in g["nodes"]}
    grads = {n["name"]: n["grad"] for n in g["nodes"]}
    assert values == {"x": 2, "w": -2, "b": 8, "y": 1, "c": -4, "a": 4, "d": 3, "J": 4.5}
    assert grads["d"] == grads["a"] == grads["c"] == grads["b"] == 3 and grads["w"] == 6
    assert grads["x"] is None and grads["y"] is None  # data, as in the lab
    local = {(e["source"], e["target"]): e["local"] for e in g["edges"]}
    assert local[("w", "c")] == 2 and local[("d", "J")] == 3


def test_layers_lesson_is_listed_and_served_with_its_matrices(server):
    from retrograd.learn.layers import layers_lesson
    status, body = request(server, "GET", "/api/lessons")
    les = next(entry for entry in body["lessons"] if entry["name"] == "layers-2-3-1")
    assert les["values"]["W1"] == [[0.2, -0.4], [0.7, 0.1], [-0.3, 0.6]] and les["data"] == ["x", "t"]
    status, body = request(server, "GET", "/api/lesson/layers-2-3-1")
    assert status == 200 and body["graph"]["output"] == "L"
    np.testing.assert_allclose(node(body["graph"], "W1")["grad"], layers_lesson().delta["W1"], atol=1e-12)
    new = {"W1": [[1, 2], [3, 4], [5, 6]]}
    status, body = request(server, "POST", "/api/graph", {"lesson": "layers-2-3-1", "values": new, "source": ""})
    assert status == 200
    np.testing.assert_allclose(node(body["graph"], "W1")["grad"], layers_lesson(new).delta["W1"], atol=1e-12)
    status, body = request(server, "POST", "/api/graph", {"lesson": "layers-2-3-1", "values": {"W1": [1, 2]}})
    assert status == 400 and "W1 must have the shape 3x2" in body["error"]["msg"]
    bad = {"lesson": "layers-2-3-1", "values": {"W1": [[1, 2], [3, "a"], [5, 6]]}}
    status, body = request(server, "POST", "/api/graph", bad)
    assert status == 400 and "finite numbers" in body["error"]["msg"]


def test_unknown_lesson_is_404(server):
    status, body = request(server, "GET", "/api/lesson/nope")
    assert status == 404 and "nope" in body["error"]["msg"]


def test_post_program(server):
    status, body = request(server, "POST", "/api/graph",
                           {"source": "a = 2 + 3*w\nJ = a**2", "values": {"w": 3}, "level": "assignment"})
    assert status == 200
    g = body["graph"]
    assert node(g, "J")["value"] == 121 and node(g, "w")["grad"] == 66


def test_post_lesson_at_new_values_keeps_data_inputs(server):
    status, body = request(server, "POST", "/api/graph",
                           {"lesson": "coursera-nw1", "values": {"x": 1, "w": 2, "b": 3, "y": 4}})
    assert status == 200
    g = body["graph"]
    assert node(g, "J")["value"] == 0.5 and node(g, "x")["grad"] is None


def test_primitive_level(server):
    status, body = request(server, "POST", "/api/graph",
                           {"source": "J = (2 + 3*w)**2", "values": {"w": 3}, "level": "primitive"})
    assert status == 200
    assert len(body["graph"]["nodes"]) > 2


@pytest.mark.parametrize("source,line,col,words", [
    ("J = w.real", 1, 5, "attribute"),
    ("a = 2*w\nJ = a $ 2", 2, None, "syntax"),
    ("J = __import__('os')", 1, None, None),
])
def test_bad_program_is_a_clear_400(server, source, line, col, words):
    status, body = request(server, "POST", "/api/graph", {"source": source, "values": {"w": 1}})
    assert status == 400
    err = body["error"]
    assert err["line"] == line
    if col is not None:
        assert err["col"] == col
    if words:
        assert words in err["msg"]


def test_missing_value_and_non_finite(server):
    status, body = request(server, "POST", "/api/graph", {"source": "J = w*x", "values": {"w": 1}})
    assert status == 400 and "x" in body["error"]["msg"]
    status, body = request(server, "POST", "/api/graph", {"source": "J = log(w)", "values": {"w": -1}})
    assert status == 400 and "finite" in body["error"]["msg"]


@pytest.mark.parametrize("body", [
    {"source": 3}, {"source": "J = w", "values": [1]}, {"source": "J = w", "values": {"w": "x"}},
    {"source": "J = w", "values": {"w": True}}, {"source": "J = w", "values": {"w": 1}, "level": "x"},
    [1, 2],
])
def test_bad_requests(server, body):
    status, reply = request(server, "POST", "/api/graph", body)
    assert status == 400 and reply["error"]["msg"]


def test_bad_json_and_content_type(server):
    status, body = request(server, "POST", "/api/graph", b"{not json")
    assert status == 400 and "JSON" in body["error"]["msg"]
    status, body = request(server, "POST", "/api/graph", b"source=1",
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 415


def test_request_size_limit(server):
    big = json.dumps({"source": "J = w" + " " * (labmod.MAX_BODY + 10), "values": {"w": 1}}).encode()
    status, body = request(server, "POST", "/api/graph", big)
    assert status == 413 and "too large" in body["error"]["msg"]
    # and the server still answers afterwards
    assert request(server, "GET", "/api/health")[0] == 200


def test_foreign_host_header_is_refused(server):
    status, _body = request(server, "GET", "/api/health", headers={"Host": "attacker.example:80"})
    assert status == 403


def test_unknown_path(server):
    assert request(server, "GET", "/etc/passwd")[0] == 404
    assert request(server, "POST", "/api/other", {"a": 1})[0] == 404


def test_page_is_self_contained_and_in_server_mode(server):
    status, page = request(server, "GET", "/?lang=es")
    assert status == 200 and page.startswith("<!DOCTYPE html>")
    data = json.loads(re.search(r'<script type="application/json" id="lab-data">(.*?)</script>',
                                page, re.S).group(1))
    assert data["mode"] == "server" and data["lang"] == "es"
    assert data["tolerance"] == {"abs": 0.005, "rel": 0.01}
    assert not re.search(r'<(script|link)[^>]+(src|href)=', page)


def test_export_is_offline_and_has_variants(tmp_path):
    path = labmod.export_html(tmp_path / "l.html", "coursera-nw1", lang="es", variants=2)
    page = path.read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="?https?:', page)
    data = json.loads(re.search(r'id="lab-data">(.*?)</script>', page, re.S).group(1))
    assert data["mode"] == "offline" and data["initial"]["lesson"] == "coursera-nw1"
    src = next(les["source"] for les in data["lessons"] if les["name"] == "coursera-nw1")
    assert len(data["variants"][src.strip()]) == 3  # own values + 2 stored sets
    assert any(e["level"] == "primitive" for e in data["graphs"])


def test_cli_export(tmp_path, capsys):
    out = tmp_path / "lesson.html"
    assert cli_main(["lab", "--export", str(out), "--lesson", "coursera-nw1"]) == 0
    assert out.exists() and "wrote" in capsys.readouterr().out
    assert cli_main(["lab", "--export", str(out), "--lesson", "no-such"]) == 2


def test_jupyter_view_for_lesson_program_and_tensor():
    import retrograd as rg
    from retrograd.learn import program

    view = labmod.lab("udl-7.1", variants=0, share_code=False)
    html = view._repr_html_()
    assert html.startswith("<iframe") and "srcdoc=" in html and "<script" not in html  # escaped inside
    view = labmod.lab(program("c = w*x\nJ = c**2", w=2.0, x=3.0), variants=0)
    assert '"custom":true' in view.html
    w = rg.tensor(3.0, requires_grad=True, name="w")
    view = labmod.lab(((2 + 3 * w).named("a") ** 2).named("J"), variants=0)
    assert '"custom":true' in view.html
    with pytest.raises(TypeError):
        labmod.lab(3.5)


def test_cli_serves_on_loopback_until_stopped():
    proc = subprocess.Popen([sys.executable, "-m", "retrograd", "lab", "--port", "0", "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline and "http://" not in line:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
        conn = http.client.HTTPConnection("127.0.0.1", int(m.group(1)), timeout=TIMEOUT)
        conn.request("GET", "/api/health")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        proc.terminate()
        proc.wait(TIMEOUT)


def test_concurrent_requests_get_their_own_graphs(server):
    from concurrent.futures import ThreadPoolExecutor

    def ask(w):
        status, body = request(server, "POST", "/api/graph",
                               {"source": "a = 2 + 3*w\nJ = a**2", "values": {"w": w}})
        return w, status, body

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(ask, range(-8, 8)))
    for w, status, body in results:
        assert status == 200
        assert node(body["graph"], "J")["value"] == (2 + 3 * w) ** 2
        assert node(body["graph"], "w")["grad"] == 6 * (2 + 3 * w)


def test_a_notebook_lab_carries_its_own_exercise_only():
    # issue 11: a notebook with several labs must not grow by about 1 MB per lab
    import retrograd as rg
    full = labmod.render_page(labmod.offline_data("coursera-nw1"))
    cell = rg.learn.lab("coursera-nw1")._repr_html_()
    assert len(cell) < len(full) / 2
    data = labmod.offline_data("coursera-nw1", only_target=True)
    assert [les["name"] for les in data["lessons"]] == ["coursera-nw1"]
    assert all(set(g["graph"]["nodes"][0]) >= {"x", "y", "w", "h", "value"} for g in data["graphs"])


def test_notebook_labs_carry_the_page_code_once_per_kernel(monkeypatch):
    # issue 11: the second lab of a notebook carries its exercise only (the code comes once)
    import json
    import re as _re

    import retrograd as rg
    from retrograd.learn import lab_notebook
    monkeypatch.setattr(lab_notebook, "SHARED", lab_notebook.SharedCode())  # a fresh kernel
    standalone = rg.learn.lab("coursera-nw1", share_code=False)._repr_html_()
    first = rg.learn.lab("coursera-nw1", share_code=True)._repr_html_()
    second = rg.learn.lab("coursera-nw1", share_code=True)._repr_html_()
    template = lab_notebook._js_string(labmod.page_template())
    assert template in first and template not in second
    own = _re.search(r'class="rglab-data">(.*?)</script>', second, _re.S).group(1)
    common = json.loads(json.loads(_re.search(r"common: (\".*?\")};", first, _re.S).group(1)))
    data = labmod.offline_data("coursera-nw1", only_target=True)
    assert {**common, **json.loads(own)} == json.loads(labmod._script_json(data))  # nothing lost
    assert "strings" not in json.loads(own)  # the catalogue of strings is shared too
    assert len(second) < len(own) + 2500  # the second cell: its exercise and a short loader
    assert len(second) < len(standalone) / 2
    monkeypatch.setattr(lab_notebook, "SHARED", lab_notebook.SharedCode())  # kernel restart
    assert template in rg.learn.lab("coursera-nw0", share_code=True)._repr_html_()
    monkeypatch.setitem(__import__("sys").modules, "google.colab", object())  # Colab: one frame per output
    assert rg.learn.lab("coursera-nw0")._repr_html_().startswith("<iframe srcdoc=")


# ----- issue 12: every graph the page gets carries its generated code ------------------------------------
def test_graphs_carry_the_code_rg_jit_generates(server):
    from retrograd.learn import lesson
    from retrograd.learn.code import program_code
    status, body = request(server, "GET", "/api/lesson/coursera-nw1")
    code = body["graph"]["code"]
    assert status == 200 and code.startswith(program_code(lesson("coursera-nw1")))
    assert code.endswith("J, dJ_dw, dJ_db = forward_backward(w=-2.0, x=2.0, b=8.0, y=1.0)\n"
                         "# J = 4.5, dJ_dw = 6, dJ_db = 3\n")
    status, body = request(server, "POST", "/api/graph", {"source": "J = sin(w)*x", "values": {"w": 0.5, "x": 2}})
    ns = {}
    exec(compile(body["graph"]["code"], "<lab>", "exec"), ns)  # runs on its own, with the lab's values
    assert ns["J"] == pytest.approx(np.sin(0.5) * 2) and ns["dJ_dw"] == pytest.approx(np.cos(0.5) * 2)
    status, body = request(server, "GET", "/api/lesson/layers-2-3-1")
    g = body["graph"]
    assert "dL_dW1 = " in g["code"] and "def sigmoid(x):" in g["code"]
    loss = next(n for n in g["nodes"] if n["id"] == "L")
    assert loss["formula"] == "sum((y - t)**2)/2"  # was sum((y - t)**2, (-1,))/2


def test_a_program_the_tracer_cannot_compile_keeps_its_graph(monkeypatch):
    monkeypatch.setattr(labmod, "lab_code", lambda prog: 1 / 0)
    g = labmod.graph_for("J = w**2", {"w": 3})
    assert g["code"] is None and g["code_error"].startswith("ZeroDivisionError")
    assert [n["value"] for n in g["nodes"] if n["id"] == "J"] == [9.0]


def test_a_lowered_jit_graph_opens_in_the_lab_with_its_code():
    import retrograd as rg
    g = rg.jit(rg.grad(lambda x: rg.cos(rg.exp(rg.sin(x))))).lower(0.5)
    data = labmod.offline_data(g, variants=0)
    shown = data["graphs"][0]["graph"]
    assert shown["code"] == g.source and shown["source"] == "" and shown["width"] > 0
    assert {n["id"] for n in shown["nodes"]} >= {"x", "sin1", "dout_dx"}
