/* retrograd web lab, module "main": the page's state and events, on top of the modules
 * parse (reading answers), grade (tolerance), diagnose (slips), state (URL hash) and view
 * (drawing). Everything that judges an answer runs in the page, so an exported offline file
 * works without a server; every number, position, text and rule comes from Python in the
 * page data (principle 9 of DESIGN.md): the graph model with its layout, the catalogue of
 * strings, the tolerance, the rule for new random values.
 */
(function (root) {
  "use strict";
  var P = root.RGLab.parse, G = root.RGLab.grade, D = root.RGLab.diagnose, S = root.RGLab.state, V = root.RGLab.view;
  var W = root.RGLab.walk;
  var DATA = JSON.parse(document.getElementById("lab-data").textContent);
  var TOL = DATA.tolerance, STR = DATA.strings, DIGITS = DATA.digits || 6, LEVELS = DATA.levels;
  var $ = function (id) { return document.getElementById(id); };
  var el = V.el;

  var state = {
    lang: DATA.lang === "es" ? "es" : "en", lesson: null, source: "", values: {}, level: "assignment",
    graph: null, view: null, answers: {}, revealed: false, focus: null, hintStep: 0, variant: 0, seed: 1,
    boxes: [], order: []
  };
  var cache = {};

  function t(key, vars) {  // {out} is the current graph's output (J, L, ...) unless given
    var s = (STR[state.lang] && STR[state.lang][key]) || STR.en[key] || key;
    vars = Object.assign({ out: (state.graph && state.graph.output) || "J" }, vars || {});
    if (vars) s = s.replace(/\{(\w+)\}/g, function (m, k) { return vars[k] === undefined ? m : String(vars[k]); });
    return s;
  }
  function fmt(x) { return P.fmt(x, DIGITS); }

  // A program error from the server (English, as Python's ProgramError says it) in the page's
  // language: the same templates and order as retrograd.learn.i18n.translate_error.
  function pattern(tpl) {
    var names = [], re = "^" + tpl.split(/\{(\w+)\}/).map(function (part, i) {
      if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      if (names.indexOf(part) >= 0) return ".+?";
      names.push(part);
      return "(.+?)";
    }).join("") + "$";
    return { re: new RegExp(re), names: names };
  }
  function translateError(msg) {
    if (state.lang === "en" || typeof msg !== "string") return msg;
    var line = pattern(STR.en["err.err_line"]), m = line.re.exec(msg);
    if (m) return t("err.err_line", { line: m[1], col: m[2], msg: translateError(m[3]) });
    var keys = STR.error_keys || [];
    for (var i = 0; i < keys.length; i++) {
      var p = pattern(STR.en["err." + keys[i]]);
      m = p.re.exec(msg);
      if (!m) continue;
      var vars = {};
      p.names.forEach(function (nm, j) { vars[nm] = m[j + 1]; });
      if (vars.name2 === undefined) vars.name2 = vars.name;
      if (keys[i] === "err_syntax") vars.msg = translateError(vars.msg);
      return t("err." + keys[i], vars);
    }
    return msg;
  }

  function cacheKey(source, values, level) {
    var names = Object.keys(values || {}).sort();
    var num = function (v) { return Array.isArray(v) ? v.map(num) : Number(v); };  // vectors and matrices too
    return JSON.stringify([String(source).trim(), names.map(function (n) { return [n, num(values[n])]; }), level]);
  }
  (DATA.graphs || []).forEach(function (entry) { cache[cacheKey(entry.source, entry.values, entry.level)] = entry.graph; });

  function lessonByName(name) {
    return (DATA.lessons || []).filter(function (l) { return l.name === name; })[0] || null;
  }
  function lessonOf(source) {
    return (DATA.lessons || []).filter(function (l) { return String(l.source).trim() === String(source).trim(); })[0] || null;
  }
  function answered(b) { return !b.given && String(state.answers[b.key] || "").trim() !== ""; }
  function anyAnswers() { return state.boxes.some(answered); }

  // ------------------------------------------------------------- grading
  function judge(box) {
    var r = G.judge(box.input.value, box.truth, TOL);
    if (r.state === "invalid") r.reason = t("invalid");
    else if (r.state === "correct") r.reason = t("correct");
    else if (r.state === "wrong") r.reason = box.entry ? t("wrongEntry", { d: box.aria })
      : D.diagnose(state.view, box, r.value, TOL, t, fmt) || genericReason(box);
    return r;
  }
  function genericReason(box) {
    var view = state.view, n = box.node;
    if (box.kind === "value") return t("wrongValue", { n: D.nodeLabel(n), f: n.formula || n.op || "?" });
    if (box.kind === "local") {
      var tg = view.byId[box.edge.target];
      return t("wrongLocal", { lbl: D.edgeLabel(view, box.edge), t: D.nodeLabel(tg), s: D.nodeLabel(n),
                               f: tg.formula || tg.op || "?" });
    }
    return t("wrongGrad", { d: D.dName(view, n), terms: D.chainTerms(view, n) });
  }

  function update(box) {
    if (box.given) { box.input.setAttribute("data-state", "correct"); box.result = { state: "correct" }; return; }
    box.result = judge(box);
    box.input.setAttribute("data-state", box.result.state);
    box.input.setAttribute("title", box.result.reason || "");
    if (box.reveal) {
      box.reveal.hidden = !state.revealed || box.result.state === "correct";
      box.reveal.textContent = "= " + fmt(box.truth);
    }
    if (state.focus === box) showFeedback(box);
  }

  function progress() {
    var total = 0, ok = 0;
    state.boxes.forEach(function (b) {
      if (b.given) return;
      total++;
      if (b.result && b.result.state === "correct") ok++;
    });
    var pr = $("progress");
    pr.textContent = ok + " / " + total + " " + t("correctOf");
    pr.setAttribute("data-correct", String(ok));
    pr.setAttribute("data-total", String(total));
    var done = total > 0 && ok === total;
    pr.classList.toggle("complete", done);
    $("complete").hidden = !done;
    $("complete").textContent = done ? t("complete") : "";
    listMistakes();
  }

  function listMistakes() {
    var ul = $("mistakes"), bad = state.order.filter(function (b) {
      return b.result && (b.result.state === "wrong" || b.result.state === "invalid");
    });
    ul.innerHTML = "";
    $("mistakes-box").hidden = !bad.length;
    $("mistakes-title").textContent = t("mistakes") + " (" + bad.length + ")";
    bad.forEach(function (b) {
      var li = el("li", { "data-key": b.key, "data-state": b.result.state });
      var go = el("button", { type: "button", "class": "linky" }, b.aria);
      go.addEventListener("click", function () { b.input.focus(); b.input.select(); });
      li.appendChild(go);
      li.appendChild(el("span", {}, " " + b.result.reason));
      ul.appendChild(li);
    });
  }

  // ------------------------------------------------------------- hints, in steps
  function substitute(formula) {
    var view = state.view;
    return String(formula).replace(/[A-Za-z_][\w]*/g, function (w) {
      var n = view.g.nodes.filter(function (m) { return D.nodeLabel(m) === w; })[0];
      if (!n || !D.isNum(n.value)) return w;
      var s = fmt(n.value);
      return s.charAt(0) === "-" ? "(" + s + ")" : s;
    });
  }
  function hintSteps(box) {
    var view = state.view, n = box.node;
    if (box.entry) {
      if (box.given) return [t("valueHintInput", { n: D.nodeLabel(n) })];
      return box.kind === "value" ? [t("hintRule"), t("valueHint", { n: D.nodeLabel(n), f: n.formula || "?" }), t("entryValueHint")]
                                  : [t("hintRule"), t("entryHint")];
    }
    if (box.kind === "value") {
      if (box.given) return [t("valueHintInput", { n: D.nodeLabel(n) })];
      var f = n.formula || n.op || "?";
      return [t("hintRule"), t("valueHint", { n: D.nodeLabel(n), f: f }),
              t("hintNumbers", { v: D.nodeLabel(n) + " = " + substitute(f) })];
    }
    if (box.kind === "local") {
      var tg = view.byId[box.edge.target];
      var vars = { lbl: D.edgeLabel(view, box.edge), t: D.nodeLabel(tg), s: D.nodeLabel(n), f: box.edge.local_formula };
      var steps = [t("hintRule"), t("localHintNoFormula", vars)];
      if (box.edge.local_formula) steps.push(t("localHint", vars));
      return steps;
    }
    if (n === view.out) return [t("gradHintOut", { d: D.dName(view, n) })];
    return [t("hintRule"), t("gradHint", { d: D.dName(view, n), terms: D.chainTerms(view, n) }),
            t("hintNumbers", { v: D.dName(view, n) + " = " + D.chainNumbers(view, n, fmt) })];
  }
  function showHint(box) {
    $("fd-out").textContent = "";
    state.hintStep = 0;
    if (!box) {
      $("hint-title").textContent = t("hint");
      $("hint-body").textContent = t("pickBox");
      $("hint-button").hidden = true; $("fd-button").hidden = true;
      showFeedback(null);
      return;
    }
    $("hint-title").textContent = box.aria;
    $("hint-body").textContent = "";
    $("hint-button").hidden = false;
    $("hint-button").textContent = t("hintButton");
    showFeedback(box);
  }
  function nextHint() {
    var box = state.focus;
    if (!box) return;
    var steps = hintSteps(box);
    state.hintStep = Math.min(steps.length, state.hintStep + 1);
    var body = $("hint-body");
    body.innerHTML = "";
    steps.slice(0, state.hintStep).forEach(function (s) { body.appendChild(el("span", { "class": "hint-step" }, s)); });
    $("hint-button").textContent = t("hintMore");
    $("hint-button").hidden = state.hintStep >= steps.length;
  }
  function fdCheck(box) {
    return box.kind === "grad" ? box.node.check : (box.kind === "local" ? box.edge.check : null);
  }
  function showFeedback(box) {
    var f = $("feedback"), bubble = $("bubble"), r = box && box.result ? box.result : { state: "empty" };
    var text = r.state === "empty" || (box && box.given) ? "" : (r.reason || "");
    f.textContent = text;
    f.setAttribute("data-state", r.state);
    // the finite-difference check is offered once the learner has answered
    var chk = box && fdCheck(box);
    $("fd-button").hidden = !(box && chk && D.isNum(chk.central) && (r.state === "correct" || r.state === "wrong"));
    if (!bubble) return;
    if (!box || !text) { bubble.hidden = true; return; }
    bubble.textContent = text;
    bubble.setAttribute("data-state", r.state);
    bubble.hidden = false;
    placeBubble(bubble, box.anchor);
  }
  // Next to its box (below, above, right, left), where it covers no other box: on a phone the
  // top-down graph has an edge's box right under each node. With no such place nearby, the free
  // place nearest to the box; in a graph with none at all, below the box.
  function placeBubble(bubble, a) {
    var W = state.geo.width, H = state.geo.height, bw, bh, gap = 4;
    bubble.style.left = "0px"; bubble.style.top = "0px";  // measured where nothing narrows it
    var rects = Array.prototype.map.call(document.querySelectorAll("#graph [data-node-box], #graph .edge-box"), function (x) {
      return { l: x.offsetLeft, t: x.offsetTop, r: x.offsetLeft + x.offsetWidth, b: x.offsetTop + x.offsetHeight };
    });
    var al = a.offsetLeft, at = a.offsetTop, ar = al + a.offsetWidth, ab = at + a.offsetHeight;
    var cx = function (x) { return Math.max(0, Math.min(x, W - bw)); }, cy = function (y) { return Math.max(0, Math.min(y, H - bh)); };
    var free = function (p) {
      if (p[0] < 0 || p[1] < 0 || p[0] + bw > W || p[1] + bh > H) return false;
      return rects.every(function (q) { return p[0] + bw <= q.l || q.r <= p[0] || p[1] + bh <= q.t || q.b <= p[1]; });
    };
    var spot = null;
    [0, 190, 140].some(function (width) {  // its own width first, then narrower (and taller)
      bubble.style.width = width ? width + "px" : "";
      bw = bubble.offsetWidth; bh = bubble.offsetHeight;
      spot = [[cx(al), ab + gap], [cx(al), at - bh - gap], [ar + gap, cy(at)], [al - bw - gap, cy(at)],
              [cx(ar - bw), ab + gap], [cx(ar - bw), at - bh - gap]].filter(free)[0];
      return spot;
    });
    if (!spot) {
      bubble.style.width = "";
      bw = bubble.offsetWidth; bh = bubble.offsetHeight;
      var best = Infinity;
      for (var y = 0; y + bh <= H; y += 8) {
        for (var x = 0; x + bw <= W; x += 8) {
          var d = Math.pow(Math.max(al - x - bw, x - ar, 0), 2) + Math.pow(Math.max(at - y - bh, y - ab, 0), 2);
          if (d < best && free([x, y])) { best = d; spot = [x, y]; }
        }
      }
    }
    spot = spot || [cx(al), Math.min(ab + gap, Math.max(0, at - bh - gap))];
    bubble.style.left = spot[0] + "px";
    bubble.style.top = spot[1] + "px";
  }

  // ------------------------------------------------------------- boxes and keyboard
  function makeInput(box) {
    var inp = el("input", {
      type: "text", "class": "answer kind-" + box.kind, autocomplete: "off", spellcheck: "false",
      inputmode: "text", enterkeyhint: "next", "data-node": box.nodeName, "data-kind": box.kind,
      "data-state": "empty", "data-key": box.key, "aria-label": box.aria, tabindex: "-1"
    });
    if (box.kind === "local") inp.setAttribute("data-edge", box.edgeName);
    box.input = inp;
    if (box.given) {
      inp.value = fmt(box.truth); inp.readOnly = true; inp.setAttribute("data-given", "true");
      return inp;
    }
    var wrap = el("span", { "class": "answer-wrap" });
    wrap.appendChild(inp);
    box.reveal = el("span", { "class": "revealed", "data-reveal": box.key }, "");
    box.reveal.hidden = true;
    wrap.appendChild(box.reveal);
    inp.addEventListener("input", function () {
      state.answers[box.key] = inp.value; update(box); progress(); saveUrl();
    });
    inp.addEventListener("focus", function () {
      state.focus = box; V.setRoving(state.order, box); showHint(box);
    });
    inp.addEventListener("keydown", function (ev) {
      if (ev.key === "Tab" || ev.key === "Enter") {
        if (moveFocus(box, ev.shiftKey ? -1 : 1) || ev.key === "Enter") ev.preventDefault();
      }
    });
    return wrap;
  }
  function moveFocus(box, dir) {  // false at either end: Tab then leaves the graph
    var i = state.order.indexOf(box), j = i + dir;
    if (i < 0 || j < 0 || j >= state.order.length) return false;
    state.order[j].input.focus();
    state.order[j].input.select();
    return true;
  }
  function entryBox() {  // where Tab enters the graph: the first empty box of the pass
    return state.order.filter(function (b) { return !answered(b); })[0] || state.order[0];
  }

  // ------------------------------------------------------------- drawing
  function graphWidth() {  // the graph's box, or the code panel in its place while that tab is shown
    var w = $("graph-wrap");
    return (w.hidden ? $("code-panel") : w).clientWidth - 2;
  }
  function render() {
    var g = state.graph, avail = graphWidth();
    state.topDown = V.wantsTopDown(g, avail);
    if (state.topDown) g = V.topDown(g);
    state.geo = g;
    state.view = D.prepare(g);
    $("graph").setAttribute("data-orientation", state.topDown ? "top-down" : "left-right");
    var r = V.render($("graph"), g, state.view, { makeInput: makeInput, fmt: fmt });
    var bubble = el("div", { id: "bubble", "class": "bubble", role: "status" });
    bubble.hidden = true;
    $("graph").appendChild(bubble);
    state.boxes = r.boxes; state.order = r.order; state.focus = null;
    V.setRoving(state.order, entryBox());
    var l = lessonOf(state.source), notes = l ? ((state.lang === "es" ? l.notes_es : l.notes_en) || []).slice() : [];
    (state.graph.auto_notes || []).forEach(function (kv) {
      if (STR[state.lang]["note." + kv[0]]) notes.push(t("note." + kv[0], kv[1]) + ".");
    });
    $("subtitle").textContent = t("subtitle");  // names this graph's output: dL/dx for the layers lesson
    $("notes").textContent = notes.join(" ");
    $("notes").hidden = !notes.length;
    state.boxes.forEach(function (b) {
      if (!b.given && state.answers[b.key] !== undefined) b.input.value = state.answers[b.key];
      update(b);
    });
    $("reveal").textContent = t(state.revealed ? "hide" : "reveal");
    walkReset();
    $("walk").hidden = g.scalar === false;  // the step-through speaks numbers, not arrays
    progress();
    showHint(null);
    renderCode();
    fit();
  }
  function fit() {
    if (!state.graph || $("graph-wrap").hidden) return;
    if (V.wantsTopDown(state.graph, graphWidth()) !== state.topDown) {
      var focusKey = state.focus && state.focus.key;
      render();
      var b = state.boxes.filter(function (x) { return x.key === focusKey; })[0];
      if (b) b.input.focus();
      return;
    }
    V.fit($("graph-wrap"), $("graph"), state.geo, state.graph.scalar === false ? DATA.min_scale_arrays : 0);
  }

  // ------------------------------------------------------------- the "code" tab
  // The program's forward and backward pass as the Python code rg.jit generates (graph.code,
  // made by Python): comments in green, the call with the lab's values in blue, copyable.
  function renderCode() {
    var pre = $("code-text"), g = state.graph, code = g && g.code;
    pre.textContent = "";
    $("code-status").textContent = "";
    $("code-copy").hidden = !code;
    if (!code) {
      pre.appendChild(el("span", { "class": "code-line code-none" }, t("codeNone", { why: (g && g.code_error) || "–" })));
      return;
    }
    var lines = String(code).replace(/\n$/, "").split("\n"), call = lines.lastIndexOf("");
    lines.forEach(function (line, i) {
      var cls = "code-line" + (/^\s*#/.test(line) ? " code-comment" : "") + (call >= 0 && i > call ? " code-call" : "");
      pre.appendChild(el("span", { "class": cls }, line + "\n"));
    });
  }
  function showTab(name) {
    var code = name === "code";
    state.tab = code ? "code" : "graph";
    $("tab-graph").setAttribute("aria-selected", String(!code));
    $("tab-code").setAttribute("aria-selected", String(code));
    $("graph-wrap").hidden = code;
    $("code-panel").hidden = !code;
    if (!code) fit();
  }
  function copyCode() {
    var pre = $("code-text"), text = (state.graph && state.graph.code) || "";
    var manual = function () {  // no clipboard (an embedded page, an old browser): select it for Ctrl+C
      var range = document.createRange(), sel = window.getSelection();
      range.selectNodeContents(pre); sel.removeAllRanges(); sel.addRange(range);
      $("code-status").textContent = t("codeCopyManual");
    };
    try {
      navigator.clipboard.writeText(text).then(function () { $("code-status").textContent = t("codeCopied"); }, manual);
    } catch (e) { manual(); }
  }

  // ------------------------------------------------------------- step through the backward pass
  // One node at a time: the upstream gradient arriving, times each local derivative, the sums
  // at fan-out, in the explanation's words; the node and its incoming edges are highlighted.
  function walkReset() {
    walkStop();
    state.walk = null;
    $("walk-text").innerHTML = "";
    $("walk-step").textContent = t("walkStep");
    highlight(null);
  }
  function highlight(step) {
    document.querySelectorAll(".walk-active, .walk-edge").forEach(function (x) {
      x.classList.remove("walk-active"); x.classList.remove("walk-edge");
    });
    if (!step) return;
    var n = state.view.byId[step.node];
    var div = document.querySelector('[data-node-box="' + cssEscape(D.nodeLabel(n)) + '"]');
    if (div) div.classList.add("walk-active");
    step.edges.forEach(function (e) {
      var k = D.nodeLabel(state.view.byId[e.source]) + "->" + D.nodeLabel(n);
      document.querySelectorAll('[data-edge="' + cssEscape(k) + '"], [data-edge-box="' + cssEscape(k) + '"]')
        .forEach(function (x) { x.classList.add("walk-edge"); });
    });
  }
  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&"); }
  function walkNext() {
    if (!state.walk) state.walk = { steps: W.steps(state.view, t, fmt), i: -1 };
    var w = state.walk;
    if (w.i + 1 >= w.steps.length) {  // finished: start again
      walkReset();
      return false;
    }
    w.i++;
    var st = w.steps[w.i], ol = $("walk-text");
    ol.querySelectorAll("li").forEach(function (li) { li.classList.remove("current"); });
    var li = el("li", { "class": "current", "data-node": D.nodeLabel(state.view.byId[st.node]) });
    st.lines.forEach(function (line) { li.appendChild(el("span", { "class": "walk-line" }, line)); });
    ol.appendChild(li);
    highlight(st);
    if (w.i + 1 >= w.steps.length) {
      ol.appendChild(el("li", { "class": "walk-done" }, t("walkDone")));
      $("walk-step").textContent = t("walkAgain");
      walkStop();
    }
    return true;
  }
  function walkStop() {
    if (state.walkTimer) clearInterval(state.walkTimer);
    state.walkTimer = null;
    $("walk-play").textContent = t("walkPlay");
  }
  function walkPlay() {
    if (state.walkTimer) { walkStop(); return; }
    if (state.walk && state.walk.i + 1 >= state.walk.steps.length) walkReset();
    $("walk-play").textContent = t("walkPause");
    walkNext();
    state.walkTimer = setInterval(function () { if (!walkNext() || !state.walkTimer) walkStop(); }, DATA.walk_ms || 1600);
  }

  // ------------------------------------------------------------- loading graphs
  function setStatus(msg, isError) {
    var s = $("status");
    s.textContent = msg || "";
    s.className = isError ? "status error" : "status";
  }
  function showProgramError(err, source) {
    var box = $("program-error");
    if (!err) { box.hidden = true; box.textContent = ""; return; }
    box.hidden = false; box.textContent = "";
    var head = t("programError");
    if (err.line) head += " (" + t("lineCol", { l: err.line, c: err.col || 1 }) + ")";
    box.appendChild(el("strong", {}, head + ": "));
    box.appendChild(el("span", { "class": "msg" }, translateError(err.msg || err.message || String(err))));
    if (err.line && source) {
      var line = String(source).split("\n")[err.line - 1];
      if (line !== undefined) {
        var pre = el("pre", { "class": "caret" });
        pre.textContent = line + "\n" + " ".repeat(Math.max(0, (err.col || 1) - 1)) + "^";
        box.appendChild(pre);
      }
    }
    if (state.graph) box.appendChild(el("span", { "class": "kept" }, " " + t("keptPrevious")));
  }
  function requestBody(source, values, level) {
    var l = lessonOf(source), body = { source: source, values: values, level: level };
    if (l) body.lesson = l.name;
    return body;
  }
  function fetchGraph(source, values, level) {
    var k = cacheKey(source, values, level);
    if (cache[k]) return Promise.resolve(cache[k]);
    if (DATA.mode !== "server") return Promise.reject({ msg: t("offlineNoServer") });
    return fetch(DATA.api + "/api/graph", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(requestBody(source, values, level))
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok || body.error) throw (body.error || { msg: "HTTP " + r.status });
        cache[k] = body.graph;
        return body.graph;
      });
    }, function (e) { throw { msg: String(e) }; });
  }
  function busy(promise) {
    state.busy = (state.busy || 0) + 1;
    document.body.setAttribute("data-busy", "1");
    return Promise.resolve(promise).finally(function () {
      if (--state.busy === 0) document.body.removeAttribute("data-busy");
    });
  }
  // Only a graph that was built replaces the current one: on an error the previous graph,
  // its answers and the controls stay as they were.
  function load(source, values, level, opts) {
    opts = opts || {};
    setStatus(t("loading"));
    return busy(fetchGraph(source, values, level).then(function (g) {
      state.source = source; state.values = values; state.level = g.level || level; state.graph = g;
      if (opts.lesson !== undefined) state.lesson = opts.lesson;
      if (!opts.keep) { state.answers = {}; state.revealed = false; }
      showProgramError(null);
      setStatus(opts.status || "");
      render(); syncControls(); saveUrl();
      return true;
    }, function (err) {
      setStatus("");
      showProgramError(err, source);
      syncControls();
      return false;
    }));
  }
  function confirmClear() { return !anyAnswers() || window.confirm(t("confirmClear")); }

  // ------------------------------------------------------------- random values (the rule comes from Python)
  function rng() {  // mulberry32
    var s = (state.seed = (state.seed + 0x6D2B79F5) | 0);
    var x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }
  function randomValues(values) {
    var R = DATA.random, leaves = function (v) { return Array.isArray(v) ? v.every(leaves) : Number.isInteger(v); };
    var ints = Object.keys(values).every(function (k) { return leaves(values[k]); });
    var draw = function (like) {  // a vector or matrix keeps its shape
      if (Array.isArray(like)) return like.map(draw);
      var v;
      if (ints) { do { v = R.int[0] + Math.floor(rng() * (R.int[1] - R.int[0] + 1)); } while (v === 0); }
      else {
        var p = Math.pow(10, R.decimals);
        v = Math.round((R.float[0] + rng() * (R.float[1] - R.float[0])) * p) / p;
        if (v === 0) v = R.zero;
      }
      return v;
    };
    var out = {};
    Object.keys(values).forEach(function (k) { out[k] = draw(values[k]); });
    return out;
  }
  function newValues() {
    if (DATA.mode !== "server") {
      var vs = (DATA.variants || {})[String(state.source).trim()] || [];
      if (!vs.length) { setStatus(t("offlineNoServer"), true); return Promise.resolve(); }
      state.variant = (state.variant + 1) % vs.length;
      return load(state.source, vs[state.variant], state.level, { status: t("offlineVariants") });
    }
    var tries = 0;
    function attempt() {
      var vals = randomValues(state.values);
      return fetchGraph(state.source, vals, state.level).then(function () {
        return load(state.source, vals, state.level);
      }, function (err) {
        if (++tries < 8) return attempt();
        showProgramError(err, state.source);
      });
    }
    return busy(attempt());
  }

  // ------------------------------------------------------------- URL
  function hashState() {
    var l = state.lesson && lessonByName(state.lesson);
    var lesson = l && String(l.source).trim() === String(state.source).trim() ? state.lesson : null;
    return { lesson: lesson, src: state.source, values: state.values, level: state.level, lang: state.lang,
             answers: state.answers, revealed: state.revealed };
  }
  function saveUrl() {
    try { history.replaceState(null, "", "#" + S.writeHash(hashState(), true)); } catch (e) { /* srcdoc */ }
  }

  // ------------------------------------------------------------- controls
  function syncControls() {
    var sel = $("lesson"), l = state.lesson && lessonByName(state.lesson);
    sel.value = (l && String(l.source).trim() === String(state.source).trim()) ? state.lesson : "__custom__";
    $("level").value = state.level;
    if (!$("custom").open || !$("source").value) $("source").value = state.source;
    $("values").value = P.valuesToText(state.values, 17);
  }
  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-i18n]").forEach(function (x) { x.textContent = t(x.getAttribute("data-i18n")); });
    $("lang").textContent = t("lang");
    $("lang").setAttribute("data-lang", state.lang);
    var sel = $("lesson");
    sel.innerHTML = "";
    (DATA.lessons || []).forEach(function (l) {
      sel.appendChild(el("option", { value: l.name }, (state.lang === "es" ? l.title_es : l.title_en) || l.name));
    });
    sel.appendChild(el("option", { value: "__custom__" }, t("custom")));
    var lv = $("level");
    lv.innerHTML = "";
    LEVELS.forEach(function (x) { lv.appendChild(el("option", { value: x }, t(x))); });
    if (state.graph) { render(); syncControls(); saveUrl(); }
  }
  function revealToggle() {
    state.revealed = !state.revealed;
    state.boxes.forEach(update);
    $("reveal").textContent = t(state.revealed ? "hide" : "reveal");
    setStatus(state.revealed ? t("revealNote") : "");
    saveUrl();
  }

  function loadFromUrl() {
    var h = "";
    try { h = location.hash; } catch (e) { h = ""; }
    var p = S.readHash(h, LEVELS), init = DATA.initial || {};
    if (p.lang) state.lang = p.lang;
    state.level = p.level || init.level || "assignment";
    applyLanguage();
    var opts = { keep: true };
    state.answers = p.answers; state.revealed = p.revealed;
    if (p.src) {
      $("custom").open = true;
      return load(p.src, p.values || {}, state.level, Object.assign({ lesson: null }, opts));
    }
    var name = (p.lesson && lessonByName(p.lesson)) ? p.lesson : (init.lesson && lessonByName(init.lesson) ? init.lesson : null);
    if (name) {
      var l = lessonByName(name);
      return load(l.source, p.values || (name === init.lesson && init.values) || l.values, state.level, Object.assign({ lesson: name }, opts));
    }
    if (init.custom) {
      $("custom").open = !!init.source;  // a graph built from tensors has no program to edit
      return load(init.source, init.values || {}, state.level, Object.assign({ lesson: null }, opts));
    }
    if ((DATA.lessons || []).length) {
      var first = DATA.lessons[0];
      return load(first.source, first.values, state.level, Object.assign({ lesson: first.name }, opts));
    }
  }

  function share() {
    // The exercise (program, values, level, language) without this learner's answers.
    var hash = S.writeHash(hashState(), false), url = "", inFrame = false;
    try { inFrame = location.protocol === "about:" || location.href.indexOf("about:srcdoc") === 0; url = location.href.split("#")[0] + "#" + hash; }
    catch (e) { inFrame = true; }
    $("share-url").hidden = false;
    if (inFrame) {  // a notebook's embedded page has no address: give the part a link needs
      $("share-url").value = "#" + hash;
      setStatus(t("copyManual"));
      return;
    }
    $("share-url").value = url;
    var done = function () { setStatus(t("copied")); }, fail = function () { setStatus(t("copyManual")); };
    try { navigator.clipboard.writeText(url).then(done, fail); } catch (e) { fail(); }
  }

  function init() {
    applyLanguage();
    $("lang").addEventListener("click", function () { state.lang = state.lang === "en" ? "es" : "en"; applyLanguage(); });
    $("lesson").addEventListener("change", function () {
      var v = $("lesson").value;
      if (v === "__custom__") { $("custom").open = true; $("source").focus(); return; }
      if (!confirmClear()) { syncControls(); return; }
      state.variant = 0;
      var l = lessonByName(v);
      load(l.source, l.values, state.level, { lesson: v });
    });
    $("level").addEventListener("change", function () {
      var lv = $("level").value;
      if (!confirmClear()) { $("level").value = state.level; return; }
      load(state.source, state.values, lv, { lesson: state.lesson });
    });
    $("build").addEventListener("click", function () {
      var src = $("source").value;
      if (!src.trim()) { showProgramError({ msg: t("emptyProgram") }); return; }
      var vals = P.parseValues($("values").value);
      if (vals === null) { showProgramError({ msg: t("badValues") }); return; }
      if (!confirmClear()) return;
      load(src, vals, state.level, { lesson: lessonOf(src) ? lessonOf(src).name : null });
    });
    $("reveal").addEventListener("click", revealToggle);
    $("reset").addEventListener("click", function () {
      if (!confirmClear()) return;
      state.answers = {}; state.revealed = false;
      state.boxes.forEach(function (b) { if (!b.given) { b.input.value = ""; update(b); } });
      $("reveal").textContent = t("reveal");
      V.setRoving(state.order, entryBox());
      progress(); saveUrl();
    });
    $("newvals").addEventListener("click", function () { if (confirmClear()) newValues(); });
    $("share").addEventListener("click", share);
    $("walk-step").addEventListener("click", function () { walkStop(); walkNext(); });
    $("walk-play").addEventListener("click", walkPlay);
    $("tab-graph").addEventListener("click", function () { showTab("graph"); });
    $("tab-code").addEventListener("click", function () { showTab("code"); });
    $("code-copy").addEventListener("click", copyCode);
    $("hint-button").addEventListener("click", nextHint);
    $("hint-button").addEventListener("mousedown", function (ev) { ev.preventDefault(); });
    $("fd-button").addEventListener("click", function () {
      var box = state.focus, c = box && fdCheck(box);
      $("fd-out").textContent = c && D.isNum(c.central)
        ? t("fdResult", { h: fmt(c.eps), v: fmt(c.central) }) : t("fdNA");
    });
    $("fd-button").addEventListener("mousedown", function (ev) { ev.preventDefault(); });
    $("graph").addEventListener("focusout", function (ev) {
      if (!$("graph").contains(ev.relatedTarget)) V.setRoving(state.order, entryBox());
    });
    window.addEventListener("resize", fit);
    loadFromUrl();
    window.addEventListener("hashchange", loadFromUrl);
    if (DATA.mode !== "server") $("offline-note").hidden = false;
  }

  // Exposed for tests and for the curious.
  window.retrogradLab = { parseAnswer: P.parseAnswer, close: function (a, b) { return G.close(a, b, TOL); }, state: state };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})(this);
