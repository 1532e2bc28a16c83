/* retrograd lab, module "view": draws the graph model with its layout from Python.
 *
 * Every position and size comes from the model (Graph.to_dict(): node x, y, w, h; edge path
 * and label_box; width, height), computed once by retrograd.learn.layout for the SVG, the
 * lab and Jupyter alike. The picture is scaled down to the width it is given (phones,
 * notebook cells), never up. Tab order follows the pass: forward values left to right, then
 * the backward pass right to left (roving tabindex: Tab enters at the first empty box and
 * leaves the graph at either end).
 */
(function (root) {
  "use strict";
  var D = root.RGLab.diagnose;
  var SVGNS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, text) {
    var x = document.createElement(tag);
    for (var a in (attrs || {})) x.setAttribute(a, attrs[a]);
    if (text !== undefined) x.textContent = text;
    return x;
  }
  function sel(tag, attrs) {
    var x = document.createElementNS(SVGNS, tag);
    for (var a in (attrs || {})) x.setAttribute(a, attrs[a]);
    return x;
  }
  function boxKey(kind, a, b) { return kind === "local" ? "local:" + a + "->" + b : kind + ":" + a; }

  // Draw graph g into canvas; returns {boxes, order}. cb: {makeInput(box), fmt}
  function render(canvas, g, view, cb) {
    canvas.innerHTML = "";
    canvas.style.width = g.width + "px"; canvas.style.height = g.height + "px";
    var svg = sel("svg", { width: g.width, height: g.height, "class": "edges", "aria-hidden": "true" });
    var defs = sel("defs"), marker = sel("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
      markerWidth: "7", markerHeight: "7", orient: "auto" });
    marker.appendChild(sel("path", { d: "M0,0 L10,5 L0,10 z", fill: "#64748b" }));
    defs.appendChild(marker); svg.appendChild(defs); canvas.appendChild(svg);
    var boxes = [];
    g.edges.forEach(function (e) {
      if (e.path) svg.appendChild(sel("path", { d: e.path, "class": "edge", fill: "none", "marker-end": "url(#arrow)",
                                                "data-edge": D.nodeLabel(view.byId[e.source]) + "->" + D.nodeLabel(view.byId[e.target]) }));
    });
    g.nodes.forEach(function (n) {
      if (Array.isArray(n.value)) { renderGridNode(canvas, n, view, cb, boxes); return; }
      var name = D.nodeLabel(n), given = D.isGiven(n);
      var div = el("div", { "class": "node kind-" + n.kind + (n === view.out ? " output" : ""), "data-node-box": name });
      div.style.left = (n.x - n.w / 2) + "px"; div.style.top = (n.y - n.h / 2) + "px";
      div.style.width = n.w + "px"; div.style.height = n.h + "px";
      var head = el("div", { "class": "node-head" });
      head.appendChild(el("span", { "class": "node-name" }, name));
      if (n.formula && !given) head.appendChild(el("span", { "class": "node-formula" }, "= " + n.formula));
      div.appendChild(head);
      var row1 = el("label", { "class": "row row-value" });
      var valueLabel = given && name === cb.fmt(n.value) ? "" : name + " =";
      row1.appendChild(el("span", { "class": "row-label" }, valueLabel));
      var vbox = { kind: "value", node: n, nodeName: name, truth: n.value, key: boxKey("value", name),
                   aria: name + " =", given: given, anchor: div };
      row1.appendChild(cb.makeInput(vbox));
      div.appendChild(row1);
      boxes.push(vbox);
      if (D.isNum(n.grad)) {
        var row2 = el("label", { "class": "row row-grad" });
        row2.appendChild(el("span", { "class": "row-label" }, D.dName(view, n)));
        var gbox = { kind: "grad", node: n, nodeName: name, truth: n.grad, key: boxKey("grad", name),
                     aria: D.dName(view, n), anchor: div };
        row2.appendChild(cb.makeInput(gbox));
        div.appendChild(row2);
        boxes.push(gbox);
      }
      canvas.appendChild(div);
    });
    g.edges.forEach(function (e) {
      var s = view.byId[e.source], d = view.byId[e.target];
      if (!s || !d || !D.isNum(e.local) || !e.label_box) return;
      var r = e.label_box, sname = D.nodeLabel(s), dname = D.nodeLabel(d);
      var lab = el("label", { "class": "edge-box", "data-edge-box": sname + "->" + dname });
      lab.style.left = r[0] + "px"; lab.style.top = r[1] + "px"; lab.style.width = r[2] + "px"; lab.style.height = r[3] + "px";
      lab.appendChild(el("span", { "class": "edge-label" }, D.edgeLabel(view, e)));
      var lbox = { kind: "local", node: s, edge: e, nodeName: sname, edgeName: sname + "->" + dname, truth: e.local,
                   key: boxKey("local", sname, dname), aria: D.edgeLabel(view, e), anchor: lab };
      lab.appendChild(cb.makeInput(lbox));
      canvas.appendChild(lab);
      boxes.push(lbox);
    });
    return { boxes: boxes, order: tabOrder(view, boxes) };
  }

  // A vector or matrix: one answer box per entry (a vector is a column, as in z = W a + b),
  // the forward values above, the gradient below.
  function rowsOf(v) { return Array.isArray(v[0]) ? v : v.map(function (x) { return [x]; }); }
  function renderGridNode(canvas, n, view, cb, boxes) {
    var name = D.nodeLabel(n), given = n.kind === "input" || n.kind === "const";
    var div = el("div", { "class": "node grid-node kind-" + n.kind + (n === view.out ? " output" : ""), "data-node-box": name });
    div.style.left = (n.x - n.w / 2) + "px"; div.style.top = (n.y - n.h / 2) + "px";
    div.style.width = n.w + "px"; div.style.height = n.h + "px";
    var head = el("div", { "class": "node-head" });
    head.appendChild(el("span", { "class": "node-name" }, name));
    if (n.formula && !given) head.appendChild(el("span", { "class": "node-formula" }, "= " + n.formula));
    div.appendChild(head);
    var matrix = Array.isArray(n.value[0]);
    [["value", n.value, name + " ="], ["grad", n.grad, D.dName(view, n) + " ="]].forEach(function (part) {
      var kind = part[0], v = part[1];
      if (!Array.isArray(v)) return;
      var row = el("div", { "class": "row grid-row row-" + (kind === "value" ? "value" : "grad") });
      row.appendChild(el("span", { "class": "row-label" }, part[2]));
      var grid = el("span", { "class": "grid" });
      rowsOf(v).forEach(function (r, i) {
        var line = el("span", { "class": "grid-line" });
        r.forEach(function (x, j) {
          var idx = matrix ? "[" + i + "][" + j + "]" : "[" + i + "]";
          var label = (kind === "value" ? name : D.dName(view, n)) + (matrix ? "[" + i + "," + j + "]" : "[" + i + "]");
          var box = { kind: kind, node: n, nodeName: name, truth: x, key: kind + ":" + name + idx, aria: label,
                      given: kind === "value" && given, anchor: div, entry: true };
          var inp = cb.makeInput(box);
          box.input.setAttribute("data-entry", idx);
          line.appendChild(inp);
          boxes.push(box);
        });
        grid.appendChild(line);
      });
      row.appendChild(grid);
      div.appendChild(row);
    });
    canvas.appendChild(div);
  }

  // Forward boxes left to right, then the backward pass right to left: for each node (right
  // to left) its gradient, then the local derivatives of its incoming edges.
  function tabOrder(view, boxes) {
    var nodes = view.g.nodes.slice(), find = {}, tb = !!view.g.topDown;
    boxes.forEach(function (b) { find[b.key] = b; });
    var across = function (n) { return tb ? n.x : n.y; };
    var fwd = nodes.slice().sort(function (a, b) { return (a.layer - b.layer) || (across(a) - across(b)); });
    var bwd = nodes.slice().sort(function (a, b) { return (b.layer - a.layer) || (across(a) - across(b)); });
    var order = [], entries = {};
    boxes.forEach(function (b) {
      if (!b.entry) return;
      var k = b.kind + ":" + b.nodeName;
      (entries[k] = entries[k] || []).push(b);
    });
    var all = function (kind, n) {
      var one = find[boxKey(kind, D.nodeLabel(n))];
      return one ? [one] : (entries[kind + ":" + D.nodeLabel(n)] || []);
    };
    fwd.forEach(function (n) { all("value", n).forEach(function (b) { if (!b.given) order.push(b); }); });
    bwd.forEach(function (n) {
      all("grad", n).forEach(function (gb) { order.push(gb); });
      view.ins[n.id].slice().sort(function (a, b) { return across(view.byId[a.source]) - across(view.byId[b.source]); })
        .forEach(function (e) {
          var b = find[boxKey("local", D.nodeLabel(view.byId[e.source]), D.nodeLabel(n))];
          if (b) order.push(b);
        });
    });
    order.forEach(function (b, i) { b.input.setAttribute("data-order", String(i)); });
    return order;
  }

  // Roving tabindex: only one box of the graph is in the page's Tab sequence.
  function setRoving(order, box) {
    order.forEach(function (b) { b.input.setAttribute("tabindex", b === box ? "0" : "-1"); });
  }

  // The graph with the top-to-bottom positions Python computed (g.layout_tb), for narrow screens.
  function topDown(g) {
    var tb = g.layout_tb, out = {};
    for (var k in g) out[k] = g[k];
    out.nodes = g.nodes.map(function (n) {
      var p = tb.nodes[n.id], m = {};
      for (var k2 in n) m[k2] = n[k2];
      m.x = p[0]; m.y = p[1]; m.w = p[2]; m.h = p[3];
      return m;
    });
    out.edges = g.edges.map(function (e, i) {
      var m = {};
      for (var k3 in e) m[k3] = e[k3];
      m.path = tb.edges[i].path; m.label_box = tb.edges[i].label_box;
      return m;
    });
    out.width = tb.width; out.height = tb.height; out.topDown = true;
    return out;
  }
  // Top to bottom when the left-to-right picture would have to shrink to less than 60 %.
  function wantsTopDown(g, avail) {
    return !!g.layout_tb && avail < 0.6 * g.width && g.layout_tb.width < g.width;
  }

  // Scale the picture down to the width of its container (never up), but not below ``min``
  // (vectors and matrices stay readable): past that the container scrolls sideways, never the page.
  function fit(wrap, canvas, g, min) {
    var avail = wrap.clientWidth - 2, s = Math.min(1, avail / g.width);
    if (!(s > 0)) s = 1;
    if (min && s < min) s = min;
    var scroll = g.width * s > avail + 0.5;
    wrap.style.overflowX = scroll ? "auto" : "";
    canvas.style.transform = s < 1 ? "scale(" + s + ")" : "";
    canvas.style.transformOrigin = "0 0";
    if (canvas.parentNode !== wrap) {  // a box of the scaled size: the scrolling stops where the picture does
      canvas.parentNode.style.width = g.width * s + "px";
      canvas.parentNode.style.height = g.height * s + "px";
    }
    wrap.style.height = (g.height * s + 4 + (scroll ? wrap.offsetHeight - wrap.clientHeight : 0)) + "px";
    canvas.setAttribute("data-scale", String(s));
    return s;
  }

  var api = { render: render, tabOrder: tabOrder, setRoving: setRoving, fit: fit, el: el, boxKey: boxKey,
              topDown: topDown, wantsTopDown: wantsTopDown };
  (root.RGLab = root.RGLab || {}).view = api;
})(this);
