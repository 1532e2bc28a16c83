"""The lab in a notebook cell, with the page's code loaded once per notebook.

A lab cell is an ``<iframe>`` whose ``srcdoc`` is the whole lab page. Embedding that page in every
cell repeats its JavaScript and CSS (about 70 kB, more once escaped) in every output. Instead, the
first lab shown in a kernel defines the page's code once on the notebook's ``window``
(``window.__retrogradLab.code[HASH]``, with the page data that is the same in every cell: the
strings of both languages) and every cell, that one included, carries only its own
exercise (the page data) and a few lines that build its iframe from that code. A cell shown
before the code has arrived waits for it (a notebook renders outputs in order, but need not).

A kernel restart forgets what was sent, so the first lab after it carries the code again; a
saved notebook keeps the first lab's output, which defines the code when the notebook is opened.
Where outputs do not share one window (Google Colab: one frame per output), or when
``share_code=False``, each cell carries the whole page as before. A cell whose code is nowhere
(the output that carried it was cleared) says so and what to do, in the lab's language.

>>> cells = SharedCode()
>>> first, second = cells.html("<p>PAGE</p>", "{}", 300), cells.html("<p>PAGE</p>", "{}", 300)
>>> "PAGE" in first and "PAGE" not in second and "rglab-load" in second
True
"""

from __future__ import annotations

import hashlib
import json
import sys
import uuid

from .i18n import tr

#: Where the page data goes in the page template (see ``static/lab.html``).
DATA_MARK = "/*__LAB_DATA__*/"
#: Seconds a cell waits for the page's code before it says the code is missing.
WAIT_S = 5


def _js_string(text):
    """A JavaScript string literal that is safe inside ``<script>`` (``<`` escaped)."""
    return (json.dumps(text, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# Defines the code once (and builds the cells that were waiting for it).
_DEFINE = """<script>(function () {
  var A = window.__retrogradLab = window.__retrogradLab || {code: {}, waiting: {}};
  A.code[%(hash)s] = {page: %(template)s, common: %(common)s};
  (A.waiting[%(hash)s] || []).forEach(function (build) { build(); });
  delete A.waiting[%(hash)s];
})();</script>"""

# One cell: its data, and a loader that builds the iframe from the shared code.
_CELL = """<div class="rglab-cell" data-rglab="%(id)s" style="width:100%%">\
<script type="application/json" class="rglab-data">%(data)s</script></div>
<script class="rglab-load">(function () {
  var A = window.__retrogradLab = window.__retrogradLab || {code: {}, waiting: {}};
  var hash = %(hash)s, id = %(id_js)s, done = false, tries = 0;
  function host() { return document.querySelector('[data-rglab="' + id + '"]'); }
  function build() {
    var h = host();
    if (done) return;
    if (!h) { if (tries++ < 50) setTimeout(build, 100); return; }  // the output not in the page yet
    done = true;
    var own = h.querySelector(".rglab-data").textContent.trim(), code = A.code[hash];
    var data = code.common.slice(0, -1) + (own === "{}" ? "}" : "," + own.slice(1));  // the shared fields and its own
    var frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts allow-popups");
    frame.setAttribute("style", "width:100%%;height:%(height)dpx;border:1px solid #cbd5e1;border-radius:8px");
    frame.srcdoc = code.page.replace(%(mark)s, function () { return data; });
    h.appendChild(frame);
  }
  if (A.code[hash]) build();
  else {
    (A.waiting[hash] = A.waiting[hash] || []).push(build);
    setTimeout(function () {
      var h = host();
      if (done || !h) return;
      var p = document.createElement("p");
      p.className = "rglab-missing";
      p.textContent = %(missing)s;
      h.appendChild(p);
    }, %(wait_ms)d);
  }
})();</script>"""


def outputs_share_a_window() -> bool:
    """Whether notebook outputs share one window, so that code defined by one is seen by the next
    (not in Google Colab, where each output is its own frame).

    >>> isinstance(outputs_share_a_window(), bool)
    True
    """
    return "google.colab" not in sys.modules


class SharedCode:
    """Which page code this kernel has already sent to the notebook (one per Python process:
    a kernel restart starts again, and the first lab after it carries the code).

    >>> s = SharedCode()
    >>> len(s.html("<p>x</p>", "{}", 100)) > len(s.html("<p>x</p>", "{}", 100))
    True
    """

    def __init__(self):
        self.sent = set()

    def html(self, template: str, data_json: str, height: int, common_json: str = '{"shared":true}',
             lang: str = "en") -> str:
        """A cell's HTML: the page ``template`` (with :data:`DATA_MARK` where the data goes) and
        ``common_json`` (page-data fields that are the same in every cell, a JSON object) defined
        once per kernel, then this cell's own ``data_json`` (a JSON object) and its loader."""
        digest = hashlib.sha256((template + common_json).encode("utf-8")).hexdigest()[:16]
        out = ""
        if digest not in self.sent:
            self.sent.add(digest)
            out = _DEFINE % {"hash": json.dumps(digest), "template": _js_string(template),
                             "common": _js_string(common_json)}
        cid = uuid.uuid4().hex
        return out + _CELL % {"id": cid, "id_js": json.dumps(cid), "hash": json.dumps(digest),
                              "data": data_json, "height": int(height), "mark": json.dumps(DATA_MARK),
                              "missing": _js_string(tr(lang, "lab_code_missing")), "wait_ms": int(WAIT_S * 1000)}


#: The kernel's record (module state: a kernel restart forgets it).
SHARED = SharedCode()
