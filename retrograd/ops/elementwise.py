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
    # d(x**y)/dx = y * x**(y-1), and exactly 0 wherever y == 0 (PyTorch's convention), also at
    # x = 0, +-inf or nan: no 0 * inf there, in this derivative or in the ones taken of it (x**2
    # differentiated three times is 0, not nan). Elsewhere a recorded exponent keeps the formula,
    # so d/dy of this derivative stays exact.
    yr = raw(y)
    zero = yr == 0
    if not isinstance(zero, (np.ndarray, np.bool_, bool)):  # traced by rg.jit: no branch on values
        return where(zero, 0.0, g * y * x ** (y - 1))
    if not np.any(zero):
        return g * y * x ** (y - 1)
    xr = raw(x)
    with np.errstate(invalid="ignore"):
        bad = zero & ~(np.isfinite(xr) & (xr != 0))
    base = where(bad, 1.0, x) if np.any(bad) else x
    if y is yr:
        return g * y * base ** np.where(zero, 1.0, yr - 1)
    return g * y * base ** (y - 1)


def _pow_exponent_grad(g, out, x, y):
    # d(x**y)/dy = x**y * log(x); 0 where x == 0 and y >= 0 (PyTorch's convention).
    xr, yr = raw(x), raw(y)
    zero = (xr == 0) & (yr >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return where(zero, 0.0, g * out * log(where(zero, 1.0, x)))


def _minmax_grad(pick_first):
    """Gradient of maximum/minimum for one argument: ties split the gradient in half.

    As PyTorch's: an argument gets the whole gradient unless it loses the comparison, so a nan
    (which compares false both ways) passes the gradient to both arguments.
    """
    def rule(g, out, x, y):
        xr, yr = raw(x), raw(y)
        with np.errstate(invalid="ignore"):
            loses = (xr < yr) if pick_first else (xr > yr)
            share = np.where(loses, 0.0, np.where(xr == yr, 0.5, 1.0)).astype(_float_of(g), copy=False)
        return g * share
    return rule


def _float_of(g):
    dt = raw(g).dtype
    return dt if dt.kind == "f" else np.float64


add = Primitive("add", np.add,
                vjp=[lambda g, out, x, y: g, lambda g, out, x, y: g],
                jvp=[lambda t, out, x, y: t, lambda t, out, x, y: t],
                doc="x + y with broadcasting.",
                reads_inputs=False, reads_out=False)
sub = Primitive("sub", np.subtract,
                vjp=[lambda g, out, x, y: g, lambda g, out, x, y: neg(g)],
                jvp=[lambda t, out, x, y: t, lambda t, out, x, y: neg(t)],
                doc="x - y with broadcasting.",
                reads_inputs=False, reads_out=False)
mul = Primitive("mul", np.multiply,
                vjp=[lambda g, out, x, y: g * y, lambda g, out, x, y: g * x],
                jvp=[lambda t, out, x, y: t * y, lambda t, out, x, y: x * t],
                doc="x * y with broadcasting.",
                reads_inputs={0: (1,), 1: (0,)}, reads_out=False)
div = Primitive("div", np.true_divide,
                vjp=[lambda g, out, x, y: g / y, lambda g, out, x, y: neg(g * out / y)],
                jvp=[lambda t, out, x, y: t / y, lambda t, out, x, y: neg(t * out / y)],
                doc="x / y with broadcasting.")
power = Primitive("pow", np.power,
                  vjp=[_pow_base_grad, _pow_exponent_grad],
                  jvp=[_pow_base_grad,
                       lambda t, out, x, y: _pow_exponent_grad(t, out, x, y)],
                  doc="x ** y with broadcasting.")
neg: Primitive = Primitive("neg", np.negative,
                vjp=[lambda g, out, x: neg(g)],
                jvp=[lambda t, out, x: neg(t)],
                doc="-x.",
                reads_inputs=False, reads_out=False)
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
cos: Primitive = Primitive("cos", np.cos,
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
def _relu_mask(x):
    # not (x <= 0) rather than x > 0: a nan passes its gradient on, as in PyTorch.
    return ~(raw(x) <= 0)


relu = Primitive("relu", lambda x: np.maximum(x, 0),
                 vjp=[lambda g, out, x: g * _relu_mask(x)],
                 jvp=[lambda t, out, x: t * _relu_mask(x)],
                 doc="max(x, 0); its derivative at 0 is 0.")
def _sign(x):
    # The sign as PyTorch's sgn: 0 at 0 and at nan (NumPy's sign(nan) is nan).
    xr = raw(x)
    return np.where(xr > 0, 1, np.where(xr < 0, -1, 0)).astype(xr.dtype if xr.dtype.kind == "f" else np.float64)


absolute = Primitive("abs", np.abs,
                     vjp=[lambda g, out, x: g * _sign(x)],
                     jvp=[lambda t, out, x: t * _sign(x)],
                     doc="|x|; its derivative at 0 (and at nan) is 0.")
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
where: Primitive = Primitive("where", np.where,
                  vjp=[None, lambda g, out, c, x, y: where(raw(c), g, 0.0),
                       lambda g, out, c, x, y: where(raw(c), 0.0, g)],
                  jvp=[None, lambda t, out, c, x, y: where(raw(c), t, 0.0),
                       lambda t, out, c, x, y: where(raw(c), 0.0, t)],
                  doc="x where cond is true, else y.")
