/* retrograd web lab: fill in a computation graph, with instant feedback.
 *
 * Everything that judges an answer runs here, in the page, so an exported
 * offline file works without a server. The page reads the learning layer's
 * Graph model (Graph.to_dict()) and never recomputes it: forward values,
 * local derivatives and gradients all come from the model. The only numbers
 * computed here are the learner's own answers (a small safe recursive-descent
 * parser: no eval) and the finite-difference hint, which re-evaluates node
 * formulas with that same parser.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ data
  var DATA = JSON.parse(document.getElementById("lab-data").textContent);
  var TOL = DATA.tolerance || { abs: 0.005, rel: 0.001 };

  // ------------------------------------------------------------------ i18n
  var STR = {
    en: {
      title: "retrograd lab",
      subtitle: "Fill in the computation graph: forward values left to right (blue), then derivatives right to left (green).",
      lesson: "Lesson", custom: "Your own program", level: "Boxes", assignment: "one per line", primitive: "one per operation",
      program: "Program (one assignment per line)", values: "Input values", build: "Build graph",
      reveal: "Reveal all", hide: "Hide answers", reset: "Reset", newvals: "New values", share: "Copy link",
      copied: "Link to this exercise copied (without your answers)", correctOf: "correct", lang: "Español",
      legendValue: "forward value", legendDeriv: "derivative", legendWrong: "wrong", legendInvalid: "not a number",
      value: "value", given: "given", hint: "Hint", fd: "Finite difference", fdNA: "Finite difference not available for this box.",
      fdResult: "Finite difference (central, h = {h}): {v}",
      pickBox: "Click a box (or press Tab) to see its hint here. Answers accept 4.5, .5, -3, 9/2, 2*11.",
      correct: "Correct.", invalid: "Not a number I can read. Use digits, a decimal point, / for fractions, + - * ^ for arithmetic.",
      valueHint: "Forward value of {n}: {n} = {f}",
      valueHintInput: "{n} is an input: its value is given.",
      localHint: "Local derivative {lbl}: how {t} changes when {s} changes a little, everything else fixed. Here {lbl} = {f}.",
      localHintNoFormula: "Local derivative {lbl}: how {t} changes when {s} changes a little, everything else fixed.",
      gradHintOut: "{d} is the output: {d} changes one-for-one with itself, so this derivative is 1.",
      gradHint: "Chain rule: {d} = {terms}",
      wrongValue: "Not the forward value of {n}. Compute {n} = {f} from the values to its left.",
      wrongLocal: "Not {lbl}. Differentiate {t} = {f} with respect to {s} only.",
      wrongGrad: "Not {d}. Multiply each local derivative by the gradient of the node it feeds, and add: {terms}",
      slipSign: "Sign error: you have the right size but the wrong sign.",
      slipUpstream: "Wrong upstream gradient: this is {lbl} · {used}, but {n} feeds {m}, so multiply by {needed}.",
      slipForgotLocal: "You forgot the local derivative: {used} alone is the gradient arriving from {m}; multiply it by {lbl}.",
      slipForward: "That is the forward value of {k}, not a gradient. Use {needed} instead of {k}.",
      slipForwardSelf: "That is the forward value of {n}; this box wants the derivative {d}.",
      slipOnePath: "Only one path: {n} feeds {count} nodes; add the contributions of every path.",
      slipLocalIsValue: "That is the forward value of {k}, not the local derivative {lbl}.",
      slipLocalIsGrad: "That is the gradient {used}; the local derivative {lbl} is only how {t} depends on {s}.",
      slipValueIsGrad: "That is the gradient {d}, not the forward value of {n}.",
      programError: "Error in your program",
      lineCol: "line {l}, column {c}",
      offlineNoServer: "This offline file cannot build new programs; run `retrograd lab` for that.",
      offlineVariants: "Offline file: switching between the value sets stored in it.",
      readonlyNote: "inputs are given",
      boxes: "boxes",
      fdButton: "Check with a finite difference",
      revealNote: "Answers revealed.",
      emptyProgram: "Write a program first.",
      badValues: "Input values must look like  x = 2, w = -2",
      mistakes: "To fix",
      tolerance: "Answers count as correct to 2 decimals (|error| ≤ 0.005) or within 0.1 %.",
      loading: "Building…"
    },
    es: {
      title: "laboratorio retrograd",
      subtitle: "Rellena el grafo de cálculo: valores hacia delante de izquierda a derecha (azul), luego derivadas de derecha a izquierda (verde).",
      lesson: "Lección", custom: "Tu propio programa", level: "Casillas", assignment: "una por línea", primitive: "una por operación",
      program: "Programa (una asignación por línea)", values: "Valores de entrada", build: "Construir grafo",
      reveal: "Mostrar todo", hide: "Ocultar respuestas", reset: "Reiniciar", newvals: "Nuevos valores", share: "Copiar enlace",
      copied: "Enlace a este ejercicio copiado (sin tus respuestas)", correctOf: "correctas", lang: "English",
      legendValue: "valor hacia delante", legendDeriv: "derivada", legendWrong: "incorrecta", legendInvalid: "no es un número",
      value: "valor", given: "dado", hint: "Pista", fd: "Diferencia finita", fdNA: "No hay diferencia finita para esta casilla.",
      fdResult: "Diferencia finita (central, h = {h}): {v}",
      pickBox: "Pulsa una casilla (o Tab) para ver su pista aquí. Se aceptan respuestas como 4.5, .5, -3, 9/2, 2*11.",
      correct: "Correcto.", invalid: "No es un número que pueda leer. Usa dígitos, punto decimal, / para fracciones y + - * ^ para operar.",
      valueHint: "Valor hacia delante de {n}: {n} = {f}",
      valueHintInput: "{n} es una entrada: su valor está dado.",
      localHint: "Derivada local {lbl}: cuánto cambia {t} cuando {s} cambia un poco, con todo lo demás fijo. Aquí {lbl} = {f}.",
      localHintNoFormula: "Derivada local {lbl}: cuánto cambia {t} cuando {s} cambia un poco, con todo lo demás fijo.",
      gradHintOut: "{d}: la salida cambia exactamente igual que ella misma, así que esta derivada es 1.",
      gradHint: "Regla de la cadena: {d} = {terms}",
      wrongValue: "No es el valor hacia delante de {n}. Calcula {n} = {f} con los valores de su izquierda.",
      wrongLocal: "No es {lbl}. Deriva {t} = {f} solo respecto a {s}.",
      wrongGrad: "No es {d}. Multiplica cada derivada local por el gradiente del nodo al que alimenta y suma: {terms}",
      slipSign: "Error de signo: el tamaño es correcto pero el signo no.",
      slipUpstream: "Gradiente de arriba equivocado: esto es {lbl} · {used}, pero {n} alimenta a {m}, así que hay que multiplicar por {needed}.",
      slipForgotLocal: "Olvidaste la derivada local: {used} solo es el gradiente que llega de {m}; multiplícalo por {lbl}.",
      slipForward: "Ese es el valor hacia delante de {k}, no un gradiente. Usa {needed} en lugar de {k}.",
      slipForwardSelf: "Ese es el valor hacia delante de {n}; esta casilla pide la derivada {d}.",
      slipOnePath: "Solo un camino: {n} alimenta a {count} nodos; suma las contribuciones de todos los caminos.",
      slipLocalIsValue: "Ese es el valor hacia delante de {k}, no la derivada local {lbl}.",
      slipLocalIsGrad: "Ese es el gradiente {used}; la derivada local {lbl} solo mide cómo depende {t} de {s}.",
      slipValueIsGrad: "Ese es el gradiente {d}, no el valor hacia delante de {n}.",
      programError: "Error en tu programa",
      lineCol: "línea {l}, columna {c}",
      offlineNoServer: "Este archivo sin conexión no puede construir programas nuevos; usa `retrograd lab` para eso.",
      offlineVariants: "Archivo sin conexión: alterna entre los conjuntos de valores guardados en él.",
      readonlyNote: "las entradas están dadas",
      boxes: "casillas",
      fdButton: "Comprobar con una diferencia finita",
      revealNote: "Respuestas mostradas.",
      emptyProgram: "Escribe primero un programa.",
      badValues: "Los valores de entrada deben ser como  x = 2, w = -2",
      mistakes: "Por corregir",
      tolerance: "Una respuesta es correcta con 2 decimales (|error| ≤ 0,005) o dentro del 0,1 %.",
      loading: "Construyendo…"
    }
  };

  function t(key, vars) {
    var s = (STR[state.lang] && STR[state.lang][key]) || STR.en[key] || key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, function (m, k) { return vars[k] === undefined ? m : String(vars[k]); });
    }
    return s;
  }

  // ------------------------------------------------------- safe arithmetic
  // Grammar:  expr := term (('+'|'-') term)*
  //           term := unary (('*'|'/'|'·'|'×') unary)*
  //           unary := ('+'|'-') unary | power
  //           power := atom (('**'|'^') unary)?
  //           atom := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
  var FUNCS = {
    sin: Math.sin, cos: Math.cos, tan: Math.tan, exp: Math.exp, log: Math.log, sqrt: Math.sqrt,
    tanh: Math.tanh, abs: Math.abs, log2: Math.log2, log10: Math.log10,
    sigmoid: function (x) { return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); },
    relu: function (x) { return x > 0 ? x : 0; },
    max: Math.max, min: Math.min, maximum: Math.max, minimum: Math.min, pow: Math.pow
  };
  var CONSTS = { pi: Math.PI, e: Math.E };

  function tokenize(src) {
    var toks = [], i = 0, m;
    var re = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_\u00C0-\u024F\u0370-\u03FF][\w\u00C0-\u024F\u0370-\u03FF]*(?:\.[A-Za-z_]\w*)*)|(\*\*|[-+*\/^(),·×−]))/y;
    src = String(src);
    while (i < src.length) {
      if (/^\s*$/.test(src.slice(i))) break;
      re.lastIndex = i;
      m = re.exec(src);
      if (!m) throw new Error("unexpected character at " + i);
      if (m[1] !== undefined) toks.push({ k: "num", v: parseFloat(m[1]) });
      else if (m[2] !== undefined) toks.push({ k: "name", v: m[2] });
      else {
        var op = m[3];
        if (op === "−") op = "-";
        if (op === "·" || op === "×") op = "*";
        if (op === "^") op = "**";
        toks.push({ k: "op", v: op });
      }
      i = re.lastIndex;
    }
    return toks;
  }

  // Evaluate an arithmetic expression. `vars` maps names to numbers (omit for
  // answers: then only numbers, pi and e are allowed). Throws on anything else.
  function evaluate(src, vars) {
    var toks = tokenize(src), pos = 0, depth = 0;
    if (!toks.length) throw new Error("empty");
    function peek() { return toks[pos]; }
    function isOp(v) { var tk = toks[pos]; return tk && tk.k === "op" && tk.v === v; }
    function expect(v) { if (!isOp(v)) throw new Error("expected " + v); pos++; }
    function expr() {
      if (++depth > 200) throw new Error("too deep");
      var x = term();
      while (isOp("+") || isOp("-")) { var o = toks[pos++].v; var y = term(); x = o === "+" ? x + y : x - y; }
      depth--;
      return x;
    }
    function term() {
      var x = unary();
      while (isOp("*") || isOp("/")) { var o = toks[pos++].v; var y = unary(); x = o === "*" ? x * y : x / y; }
      return x;
    }
    function unary() {
      if (isOp("-")) { pos++; return -unary(); }
      if (isOp("+")) { pos++; return unary(); }
      return power();
    }
    function power() {
      var x = atom();
      if (isOp("**")) { pos++; var y = unary(); return Math.pow(x, y); }
      return x;
    }
    function atom() {
      var tk = peek();
      if (!tk) throw new Error("unexpected end");
      if (tk.k === "num") { pos++; return tk.v; }
      if (isOp("(")) { pos++; var v = expr(); expect(")"); return v; }
      if (tk.k === "name") {
        pos++;
        var name = tk.v.replace(/^(np|numpy|math|rg|torch)\./, "");
        if (isOp("(")) {
          pos++;
          var f = Object.prototype.hasOwnProperty.call(FUNCS, name) ? FUNCS[name] : null;
          if (!f) throw new Error("unknown function " + name);
          var args = [expr()];
          while (isOp(",")) { pos++; args.push(expr()); }
          expect(")");
          return f.apply(null, args);
        }
        if (vars && Object.prototype.hasOwnProperty.call(vars, name)) return vars[name];
        if (Object.prototype.hasOwnProperty.call(CONSTS, name)) return CONSTS[name];
        throw new Error("unknown name " + name);
      }
      throw new Error("unexpected " + tk.v);
    }
    var result = expr();
    if (pos !== toks.length) throw new Error("unexpected " + toks[pos].v);
    return result;
  }

  // An answer as typed: a finite number, or null when it is not readable.
  function parseAnswer(text) {
    try {
      var v = evaluate(text, null);
      return (typeof v === "number" && isFinite(v)) ? v : null;
    } catch (e) { return null; }
  }

  function close(a, b) {
    if (!isFinite(a) || !isFinite(b)) return false;
    return Math.abs(a - b) <= Math.max(TOL.abs, TOL.rel * Math.abs(b)) + 1e-12;
  }

  function fmt(x) {
    if (x === null || x === undefined) return "";
    if (typeof x !== "number") return String(x);
    if (Number.isInteger(x)) return String(x);
    var s = x.toPrecision(6);
    if (s.indexOf("e") < 0 && s.indexOf(".") >= 0) s = s.replace(/0+$/, "").replace(/\.$/, "");
    return s;
  }

  // ------------------------------------------------------------- the model
  var state = {
    lang: DATA.lang === "es" ? "es" : "en",
    lesson: null, source: "", values: {}, level: "assignment",
    graph: null, answers: {}, saved: null, focus: null, variant: 0, seed: 1
  };
  var cache = {};

  function key(source, values, level) {
    var names = Object.keys(values || {}).sort();
    return JSON.stringify([String(source).trim(), names.map(function (n) { return [n, Number(values[n])]; }), level]);
  }
  (DATA.graphs || []).forEach(function (entry) {
    cache[key(entry.source, entry.values, entry.level)] = entry.graph;
  });

  function lessonByName(name) {
    var ls = DATA.lessons || [];
    for (var i = 0; i < ls.length; i++) if (ls[i].name === name) return ls[i];
    return null;
  }

  function nodeLabel(n) { return n.name || n.id; }

  // Derived view of a graph: lookup tables and the list of answer boxes.
  function prepare(g) {
    var byId = {}, outs = {}, ins = {};
    g.nodes.forEach(function (n) { byId[n.id] = n; outs[n.id] = []; ins[n.id] = []; });
    g.edges.forEach(function (e) {
      if (outs[e.source]) outs[e.source].push(e);
      if (ins[e.target]) ins[e.target].push(e);
    });
    var out = byId[g.output] || g.nodes.filter(function (n) { return nodeLabel(n) === g.output; })[0];
    return { g: g, byId: byId, outs: outs, ins: ins, out: out };
  }

  function isNum(x) { return typeof x === "number" && isFinite(x); }
  function isGiven(n) { return n.kind === "input" || n.kind === "const" || !isNum(n.value); }

  function dName(view, n) { return "∂" + nodeLabel(view.out) + "/∂" + nodeLabel(n); }
  function edgeLabel(view, e) {
    return e.label || ("∂" + nodeLabel(view.byId[e.target]) + "/∂" + nodeLabel(view.byId[e.source]));
  }
  function boxKey(kind, a, b) { return kind === "local" ? "local:" + a + "->" + b : kind + ":" + a; }

  // Edges that carry gradient back into n: local derivative known, target has a gradient.
  function gradEdges(view, n) {
    return view.outs[n.id].filter(function (e) {
      var m = view.byId[e.target];
      return isNum(e.local) && m && isNum(m.grad);
    });
  }

  function chainTerms(view, n) {
    var es = gradEdges(view, n);
    if (!es.length) return "0";
    return es.map(function (e) { return edgeLabel(view, e) + " · " + dName(view, view.byId[e.target]); }).join(" + ");
  }

  // --------------------------------------------------------------- checking
  function judge(box, text) {
    if (text === undefined || String(text).trim() === "") return { state: "empty" };
    var v = parseAnswer(text);
    if (v === null) return { state: "invalid", reason: t("invalid") };
    if (close(v, box.truth)) return { state: "correct", reason: t("correct") };
    return { state: "wrong", reason: diagnose(box, v) || genericReason(box) };
  }

  function genericReason(box) {
    var view = state.view, n = box.node;
    if (box.kind === "value") return t("wrongValue", { n: nodeLabel(n), f: n.formula || n.op || "?" });
    if (box.kind === "local") {
      var tgt = view.byId[box.edge.target];
      return t("wrongLocal", { lbl: edgeLabel(view, box.edge), t: nodeLabel(tgt), s: nodeLabel(n), f: tgt.formula || tgt.op || "?" });
    }
    return t("wrongGrad", { d: dName(view, n), terms: chainTerms(view, n) });
  }

  // Which node's gradient a learner most likely took by mistake for m's: computed
  // nodes before inputs, nearest layers first, downstream before upstream.
  function rank(k, m) {
    var dl = (k.layer || 0) - (m.layer || 0);
    return (isGiven(k) ? 1000 : 0) + Math.abs(dl) * 2 + (dl > 0 ? 0 : 1);
  }

  // Which common slip does the wrong answer v match? Returns a sentence or null.
  function diagnose(box, v) {
    var view = state.view, n = box.node, truth = box.truth;
    function hit(c) { return isNum(c) && close(v, c) && !close(c, truth); }
    if (hit(-truth)) return t("slipSign");
    if (box.kind === "grad") {
      var es = gradEdges(view, n), i, e, m, k;
      // used the wrong upstream gradient: local(n->m) * dOut/dk for some k != m
      for (i = 0; i < es.length; i++) {
        e = es[i]; m = view.byId[e.target];
        var cands = view.g.nodes.filter(function (k2) { return k2 !== m && k2 !== n && isNum(k2.grad); });
        cands.sort(function (a, b) { return rank(a, m) - rank(b, m); });
        for (var j = 0; j < cands.length; j++) {
          k = cands[j];
          if (hit(e.local * k.grad)) {
            return t("slipUpstream", { lbl: edgeLabel(view, e), used: dName(view, k), n: nodeLabel(n),
                                       m: nodeLabel(m), needed: dName(view, m) });
          }
        }
      }
      // forgot the local derivative: the upstream gradient(s) alone
      var sumUp = 0;
      es.forEach(function (e2) { sumUp += view.byId[e2.target].grad; });
      for (i = 0; i < es.length; i++) {
        e = es[i]; m = view.byId[e.target];
        if (hit(m.grad) || (es.length > 1 && i === 0 && hit(sumUp))) {
          return t("slipForgotLocal", { used: dName(view, m), m: nodeLabel(m), lbl: edgeLabel(view, e) });
        }
      }
      // a forward value in place of a gradient
      for (i = 0; i < es.length; i++) {
        e = es[i]; m = view.byId[e.target];
        if (hit(e.local * m.value) || hit(m.value)) {
          return t("slipForward", { k: nodeLabel(m), needed: dName(view, m) });
        }
      }
      if (hit(n.value)) return t("slipForwardSelf", { n: nodeLabel(n), d: dName(view, n) });
      // only one of several paths
      if (es.length > 1) {
        for (i = 0; i < es.length; i++) {
          if (hit(es[i].local * view.byId[es[i].target].grad)) {
            return t("slipOnePath", { n: nodeLabel(n), count: es.length });
          }
        }
      }
      return null;
    }
    if (box.kind === "local") {
      var tg = view.byId[box.edge.target];
      if (hit(tg.grad) || hit(n.grad)) {
        var which = hit(tg.grad) ? tg : n;
        return t("slipLocalIsGrad", { used: dName(view, which), lbl: edgeLabel(view, box.edge), t: nodeLabel(tg), s: nodeLabel(n) });
      }
      if (hit(tg.value)) return t("slipLocalIsValue", { k: nodeLabel(tg), lbl: edgeLabel(view, box.edge) });
      if (hit(n.value)) return t("slipLocalIsValue", { k: nodeLabel(n), lbl: edgeLabel(view, box.edge) });
      return null;
    }
    if (box.kind === "value" && hit(n.grad)) return t("slipValueIsGrad", { d: dName(view, n), n: nodeLabel(n) });
    return null;
  }

  // ------------------------------------------------------ finite differences
  // Central differences on the node formulas (a check, independent of the model).
  function nodeVars(view, overrides) {
    var vars = {};
    view.g.nodes.forEach(function (n) { vars[nodeLabel(n)] = n.value; vars[n.id] = n.value; });
    for (var k in overrides) vars[k] = overrides[k];
    return vars;
  }
  function topo(view) {
    return view.g.nodes.slice().sort(function (a, b) { return (a.layer || 0) - (b.layer || 0); });
  }
  function rerun(view, startNode, delta) {
    var vars = nodeVars(view, {});
    vars[nodeLabel(startNode)] = startNode.value + delta; vars[startNode.id] = startNode.value + delta;
    var order = topo(view), started = false;
    for (var i = 0; i < order.length; i++) {
      var n = order[i];
      if (n === startNode) { started = true; continue; }
      if (isGiven(n) || (n.layer || 0) <= (startNode.layer || 0)) continue;
      if (!n.formula) throw new Error("no formula");
      var v = evaluate(n.formula, vars);
      vars[nodeLabel(n)] = v; vars[n.id] = v;
    }
    return vars;
  }
  function finiteDifference(box) {
    var view = state.view, n = box.node;
    // The model's own check (central difference) when it has one.
    var chk = box.kind === "grad" ? n.check : (box.kind === "local" ? box.edge.check : null);
    if (chk && isNum(chk.central)) return { h: chk.eps, v: chk.central };
    var h = 1e-4 * Math.max(1, Math.abs(n.value));
    try {
      if (box.kind === "grad") {
        var outName = nodeLabel(view.out);
        var d = (rerun(view, n, h)[outName] - rerun(view, n, -h)[outName]) / (2 * h);
        return { h: h, v: d };
      }
      if (box.kind === "local") {
        var tg = view.byId[box.edge.target];
        if (!tg.formula) return null;
        var vp = nodeVars(view, {}), vm = nodeVars(view, {});
        vp[nodeLabel(n)] = n.value + h; vm[nodeLabel(n)] = n.value - h;
        vp[n.id] = n.value + h; vm[n.id] = n.value - h;
        return { h: h, v: (evaluate(tg.formula, vp) - evaluate(tg.formula, vm)) / (2 * h) };
      }
    } catch (e) { return null; }
    return null;
  }

  // --------------------------------------------------------------- drawing
  var NODE_W = 164, NODE_H = 88, EDGE_W = 86, EDGE_H = 44;
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, attrs, text) {
    var x = document.createElement(tag);
    for (var a in (attrs || {})) x.setAttribute(a, attrs[a]);
    if (text !== undefined) x.textContent = text;
    return x;
  }
  var SVGNS = "http://www.w3.org/2000/svg";
  function sel(tag, attrs) {
    var x = document.createElementNS(SVGNS, tag);
    for (var a in (attrs || {})) x.setAttribute(a, attrs[a]);
    return x;
  }

  // Place nodes from the model's layout (x, y), stretched so the boxes fit.
  function layout(g) {
    var xs = g.nodes.map(function (n) { return n.x; }), ys = g.nodes.map(function (n) { return n.y; });
    var minx = Math.min.apply(null, xs), miny = Math.min.apply(null, ys);
    var ux = xs.slice().sort(function (a, b) { return a - b; }), mdx = Infinity, mdy = Infinity, i, j;
    for (i = 1; i < ux.length; i++) if (ux[i] - ux[i - 1] > 1e-6) mdx = Math.min(mdx, ux[i] - ux[i - 1]);
    for (i = 0; i < g.nodes.length; i++) for (j = i + 1; j < g.nodes.length; j++) {
      var a = g.nodes[i], b = g.nodes[j];
      if (Math.abs(a.x - b.x) < NODE_W * 0.5 && Math.abs(a.y - b.y) > 1e-6) mdy = Math.min(mdy, Math.abs(a.y - b.y));
    }
    var sx = isFinite(mdx) ? Math.max(1, (NODE_W + EDGE_W + 30) / mdx) : 1;
    var sy = isFinite(mdy) ? Math.max(1, (NODE_H + 34) / mdy) : 1;
    var pos = {}, W = 0, H = 0, cols = [];
    g.nodes.forEach(function (n) {
      var p = { x: 20 + (n.x - minx) * sx, y: 20 + (n.y - miny) * sy };
      pos[n.id] = p;
      if (cols.every(function (c) { return Math.abs(c - p.x) > 1; })) cols.push(p.x);
      W = Math.max(W, p.x + NODE_W + 20); H = Math.max(H, p.y + NODE_H + 30);
    });
    cols.sort(function (a, b) { return a - b; });
    return { pos: pos, W: W, H: H + EDGE_H, cols: cols };
  }

  // Where an edge's local-derivative box goes: in a gap between columns, along the
  // edge, the gap nearest the target first; nudged up or down when it would overlap.
  // Node rectangles other than an edge's own ends (what an edge must not cross).
  function nodeRects(L, skipA, skipB) {
    var out = [];
    for (var id in L.pos) {
      if (id === skipA || id === skipB) continue;
      out.push({ x: L.pos[id].x - 6, y: L.pos[id].y - 6, w: NODE_W + 12, h: NODE_H + 12 });
    }
    return out;
  }
  function inside(x, y, rects) {
    for (var i = 0; i < rects.length; i++) {
      var q = rects[i];
      if (x > q.x && x < q.x + q.w && y > q.y && y < q.y + q.h) return true;
    }
    return false;
  }
  // A straight edge, or, when that would cross a node, a quadratic curve bent just
  // enough to go round it. yAt(x) gives the height of the edge at x.
  function edgePath(x1, y1, x2, y2, rects) {
    var mx = (x1 + x2) / 2, my = (y1 + y2) / 2;
    function curve(dy) {
      var cy = my + dy;
      return {
        d: dy === 0 ? "M" + x1 + "," + y1 + " L" + (x2 - 2) + "," + y2
                    : "M" + x1 + "," + y1 + " Q" + mx + "," + cy + " " + (x2 - 2) + "," + y2,
        yAt: function (x) {
          var tt = Math.min(1, Math.max(0, (x - x1) / ((x2 - x1) || 1)));
          return (1 - tt) * (1 - tt) * y1 + 2 * tt * (1 - tt) * cy + tt * tt * y2;
        }
      };
    }
    var unit = NODE_H * 0.8, tries = [0, -1, 1, -2, 2, -3, 3, -4, 4];
    for (var k = 0; k < tries.length; k++) {
      var c = curve(tries[k] * unit), ok = true;
      if (c.yAt(mx) < 6) continue;  // would leave the top of the picture
      for (var j = 1; j < 40 && ok; j++) {
        var x = x1 + (x2 - x1) * j / 40;
        if (inside(x, c.yAt(x), rects)) ok = false;
      }
      if (ok) return c;
    }
    return curve(0);
  }

  function placeEdgeBox(L, x1, x2, yAt, rects) {
    var cols = L.cols, cands = [], i, k;
    for (i = cols.length - 2; i >= 0; i--) {
      var gx = (cols[i] + NODE_W + cols[i + 1]) / 2;
      if (gx > x1 && gx < x2) cands.push(gx);
    }
    if (!cands.length) cands.push((x1 + x2) / 2);
    var nudges = [0, -0.6, 0.6, -1.2, 1.2, -1.8, 1.8], opts = [];
    for (i = 0; i < cands.length; i++) for (k = 0; k < nudges.length; k++) {
      opts.push({ cx: cands[i], dy: nudges[k] * EDGE_H, cost: i + 1.7 * Math.abs(nudges[k]) / 0.6 + k * 0.01 });
    }
    opts.sort(function (a, b) { return a.cost - b.cost; });
    var first = null;
    for (i = 0; i < opts.length; i++) {
      var cx = opts[i].cx, cy = yAt(cx) + opts[i].dy;
      var r = { x: cx - EDGE_W / 2, y: Math.max(2, cy - EDGE_H / 2), w: EDGE_W, h: EDGE_H };
      if (!first) first = r;
      if (!overlaps(r, rects)) return r;
    }
    return first;
  }

  function overlaps(r, rects) {
    for (var i = 0; i < rects.length; i++) {
      var q = rects[i];
      if (r.x < q.x + q.w && q.x < r.x + r.w && r.y < q.y + q.h && q.y < r.y + r.h) return true;
    }
    return false;
  }

  function makeInput(box) {
    var inp = el("input", {
      type: "text", "class": "answer kind-" + box.kind, autocomplete: "off", spellcheck: "false",
      inputmode: "decimal", "data-node": box.nodeName, "data-kind": box.kind, "data-state": "empty",
      "data-key": box.key, "aria-label": box.aria
    });
    if (box.kind === "local") inp.setAttribute("data-edge", box.edgeName);
    box.input = inp;
    inp.addEventListener("input", function () { state.answers[box.key] = inp.value; state.saved = null; update(box); saveUrl(); progress(); });
    inp.addEventListener("focus", function () { state.focus = box; showHint(box); });
    inp.addEventListener("keydown", function (ev) {
      if (ev.key === "Tab" || ev.key === "Enter") {
        if (moveFocus(box, ev.shiftKey ? -1 : 1) || ev.key === "Enter") ev.preventDefault();
      }
    });
    return inp;
  }

  function render() {
    var g = state.graph, view = prepare(g);
    state.view = view;
    var L = layout(g), canvas = $("graph");
    canvas.innerHTML = "";
    canvas.style.width = L.W + "px"; canvas.style.height = L.H + "px";
    var svg = sel("svg", { width: L.W, height: L.H, "class": "edges" });
    var defs = sel("defs"), marker = sel("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto" });
    marker.appendChild(sel("path", { d: "M0,0 L10,5 L0,10 z", fill: "#64748b" }));
    defs.appendChild(marker); svg.appendChild(defs);
    canvas.appendChild(svg);

    var boxes = [], rects = [], maxY = L.H;
    g.nodes.forEach(function (n) { var p = L.pos[n.id]; rects.push({ x: p.x - 4, y: p.y - 4, w: NODE_W + 8, h: NODE_H + 8 }); });

    // nodes
    g.nodes.forEach(function (n) {
      var p = L.pos[n.id], name = nodeLabel(n);
      var div = el("div", { "class": "node kind-" + n.kind + (n === view.out ? " output" : ""), "data-node-box": name });
      div.style.left = p.x + "px"; div.style.top = p.y + "px"; div.style.width = NODE_W + "px";
      var head = el("div", { "class": "node-head" });
      head.appendChild(el("span", { "class": "node-name" }, name));
      if (n.formula && !isGiven(n)) head.appendChild(el("span", { "class": "node-formula", title: name + " = " + n.formula }, "= " + n.formula));
      div.appendChild(head);
      var row1 = el("label", { "class": "row row-value" });
      row1.appendChild(el("span", { "class": "row-label" }, name + " ="));
      var vbox = { kind: "value", node: n, nodeName: name, truth: n.value, key: boxKey("value", name), aria: name + " =" };
      var vin = makeInput(vbox);
      row1.appendChild(vin);
      div.appendChild(row1);
      if (isGiven(n)) {
        vin.value = fmt(n.value); vin.readOnly = true; vin.setAttribute("data-given", "true");
        vin.setAttribute("tabindex", "-1");
        vbox.given = true;
      }
      boxes.push(vbox);
      if (isNum(n.grad)) {
        var row2 = el("label", { "class": "row row-grad" });
        row2.appendChild(el("span", { "class": "row-label" }, dName(view, n)));
        var gbox = { kind: "grad", node: n, nodeName: name, truth: n.grad, key: boxKey("grad", name), aria: dName(view, n) };
        row2.appendChild(makeInput(gbox));
        div.appendChild(row2);
        boxes.push(gbox);
      }
      canvas.appendChild(div);
    });

    // edges
    g.edges.forEach(function (e) {
      var s = view.byId[e.source], d = view.byId[e.target];
      if (!s || !d) return;
      var ps = L.pos[s.id], pd = L.pos[d.id];
      var x1 = ps.x + NODE_W, y1 = ps.y + NODE_H / 2, x2 = pd.x, y2 = pd.y + NODE_H / 2;
      var path = edgePath(x1, y1, x2, y2, nodeRects(L, s.id, d.id));
      svg.appendChild(sel("path", { d: path.d, "class": "edge", fill: "none", "marker-end": "url(#arrow)" }));
      if (!isNum(e.local)) return;
      var r = placeEdgeBox(L, x1, x2, path.yAt, rects);
      rects.push(r);
      maxY = Math.max(maxY, r.y + r.h + 8);
      var sname = nodeLabel(s), dname = nodeLabel(d);
      var lab = el("label", { "class": "edge-box", "data-edge-box": sname + "->" + dname });
      lab.style.left = r.x + "px"; lab.style.top = r.y + "px"; lab.style.width = EDGE_W + "px";
      lab.appendChild(el("span", { "class": "edge-label" }, edgeLabel(view, e)));
      var lbox = { kind: "local", node: s, edge: e, nodeName: sname, edgeName: sname + "->" + dname, truth: e.local,
                   key: boxKey("local", sname, dname), aria: edgeLabel(view, e) };
      lab.appendChild(makeInput(lbox));
      canvas.appendChild(lab);
      boxes.push(lbox);
    });

    // curves and edge boxes may reach below the last node: grow the picture to fit
    canvas.style.height = maxY + "px"; svg.setAttribute("height", maxY);
    state.boxes = boxes;
    state.order = tabOrder(view, boxes);
    var l = lessonOf(state.source), notes = l ? (state.lang === "es" ? l.notes_es : l.notes_en) || [] : [];
    $("notes").textContent = notes.join(" ");
    $("notes").hidden = !notes.length;
    boxes.forEach(function (b) {
      if (!b.given && state.answers[b.key] !== undefined) b.input.value = state.answers[b.key];
      update(b);
    });
    progress();
    showHint(null);
  }

  // Forward boxes left to right, then the backward pass right to left:
  // the output's gradient, then for each node (right to left) the local
  // derivatives on its outgoing edges and its own gradient.
  function tabOrder(view, boxes) {
    var nodes = view.g.nodes.slice();
    var fwd = nodes.slice().sort(function (a, b) { return (a.x - b.x) || (a.y - b.y); });
    var bwd = nodes.slice().sort(function (a, b) { return (b.x - a.x) || (a.y - b.y); });
    var find = function (kind, k) { return boxes.filter(function (b) { return b.kind === kind && b.key === k; })[0]; };
    var order = [];
    fwd.forEach(function (n) { var b = find("value", boxKey("value", nodeLabel(n))); if (b && !b.given) order.push(b); });
    bwd.forEach(function (n) {
      view.outs[n.id].forEach(function (e) {
        var b = find("local", boxKey("local", nodeLabel(n), nodeLabel(view.byId[e.target])));
        if (b) order.push(b);
      });
      var gb = find("grad", boxKey("grad", nodeLabel(n)));
      if (gb) order.push(gb);
    });
    order.forEach(function (b, i) { b.input.setAttribute("data-order", String(i)); });
    return order;
  }

  // Returns false at either end of the order, so Tab can leave the graph as usual.
  function moveFocus(box, dir) {
    var i = state.order.indexOf(box), j = i + dir;
    if (i < 0 || j < 0 || j >= state.order.length) return false;
    state.order[j].input.focus();
    state.order[j].input.select();
    return true;
  }

  function update(box) {
    if (box.given) { box.input.setAttribute("data-state", "correct"); box.result = { state: "correct" }; return; }
    var res = judge(box, box.input.value);
    box.result = res;
    box.input.setAttribute("data-state", res.state);
    box.input.setAttribute("title", res.reason || "");
    if (state.focus === box) showFeedback(box);
  }

  function progress() {
    var total = 0, ok = 0;
    (state.boxes || []).forEach(function (b) {
      if (b.given) return;
      total++;
      if (b.result && b.result.state === "correct") ok++;
    });
    $("progress").textContent = ok + " / " + total + " " + t("correctOf");
    $("progress").setAttribute("data-correct", String(ok));
    $("progress").setAttribute("data-total", String(total));
    listMistakes();
  }

  // Every wrong or unreadable box with its reason, in the order of the passes.
  function listMistakes() {
    var ul = $("mistakes"), bad = (state.order || []).filter(function (b) {
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

  // ------------------------------------------------------------ hint panel
  function hintText(box) {
    var view = state.view, n = box.node;
    if (box.kind === "value") {
      if (box.given) return t("valueHintInput", { n: nodeLabel(n) });
      return t("valueHint", { n: nodeLabel(n), f: n.formula || n.op || "?" });
    }
    if (box.kind === "local") {
      var tg = view.byId[box.edge.target];
      var vars = { lbl: edgeLabel(view, box.edge), t: nodeLabel(tg), s: nodeLabel(n), f: box.edge.local_formula };
      return box.edge.local_formula ? t("localHint", vars) : t("localHintNoFormula", vars);
    }
    if (n === view.out) return t("gradHintOut", { d: dName(view, n) });
    return t("gradHint", { d: dName(view, n), terms: chainTerms(view, n) });
  }

  function showHint(box) {
    var title = $("hint-title"), body = $("hint-body"), fdb = $("fd-button"), fdo = $("fd-out");
    fdo.textContent = "";
    if (!box) {
      title.textContent = t("hint");
      body.textContent = t("pickBox");
      fdb.hidden = true;
      $("feedback").textContent = "";
      $("feedback").setAttribute("data-state", "empty");
      return;
    }
    title.textContent = box.aria;
    body.textContent = hintText(box);
    fdb.hidden = box.kind === "value";
    showFeedback(box);
  }

  function showFeedback(box) {
    var f = $("feedback"), r = box.result || { state: "empty" };
    f.textContent = r.state === "empty" ? "" : (r.reason || "");
    f.setAttribute("data-state", r.state);
  }

  // ---------------------------------------------------------- loading graphs
  function setStatus(msg, isError) {
    var s = $("status");
    s.textContent = msg || "";
    s.className = isError ? "status error" : "status";
  }

  function showProgramError(err) {
    var box = $("program-error");
    if (!err) { box.hidden = true; box.textContent = ""; return; }
    box.hidden = false;
    box.textContent = "";
    var head = t("programError");
    if (err.line) head += " (" + t("lineCol", { l: err.line, c: err.col || 1 }) + ")";
    box.appendChild(el("strong", {}, head + ": "));
    box.appendChild(el("span", { "class": "msg" }, err.msg || err.message || String(err)));
    if (err.line && state.source) {
      var line = String(state.source).split("\n")[err.line - 1];
      if (line !== undefined) {
        var pre = el("pre", { "class": "caret" });
        pre.textContent = line + "\n" + " ".repeat(Math.max(0, (err.col || 1) - 1)) + "^";
        box.appendChild(pre);
      }
    }
  }

  function lessonOf(source) {
    var ls = DATA.lessons || [];
    for (var i = 0; i < ls.length; i++) if (String(ls[i].source).trim() === String(source).trim()) return ls[i];
    return null;
  }
  function requestBody(source, values, level) {
    var l = lessonOf(source), body = { source: source, values: values, level: level };
    if (l) body.lesson = l.name;
    return body;
  }

  function fetchGraph(source, values, level) {
    var k = key(source, values, level);
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

  // While a graph is on its way, <body data-busy="1"> (tests and screen readers can wait on it).
  function busy(promise) {
    state.busy = (state.busy || 0) + 1;
    document.body.setAttribute("data-busy", "1");
    return Promise.resolve(promise).finally(function () {
      if (--state.busy === 0) document.body.removeAttribute("data-busy");
    });
  }

  function load(source, values, level, keepAnswers) {
    setStatus(t("loading"));
    return busy(fetchGraph(source, values, level).then(function (g) {
      state.source = source; state.values = values; state.level = level; state.graph = g;
      if (!keepAnswers) { state.answers = {}; state.saved = null; }
      showProgramError(null);
      setStatus("");
      render();
      syncControls();
      saveUrl();
    }, function (err) {
      setStatus("");
      showProgramError(err);
    }));
  }

  function loadLesson(name, values, level, keep) {
    var l = lessonByName(name);
    if (!l) return Promise.resolve();
    state.lesson = name;
    return load(l.source, values || l.values, level || state.level, keep);
  }

  // ------------------------------------------------------------ values text
  function valuesToText(values) {
    return Object.keys(values).map(function (k) { return k + " = " + fmt(values[k]); }).join(", ");
  }
  function parseValues(text) {
    var out = {}, parts = String(text).split(/[,;\n]/);
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i].trim();
      if (!p) continue;
      var m = /^([A-Za-z_\u00C0-\u024F\u0370-\u03FF][\w\u00C0-\u024F\u0370-\u03FF]*)\s*[=:]\s*(.+)$/.exec(p);
      if (!m) return null;
      var v = parseAnswer(m[2]);
      if (v === null) return null;
      out[m[1]] = v;
    }
    return out;
  }

  // --------------------------------------------------------- random values
  function rng() { // mulberry32 on state.seed
    var s = (state.seed = (state.seed + 0x6D2B79F5) | 0);
    var x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }
  function randomValues(values) {
    var ints = Object.keys(values).every(function (k) { return Number.isInteger(values[k]); });
    var out = {};
    Object.keys(values).forEach(function (k) {
      var v;
      if (ints) { do { v = Math.floor(rng() * 11) - 5; } while (v === 0); }
      else { v = Math.round((rng() * 6 - 3) * 10) / 10; if (v === 0) v = 0.5; }
      out[k] = v;
    });
    return out;
  }
  function newValues() {
    if (DATA.mode !== "server") {
      var vs = (DATA.variants || {})[String(state.source).trim()] || [];
      if (!vs.length) { setStatus(t("offlineNoServer"), true); return; }
      state.variant = (state.variant + 1) % vs.length;
      setStatus(t("offlineVariants"));
      return load(state.source, vs[state.variant], state.level).then(function () { setStatus(t("offlineVariants")); });
    }
    var tries = 0;
    function attempt() {
      var vals = randomValues(state.values);
      return fetchGraph(state.source, vals, state.level).then(function () {
        return load(state.source, vals, state.level);
      }, function (err) {
        if (++tries < 8) return attempt();
        showProgramError(err);
      });
    }
    return busy(attempt());
  }

  // ------------------------------------------------------- URL (shareable)
  function saveUrl() {
    var p = new URLSearchParams();
    var l = state.lesson && lessonByName(state.lesson);
    if (l && String(l.source).trim() === String(state.source).trim()) p.set("lesson", state.lesson);
    else p.set("src", state.source);
    p.set("v", valuesToText(state.values));
    p.set("level", state.level);
    p.set("lang", state.lang);
    var ans = {};
    Object.keys(state.answers).forEach(function (k) { if (state.answers[k] !== "") ans[k] = state.answers[k]; });
    if (Object.keys(ans).length) p.set("a", JSON.stringify(ans));
    try { history.replaceState(null, "", "#" + p.toString()); } catch (e) { /* srcdoc iframes */ }
  }
  function readUrl() {
    var h = "";
    try { h = location.hash.replace(/^#/, ""); } catch (e) { h = ""; }
    return new URLSearchParams(h);
  }

  // ---------------------------------------------------------- controls
  function syncControls() {
    var sel = $("lesson");
    var l = state.lesson && lessonByName(state.lesson);
    sel.value = (l && String(l.source).trim() === String(state.source).trim()) ? state.lesson : "__custom__";
    $("level").value = state.level;
    $("source").value = state.source;
    $("values").value = valuesToText(state.values);
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
    ["assignment", "primitive"].forEach(function (x) { lv.appendChild(el("option", { value: x }, t(x))); });
    if (state.graph) { render(); syncControls(); saveUrl(); }
  }

  function revealToggle() {
    if (!state.boxes) return;
    if (state.saved) {
      state.answers = state.saved; state.saved = null;
      state.boxes.forEach(function (b) { if (!b.given) { b.input.value = state.answers[b.key] || ""; update(b); } });
      $("reveal").textContent = t("reveal");
    } else {
      state.saved = JSON.parse(JSON.stringify(state.answers));
      state.boxes.forEach(function (b) {
        if (!b.given) { b.input.value = fmt(b.truth); state.answers[b.key] = b.input.value; update(b); }
      });
      $("reveal").textContent = t("hide");
    }
    progress(); saveUrl();
  }

  // The exercise named by the URL (lesson or program, values, level, language, answers),
  // else the one the page was built with.
  function loadFromUrl() {
    var p = readUrl(), init = DATA.initial || {};
    state.answers = {}; state.saved = null;
    $("reveal").textContent = t("reveal");
    if (p.get("lang")) state.lang = p.get("lang") === "es" ? "es" : "en";
    state.level = p.get("level") === "primitive" ? "primitive" : (init.level || "assignment");
    if (p.get("a")) { try { state.answers = JSON.parse(p.get("a")) || {}; } catch (e) { state.answers = {}; } }
    var values = p.get("v") !== null ? parseValues(p.get("v")) : null;
    applyLanguage();
    var keep = Object.keys(state.answers).length > 0;
    if (p.get("src")) {
      state.lesson = null; state.source = p.get("src");
      $("custom").open = true;
      load(p.get("src"), values || {}, state.level, keep);
    } else if (p.get("lesson") && lessonByName(p.get("lesson"))) {
      loadLesson(p.get("lesson"), values, state.level, keep);
    } else if (init.lesson && lessonByName(init.lesson)) {
      loadLesson(init.lesson, init.values, state.level, keep);
    } else if (init.custom) {
      state.lesson = null; $("custom").open = true;
      load(init.source, init.values || {}, state.level, keep);
    } else if ((DATA.lessons || []).length) {
      loadLesson(DATA.lessons[0].name, null, state.level, keep);
    }
  }

  function init() {
    applyLanguage();
    $("lang").addEventListener("click", function () { state.lang = state.lang === "en" ? "es" : "en"; applyLanguage(); $("reveal").textContent = t(state.saved ? "hide" : "reveal"); });
    $("lesson").addEventListener("change", function () {
      var v = $("lesson").value;
      if (v === "__custom__") { $("custom").open = true; $("source").focus(); return; }
      state.variant = 0;
      loadLesson(v, null, state.level);
    });
    $("level").addEventListener("change", function () { load(state.source, state.values, $("level").value); });
    $("build").addEventListener("click", function () {
      var src = $("source").value;
      if (!src.trim()) { showProgramError({ msg: t("emptyProgram") }); return; }
      var vals = parseValues($("values").value);
      if (vals === null) { showProgramError({ msg: t("badValues") }); return; }
      state.source = src;
      load(src, vals, state.level);
    });
    $("reveal").addEventListener("click", revealToggle);
    $("reset").addEventListener("click", function () {
      state.answers = {}; state.saved = null; $("reveal").textContent = t("reveal");
      state.boxes.forEach(function (b) { if (!b.given) { b.input.value = ""; update(b); } });
      progress(); saveUrl();
    });
    $("newvals").addEventListener("click", function () { state.saved = null; $("reveal").textContent = t("reveal"); newValues(); });
    $("share").addEventListener("click", function () {
      // The exercise (program, values, level, language) without this learner's answers;
      // the address bar keeps the answers too, for picking up where one left off.
      var p = readUrl(), url;
      p.delete("a");
      try { url = location.href.split("#")[0] + "#" + p.toString(); } catch (e) { url = ""; }
      var done = function () { setStatus(t("copied")); };
      try { navigator.clipboard.writeText(url).then(done, done); } catch (e) { done(); }
      $("share-url").value = url; $("share-url").hidden = false;
    });
    $("fd-button").addEventListener("click", function () {
      var box = state.focus;
      if (!box) return;
      var r = finiteDifference(box);
      $("fd-out").textContent = r && isFinite(r.v) ? t("fdResult", { h: fmt(Number(r.h.toPrecision(2))), v: fmt(Number(r.v.toPrecision(6))) }) : t("fdNA");
    });
    $("fd-button").addEventListener("mousedown", function (ev) { ev.preventDefault(); });

    loadFromUrl();
    // A shared link opened in a tab that already shows the lab changes only the hash: follow it.
    // (saveUrl uses history.replaceState, which fires no hashchange, so this never loops.)
    window.addEventListener("hashchange", loadFromUrl);
    if (DATA.mode !== "server") $("offline-note").hidden = false;
  }

  // Exposed for tests and for the curious (read-only helpers).
  window.retrogradLab = { parseAnswer: parseAnswer, close: close, state: state };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
