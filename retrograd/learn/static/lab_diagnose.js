/* retrograd lab, module "diagnose": which common slip does a wrong answer match?
 *
 * Pure functions of the graph model (Graph.to_dict() from Python) and the wrong value; the
 * sentences come from the catalogue through the function t(key, vars).
 * Notation (as everywhere): ∂m/∂n is a local derivative (on an edge), dJ/dn a gradient of the
 * output (in a node). For a node that feeds several nodes, the slips of one path or a subset
 * of paths are checked first, and every message names all the consumers: the contributions
 * of all paths add up.
 */
(function (root) {
  "use strict";
  var grade = (typeof module !== "undefined" && module.exports) ? require("./lab_grade.js") : root.RGLab.grade;

  function isNum(x) { return typeof x === "number" && isFinite(x); }
  function nodeLabel(n) { return n.name || n.id; }
  function isGiven(n) { return n.kind === "input" || n.kind === "const" || !isNum(n.value); }

  // Lookup tables of a graph.
  function prepare(g) {
    var byId = {}, outs = {}, ins = {};
    g.nodes.forEach(function (n) { byId[n.id] = n; outs[n.id] = []; ins[n.id] = []; });
    g.edges.forEach(function (e) {
      if (outs[e.source]) outs[e.source].push(e);
      if (ins[e.target]) ins[e.target].push(e);
    });
    return { g: g, byId: byId, outs: outs, ins: ins, out: byId[g.output] };
  }

  function dName(view, n) { return "d" + nodeLabel(view.out) + "/d" + nodeLabel(n); }
  function edgeLabel(view, e) {
    return e.label || ("∂" + nodeLabel(view.byId[e.target]) + "/∂" + nodeLabel(view.byId[e.source]));
  }

  // Edges that carry gradient back into n: local derivative known, target has a gradient.
  function gradEdges(view, n) {
    return view.outs[n.id].filter(function (e) {
      var m = view.byId[e.target];
      return isNum(e.local) && m && isNum(m.grad);
    });
  }
  function consumers(view, n) {
    var seen = [];
    view.outs[n.id].forEach(function (e) {
      var name = nodeLabel(view.byId[e.target]);
      if (seen.indexOf(name) < 0) seen.push(name);
    });
    return seen;
  }

  // "∂c/∂w · dJ/dc + ..." (symbols), and with numbers "2 · 3 + ..." (negatives in parentheses).
  function chainTerms(view, n) {
    var es = gradEdges(view, n);
    if (!es.length) return "0";
    return es.map(function (e) { return edgeLabel(view, e) + " · " + dName(view, view.byId[e.target]); }).join(" + ");
  }
  function chainNumbers(view, n, fmt) {
    var p = function (x) { var s = fmt(x); return s.charAt(0) === "-" ? "(" + s + ")" : s; };
    var es = gradEdges(view, n);
    if (!es.length) return "0";
    return es.map(function (e, i) {
      var a = fmt(e.local);
      return (i === 0 ? a : p(e.local)) + " · " + p(view.byId[e.target].grad);
    }).join(" + ");
  }

  // A sentence for the wrong value v in box {kind, node, edge, truth}, or null.
  function diagnose(view, box, v, tol, t, fmt) {
    var n = box.node, truth = box.truth;
    function hit(c) { return isNum(c) && grade.close(v, c, tol) && !grade.close(c, truth, tol); }
    if (hit(-truth)) return t("slipSign");
    if (box.kind === "grad") return diagnoseGrad(view, n, v, hit, t, fmt);
    if (box.kind === "local") {
      var tg = view.byId[box.edge.target], lbl = edgeLabel(view, box.edge);
      if (hit(tg.grad) || hit(n.grad)) {
        var which = hit(tg.grad) ? tg : n;
        return t("slipLocalIsGrad", { used: dName(view, which), lbl: lbl, t: nodeLabel(tg), s: nodeLabel(n) });
      }
      if (hit(tg.value)) return t("slipLocalIsValue", { k: nodeLabel(tg), lbl: lbl });
      if (hit(n.value)) return t("slipLocalIsValue", { k: nodeLabel(n), lbl: lbl });
      return null;
    }
    if (box.kind === "value" && hit(n.grad)) return t("slipValueIsGrad", { d: dName(view, n), n: nodeLabel(n) });
    return null;
  }

  function diagnoseGrad(view, n, v, hit, t, fmt) {
    var es = gradEdges(view, n), all = consumers(view, n), fan = all.length > 1, i, j, e, m;
    var prods = es.map(function (e2) { return e2.local * view.byId[e2.target].grad; });
    var total = prods.reduce(function (a, b) { return a + b; }, 0);
    var fanVars = { n: nodeLabel(n), count: all.length, names: all.join(", "),
                    terms: dName(view, n) + " = " + chainTerms(view, n) + " = " + chainNumbers(view, n, fmt) };
    // 1. one path, or some of the paths, instead of all of them
    if (es.length > 1 && es.length <= 10) {
      for (var mask = 1; mask < (1 << es.length) - 1; mask++) {
        var s = 0, via = [];
        for (i = 0; i < es.length; i++) if (mask & (1 << i)) { s += prods[i]; via.push(nodeLabel(view.byId[es[i].target])); }
        if (hit(s)) return t("slipOnePath", Object.assign({ via: via.join(", ") }, fanVars));
      }
    }
    // 2. the wrong upstream gradient on one path: local(n->m) * dJ/dk for some k != m
    for (i = 0; i < es.length; i++) {
      e = es[i]; m = view.byId[e.target];
      var cands = view.g.nodes.filter(function (k2) { return k2 !== m && k2 !== n && isNum(k2.grad); });
      cands.sort(function (a, b) { return rank(a, m) - rank(b, m); });
      for (j = 0; j < cands.length; j++) {
        var k = cands[j];
        if (hit(total - prods[i] + e.local * k.grad)) {
          var vars = { lbl: edgeLabel(view, e), used: dName(view, k), n: nodeLabel(n), m: nodeLabel(m),
                       needed: dName(view, m) };
          return fan ? t("slipUpstreamFan", Object.assign(vars, fanVars)) : t("slipUpstream", vars);
        }
      }
    }
    // 3. forgot the local derivative(s): the upstream gradient(s) alone
    var sumUp = es.reduce(function (a, e2) { return a + view.byId[e2.target].grad; }, 0);
    if (es.length && hit(sumUp)) {
      if (!fan) {
        m = view.byId[es[0].target];
        return t("slipForgotLocal", { used: dName(view, m), m: nodeLabel(m), lbl: edgeLabel(view, es[0]) });
      }
      return t("slipForgotLocalFan", fanVars);
    }
    // 4. a forward value in place of a gradient
    for (i = 0; i < es.length; i++) {
      e = es[i]; m = view.byId[e.target];
      if (hit(total - prods[i] + e.local * m.value) || (!fan && hit(m.value))) {
        return t("slipForward", { k: nodeLabel(m), needed: dName(view, m) });
      }
    }
    if (hit(n.value)) return t("slipForwardSelf", { n: nodeLabel(n), d: dName(view, n) });
    return null;
  }

  // Which node's gradient a learner most likely took by mistake for m's: computed nodes
  // before inputs, nearest layers first, downstream before upstream.
  function rank(k, m) {
    var dl = (k.layer || 0) - (m.layer || 0);
    return (isGiven(k) ? 1000 : 0) + Math.abs(dl) * 2 + (dl > 0 ? 0 : 1);
  }

  var api = { prepare: prepare, diagnose: diagnose, dName: dName, edgeLabel: edgeLabel, gradEdges: gradEdges,
              chainTerms: chainTerms, chainNumbers: chainNumbers, consumers: consumers, nodeLabel: nodeLabel,
              isGiven: isGiven, isNum: isNum };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else (root.RGLab = root.RGLab || {}).diagnose = api;
})(this);
