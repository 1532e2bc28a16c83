/* retrograd lab, module "state": the exercise in the URL hash, read back safely.
 *
 * The hash holds lesson or src (program), v (values), level, lang and a (answers, JSON) and
 * r=1 when the answers are revealed. Anything of the wrong type (a="hello", a=[1], a huge
 * value, an unknown level) is ignored, never trusted: a shared link cannot break the page.
 */
(function (root) {
  "use strict";
  var parse = (typeof module !== "undefined" && module.exports) ? require("./lab_parse.js") : root.RGLab.parse;
  var KEY = /^(value|grad):[^\s]{1,80}$|^local:[^\s]{1,80}->[^\s]{1,80}$/;

  function plainObject(x) { return x !== null && typeof x === "object" && !Array.isArray(x); }

  // Answers: {boxKey: text} with keys like "value:a", "grad:w", "local:w->c" and short strings.
  function cleanAnswers(x) {
    var out = {};
    if (!plainObject(x)) return out;
    Object.keys(x).forEach(function (k) {
      var v = x[k];
      if (typeof v === "number" && isFinite(v)) v = String(v);
      if (KEY.test(k) && typeof v === "string" && v.length <= 64) out[k] = v;
    });
    return out;
  }

  // {lesson, src, values, level, lang, answers, revealed}: each null (or empty) when absent or unusable.
  function readHash(hash, levels) {
    var p = new URLSearchParams(String(hash || "").replace(/^#/, "")), st = {};
    var lesson = p.get("lesson"), src = p.get("src");
    st.lesson = lesson && lesson.length <= 80 ? lesson : null;
    st.src = src && src.length <= 20000 ? src : null;
    var v = p.get("v");
    st.values = v !== null && v.length <= 2000 ? parse.parseValues(v) : null;
    st.level = (levels || ["assignment", "primitive"]).indexOf(p.get("level")) >= 0 ? p.get("level") : null;
    st.lang = p.get("lang") === "es" || p.get("lang") === "en" ? p.get("lang") : null;
    var a = null;
    if (p.get("a") !== null && p.get("a").length <= 20000) { try { a = JSON.parse(p.get("a")); } catch (e) { a = null; } }
    st.answers = cleanAnswers(a);
    st.revealed = p.get("r") === "1";
    return st;
  }

  // The hash for an exercise; withAnswers false gives the shareable link (no answers).
  function writeHash(st, withAnswers) {
    var p = new URLSearchParams();
    if (st.lesson) p.set("lesson", st.lesson); else p.set("src", st.src || "");
    var vals = st.values || {};  // shortest exact numbers: a reload gives the same values
    var text = function (v) { return Array.isArray(v) ? JSON.stringify(v) : String(v); };  // vectors: [..]
    p.set("v", Object.keys(vals).map(function (k) { return k + " = " + text(vals[k]); }).join(", "));
    p.set("level", st.level);
    p.set("lang", st.lang);
    if (withAnswers) {
      var ans = cleanAnswers(st.answers);
      Object.keys(ans).forEach(function (k) { if (ans[k] === "") delete ans[k]; });
      if (Object.keys(ans).length) p.set("a", JSON.stringify(ans));
      if (st.revealed) p.set("r", "1");
    }
    return p.toString();
  }

  var api = { readHash: readHash, writeHash: writeHash, cleanAnswers: cleanAnswers };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else (root.RGLab = root.RGLab || {}).state = api;
})(this);
