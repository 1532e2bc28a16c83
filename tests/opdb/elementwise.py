"""Elementwise ops: arithmetic (function and operator forms), transcendental functions, activations."""

from __future__ import annotations

import operator

import numpy as np
import torch

import retrograd as rg

from .core import OpInfo, SampleInput, binary_samples, make, register, special, unary_samples


def _t(x, like):
    """A Python number as a 0-d torch tensor of ``like``'s dtype (for torch ops that want tensors)."""
    if isinstance(x, torch.Tensor):
        return x
    return torch.tensor(x, dtype=like.dtype if isinstance(like, torch.Tensor) else torch.float64)


def _both(fn):
    return lambda a, b: fn(_t(a, b), _t(b, a))


# ----- unary ------------------------------------------------------------------------------------
UNARY = [
    # name, rg function, torch function, method, samples
    ("exp", rg.exp, torch.exp, "exp", unary_samples()),
    ("log", rg.log, torch.log, "log", unary_samples(0.2, 3.0)),
    ("sqrt", rg.sqrt, torch.sqrt, "sqrt", unary_samples(0.2, 3.0)),
    ("sin", rg.sin, torch.sin, "sin", unary_samples()),
    ("cos", rg.cos, torch.cos, "cos", unary_samples()),
    ("tan", rg.tan, torch.tan, "tan", unary_samples(-1.2, 1.2)),
    ("tanh", rg.tanh, torch.tanh, "tanh", unary_samples()),
    ("sigmoid", rg.sigmoid, torch.sigmoid, "sigmoid", unary_samples(-6.0, 6.0)),
    ("relu", rg.relu, torch.relu, "relu", unary_samples(avoid=(0.0,))),
    ("abs", rg.abs, torch.abs, "abs", unary_samples(avoid=(0.0,))),
    ("negative", rg.negative, torch.neg, operator.neg, unary_samples()),
]
for name, fn, ref, method, samples in UNARY:
    register(OpInfo(name, op=fn, ref=ref, method=method, samples=samples))

register(OpInfo("abs_operator", op=rg.abs, ref=torch.abs, method=abs, samples=unary_samples(avoid=(0.0,))))
register(OpInfo("pos_operator", op=lambda x: x, ref=lambda x: +x, method=operator.pos,
                samples=unary_samples(extremes=False)))


# ----- binary -----------------------------------------------------------------------------------
register(OpInfo("add", op=rg.add, ref=operator.add, method=operator.add, samples=binary_samples()))
register(OpInfo("sub", op=rg.sub, ref=operator.sub, method=operator.sub, samples=binary_samples(),
                aliases=(rg.subtract,)))
register(OpInfo("mul", op=rg.mul, ref=operator.mul, method=operator.mul, samples=binary_samples(),
                aliases=(rg.multiply,)))
register(OpInfo("div", op=rg.div, ref=operator.truediv, method=operator.truediv,
                samples=binary_samples(avoid_b=(0.0,)), aliases=(rg.divide,)))


def _pow_samples(dtype):
    out = binary_samples(0.3, 2.0, -2.0, 2.0)(dtype)
    x = special(dtype)
    out.append(SampleInput(x, 0.0, desc="x ** 0 at inf, nan, 0", smooth=False))
    out.append(SampleInput(x, 2.0, desc="x ** 2 at inf, nan, 0", smooth=False))
    out.append(SampleInput(make((3,), dtype, -2, 2, seed=3), 3.0, desc="negative base, integer exponent"))
    return out


register(OpInfo("pow", op=rg.pow, ref=operator.pow, method=operator.pow, samples=_pow_samples,
                aliases=(rg.power,)))
register(OpInfo("pow_method", op=rg.pow, ref=torch.pow, method="pow",
                samples=lambda dtype: [s for s in _pow_samples(dtype) if isinstance(s.args[0], np.ndarray)]))
register(OpInfo("maximum", op=rg.maximum, ref=_both(torch.maximum), method="maximum",
                samples=binary_samples(no_ties=True, scalars=True)))
register(OpInfo("minimum", op=rg.minimum, ref=_both(torch.minimum), method="minimum",
                samples=binary_samples(no_ties=True, scalars=True)))


def _ties(dtype):
    a = np.array([1.0, 2.0, 3.0], dtype=dtype)
    return [SampleInput(a, a.copy(), desc="ties share the gradient", smooth=False)]


register(OpInfo("maximum_ties", op=rg.maximum, ref=torch.maximum, method="maximum", samples=_ties,
                supports_jvp=False, supports_gradgrad=False))  # ties: no finite differences
register(OpInfo("minimum_ties", op=rg.minimum, ref=torch.minimum, method="minimum", samples=_ties,
                supports_jvp=False, supports_gradgrad=False))  # ties: no finite differences


# ----- clip and where -----------------------------------------------------------------------------
def _clip_samples(dtype):
    out = []
    for i, s in enumerate([(), (4,), (2, 3), (0, 2)]):
        x = make(s, dtype, -3, 3, seed=i, avoid=(-1.0, 1.0))
        out.append(SampleInput(x, -1.0, 1.0, desc=f"both bounds, shape {s}"))
    x = make((2, 3), dtype, -3, 3, seed=9, avoid=(-1.0, 1.0, 0.5))
    out.append(SampleInput(x, kwargs=dict(min=-1.0), desc="min only"))
    out.append(SampleInput(x, kwargs=dict(max=0.5), desc="max only"))
    out.append(SampleInput(x, kwargs=dict(min=-1.0, max=0.5), desc="keywords"))
    out.append(SampleInput(special(dtype), -1.0, 1.0, desc="inf, nan", smooth=False))
    out.append(SampleInput(x, make((2, 3), dtype, -1.5, -0.5, seed=10), make((3,), dtype, 0.5, 1.5, seed=11),
                           desc="tensor bounds (broadcast), differentiated"))
    return out


register(OpInfo("clip", op=rg.clip, ref=torch.clamp, method="clip", samples=_clip_samples))
register(OpInfo("clamp", op=rg.clip, ref=torch.clamp, method="clamp", samples=_clip_samples))


def _where_samples(dtype):
    shapes = [((), (), ()), ((3,), (3,), (3,)), ((2, 3), (3,), (2, 1)), ((2, 1), (), (1, 3)),
              ((0, 2), (2,), ()), ((1,), (2, 2), (2, 2))]
    out = []
    for i, (sc, sx, sy) in enumerate(shapes):
        c = rg_bool(sc, i)
        out.append(SampleInput(c, make(sx, dtype, seed=i), make(sy, dtype, seed=50 + i),
                               desc=f"{sc}, {sx}, {sy}"))
    c = rg_bool((2, 2), 9)
    out.append(SampleInput(c, make((2, 2), dtype, seed=9), 0.0, desc="tensor and a Python number"))
    return out


def rg_bool(shape, seed):
    """A deterministic boolean array of ``shape``."""
    return np.asarray(make(shape, np.float64, seed=seed) > 0)


register(OpInfo("where", op=rg.where, ref=lambda c, x, y: torch.where(c, x, _t(y, x)), samples=_where_samples))


# ----- comparisons (not differentiable: boolean results) --------------------------------------------
for _name, _cmp in [("lt", operator.lt), ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge),
                    ("eq", operator.eq), ("ne", operator.ne)]:
    register(OpInfo(_name, op=_cmp, ref=_cmp, samples=binary_samples(low=-1, high=1, no_ties=False),
                    differentiable=False))
