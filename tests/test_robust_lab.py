"""Issue 10: the lab server answers every request, malformed or slow, with JSON and never a traceback."""

import importlib
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from labclient import request

labmod = importlib.import_module("retrograd.learn.lab")  # the module, not rg.learn.lab()
ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30


def raw_request(srv, data: bytes, shut=True):
    """Send raw bytes; returns everything the server answers before closing."""
    with socket.create_connection(srv.server_address[:2], timeout=TIMEOUT) as s:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except ConnectionResetError:
                break
            if not c:
                break
            chunks.append(c)
    return b"".join(chunks)


def status_and_json(reply: bytes):
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body[:int(re.search(rb"Content-Length: (\d+)", head).group(1))])


@pytest.fixture()
def logged_server():
    log = io.StringIO()
    srv = labmod.make_server("127.0.0.1", 0, log=log)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv, log
    srv.shutdown()
    srv.server_close()
    thread.join(10)


# ---------------------------------------------------------------- the page cache

def test_unknown_lessons_get_404_without_rendering_a_page(server, monkeypatch):
    rendered = []
    real = labmod.render_page
    monkeypatch.setattr(labmod, "render_page", lambda d: rendered.append(1) or real(d))
    before = len(server._pages)
    for i in range(30):
        status, body = request(server, "GET", f"/?lesson=nope{i}")
        assert status == 404 and "no lesson named" in body["error"]["msg"]
    assert rendered == [] and len(server._pages) == before


def test_the_page_cache_is_bounded(server, monkeypatch):
    monkeypatch.setattr(labmod, "PAGE_CACHE_SIZE", 2)
    for lesson in server.lesson_names[:3]:
        for lang in ("en", "es"):
            status, page = request(server, "GET", f"/?lesson={lesson}&lang={lang}")
            assert status == 200 and page.startswith("<!DOCTYPE html>")
    assert len(server._pages) == 2
    assert list(server._pages)[-1] == ("es", server.lesson_names[2])


# ---------------------------------------------------------------- JSON inside <script>

def _page_json(page):
    text = re.search(r'<script type="application/json" id="lab-data">(.*?)</script>', page, re.S).group(1)
    return text, json.loads(text)


@pytest.mark.parametrize("evil", ["<!--", "</script><script>alert(1)</script>", "a\u2028b\u2029c", "&amp; >"])
def test_json_in_the_page_is_valid_and_safe_in_a_script(evil):
    text, data = _page_json(labmod.render_page(labmod.page_data(initial={"lesson": evil})))
    assert data["initial"]["lesson"] == evil
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text


def test_exported_program_with_a_comment_holding_html_comment_opens():
    page = labmod.render_page(labmod.offline_data(labmod.program("J = w*2  # <!-- x", w=1.0),
                                                  variants=0))
    _, data = _page_json(page)
    assert data["initial"]["source"] == "J = w*2  # <!-- x"


# ---------------------------------------------------------------- malformed requests

@pytest.mark.parametrize("body, says", [
    (b'{"source": "J = w", "values": {"w": ' + b"1" * 5000 + b"}}", "bad JSON"),
    (b"[" * 60000, "bad JSON"),
    (b"\xff\xfe not utf-8", "bad JSON"),
    (json.dumps({"source": "# only a comment", "values": {}}).encode(), "only comments"),
    (json.dumps({"source": "J = w", "values": {"w": 10 ** 400}}).encode(), "finite numbers"),
    (json.dumps({"source": "J = w", "values": {"w": 1}, "lesson": []}).encode(), "lesson"),
    (json.dumps({"source": "J = w", "values": {"w": 1}, "lesson": {"a": 1}}).encode(), "lesson"),
    (json.dumps({"source": "J = w", "values": {"w": "1e999"}}).encode(), "finite"),
    (json.dumps({"source": "J = w", "values": [1]}).encode(), "values"),
], ids=["5000-digits", "60000-brackets", "not-utf8", "comment-only", "400-digits", "lesson-list",
        "lesson-dict", "inf-string", "values-list"])
def test_malformed_bodies_get_a_4xx_json_error(server, body, says):
    status, reply = request(server, "POST", "/api/graph", body)
    assert 400 <= status < 500
    assert says in reply["error"]["msg"]


def test_malformed_request_lines_get_json_errors(server):
    for data in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", b"BREW /pot HTTP/1.1\r\n\r\n",
                 b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):
        status, body = status_and_json(raw_request(server, data))
        assert 400 <= status < 600 and status != 500 and body["error"]["msg"]


HOST = "Host: 127.0.0.1:{port}\r\n"


def test_content_length_with_transfer_encoding_is_refused(server):
    host = HOST.format(port=server.server_address[1]).encode()
    body = b'{"source": "J = w", "values": {"w": 1}}'
    smuggle = (b"POST /api/graph HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\n"
               b"Content-Length: " + str(len(body)).encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    status, reply = status_and_json(raw_request(server, smuggle))
    assert status == 400 and "Transfer-Encoding" in reply["error"]["msg"]
    chunked = (b"POST /api/graph HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    assert status_and_json(raw_request(server, chunked))[0] == 411
    twice = (b"POST /api/graph HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\n"
             b"Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}")
    assert status_and_json(raw_request(server, twice))[0] == 400
    signed = (b"POST /api/graph HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\n"
              b"Content-Length: +2\r\n\r\n{}")
    assert status_and_json(raw_request(server, signed))[0] == 400


def test_a_get_with_a_body_does_not_smuggle_a_second_request(server):
    host = HOST.format(port=server.server_address[1]).encode()
    inner = b"GET /api/health HTTP/1.1\r\n" + host + b"\r\n"
    outer = b"GET /api/lessons HTTP/1.1\r\n" + host + b"Content-Length: " + str(len(inner)).encode() + b"\r\n\r\n"
    reply = raw_request(server, outer + inner)
    assert reply.count(b"HTTP/1.1 ") == 1 and b'"lessons"' in reply


# ---------------------------------------------------------------- the fuzz

json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers(-10 ** 30, 10 ** 30) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
programs = st.sampled_from(["J = (2 + 3*w)**2", "a = w*x\nJ = sin(a)", "J = log(w)", "# c", "J = (", ""])
bodies = st.fixed_dictionaries(
    {}, optional={"source": programs | json_values, "values": st.dictionaries(st.sampled_from("wxyz"), json_values)
                  | json_values, "level": st.sampled_from(["assignment", "primitive"]) | json_values,
                  "lesson": st.sampled_from(["coursera-nw1", "nope"]) | json_values, "data": json_values})


def _ok_answer(status, body):
    assert 200 <= status < 300 or 400 <= status < 500, (status, body)
    assert isinstance(body, dict)
    assert ("graph" in body) if status < 300 else body["error"]["msg"]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(bodies | json_values)
def test_fuzz_random_json_gets_2xx_or_4xx_json(server, body):
    _ok_answer(*request(server, "POST", "/api/graph", json.dumps(body).encode()))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=300), st.sampled_from(["/api/graph", "/api/nope", "/"]))
def test_fuzz_random_bytes_get_2xx_or_4xx_json(server, body, path):
    _ok_answer(*request(server, "POST", path, body))


# ---------------------------------------------------------------- slow programs

SLOW = "J = " + "*".join(f"x{i}" for i in range(284))  # 3,000 characters with the values


def test_a_slow_program_gets_its_checks_skipped_with_a_note(monkeypatch):
    monkeypatch.setattr(labmod, "BUILD_BUDGET", 0.0)
    g = labmod.graph_for(SLOW, {f"x{i}": 1 for i in range(284)}, "assignment")
    assert g["nodes"][-1]["value"] == 1 and ["budget_symbolic", {"s": "0"}] in g["auto_notes"]
    g = labmod.graph_for("J = " + "*".join(["(w+1)"] * 40), {"w": 0.5}, "primitive")
    assert any(key == "budget_symbolic" for key, _ in g["auto_notes"])
    assert all(n["grad_formula"] is None for n in g["nodes"])
    assert g["nodes"][-1]["value"] == pytest.approx(1.5 ** 40)  # the engine's numbers are all there


def _primitive_runs(n, monkeypatch):
    """How many primitives building the graph of a chain of ``n`` factors evaluates (SymPy off)."""
    from retrograd.learn import build_graph, extract, program, symbolic
    p = program("J = " + "*".join(["(w+1)"] * n), w=0.01)
    order, _ = extract._walk([p.output])
    calls = []
    monkeypatch.setattr(symbolic, "AVAILABLE", False)
    for prim in {t.grad_fn.prim for t in order if t.grad_fn is not None}:
        real = prim.impl
        monkeypatch.setattr(prim, "impl", lambda *a, _real=real, **k: calls.append(1) or _real(*a, **k))
    g = build_graph(p, "primitive")
    monkeypatch.undo()
    return len(calls), g


def test_finite_difference_checks_are_linear_in_the_graph_size(monkeypatch):
    _, g_small = _primitive_runs(10, monkeypatch)
    assert all(e["check"] is not None for e in g_small.edges if e["local"] is not None)
    assert all(n["check"] is not None for n in g_small.nodes if n["grad"] is not None and n["id"] != "J")
    assert not any(key.startswith("budget") for key, _ in g_small.extra["auto_notes"])
    runs, _g = _primitive_runs(60, monkeypatch)
    runs4, g4 = _primitive_runs(240, monkeypatch)
    assert runs4 <= 6 * runs  # 4 times the nodes: 4 times the work (a quadratic cost would be 16 times)
    assert any(key == "budget_fd" for key, _ in g4.extra["auto_notes"])


def test_builds_do_not_wait_for_a_slow_one(monkeypatch):
    started, release = threading.Event(), threading.Event()
    real = labmod._build

    def build(les, source, vals, data, level):
        if source == "J = slow":
            started.set()
            release.wait(TIMEOUT)
            source, vals = "J = w", {"w": 1}
        return real(les, source, vals, data, level)

    monkeypatch.setattr(labmod, "_build", build)
    slow = threading.Thread(target=labmod.graph_for, args=("J = slow", {}))
    slow.start()
    try:
        assert started.wait(TIMEOUT)
        done = []
        quick = threading.Thread(target=lambda: done.append(labmod.graph_for("J = 2*w", {"w": 3})))
        quick.start()
        quick.join(TIMEOUT)
        assert done and done[0]["nodes"][-1]["value"] == 6.0  # finished while the slow one still runs
        assert slow.is_alive()
    finally:
        release.set()
        slow.join(TIMEOUT)


# ---------------------------------------------------------------- connections and hosts

def test_client_disconnects_are_one_log_line(logged_server):
    srv, log = logged_server
    try:
        raise BrokenPipeError(32, "Broken pipe")
    except BrokenPipeError:
        srv.handle_error(None, ("127.0.0.1", 5555))
    host = HOST.format(port=srv.server_address[1]).encode()
    raw_request(srv, b"POST /api/graph HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"source\"")
    srv.shutdown()
    lines = log.getvalue().splitlines()
    assert len(lines) == 2 and all("disconnected" in ln for ln in lines)
    assert "Traceback" not in log.getvalue()


def test_any_address_still_checks_the_host_header():
    srv = labmod.make_server("0.0.0.0", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        port = srv.server_address[1]
        status, body = request(srv, "GET", "/api/health", host="127.0.0.1", headers={"Host": "evil.example"})
        assert status == 403
        status, body = request(srv, "GET", "/api/health", host="127.0.0.1",
                               headers={"Host": f"evil.example:{port}"})
        assert status == 403
        for name in ("localhost", socket.gethostname()):
            status, body = request(srv, "GET", "/api/health", host="127.0.0.1", headers={"Host": f"{name}:{port}"})
            assert status == 200 and body["ok"]
    finally:
        srv.shutdown()
        srv.server_close()


def _ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_ipv6_loopback_works():
    srv = labmod.make_server("::1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        assert srv.url.startswith("http://[::1]:")
        status, body = request(srv, "GET", "/api/health")
        assert status == 200 and body["ok"]
    finally:
        srv.shutdown()
        srv.server_close()


def test_cli_on_any_address_warns_that_the_lab_is_exposed():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "retrograd", "lab", "--host", "0.0.0.0", "--port", "0",
                             "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "warning" in err and "reachable from other computers" in err and "localhost" in err
    assert "Traceback" not in err, err
    assert proc.returncode == 0, err
