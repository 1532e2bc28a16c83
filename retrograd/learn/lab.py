"""The web lab: fill in a computation graph in the browser, with instant feedback.

Three ways to open the same page:

* ``retrograd lab [--port N] [--no-browser] [--lang es|en] [--host H]`` serves it on
  127.0.0.1 (only, unless ``--host`` says otherwise) and opens the browser;
* ``retrograd lab --export lesson.html --lesson coursera-nw1`` writes one self-contained
  offline HTML file (no server, no network);
* ``rg.learn.lab(lesson_or_program)`` shows it inline in Jupyter.

The page draws the learning layer's ``Graph`` model (``Graph.to_dict()``, with the same
layout as the SVG) and never recomputes it. Each node has a box for its forward value and a
box for ``dOutput/dNode``; each edge a box for its local derivative. Checking answers and
diagnosing mistakes happen in the page's JavaScript, so the offline file works on its own.

Answers
-------
An answer may be an integer, a decimal (``.5``, ``-3``, ``4.50``), a fraction (``9/2``) or
simple arithmetic (``2*11``, ``3^2``, ``-(1/4)``); the page reads it with a small
recursive-descent parser (no ``eval``). Text it cannot read is marked ``invalid``.

**Tolerance**: an answer ``a`` for the true value ``t`` is correct when
``|a - t| <= min(0.005, 0.01 * |t|)``: right to 2 decimals, as the Coursera lab checks, and
within 1 % for small numbers (0.02 is not accepted for 0.0177; see :data:`TOLERANCE`).
A decimal comma (``4,5``) and a phone's minus sign (``−3``) are read too.

Every answer box is an ``<input>`` with ``data-node`` (node name), ``data-kind``
(``value``, ``local`` or ``grad``), ``data-edge`` (``"from->to"``, local derivatives only)
and ``data-state`` (``empty``, ``correct``, ``wrong`` or ``invalid``). Inputs and constants
have their value box filled in, read-only, with ``data-given="true"``; they are not counted
in the progress line (``#progress`` carries ``data-correct`` and ``data-total``). While a graph
is loading, ``<body>`` has ``data-busy="1"``.

JSON API (server mode)
----------------------
All responses are JSON (``Content-Type: application/json``) except ``GET /``.

``GET /``
    The lab page (``?lang=es`` for Spanish, ``?lesson=NAME`` to start on a lesson).
``GET /api/health``
    ``{"ok": true, "version": "..."}``.
``GET /api/lessons``
    ``{"lessons": [{"name", "title_en", "title_es", "source", "values"}, ...]}``.
``GET /api/lesson/NAME?level=assignment|primitive``
    ``{"graph": GRAPH}`` for a built-in lesson at its own values; 404 for an unknown name.
``POST /api/graph`` with body ``{"source": str, "values": {name: number}, "level": str}``
    ``{"graph": GRAPH}``, the learning layer's ``Graph.to_dict()``. Optional fields:
    ``"lesson": NAME`` (that lesson's program at ``values``, its data inputs drawn without a
    gradient; ``source`` is then ignored) and ``"data": [names]``. The program is read only
    by the learning layer's safe parser. A bad program answers 400 with
    ``{"error": {"msg": str, "line": int|null, "col": int|null}}``.

Errors of every endpoint have that same ``{"error": {...}}`` shape.

Limits: request bodies over :data:`MAX_BODY` bytes get 413, programs over
:data:`MAX_SOURCE` characters 400, POSTs that are not ``application/json`` 415, a request
with ``Transfer-Encoding`` (alone or with ``Content-Length``: request smuggling) 400 or 411,
and a ``Host`` header that names neither this machine nor the address the server listens on
(DNS rebinding) 403. Every malformed request gets a 4xx answer with that JSON error shape.
Each graph gets :data:`BUILD_BUDGET` seconds for its SymPy and finite-difference checks (past
it they are skipped, with a note in the graph); at most :data:`BUILD_SLOTS` graphs are built at
once, and a slow one does not hold up the others.
"""

from __future__ import annotations

import contextlib
import html
import json
import math
import random
import re
import socket
import sys
import threading
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ..version import __version__
from .code import lab_code
from .extract import build_graph
from .i18n import lab_strings, tr
from .layers import NAME, SOURCE, VALUES, layers_lesson
from .layout import ensure_layout
from .lessons import lessons
from .numfmt import DIGITS
from .program import Program, ProgramError, program

__all__ = [
    "BUILD_BUDGET",
    "LEVELS",
    "MAX_BODY",
    "MAX_SOURCE",
    "TOLERANCE",
    "LabView",
    "export_html",
    "graph_for",
    "lab",
    "lesson_list",
    "make_server",
    "page_data",
    "random_values",
    "render_page",
    "serve",
]

#: Answer tolerance, shared with the page: ``|a - t| <= min(abs, rel * |t|)``.
TOLERANCE = {"abs": 0.005, "rel": 0.01}
#: How "New values" draws inputs (here and in the page): integers in ``int`` (never 0) when all
#: values are integers, else ``decimals``-decimal numbers in ``float`` (``zero`` in place of 0).
RANDOM_VALUES = {"int": [-5, 5], "float": [-3.0, 3.0], "decimals": 1, "zero": 0.5}
#: The page's JavaScript modules, in load order (parse, grade, diagnose, state, walk, view, main).
LAB_JS = ("lab_parse.js", "lab_grade.js", "lab_diagnose.js", "lab_state.js", "lab_walk.js", "lab_view.js",
          "lab_main.js")
#: Smallest scale the page draws a graph of vectors and matrices at: below it (a phone) the graph's box
#: scrolls sideways instead, so the entries stay readable (numbers graphs always fit the width).
MIN_ARRAY_SCALE = 0.75
#: Largest request body the server reads, in bytes.
MAX_BODY = 64 * 1024
#: Longest program the server accepts, in characters.
MAX_SOURCE = 20_000
#: Graph levels the page offers.
LEVELS = ("assignment", "primitive")
#: How many extra value sets an offline page stores per program (for "New values").
OFFLINE_VARIANTS = 5
#: Seconds each graph may spend on its SymPy and finite-difference checks before the rest are skipped
#: (with a note in the graph; its values and gradients from the engine are always there).
BUILD_BUDGET = 1.0
#: Most graphs built at the same time; a burst of requests beyond it waits for a slot (up to
#: :data:`BUILD_WAIT` seconds, then 503) instead of multiplying the CPU work. A slow program
#: no longer holds up every other request (grad mode is per thread, so builds may overlap).
BUILD_SLOTS = 4
#: Seconds a request waits for a build slot.
BUILD_WAIT = 20.0
#: Most rendered pages the server keeps (one per language and lesson).
PAGE_CACHE_SIZE = 16
_BUILD_SLOTS = threading.BoundedSemaphore(BUILD_SLOTS)


class LabError(ValueError):
    """A request the lab cannot serve; carries what the page shows.

    >>> LabError("no such lesson", status=404).payload()
    {'error': {'msg': 'no such lesson', 'line': None, 'col': None}}
    """

    def __init__(self, msg, line=None, col=None, status=400):
        super().__init__(msg)
        self.msg, self.line, self.col, self.status = msg, line, col, status

    def payload(self):
        return {"error": {"msg": self.msg, "line": self.line, "col": self.col}}


# ---------------------------------------------------------------- the model


def _field(obj, name, default=None):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _lessons():
    return {_field(d, "name"): d for d in lessons()}


def lesson_list():
    """The built-in lessons as plain dicts: name, title_en, title_es, source, values, data
    (inputs drawn without a gradient), notes_en, notes_es.

    >>> names = [l["name"] for l in lesson_list()]
    >>> "coursera-nw1" in names
    True
    """
    out = []
    for d in lessons():
        out.append({"name": _field(d, "name"), "title_en": _field(d, "title_en"),
                    "title_es": _field(d, "title_es"), "source": _field(d, "source"),
                    "values": {k: _number(v) for k, v in dict(_field(d, "values") or {}).items()},
                    "data": list(_field(d, "data") or ()),
                    "notes_en": list(_field(d, "notes_en") or ()),
                    "notes_es": list(_field(d, "notes_es") or ())})
    return out + [_layers_lesson()]


def _layers_lesson():
    """The layers-as-matrices lesson (built from tensors, its values are vectors and matrices)."""
    return {"name": NAME, "title_en": tr("en", "layers_title"), "title_es": tr("es", "layers_title"),
            "source": SOURCE, "values": {k: _numbers(v) for k, v in VALUES.items()}, "data": ["x", "t"],
            "notes_en": [tr("en", "layers_note")], "notes_es": [tr("es", "layers_note")]}


def _numbers(v):
    """A number, or a (nested) list of numbers, checked finite."""
    return [_numbers(x) for x in v] if isinstance(v, (list, tuple)) else _number(v)


def _shape(v):
    return (len(v),) + _shape(v[0]) if isinstance(v, list) and v else ()


def _same_shape(a, b):
    if isinstance(b, (list, tuple)):
        return isinstance(a, list) and len(a) == len(b) and all(_same_shape(x, y) for x, y in zip(a, b))
    return not isinstance(a, list)


def _layers_graph(values, level):
    vals = {}
    for k, v in values.items():
        if k not in VALUES:
            raise LabError(f"{NAME} has no input {_short(k)}; its inputs are {', '.join(VALUES)}")
        v = _numbers(v)
        if not _same_shape(v, VALUES[k]):
            raise LabError(f"{k} must have the shape {'x'.join(map(str, _shape(VALUES[k])))} in {NAME}")
        vals[k] = v
    les = layers_lesson(vals)
    return _with_code(les.graph(level).to_dict(), les.code)


def _leaves(v):
    if isinstance(v, list):
        for x in v:
            yield from _leaves(x)
    else:
        yield v


def _number(v):
    if isinstance(v, bool):
        raise LabError(f"input values must be numbers, not {v!r}")
    try:
        x = float(v)
    except (TypeError, ValueError, OverflowError):
        raise LabError(f"input values must be finite numbers, not {_short(v)}") from None
    if not math.isfinite(x):
        raise LabError(f"input values must be finite, not {_short(v)}")
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def _short(v, n=40):
    text = repr(v)
    return text if len(text) <= n else text[:n] + "..."


def _check_finite(g):
    for n in g.get("nodes", []):
        for field in ("value", "grad"):
            v = n.get(field)
            if isinstance(v, float) and not math.isfinite(v):
                raise LabError(f"node {n.get('name') or n.get('id')}: {field} is {v} "
                               "(choose other input values)")
    for e in g.get("edges", []):
        v = e.get("local")
        if isinstance(v, float) and not math.isfinite(v):
            raise LabError(f"edge {e.get('source')}->{e.get('target')}: local derivative is {v}")
    return g


def graph_for(source=None, values=None, level="assignment", lesson=None, data=()):
    """The Graph dict of a program, as the page reads it (the learning layer builds it).

    ``lesson`` names a built-in lesson: its program (and which inputs are data) at
    ``values`` (default: the lesson's own). Otherwise ``source`` is read by the learning
    layer's safe parser, with ``data`` naming inputs drawn without a gradient. Raises
    :class:`LabError` (with the line and column when there is one) for a bad program.

    >>> g = graph_for("a = 2 + 3*w\\nJ = a**2", {"w": 3})
    >>> g["output"], [n["value"] for n in g["nodes"] if n["name"] == "J"]
    ('J', [121.0])
    >>> graph_for(lesson="coursera-nw1", values={"x": 2, "w": 1, "b": 0, "y": 1})["nodes"][-1]["value"]
    0.5
    >>> graph_for("J = (", {}).line
    Traceback (most recent call last):
    ...
    retrograd.learn.lab.LabError: syntax error: ...
    """
    if level not in LEVELS:
        raise LabError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    les = None
    if lesson is not None:
        if not isinstance(lesson, str):
            raise LabError("lesson must be a lesson name (a string)")
        if lesson == _layers_lesson()["name"]:
            if values is not None and not isinstance(values, dict):
                raise LabError("values must be an object mapping input names to numbers")
            return _check_finite(_layers_graph(values or {}, level))
        les = _lessons().get(lesson)
        if les is None:
            raise LabError(f"no lesson named {_short(lesson)}", status=404)
        source = _field(les, "source")
        data = tuple(_field(les, "data") or ())
        if values is None:
            values = dict(_field(les, "values") or {})
    if not isinstance(source, str):
        raise LabError("the program must be text")
    if len(source) > MAX_SOURCE:
        raise LabError(f"the program is too long ({len(source)} characters, at most {MAX_SOURCE})")
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise LabError("values must be an object mapping input names to numbers")
    if not isinstance(data, (list, tuple)) or not all(isinstance(d, str) for d in data):
        raise LabError("data must be a list of input names")
    vals = {}
    for k, v in values.items():
        if not isinstance(k, str) or not k.isidentifier():
            raise LabError(f"bad input name {_short(k)}")
        vals[k] = _number(v)
    if not _BUILD_SLOTS.acquire(timeout=BUILD_WAIT):
        raise LabError("the lab is busy building other graphs; try again in a moment", status=503)
    try:
        return _check_finite(_build(les, source, vals, data, level))
    except ProgramError as exc:
        raise LabError(str(_field(exc, "msg") or exc), _field(exc, "line"), _field(exc, "col")) from None
    except (ValueError, TypeError, ArithmeticError, KeyError, NameError) as exc:
        if isinstance(exc, LabError):
            raise
        raise LabError(f"{type(exc).__name__}: {exc}") from None
    finally:
        _BUILD_SLOTS.release()


def _build(les, source, vals, data, level):
    if les is not None:
        prog = Program(source, vals, data=data, eps=_field(les, "eps", 1e-3), name=_field(les, "name"))
    elif data:
        prog = Program(source, vals, data=tuple(data))
    else:
        prog = program(source, **vals)
    return _with_code(build_graph(prog, level, budget=BUILD_BUDGET).to_dict(), lambda: lab_code(prog))


def _with_code(graph, make):
    """The graph dict with ``code``: the program's forward and backward pass as the Python code
    ``rg.jit`` generates, and the call with its values (the page's "code" tab). A program the
    tracer cannot compile keeps its graph, with ``code`` None and ``code_error`` saying why."""
    try:
        graph["code"] = make()
    except Exception as exc:  # noqa: BLE001 - the graph is the exercise; the code view is extra
        graph["code"], graph["code_error"] = None, f"{type(exc).__name__}: {exc}"[:300]
    return graph


def _graph_of(obj, level):
    """(source, values, graph dict) for a lesson name, Program, Graph or Graph dict."""
    if isinstance(obj, str):
        for les in lesson_list():
            if les["name"] == obj:
                return les["source"], les["values"], graph_for(lesson=obj, level=level)
        raise LabError(f"no lesson named {obj!r}; lessons: "
                       + ", ".join(les["name"] for les in lesson_list()), status=404)
    if isinstance(obj, dict) and "nodes" in obj:
        return obj.get("source", ""), dict(obj.get("inputs") or {}), obj
    if hasattr(obj, "to_dict") and hasattr(obj, "nodes"):
        if getattr(obj, "level", None) == "traced":  # rg.jit(f).lower(): its source is the code
            g = ensure_layout(obj).to_dict()
            g["code"], g["source"] = g.get("source"), ""
            return "", dict(g.get("inputs") or {}), g
        g = obj.to_dict()
        return g.get("source", ""), dict(g.get("inputs") or {}), g
    if hasattr(obj, "graph"):
        g = obj.graph(level=level).to_dict()
        return g.get("source", ""), dict(g.get("inputs") or {}), g
    try:
        g = build_graph(obj, level=level).to_dict()
    except TypeError:
        pass
    else:
        return g.get("source") or "", dict(g.get("inputs") or {}), _check_finite(g)
    raise TypeError("lab() takes a lesson name, a Program, an output Tensor, a Graph or a Graph dict, "
                    f"not {type(obj).__name__}")


def random_values(values, rng):
    """New input values shaped like ``values``: small non-zero integers when all are integers,
    else one decimal in [-3, 3]. (The page draws the same way when a server is there.)

    >>> v = random_values({"w": 3, "x": 2}, random.Random(0))
    >>> sorted(v), all(isinstance(x, int) and 1 <= abs(x) <= 5 for x in v.values())
    (['w', 'x'], True)
    """
    ints = all(float(v).is_integer() for x in values.values() for v in _leaves(x))
    rule = RANDOM_VALUES

    def draw(like):  # a vector or matrix keeps its shape
        if isinstance(like, (list, tuple)):
            return [draw(x) for x in like]
        if ints:
            v = 0
            while v == 0:
                v = rng.randint(*rule["int"])
            return v
        return round(rng.uniform(*rule["float"]), rule["decimals"]) or rule["zero"]
    return {k: draw(v) for k, v in values.items()}


def _variants(source, values, count, lesson=None, data=(), seed=12345):
    rng, found, tries = random.Random(seed), [], 0
    while len(found) < count and tries < 10 * count + 10:
        tries += 1
        vals = random_values(values, rng)
        try:
            g = graph_for(source, vals, "assignment", lesson=lesson, data=data)
        except LabError:
            continue
        big = any(abs(n.get("value") or 0) > 1e6 for n in g["nodes"]
                  if isinstance(n.get("value"), (int, float)))
        if not big and vals not in found:
            found.append(vals)
    return found


def page_data(mode="offline", initial=None, lang="en", graphs=(), variants=None, api=""):
    """The JSON the page starts from.

    ``mode`` is ``"server"`` (new programs and values go to the JSON API) or ``"offline"``
    (only the graphs in ``graphs`` exist; ``variants`` lists other value sets per program).

    >>> d = page_data(lang="es", initial={"lesson": "coursera-nw1"})
    >>> d["mode"], d["lang"], d["tolerance"]["abs"]
    ('offline', 'es', 0.005)
    """
    if mode not in ("server", "offline"):
        raise ValueError("mode must be 'server' or 'offline'")
    return {"version": 1, "mode": mode, "api": api, "lang": "es" if lang == "es" else "en",
            "tolerance": dict(TOLERANCE), "random": dict(RANDOM_VALUES), "levels": list(LEVELS),
            "digits": DIGITS, "min_scale_arrays": MIN_ARRAY_SCALE, "strings": lab_strings(),
            "lessons": lesson_list(),
            "initial": dict(initial or {}), "graphs": list(graphs),
            "variants": dict(variants or {})}


def _asset(name):
    return (Path(__file__).resolve().parent / "static" / name).read_text(encoding="utf-8")


_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                  "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _script_json(obj):
    r"""JSON that is safe inside ``<script>`` and still valid JSON: ``< > &`` and the two
    JavaScript line terminators (U+2028, U+2029) are written as ``\uXXXX`` escapes
    (they can only occur inside strings).

    >>> print(_script_json({"a": "</script><!--&"}))
    {"a":"\u003c/script\u003e\u003c!--\u0026"}
    """
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.translate(_SCRIPT_ESCAPES)


def render_page(data):
    """The whole lab page, one self-contained HTML string (CSS, JS and data inlined).

    >>> page = render_page(page_data(initial={"lesson": "coursera-nw0"}))
    >>> page.startswith("<!DOCTYPE html>") and 'id="lab-data"' in page and "<script src" not in page
    True
    """
    return page_template().replace("/*__LAB_DATA__*/", _script_json(data), 1)


def page_template():
    """The lab page with its CSS and JavaScript inlined and ``/*__LAB_DATA__*/`` where the page
    data goes (the same for every exercise: a notebook loads it once, see ``lab_notebook``).

    >>> page_template().count("/*__LAB_DATA__*/")
    1
    """
    js, css = "\n".join(_asset(name) for name in LAB_JS), _asset("lab.css")
    if "</script" in js.lower():
        raise RuntimeError("the lab's JavaScript must not contain '</script'")
    if "/*__LAB_DATA__*/" in js + css:
        raise RuntimeError("the lab's code must not contain the data marker")
    page = _asset("lab.html")
    return page.replace("/*__LAB_CSS__*/", css).replace("/*__LAB_JS__*/", js)


def _entry(source, values, level, graph):
    return {"source": source, "values": values, "level": level, "graph": graph}


_PAGE_DROPS = ("grad_formula", "grad_formula_value", "formula_sympy", "local_formula_value", "upstream", "product")


def _slim(graph):
    """A graph dict as an offline page needs it: finite-difference checks reduced to what the page
    shows (central difference and step), symbolic chain-rule texts dropped (half the size)."""
    def trim(item):
        out = {k: v for k, v in item.items() if k not in _PAGE_DROPS}
        if isinstance(item.get("check"), dict):
            out["check"] = {"central": item["check"].get("central"), "eps": item["check"].get("eps")}
        return out
    return dict(graph, nodes=[trim(n) for n in graph["nodes"]], edges=[trim(e) for e in graph["edges"]])


def offline_data(target=None, lang="en", level="assignment", variants=OFFLINE_VARIANTS, only_target=False):
    """Page data for an offline page: every lesson (both levels) plus ``target``, each with
    ``variants`` extra value sets stored for the "New values" button. ``only_target`` keeps
    the target alone (a notebook cell: one exercise, a few times smaller).

    >>> d = offline_data("coursera-nw1", variants=0)
    >>> d["initial"]["lesson"], len(d["graphs"]) >= 8
    ('coursera-nw1', True)
    >>> len(offline_data("coursera-nw1", variants=0, only_target=True)["graphs"])
    2
    """
    programs = [(les["source"], les["values"], les["name"], ()) for les in lesson_list()
                if not only_target or (isinstance(target, str) and les["name"] == target)]
    initial = {"level": level}
    graphs, var = [], {}
    if target is not None:
        source, values, g = _graph_of(target, level)
        if isinstance(target, str):
            initial["lesson"] = target
        else:
            initial.update(custom=True, source=source, values=values)
            graphs.append(_entry(source, values, level, g))
            if source:
                data = tuple(n["id"] for n in g["nodes"]
                             if n.get("kind") == "input" and not n.get("requires_grad"))
                programs.append((source, values, None, data))
    for source, values, lesson, data in programs:
        sets = [values] + (_variants(source, values, variants, lesson, data) if variants else [])
        var[source.strip()] = sets
        for vals in sets:
            for lv in LEVELS:
                with contextlib.suppress(LabError):
                    graphs.append(_entry(source, vals, lv, _slim(graph_for(source, vals, lv, lesson, data))))
    data = page_data("offline", initial, lang, graphs, var)
    if only_target:
        data["lessons"] = [les for les in data["lessons"] if isinstance(target, str) and les["name"] == target]
    return data


def export_html(path, lesson="coursera-nw1", lang="en", level="assignment",
                variants=OFFLINE_VARIANTS):
    """Write the lab as one self-contained offline HTML file; returns its Path.

    ``lesson`` is a lesson name, a Program, a Graph or a Graph dict.

    >>> import tempfile, os
    >>> p = export_html(os.path.join(tempfile.mkdtemp(), "l.html"), "coursera-nw0", variants=0)
    >>> p.read_text(encoding="utf-8").count("<script") == 2
    True
    """
    path = Path(path)
    path.write_text(render_page(offline_data(lesson, lang, level, variants)), encoding="utf-8")
    return path


# ------------------------------------------------------------------ server

_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_DIGITS = re.compile(r"[0-9]{1,12}")


def _bracket(host):
    return f"[{host}]" if ":" in host else host


def machine_names(host):
    """The names a ``Host`` header may use to reach a server bound to ``host`` (lowercase,
    IPv6 addresses in brackets): the loopback names, plus for any other address this
    machine's host name, its fully qualified name and its addresses.

    >>> sorted(machine_names("127.0.0.1"))
    ['127.0.0.1', '[::1]', 'localhost']
    """
    names = {"127.0.0.1", "localhost", "[::1]"}
    if host in _LOOPBACK:
        return names
    found = {host}
    for fn in (socket.gethostname, socket.getfqdn):
        with contextlib.suppress(OSError):
            found.add(fn())
    for name in list(found):
        with contextlib.suppress(OSError, UnicodeError):
            found.update(info[4][0] for info in socket.getaddrinfo(name, None))
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:  # the address this machine would use towards the network (no packet is sent)
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                found.add(s.getsockname()[0])
        except OSError:
            pass
    found -= {"0.0.0.0", "::", ""}
    return names | {_bracket(n.split("%")[0].lower().rstrip(".")) for n in found}


class LabHandler(BaseHTTPRequestHandler):
    """Serves the page and the JSON API (see the module docstring)."""

    server_version = "retrograd-lab/1"
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a connection may sit idle or send slowly

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    # -- helpers
    def _send(self, status, body, ctype="application/json; charset=utf-8"):
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj, allow_nan=False))

    def _error(self, status, msg, line=None, col=None):
        self._json(status, LabError(msg, line, col).payload())

    def send_error(self, code, message=None, explain=None):
        """The standard library's errors (bad request line, unknown method, ...) as JSON too."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # an unreadable request line: answer with a status line
            self.request_version = "HTTP/1.0"
        self._error(code, message or self.responses.get(code, ("error",))[0])

    def _host_ok(self):
        allowed = getattr(self.server, "allowed_hosts", None)
        if not allowed:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        port = str(self.server.server_address[1])
        if host.startswith("["):
            name, _, rest = host.partition("]")
            name, rest = name + "]", rest
        else:
            name, _, rest = host.partition(":")
            rest = ":" + rest if _ else ""
        return name.rstrip(".") in allowed and rest in (f":{port}",) + (("",) if port == "80" else ())

    def _framing_ok(self):
        """Refuse bodies whose length is ambiguous (request smuggling) or not given."""
        te = self.headers.get_all("Transfer-Encoding") or []
        cl = self.headers.get_all("Content-Length") or []
        if te and cl:
            self.close_connection = True
            self._error(400, "a request may not have both Content-Length and Transfer-Encoding")
            return False
        if te:
            self.close_connection = True
            self._error(411, "Transfer-Encoding is not supported: send Content-Length")
            return False
        if len(cl) > 1:
            self.close_connection = True
            self._error(400, "more than one Content-Length header")
            return False
        if cl and not _DIGITS.fullmatch(cl[0].strip()):
            self.close_connection = True
            self._error(400, "bad Content-Length")
            return False
        if cl and self.command != "POST" and int(cl[0]) > 0:
            self.close_connection = True  # a GET's body is never read: do not read it as a request
        return True

    def _guarded(self, answer):
        try:
            if not self._framing_ok():
                return
            if not self._host_ok():
                self.close_connection = True
                return self._error(403, "forbidden host: open the lab with the address it printed")
            answer()
        except LabError as exc:
            self._json(exc.status, exc.payload())
        except (ConnectionError, TimeoutError):
            raise  # the server logs one line
        except Exception as exc:  # noqa: BLE001 - never crash the server on one request
            self.server.log_line(f"internal error answering {self.command} {self.path[:80]}: "
                                 f"{type(exc).__name__}: {exc}")
            self.close_connection = True
            self._error(500, f"internal error: {type(exc).__name__}")

    # -- verbs
    def do_HEAD(self):  # noqa: N802
        self._guarded(self._get)

    def do_GET(self):  # noqa: N802
        self._guarded(self._get)

    def do_POST(self):  # noqa: N802
        self._guarded(self._post)

    def _get(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path
        if path in ("/", "/index.html"):
            lang = query.get("lang", self.server.lang)
            lesson = query.get("lesson", self.server.lesson)
            return self._send(200, self.server.page(lang, lesson), "text/html; charset=utf-8")
        if path == "/api/health":
            return self._json(200, {"ok": True, "version": __version__})
        if path == "/api/lessons":
            return self._json(200, {"lessons": lesson_list()})
        if path.startswith("/api/lesson/"):
            name = unquote(path[len("/api/lesson/"):])
            level = query.get("level", "assignment")
            if name in self.server.lesson_names:
                return self._json(200, {"graph": graph_for(lesson=name, level=level)})
            return self._error(404, f"no lesson named {_short(name)}")
        if path == "/favicon.ico":
            return self._send(204, b"", "image/x-icon")
        return self._error(404, f"not found: {_short(path)}")

    def _post(self):
        path = urlsplit(self.path).path
        length = self.headers.get("Content-Length")
        if length is None:
            self.close_connection = True
            return self._error(411, "Content-Length required")
        n = int(length)
        if n > MAX_BODY:
            self.close_connection = True
            return self._error(413, f"request body too large ({n} bytes, at most {MAX_BODY})")
        raw = self.rfile.read(n)
        if len(raw) < n:  # the client went away mid-body: nobody to answer
            self.close_connection = True
            self.server.log_line(f"client {self.client_address[0]} disconnected before sending its body")
            return None
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return self._error(415, "send JSON (Content-Type: application/json)")
        if path != "/api/graph":
            return self._error(404, f"not found: {_short(path)}")
        try:
            body = json.loads(raw.decode("utf-8"))
        except RecursionError:
            return self._error(400, "bad JSON: nested too deeply")
        except ValueError as exc:  # includes UnicodeDecodeError and integers too long to read
            return self._error(400, f"bad JSON: {str(exc)[:200]}")
        if not isinstance(body, dict):
            return self._error(400, "the body must be a JSON object")
        g = graph_for(body.get("source"), body.get("values"), body.get("level") or "assignment",
                      lesson=body.get("lesson"), data=body.get("data") or ())
        return self._json(200, {"graph": g})


class LabServer(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` that knows the page it serves.

    Bound to 127.0.0.1 unless told otherwise (an IPv6 address such as ``::1`` works too).
    Requests whose ``Host`` header names neither this machine nor the bound address are
    refused (403), so a web page elsewhere cannot reach the lab by DNS rebinding.
    """

    daemon_threads = True

    def __init__(self, address, lang="en", lesson=None, verbose=False, log=None):
        host = address[0]
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__(address, LabHandler)
        self.lang, self.lesson, self.verbose = lang, lesson, verbose
        self.log = log
        port = self.server_address[1]
        shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        self.url = f"http://{_bracket(shown)}:{port}/"
        self.allowed_hosts = machine_names(host)
        self.lesson_names = [les["name"] for les in lesson_list()]
        self._pages = OrderedDict()
        self._lesson_graphs = None
        self._lock = threading.Lock()

    def log_line(self, text):
        """One line on the server's log (standard error by default)."""
        with contextlib.suppress(OSError, ValueError):
            print(f"retrograd lab: {text}", file=self.log or sys.stderr, flush=True)

    def handle_error(self, request, client_address):
        """One line per failed connection (a client that went away is not a traceback)."""
        exc = sys.exc_info()[1]
        who = client_address[0] if client_address else "?"
        if isinstance(exc, (ConnectionError, TimeoutError)):
            self.log_line(f"client {who} disconnected ({type(exc).__name__})")
        else:
            self.log_line(f"error answering {who}: {type(exc).__name__}: {exc}")

    def page(self, lang, lesson):
        """The rendered page for a language and a known lesson (404 for any other lesson);
        the most recently used :data:`PAGE_CACHE_SIZE` pages are kept."""
        lang = "es" if lang == "es" else "en"
        lesson = lesson or "coursera-nw1"
        if lesson not in self.lesson_names:
            raise LabError(f"no lesson named {_short(lesson)}; lessons: {', '.join(self.lesson_names)}",
                           status=404)
        key = (lang, lesson)
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        if self._lesson_graphs is None:
            graphs = []
            for les in lesson_list():
                with contextlib.suppress(LabError):
                    graphs.append(_entry(les["source"], les["values"], "assignment", graph_for(lesson=les["name"])))
            self._lesson_graphs = graphs
        initial = {"lesson": lesson, "level": "assignment"}
        page = render_page(page_data("server", initial, lang, self._lesson_graphs))
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > PAGE_CACHE_SIZE:
                self._pages.popitem(last=False)
        return page


def make_server(host="127.0.0.1", port=0, lang="en", lesson=None, verbose=False, log=None):
    """A lab server bound to ``host:port`` (port 0: any free port), not yet serving.

    >>> srv = make_server(port=0)
    >>> srv.url.startswith("http://127.0.0.1:")
    True
    >>> srv.server_close()
    """
    return LabServer((host, port), lang=lang, lesson=lesson, verbose=verbose, log=log)


def serve(host="127.0.0.1", port=8765, lang="en", lesson=None, open_browser=True, out=None):
    """Serve the lab until interrupted (Ctrl-C); opens the browser unless told not to."""
    out = out or sys.stdout
    srv = make_server(host, port, lang, lesson)
    url = srv.url + (f"?lang={lang}" if lang != "en" else "")
    try:  # Ctrl-C at any moment from here on is a clean stop
        if host not in _LOOPBACK:
            print(f"retrograd lab: warning: listening on {host}: the lab is reachable from other computers "
                  f"on the network; it answers to {', '.join(sorted(srv.allowed_hosts))}", file=sys.stderr)
        print(f"retrograd lab: {url}  (Ctrl-C to stop)", file=out, flush=True)
        if open_browser:
            import webbrowser
            threading.Timer(0.3, webbrowser.open, args=(url,)).start()
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


# ----------------------------------------------------------------- Jupyter


#: Page-data fields that are the same in every notebook cell (sent once per notebook).
_COMMON = ("strings", "tolerance", "random", "levels", "digits", "min_scale_arrays")


class LabView:
    """The lab page for a notebook cell.

    ``_repr_html_`` gives an iframe built from the page's code, which the first lab of a kernel
    defines once for the whole notebook; every cell carries only its own exercise (see
    :mod:`retrograd.learn.lab_notebook`). With ``share_code=False`` (and in Google Colab, whose
    outputs do not share a window) each cell embeds the whole page in an ``<iframe srcdoc>``.

    >>> v = lab("coursera-nw0", variants=0, share_code=False)
    >>> v._repr_html_().startswith("<iframe")
    True
    """

    def __init__(self, page, height=720, data=None, share_code=None):
        self.html, self.height, self.data = page, height, data
        self.share_code = share_code

    def _repr_html_(self):
        from .lab_notebook import SHARED, outputs_share_a_window
        share = outputs_share_a_window() if self.share_code is None else self.share_code
        if share and self.data is not None:
            common = {k: self.data[k] for k in _COMMON}  # the same in every cell: sent once
            own = {k: v for k, v in self.data.items() if k not in _COMMON}
            return SHARED.html(page_template(), _script_json(own), self.height, _script_json(common),
                               self.data.get("lang", "en"))
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                f'style="width:100%;height:{int(self.height)}px;border:1px solid #cbd5e1;'
                f'border-radius:8px" sandbox="allow-scripts allow-popups"></iframe>')

    def save(self, path):
        """Write the page to ``path`` (an offline HTML file)."""
        Path(path).write_text(self.html, encoding="utf-8")
        return Path(path)


def lab(output_or_lesson="coursera-nw1", lang="en", level="assignment", height=720,
        variants=OFFLINE_VARIANTS, share_code=None):
    """The web lab for a lesson name, a Program, a Graph or a Graph dict, shown inline in
    Jupyter (the same page as ``retrograd lab``, working offline).

    ``share_code``: ``None`` (default) loads the page's code once per notebook where outputs
    share a window (every Jupyter front end but Colab); ``False`` embeds it in every cell.

    >>> lab("coursera-nw1", lang="es", variants=0).html.count('"lesson":"coursera-nw1"') >= 1
    True
    """
    data = offline_data(output_or_lesson, lang, level, variants, only_target=True)
    return LabView(render_page(data), height, data=data, share_code=share_code)
