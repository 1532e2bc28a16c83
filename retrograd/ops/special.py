"""More elementwise primitives: log1p, expm1, log2, log10, exp2, rsqrt, sinh, cosh, asin, acos,
atan, atan2, hypot, logaddexp, erf.

Each is a primitive rather than a composition for accuracy: ``log1p``/``expm1`` near 0,
``hypot``/``logaddexp`` without overflow, and exact values such as ``log2(8) == 3``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .elementwise import exp, neg, sigmoid, sqrt, where
from .primitive import Primitive, raw

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

_erf_vec = np.vectorize(math.erf, otypes=[np.float64])
_scipy_erf: list[Any] = []  # SciPy's erf, looked up on first use (import retrograd must not load SciPy)


def _erf_impl(x):
    """SciPy's erf when it is installed (fast); otherwise the C library's, elementwise."""
    if not _scipy_erf:
        try:
            from scipy.special import erf
        except ImportError:  # pragma: no cover - SciPy is optional
            erf = None
        _scipy_erf.append(erf)
    if _scipy_erf[0] is not None:
        return _scipy_erf[0](x)
    x = np.asarray(x)
    return _erf_vec(x).astype(x.dtype if x.dtype.kind == "f" else np.float64)


def _unary(name, impl, dfdx, doc):
    """A primitive whose vjp and jvp both multiply by ``dfdx(out, x)``."""
    return Primitive(name, impl,
                     vjp=[lambda g, out, x: g * dfdx(out, x)],
                     jvp=[lambda t, out, x: t * dfdx(out, x)],
                     doc=doc)


log1p = _unary("log1p", np.log1p, lambda out, x: 1 / (1 + x), "log(1 + x), accurate near 0.")
expm1 = _unary("expm1", np.expm1, lambda out, x: out + 1, "exp(x) - 1, accurate near 0.")
log2 = _unary("log2", np.log2, lambda out, x: 1 / (x * _LN2), "Base-2 logarithm.")
log10 = _unary("log10", np.log10, lambda out, x: 1 / (x * _LN10), "Base-10 logarithm.")
exp2 = _unary("exp2", np.exp2, lambda out, x: out * _LN2, "2 ** x.")
rsqrt = _unary("rsqrt", lambda x: 1 / np.sqrt(x), lambda out, x: -0.5 * out * out * out, "1 / sqrt(x).")
sinh = _unary("sinh", np.sinh, lambda out, x: cosh(x), "Hyperbolic sine.")
cosh: Primitive = _unary("cosh", np.cosh, lambda out, x: sinh(x), "Hyperbolic cosine.")
asin = _unary("asin", np.arcsin, lambda out, x: 1 / sqrt(1 - x * x), "Inverse sine.")
acos = _unary("acos", np.arccos, lambda out, x: -1 / sqrt(1 - x * x), "Inverse cosine.")
atan = _unary("atan", np.arctan, lambda out, x: 1 / (1 + x * x), "Inverse tangent.")
erf = _unary("erf", _erf_impl, lambda out, x: _TWO_OVER_SQRT_PI * exp(neg(x * x)), "The error function.")


def _atan2_denominator(y, x):
    # x**2 + y**2, with 1 where it is 0 (there x = y = 0, so the gradient is 0, as PyTorch's).
    d = x * x + y * y
    zero = raw(d) == 0
    if isinstance(zero, (np.ndarray, np.generic)) and not np.any(zero):
        return d
    return where(zero, np.ones((), raw(d).dtype), d)  # (always, when traced by rg.jit)


def _atan2_dy(g, out, y, x):
    return g * x / _atan2_denominator(y, x)


def _atan2_dx(g, out, y, x):
    return neg(g * y / _atan2_denominator(y, x))


atan2 = Primitive("atan2", np.arctan2, vjp=[_atan2_dy, _atan2_dx], jvp=[_atan2_dy, _atan2_dx],
                  doc="The angle of the point (x, y): atan(y / x) in the right quadrant.")
hypot = Primitive("hypot", np.hypot,
                  vjp=[lambda g, out, x, y: g * x / out, lambda g, out, x, y: g * y / out],
                  jvp=[lambda t, out, x, y: t * x / out, lambda t, out, x, y: t * y / out],
                  doc="sqrt(x**2 + y**2) without overflow.")
logaddexp = Primitive("logaddexp", np.logaddexp,
                      vjp=[lambda g, out, x, y: g * sigmoid(x - y), lambda g, out, x, y: g * sigmoid(y - x)],
                      jvp=[lambda t, out, x, y: t * sigmoid(x - y), lambda t, out, x, y: t * sigmoid(y - x)],
                      doc="log(exp(x) + exp(y)) without overflow.")

BROADCASTING = (atan2, hypot, logaddexp)
