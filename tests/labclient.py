"""A JSON HTTP client for the lab server's tests (tests/test_lab_api.py, tests/test_robust_lab.py)."""

import http.client
import json


def request(srv, method, path, body=None, headers=None, host=None, timeout=30):
    """``(status, body)``: the body parsed as JSON when the server says it is JSON."""
    port = srv.server_address[1]
    conn = http.client.HTTPConnection(host or srv.server_address[0], port, timeout=timeout)
    try:
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        ctype = resp.getheader("Content-Type", "")
        return resp.status, (json.loads(raw) if "json" in ctype else raw.decode())
    finally:
        conn.close()
