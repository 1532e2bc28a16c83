/* retrograd lab, module "walk": the backward pass one node at a time, for the step-through.
 *
 * The same text as the explanation (retrograd.learn.explain, short form): the same catalogue
 * templates (page data strings "walk.*"), the same numbers (parse.fmt is Python's numfmt.fmt).
 * Each step: the node, the edges whose gradients flow back through it, and its lines.
 */
(function (root) {
  "use strict";
  var node = typeof module !== "undefined" && module.exports;
  var D = node ? require("./lab_diagnose.js") : root.RGLab.diagnose;

  // steps(view, t, fmt) -> [{node, edges: [edge], lines: [text]}]; t(key, vars) reads "walk.*" keys.
  function steps(view, t, fmt) {
    var g = view.g, out = D.nodeLabel(view.out), byId = view.byId;
    var P = function (v) { var s = fmt(v); return s.charAt(0) === "-" ? "(" + s + ")" : s; };
    var gd = function (n) { return "d" + out + "/d" + D.nodeLabel(n); };
    var live = function (e) { return e.local !== null && e.local !== undefined && D.isNum(byId[e.target].grad); };
    var pending = {}, done = {};
    g.nodes.forEach(function (n) { pending[n.id] = view.outs[n.id].filter(live).length; done[n.id] = []; });
    var result = [{ node: view.out.id, edges: [], lines: [t("walk.start", { d: gd(view.out) })] }];
    g.nodes.slice().reverse().forEach(function (tn) {
      if (tn.kind !== "op") return;
      var head = t("walk.node_head", { name: D.nodeLabel(tn), formula: tn.formula });
      if (!D.isNum(tn.grad)) {
        result.push({ node: tn.id, edges: [], lines: [head, t("walk.unused", { name: D.nodeLabel(tn), out: out })] });
        return;
      }
      var lines = [head + ": " + t("walk.upstream", { d: gd(tn), v: fmt(tn.grad) })], edges = [];
      view.ins[tn.id].forEach(function (e) {
        if (e.local === null || e.local === undefined) return;
        var s = byId[e.source], dl = "∂" + D.nodeLabel(tn) + "/∂" + D.nodeLabel(s);
        var f = e.local_formula, ftxt = f && f !== fmt(e.local) ? f + " = " : "";
        var localText = t("walk.local", { d: dl, formula: ftxt, v: fmt(e.local) }), main = [], note = null;
        edges.push(e);
        if (!D.isNum(s.grad)) {
          if (s.kind !== "op") note = t(s.kind === "const" ? "walk.const_edge" : "walk.data_edge", { name: D.nodeLabel(s) });
        } else {
          var k = pending[s.id], prod = e.local * tn.grad;
          if (k <= 1) {
            main.push(t("walk.chain", { d: gd(s), local: dl, up: gd(tn), a: fmt(e.local), b: P(tn.grad), v: fmt(prod) }));
          } else {
            done[s.id].push(e);
            main.push(t("walk.chain_part", { via: D.nodeLabel(tn), local: dl, up: gd(tn), a: fmt(e.local), b: P(tn.grad),
                                             v: fmt(prod) }));
            if (done[s.id].length === k) {
              var parts = done[s.id].slice().reverse();
              var terms = parts.map(function (x, i) { var p = x.local * byId[x.target].grad; return i ? P(p) : fmt(p); });
              main.push(t("walk.sum", { name: D.nodeLabel(s), k: parts.length,
                names: parts.map(function (x) { return D.nodeLabel(byId[x.target]); }).join(", "),
                d: gd(s), terms: terms.join(" + "), v: fmt(s.grad) }));
            }
          }
        }
        lines.push(localText + (main.length ? "; " + main[0] : "") + (note ? " (" + note + ")" : ""));
        main.slice(1).forEach(function (m) { lines.push(m); });
      });
      result.push({ node: tn.id, edges: edges, lines: lines });
    });
    return result;
  }

  var api = { steps: steps };
  if (node) module.exports = api;
  else (root.RGLab = root.RGLab || {}).walk = api;
})(this);
