"""One table of primitives for the property tests: how to call each in retrograd and in PyTorch,
and which inputs keep it away from kinks and poles (so finite differences are meaningful)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import retrograd as rg


@dataclass
class OpSpec:
    name: str
    rg_fn: Callable
    torch_fn: Callable
    arity: int = 1
    kind: str = "elementwise"  # elementwise | reduce | custom
    low: float = -2.0
    high: float = 2.0
    away_from_zero: bool = False  # kinks at 0 (relu, abs) or poles (div)
    extra: dict = field(default_factory=dict)


def _t(torch):
    return torch


UNARY = [
    OpSpec("exp", rg.exp, lambda T, x: T.exp(x)),
    OpSpec("log", rg.log, lambda T, x: T.log(x), low=0.2, high=3.0),
    OpSpec("sqrt", rg.sqrt, lambda T, x: T.sqrt(x), low=0.2, high=3.0),
    OpSpec("sin", rg.sin, lambda T, x: T.sin(x)),
    OpSpec("cos", rg.cos, lambda T, x: T.cos(x)),
    OpSpec("tan", rg.tan, lambda T, x: T.tan(x), low=-1.2, high=1.2),
    OpSpec("tanh", rg.tanh, lambda T, x: T.tanh(x)),
    OpSpec("sigmoid", rg.sigmoid, lambda T, x: T.sigmoid(x), low=-6, high=6),
    OpSpec("relu", rg.relu, lambda T, x: T.relu(x), away_from_zero=True),
    OpSpec("abs", rg.abs, lambda T, x: T.abs(x), away_from_zero=True),
    OpSpec("neg", lambda x: -x, lambda T, x: -x),
    OpSpec("square", lambda x: x ** 2, lambda T, x: x ** 2),
    OpSpec("pow_scalar", lambda x: x ** 1.5, lambda T, x: x ** 1.5, low=0.2, high=3.0),
    OpSpec("rpow", lambda x: 2.0 ** x, lambda T, x: 2.0 ** x),
    OpSpec("clip", lambda x: rg.clip(x, -1.0, 1.0), lambda T, x: T.clamp(x, -1.0, 1.0), low=-3, high=3,
           extra={"avoid": (-1.0, 1.0)}),
    OpSpec("scalar_arith", lambda x: (3 - x) / 2 + 1 * x - 0.5, lambda T, x: (3 - x) / 2 + 1 * x - 0.5),
    OpSpec("rdiv", lambda x: 1.0 / x, lambda T, x: 1.0 / x, away_from_zero=True),
]

BINARY = [
    OpSpec("add", lambda x, y: x + y, lambda T, x, y: x + y, arity=2),
    OpSpec("sub", lambda x, y: x - y, lambda T, x, y: x - y, arity=2),
    OpSpec("mul", lambda x, y: x * y, lambda T, x, y: x * y, arity=2),
    OpSpec("div", lambda x, y: x / y, lambda T, x, y: x / y, arity=2, away_from_zero=True),
    OpSpec("pow", lambda x, y: x ** y, lambda T, x, y: x ** y, arity=2, low=0.3, high=2.0),
    OpSpec("maximum", rg.maximum, lambda T, x, y: T.maximum(T.as_tensor(x, dtype=T.float64), T.as_tensor(y, dtype=T.float64)), arity=2, extra={"no_ties": True}),
    OpSpec("minimum", rg.minimum, lambda T, x, y: T.minimum(T.as_tensor(x, dtype=T.float64), T.as_tensor(y, dtype=T.float64)), arity=2, extra={"no_ties": True}),
]

REDUCE = [
    OpSpec("sum", lambda x, axis, k: rg.sum(x, axis=axis, keepdims=k),
           lambda T, x, axis, k: x.sum() if axis is None else x.sum(dim=axis, keepdim=k), kind="reduce"),
    OpSpec("mean", lambda x, axis, k: rg.mean(x, axis=axis, keepdims=k),
           lambda T, x, axis, k: x.mean() if axis is None else x.mean(dim=axis, keepdim=k), kind="reduce"),
    OpSpec("max", lambda x, axis, k: rg.max(x, axis=axis, keepdims=k),
           lambda T, x, axis, k: x.amax() if axis is None else x.amax(dim=axis, keepdim=k), kind="reduce",
           extra={"no_ties": True}),
    OpSpec("min", lambda x, axis, k: rg.min(x, axis=axis, keepdims=k),
           lambda T, x, axis, k: x.amin() if axis is None else x.amin(dim=axis, keepdim=k), kind="reduce",
           extra={"no_ties": True}),
    OpSpec("var", lambda x, axis, k: rg.var(x, axis=axis, keepdims=k),
           lambda T, x, axis, k: (x.var(correction=0) if axis is None
                                  else x.var(dim=axis, keepdim=k, correction=0)), kind="reduce"),
    OpSpec("logsumexp", lambda x, axis, k: rg.logsumexp(x, axis=axis, keepdims=k),
           lambda T, x, axis, k: (T.logsumexp(x.reshape(-1), 0) if axis is None
                                  else T.logsumexp(x, dim=axis, keepdim=k)), kind="reduce"),
]

SOFTMAX = [
    OpSpec("softmax", lambda x, axis: rg.softmax(x, axis=axis), lambda T, x, axis: T.softmax(x, dim=axis),
           kind="axis"),
    OpSpec("log_softmax", lambda x, axis: rg.log_softmax(x, axis=axis),
           lambda T, x, axis: T.log_softmax(x, dim=axis), kind="axis"),
]


def values(shape, low=-2.0, high=2.0, away_from_zero=False, avoid=()):
    """Float64 arrays of ``shape`` in [low, high], optionally kept 0.1 away from 0 and from ``avoid``."""
    def fix(a):
        a = np.asarray(a, dtype=np.float64)
        if away_from_zero:
            a = np.where(np.abs(a) < 0.1, np.where(a < 0, -0.1, 0.1) - 0.05 * np.sign(a + 1e-9), a)
            a = np.where(np.abs(a) < 0.1, 0.15, a)
        for v in avoid:
            a = np.where(np.abs(a - v) < 0.05, v + 0.1, a)
        return a
    return hnp.arrays(np.float64, shape,
                      elements=st.floats(low, high, allow_nan=False, allow_infinity=False)).map(fix)


def distinct(a, gap=0.05):
    """Spread values apart so max/min/maximum have no near ties (finite differences stay valid)."""
    flat = a.ravel()
    order = np.argsort(flat, kind="stable")
    out = flat.copy()
    out[order] = flat[order] + gap * np.arange(flat.size)
    return out.reshape(a.shape)
