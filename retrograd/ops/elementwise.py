"""Elementwise primitives: arithmetic, transcendental functions, activations.

Every vjp rule multiplies the upstream gradient ``g`` by the local derivative;
``g`` may carry extra leading batch dimensions, which broadcasting keeps.
The engine reduces broadcast gradients to each input's shape (``sum_to``), so
no rule does it.
"""

from __future__ import annotations

import numpy as np

from .primitive import Primitive, raw


def _stable_sigmoid(x):
    # exp of a non-positive number never overflows.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _pow_base_grad(g, out, x, y):
    # d(x**y)/dx = y * x**(y-1). For a constant exponent it is exactly 0 where y == 0: no
    # 0 * inf at x == 0, in this derivative or in the ones taken of it (x**2 differentiated
    # three times is 0, not nan). A recorded exponent keeps the formula, so d/dy stays exact.
    yr = raw(y)
    if y is yr and np.any(yr == 0):
        return g * y * x ** np.where(yr == 0, 1.0, yr - 1)
    return g * y * x ** (y - 1)


def _pow_exponent_grad(g, out, x, y):
    # d(x**y)/dy = x**y * log(x); 0 where x == 0 and y >= 0 (PyTorch's convention).
    xr, yr = raw(x), raw(y)
    zero = (xr == 0) & (yr >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return where(zero, 0.0, g * out * log(where(zero, 1.0, x)))


def _minmax_grad(pick_first):
    """Gradient of maximum/minimum for one argument: ties split the gradient in half."""
    def rule(g, out, x, y):
        xr, yr = raw(x), raw(y)
        wins = (xr > yr) if pick_first else (xr < yr)
        share = np.where(wins, 1.0, np.where(xr == yr, 0.5, 0.0)).astype(_float_of(g), copy=False)
        return g * share
    return rule


def _float_of(g):
    dt = raw(g).dtype
    return dt if dt.kind == "f" else np.float64


add = Primitive("add", np.add,
                vjp=[lambda g, out, x, y: g, lambda g, out, x, y: g],
                jvp=[lambda t, out, x, y: t, lambda t, out, x, y: t],
                doc="x + y with broadcasting.")
sub = Primitive("sub", np.subtract,
                vjp=[lambda g, out, x, y: g, lambda g, out, x, y: neg(g)],
                jvp=[lambda t, out, x, y: t, lambda t, out, x, y: neg(t)],
                doc="x - y with broadcasting.")
mul = Primitive("mul", np.multiply,
                vjp=[lambda g, out, x, y: g * y, lambda g, out, x, y: g * x],
                jvp=[lambda t, out, x, y: t * y, lambda t, out, x, y: x * t],
                doc="x * y with broadcasting.")
div = Primitive("div", np.true_divide,
                vjp=[lambda g, out, x, y: g / y, lambda g, out, x, y: neg(g * out / y)],
                jvp=[lambda t, out, x, y: t / y, lambda t, out, x, y: neg(t * out / y)],
                doc="x / y with broadcasting.")
power = Primitive("pow", np.power,
                  vjp=[_pow_base_grad, _pow_exponent_grad],
                  jvp=[_pow_base_grad,
                       lambda t, out, x, y: _pow_exponent_grad(t, out, x, y)],
                  doc="x ** y with broadcasting.")
neg = Primitive("neg", np.negative,
                vjp=[lambda g, out, x: neg(g)],
                jvp=[lambda t, out, x: neg(t)],
                doc="-x.")
exp = Primitive("exp", np.exp,
                vjp=[lambda g, out, x: g * out],
                jvp=[lambda t, out, x: t * out],
                doc="e ** x.")
log = Primitive("log", np.log,
                vjp=[lambda g, out, x: g / x],
                jvp=[lambda t, out, x: t / x],
                doc="Natural logarithm.")
sqrt = Primitive("sqrt", np.sqrt,
                 vjp=[lambda g, out, x: g / (2 * out)],
                 jvp=[lambda t, out, x: t / (2 * out)],
                 doc="Square root.")
sin = Primitive("sin", np.sin,
                vjp=[lambda g, out, x: g * cos(x)],
                jvp=[lambda t, out, x: t * cos(x)],
                doc="Sine.")
cos = Primitive("cos", np.cos,
                vjp=[lambda g, out, x: neg(g * sin(x))],
                jvp=[lambda t, out, x: neg(t * sin(x))],
                doc="Cosine.")
tan = Primitive("tan", np.tan,
                vjp=[lambda g, out, x: g * (1 + out * out)],
                jvp=[lambda t, out, x: t * (1 + out * out)],
                doc="Tangent.")
tanh = Primitive("tanh", np.tanh,
                 vjp=[lambda g, out, x: g * (1 - out * out)],
                 jvp=[lambda t, out, x: t * (1 - out * out)],
                 doc="Hyperbolic tangent.")
sigmoid = Primitive("sigmoid", _stable_sigmoid,
                    vjp=[lambda g, out, x: g * (out * (1 - out))],
                    jvp=[lambda t, out, x: t * (out * (1 - out))],
                    doc="1 / (1 + exp(-x)), computed without overflow.")
# relu'(0) is taken as 0, as PyTorch and JAX do.
relu = Primitive("relu", lambda x: np.maximum(x, 0),
                 vjp=[lambda g, out, x: g * (raw(x) > 0)],
                 jvp=[lambda t, out, x: t * (raw(x) > 0)],
                 doc="max(x, 0); its derivative at 0 is 0.")
absolute = Primitive("abs", np.abs,
                     vjp=[lambda g, out, x: g * np.sign(raw(x))],
                     jvp=[lambda t, out, x: t * np.sign(raw(x))],
                     doc="|x|; its derivative at 0 is 0.")
maximum = Primitive("maximum", np.maximum,
                    vjp=[_minmax_grad(True), lambda g, out, x, y: _minmax_grad(True)(g, out, y, x)],
                    jvp=[lambda t, out, x, y: _minmax_grad(True)(t, out, x, y),
                         lambda t, out, x, y: _minmax_grad(True)(t, out, y, x)],
                    doc="Elementwise maximum; at ties each side gets half the gradient.")
minimum = Primitive("minimum", np.minimum,
                    vjp=[_minmax_grad(False), lambda g, out, x, y: _minmax_grad(False)(g, out, y, x)],
                    jvp=[lambda t, out, x, y: _minmax_grad(False)(t, out, x, y),
                         lambda t, out, x, y: _minmax_grad(False)(t, out, y, x)],
                    doc="Elementwise minimum; at ties each side gets half the gradient.")


def _clip_mask(x, lo, hi):
    xr = raw(x)
    mask = np.ones(xr.shape, dtype=bool)
    if lo is not None:
        mask = mask & (xr >= lo)  # not in place: rg.jit traces it when x is traced
    if hi is not None:
        mask = mask & (xr <= hi)
    return mask


clip = Primitive("clip", lambda x, lo=None, hi=None: np.clip(x, lo, hi),
                 vjp=[lambda g, out, x, lo=None, hi=None: g * _clip_mask(x, lo, hi)],
                 jvp=[lambda t, out, x, lo=None, hi=None: t * _clip_mask(x, lo, hi)],
                 doc="Limit x to [lo, hi]; the gradient passes where lo <= x <= hi.")

# The condition of ``where`` is a constant: only x and y are differentiated.
where = Primitive("where", np.where,
                  vjp=[None, lambda g, out, c, x, y: where(raw(c), g, 0.0),
                       lambda g, out, c, x, y: where(raw(c), 0.0, g)],
                  jvp=[None, lambda t, out, c, x, y: where(raw(c), t, 0.0),
                       lambda t, out, c, x, y: where(raw(c), 0.0, t)],
                  doc="x where cond is true, else y.")
