/* Unit tests of the lab's pure modules (parse, grade, diagnose, state).
 * Run by tests/test_lab_js.py with node when it is installed, and always inside Chromium.
 * RG_FIXTURES: graphs from Python (Graph.to_dict()), the tolerance and the English strings.
 */
(function (root) {
  "use strict";
  var isNode = typeof module !== "undefined" && module.exports;
  var dir = isNode ? require("path").join(__dirname, "..", "..", "retrograd", "learn", "static") : "";
  var L = isNode ? { parse: require(dir + "/lab_parse.js"), grade: require(dir + "/lab_grade.js"),
                     diagnose: require(dir + "/lab_diagnose.js"), state: require(dir + "/lab_state.js"),
                     walk: require(dir + "/lab_walk.js") } : root.RGLab;
  var FIX = isNode ? JSON.parse(require("fs").readFileSync(process.env.RG_FIXTURES, "utf8")) : root.RG_FIXTURES;
  var TOL = FIX.tolerance, STR = FIX.strings;
  var tests = [];
  function test(name, fn) { tests.push([name, fn]); }
  function eq(a, b, msg) {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error((msg || "") + " expected " + JSON.stringify(b) + ", got " + JSON.stringify(a));
  }
  function ok(c, msg) { if (!c) throw new Error(msg || "not true"); }
  function t(key, vars) {
    var s = STR[key] || key;
    return vars ? s.replace(/\{(\w+)\}/g, function (m, k) { return vars[k] === undefined ? m : String(vars[k]); }) : s;
  }
  function fmt(x) { return L.parse.fmt(x, 6); }

  // --- parse
  test("answers: numbers, fractions, arithmetic, decimal comma, phone minus", function () {
    var P = L.parse;
    eq(['.5', '-3', '4.50', '9/2', '2*11', '2^3', '2**3', '-(1/4)', '1e-3', '4,5', '−3', '–2,5', '3×2'].map(P.parseAnswer),
       [0.5, -3, 4.5, 4.5, 22, 8, 8, -0.25, 0.001, 4.5, -3, -2.5, 6]);
  });
  test("answers: what is not a number is null (no names, no functions, no eval)", function () {
    eq(['2 *', 'x', '', '0x10', 'alert(1)', 'pi', 'sin(1)', '1/0', '1,2,3', '1.2,5', null].map(L.parse.parseAnswer),
       [null, null, null, null, null, null, null, null, null, null, null]);
  });
  test("values: commas between values and decimal commas", function () {
    eq(L.parse.parseValues("x = 2, w = -2,5; b = 8"), { x: 2, w: -2.5, b: 8 });
    eq(L.parse.parseValues("x = 2, w"), null);
  });
  test("values: vectors and matrices (the layers lesson) round-trip through the values box", function () {
    var v = { x: [0.5, -1], W1: [[0.2, -0.4], [0.7, 0.1]], b: 3 };
    eq(L.parse.valuesToText(v, 6), "x = [0.5, -1], W1 = [[0.2, -0.4], [0.7, 0.1]], b = 3");
    eq(L.parse.parseValues(L.parse.valuesToText(v, 17)), v);
    eq(L.parse.parseValues("x = [0.5, \u2212\u0031]"), { x: [0.5, -1] });
    eq([L.parse.parseValues("x = [1, \"a\"]"), L.parse.parseValues("x = []"), L.parse.parseValues("x = [1,")],
       [null, null, null]);
  });
  test("numbers are shown as Python shows them", function () {
    eq([fmt(0.1 + 0.2), fmt(66), fmt(-17.0605123), fmt(1e-7), fmt(-0)], ["0.3", "66", "-17.0605", "1e-7", "0"]);
  });

  // --- grade
  test("tolerance: 2 decimals, and relative for small values", function () {
    var c = function (a, b) { return L.grade.close(a, b, TOL); };
    eq([c(4.499, 4.5), c(4.51, 4.5), c(0.02, 0.0177), c(0.0178, 0.0177), c(66.004, 66), c(0, 0), c(0.001, 0)],
       [true, false, false, true, true, true, false]);
    eq(L.grade.judge("4,5", 4.5, TOL).state, "correct");
    eq(L.grade.judge("  ", 4.5, TOL).state, "empty");
    eq(L.grade.judge("4.5.", 4.5, TOL).state, "invalid");
  });

  // --- diagnose
  function boxOf(view, kind, node, target) {
    var n = view.byId[node];
    if (kind === "value") return { kind: kind, node: n, truth: n.value };
    if (kind === "grad") return { kind: kind, node: n, truth: n.grad };
    var e = view.outs[node].filter(function (x) { return x.target === target; })[0];
    return { kind: "local", node: n, edge: e, truth: e.local };
  }
  function say(graph, kind, node, v, target) {
    var view = L.diagnose.prepare(FIX.graphs[graph]);
    return L.diagnose.diagnose(view, boxOf(view, kind, node, target), v, TOL, t, fmt) || "";
  }
  test("coursera-nw1: sign, forgot the local derivative, forward value, local is a gradient", function () {
    ok(/sign is not/.test(say("nw1", "grad", "w", -6)), say("nw1", "grad", "w", -6));
    var s = say("nw1", "grad", "w", 3);
    ok(/forgot the local derivative/.test(s) && s.indexOf("dJ/dc") >= 0, s);
    s = say("nw1", "grad", "c", 4);
    ok(/forward value of a/.test(s) && s.indexOf("dJ/da") >= 0, s);
    s = say("nw1", "local", "w", 3, "c");
    ok(/gradient dJ\/dc/.test(s), s);
    s = say("nw1", "value", "c", 3);
    ok(/gradient dJ\/dc, not the forward value/.test(s), s);
  });
  test("udl-7.1: the notebook's slip is a wrong upstream gradient", function () {
    var s = say("udl", "grad", "beta1", -1.683);
    ok(/Wrong upstream gradient/.test(s) && s.indexOf("dl/df2") >= 0 && s.indexOf("dl/df1") >= 0, s);
  });
  test("fan-out h = x*y; f = h + x: one path first, every consumer named, contributions add up", function () {
    // dJ/dx = ∂h/∂x·df/dh + ∂f/∂x·df/df = (-4)·1 + 1·1 = -3
    var s = say("fan", "grad", "x", -4);   // only the path through h (equal to ∂h/∂x · df/df too)
    ok(/only the path through h\b/.test(s) && /x feeds 2 nodes \(h, f\)/.test(s) && /add up/.test(s), s);
    s = say("fan", "grad", "x", 1);        // only the path through f
    ok(/only the path through f\b/.test(s) && /\(h, f\)/.test(s), s);
    s = say("fan", "grad", "x", 2);        // the upstream gradients alone
    ok(/forgot the local derivatives/.test(s) && /\(h, f\)/.test(s), s);
    s = say("fan", "grad", "x", 3);
    ok(/sign is not/.test(s), s);
    s = say("fan", "grad", "x", -11);      // path through h with dJ/dy = 3 in place of df/dh = 1
    ok(/Wrong upstream gradient on the path through h/.test(s) && /\(h, f\)/.test(s), s);
  });
  test("no message says 'x feeds m' when x feeds several nodes", function () {
    [-4, 1, 2, 3, -11, 0, 5, -12, 12, 4].forEach(function (v) {
      var s = say("fan", "grad", "x", v);
      ok(!/x feeds (h|f)\b/.test(s), v + ": " + s);
    });
  });
  test("sums where all upstream gradients are 1 (a = w*w; b = 3*w; J = a + b)", function () {
    // dJ/dw = 2w·1 + 3·1 = 7 at w = 2
    var s = say("ones", "grad", "w", 4);
    ok(/only the path through a\b/.test(s) && /\(a, b\)/.test(s), s);
    s = say("ones", "grad", "w", 3);
    ok(/only the path through b\b/.test(s), s);
    s = say("ones", "grad", "w", 2);
    ok(/forgot the local derivatives/.test(s), s);
  });

  // --- state
  test("URL hash: wrong types are ignored, good ones kept", function () {
    var S = L.state, levels = ["assignment", "primitive"];
    eq(S.readHash('#lesson=coursera-nw0&a="hello"', levels).answers, {});
    eq(S.readHash("#a=%5B1%2C2%5D", levels).answers, {});
    eq(S.readHash("#a=null", levels).answers, {});
    eq(S.readHash("#a=%7Bbroken", levels).answers, {});
    var a = encodeURIComponent(JSON.stringify({ "value:a": "11", "grad:w": 5, "bad key": "x", "value:b": { x: 1 },
                                                  "local:w->a": "3", "grad:J": "9".repeat(100) }));
    eq(S.readHash("#a=" + a, levels).answers, { "value:a": "11", "grad:w": "5", "local:w->a": "3" });
    var st = S.readHash("#level=bogus&lang=fr&v=w%3Dnope", levels);
    eq([st.level, st.lang, st.values], [null, null, null]);
  });
  test("URL hash: vectors and matrices (the layers lesson) survive a reload", function () {
    var S = L.state, vals = { x: [0.5, -1], W1: [[0.2, -0.4], [0.1 + 0.2, 1e-7]], b: 3 };
    var st = { lesson: "layers-2-3-1", values: vals, level: "assignment", lang: "en", answers: {} };
    eq(S.readHash(S.writeHash(st, false), ["assignment", "primitive"]).values, vals);
  });
  test("URL hash: round trip, and the shared link has no answers", function () {
    var S = L.state, st = { lesson: "coursera-nw0", src: "a = 2 + 3*w\nJ = a**2", values: { w: 0.1 }, level: "primitive",
                           lang: "es", answers: { "value:a": "2,3" }, revealed: true };
    var back = S.readHash(S.writeHash(st, true), ["assignment", "primitive"]);
    eq([back.lesson, back.values, back.level, back.lang, back.answers, back.revealed],
       ["coursera-nw0", { w: 0.1 }, "primitive", "es", { "value:a": "2,3" }, true]);
    var shared = S.readHash(S.writeHash(st, false), ["assignment", "primitive"]);
    eq([shared.answers, shared.revealed], [{}, false]);
  });

  // --- walk (step-through)
  test("the step-through says exactly what the explanation says", function () {
    Object.keys(FIX.walks).forEach(function (name) {
      var view = L.diagnose.prepare(FIX.graphs[name]);
      var lines = [];
      L.walk.steps(view, t, fmt).forEach(function (st) { lines = lines.concat(st.lines); });
      eq(lines, FIX.walks[name], name);
    });
  });
  test("the step-through visits the output first, then every operation right to left", function () {
    var view = L.diagnose.prepare(FIX.graphs.nw1);
    eq(L.walk.steps(view, t, fmt).map(function (s) { return s.node; }), ["J", "J", "d", "a", "c"]);
  });

  function run() {
    var failures = [];
    tests.forEach(function (tc) { try { tc[1](); } catch (e) { failures.push(tc[0] + ": " + e.message); } });
    return { count: tests.length, failures: failures };
  }
  if (isNode) {
    var r = run();
    console.log(JSON.stringify(r, null, 1));
    process.exit(r.failures.length ? 1 : 0);
  } else {
    root.RGLabTests = run;
  }
})(this);
