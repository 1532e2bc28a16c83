/* retrograd lab, module "grade": is an answer right?
 *
 * The tolerance comes from Python (page data "tolerance", retrograd.learn.lab.TOLERANCE):
 * an answer a for the true value t is correct when |a - t| <= min(abs, rel * |t|), so 4.499
 * counts for 4.5 (within 0.005) but 0.02 does not count for 0.0177 (more than 1 % off).
 */
(function (root) {
  "use strict";
  var parse = (typeof module !== "undefined" && module.exports) ? require("./lab_parse.js") : root.RGLab.parse;

  function close(a, b, tol) {
    if (typeof a !== "number" || typeof b !== "number" || !isFinite(a) || !isFinite(b)) return false;
    return Math.abs(a - b) <= Math.min(tol.abs, tol.rel * Math.abs(b)) + 1e-12 * Math.max(1, Math.abs(b));
  }

  // {state: "empty" | "invalid" | "correct" | "wrong", value}
  function judge(text, truth, tol) {
    if (text === undefined || text === null || String(text).trim() === "") return { state: "empty" };
    var v = parse.parseAnswer(text);
    if (v === null) return { state: "invalid" };
    return { state: close(v, truth, tol) ? "correct" : "wrong", value: v };
  }

  var api = { close: close, judge: judge };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else (root.RGLab = root.RGLab || {}).grade = api;
})(this);
