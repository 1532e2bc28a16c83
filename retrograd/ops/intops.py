"""Rounding and integer-style arithmetic: floor, ceil, round, trunc, sign, floor division,
remainder (``%``) and ``fmod``.

The rounding functions are piecewise constant, so their gradient is 0 (PyTorch's convention),
not missing: ``x.floor() * 2`` can still be differentiated. ``remainder`` and ``fmod`` have
derivative 1 in ``x`` and ``-floor(x / y)`` (``-trunc(x / y)``) in ``y``.
On integer and boolean tensors they are plain integer arithmetic (no gradients there).
"""

from __future__ import annotations

import numpy as np

from .elementwise import neg, where
from .primitive import Primitive, raw


def _zeros_like_rule(g, out, *args, **params):
    # where() rather than g * 0: zeros even where g is inf or nan, recorded when g is.
    gr = raw(g)
    return where(np.zeros(gr.shape, bool), g, np.zeros((), gr.dtype))


def _piecewise_constant(name, impl, doc):
    return Primitive(name, impl, vjp=[_zeros_like_rule], jvp=[_zeros_like_rule], doc=doc)


def _round_impl(x, decimals=0):
    return np.round(x, decimals) if x.dtype.kind == "f" else np.array(x, copy=True)


floor = _piecewise_constant("floor", lambda x: np.floor(x) if x.dtype.kind == "f" else np.array(x, copy=True),
                            "Round down; gradient 0.")
ceil = _piecewise_constant("ceil", lambda x: np.ceil(x) if x.dtype.kind == "f" else np.array(x, copy=True),
                           "Round up; gradient 0.")
trunc = _piecewise_constant("trunc", lambda x: np.trunc(x) if x.dtype.kind == "f" else np.array(x, copy=True),
                            "Round towards zero; gradient 0.")
round_ = Primitive("round", _round_impl, vjp=[_zeros_like_rule], jvp=[_zeros_like_rule],
                   doc="Round half to even (as PyTorch and NumPy); gradient 0.")
def _sign_impl(x):
    out = np.sign(x)
    return np.where(np.isnan(out), np.zeros((), out.dtype), out) if out.dtype.kind == "f" else out


sign = _piecewise_constant("sign", _sign_impl, "-1, 0 or 1 (0 for NaN, as PyTorch); gradient 0.")


def _trunc_divide(x, y):
    q = np.floor_divide(x, y)  # its dtype is the promoted one (Python numbers stay weak)
    if q.dtype.kind == "f":
        return np.trunc(np.true_divide(x, y)).astype(q.dtype, copy=False)
    return q + ((np.remainder(x, y) != 0) & ((np.asarray(x) < 0) != (np.asarray(y) < 0)))


def _two_zero(g, out, x, y):
    return _zeros_like_rule(g, out)


floor_divide = Primitive("floor_divide", np.floor_divide, vjp=[_two_zero, _two_zero],
                         jvp=[_two_zero, _two_zero],
                         doc="x // y rounded down (Python's //); gradient 0.")
trunc_divide = Primitive("trunc_divide", _trunc_divide, vjp=[_two_zero, _two_zero],
                         jvp=[_two_zero, _two_zero],
                         doc="x / y rounded towards zero (C's integer division); gradient 0.")


def _quotient(x, y, rounding):
    return floor_divide(raw(x), raw(y)) if rounding == "floor" else trunc_divide(raw(x), raw(y))


remainder = Primitive("remainder", np.remainder,
                      vjp=[lambda g, out, x, y: g, lambda g, out, x, y: neg(g * _quotient(x, y, "floor"))],
                      jvp=[lambda t, out, x, y: t, lambda t, out, x, y: neg(t * _quotient(x, y, "floor"))],
                      doc="x % y with the sign of y (Python's %).")
fmod = Primitive("fmod", np.fmod,
                 vjp=[lambda g, out, x, y: g, lambda g, out, x, y: neg(g * _quotient(x, y, "trunc"))],
                 jvp=[lambda t, out, x, y: t, lambda t, out, x, y: neg(t * _quotient(x, y, "trunc"))],
                 doc="x % y with the sign of x (C's fmod).")

BROADCASTING = (floor_divide, trunc_divide, remainder, fmod)
