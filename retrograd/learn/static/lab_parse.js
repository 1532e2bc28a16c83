/* retrograd lab, module "parse": reading what a learner types. No eval, no functions, no names.
 *
 * An answer is a number (4.5, .5, -3, 1e-3, with a decimal point or a decimal comma: 4,5) or
 * arithmetic on numbers (9/2, 2*11, 3^2, -(1/4)). Phone keyboards' minus signs (− ‐ – ﹣ －) and
 * the multiplication signs × · are read as - and *. parseValues reads "x = 2, w = -2,5".
 */
(function (root) {
  "use strict";
  var MINUS = /[\u2212\u2010\u2011\u2012\u2013\u2014\uFE63\uFF0D]/g;

  function normalize(text) {
    return String(text).replace(MINUS, "-").replace(/[×·]/g, "*").replace(/\*\*/g, "^").trim();
  }

  // Tokens: numbers and the operators + - * / ^ ( ).  Throws on anything else.
  function tokenize(src) {
    var toks = [], i = 0, m, re = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([-+*\/^()]))/y;
    while (i < src.length) {
      if (/^\s*$/.test(src.slice(i))) break;
      re.lastIndex = i;
      m = re.exec(src);
      if (!m) throw new Error("unexpected character at " + i);
      toks.push(m[1] !== undefined ? { k: "num", v: parseFloat(m[1]) } : { k: "op", v: m[2] });
      i = re.lastIndex;
    }
    return toks;
  }

  // expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ;
  // unary := ('+'|'-') unary | power ; power := atom ('^' unary)? ; atom := number | '(' expr ')'
  function evaluate(src) {
    var toks = tokenize(src), pos = 0, depth = 0;
    if (!toks.length) throw new Error("empty");
    function isOp(v) { var tk = toks[pos]; return tk && tk.k === "op" && tk.v === v; }
    function expr() {
      if (++depth > 100) throw new Error("too deep");
      var x = term();
      while (isOp("+") || isOp("-")) { var o = toks[pos++].v, y = term(); x = o === "+" ? x + y : x - y; }
      depth--;
      return x;
    }
    function term() {
      var x = unary();
      while (isOp("*") || isOp("/")) { var o = toks[pos++].v, y = unary(); x = o === "*" ? x * y : x / y; }
      return x;
    }
    function unary() {
      if (isOp("-")) { pos++; return -unary(); }
      if (isOp("+")) { pos++; return unary(); }
      return power();
    }
    function power() {
      var x = atom();
      if (isOp("^")) { pos++; return Math.pow(x, unary()); }
      return x;
    }
    function atom() {
      var tk = toks[pos];
      if (!tk) throw new Error("unexpected end");
      if (tk.k === "num") { pos++; return tk.v; }
      if (isOp("(")) { pos++; var v = expr(); if (!isOp(")")) throw new Error("expected )"); pos++; return v; }
      throw new Error("unexpected " + tk.v);
    }
    var result = expr();
    if (pos !== toks.length) throw new Error("unexpected " + toks[pos].v);
    return result;
  }

  // An answer as typed: a finite number, or null when it cannot be read.
  // A comma is a decimal comma (answers never need a comma otherwise).
  function parseAnswer(text) {
    if (text === null || text === undefined) return null;
    var s = normalize(text);
    if (!s || s.length > 64) return null;
    if (/,/.test(s)) {
      if (/\.|,.*,/.test(s)) return null;  // 1.234,5 or 1,2,3: ambiguous
      s = s.replace(",", ".");
    }
    try {
      var v = evaluate(s);
      return (typeof v === "number" && isFinite(v)) ? v : null;
    } catch (e) { return null; }
  }

  // "x = 2, w = -2,5; b = 8" -> {x: 2, w: -2.5, b: 8}, or null when a part cannot be read.
  // Parts are separated by ";", new lines, or a comma followed by the next "name =".
  var NAME = "[A-Za-z_\\u00C0-\\u024F\\u0370-\\u03FF][\\w\\u00C0-\\u024F\\u0370-\\u03FF]*";
  function parseValues(text) {
    var out = {}, parts = String(text).split(new RegExp("[;\\n]|,(?=\\s*" + NAME + "\\s*[=:])"));
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i].trim();
      if (!p) continue;
      var m = new RegExp("^(" + NAME + ")\\s*[=:]\\s*(.+)$").exec(p);
      if (!m) return null;
      var v = /^\s*\[/.test(m[2]) ? parseArray(m[2]) : parseAnswer(m[2]);
      if (v === null) return null;
      out[m[1]] = v;
    }
    return out;
  }

  // A vector or matrix of numbers written as [[0.2, -0.4], [0.7, 0.1]]; null for anything else.
  function parseArray(text) {
    var v;
    try { v = JSON.parse(String(text).replace(MINUS, "-")); } catch (e) { return null; }
    var ok = function (x) { return Array.isArray(x) ? x.length > 0 && x.every(ok) : typeof x === "number" && isFinite(x); };
    return Array.isArray(v) && ok(v) ? v : null;
  }

  // A number for display, as the Python side writes it (retrograd.learn.numfmt.fmt).
  function fmt(x, digits) {
    if (x === null || x === undefined) return "";
    if (typeof x !== "number") return String(x);
    if (!isFinite(x)) return String(x);
    if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x === 0 ? 0 : x);
    // Python's "%.{digits}g" (retrograd.learn.numfmt.fmt): exponent form below 1e-4 and from 10^digits
    var p = digits || 6, e = Number(x.toExponential(p - 1).split("e")[1]), s;
    if (e < -4 || e >= p) {
      s = x.toExponential(p - 1).replace(/\.?0+e/, "e").replace("e+", "e");
    } else {
      s = x.toFixed(Math.max(0, p - 1 - e));
      if (s.indexOf(".") >= 0) s = s.replace(/0+$/, "").replace(/\.$/, "");
    }
    return s;
  }

  function valuesToText(values, digits) {
    var show = function (v) { return Array.isArray(v) ? "[" + v.map(show).join(", ") + "]" : fmt(v, digits); };
    return Object.keys(values).map(function (k) { return k + " = " + show(values[k]); }).join(", ");
  }

  var api = { normalize: normalize, tokenize: tokenize, evaluate: evaluate, parseAnswer: parseAnswer,
              parseValues: parseValues, parseArray: parseArray, fmt: fmt, valuesToText: valuesToText };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else (root.RGLab = root.RGLab || {}).parse = api;
})(this);
