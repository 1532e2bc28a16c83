"""Issue 13, ports of PyTorch scripts: comparison functions and methods, ``view_as``/``reshape_as``,
``new_*``, ``t``, ``select``, ``unbind``, ``dot``, ``clamp_min``/``clamp_max`` and the method
spellings of arithmetic (``add(alpha=)``, ``sub``, ``mul``, ``neg``, ``where``, ``swapaxes``)."""

from __future__ import annotations

import numpy as np
import torch

import retrograd as rg

from .core import OpInfo, SampleInput, binary_samples, make, register

# ----- comparisons: function and method forms (boolean results, no gradient) ---------------------
for _name, _aliases in [("eq", ()), ("ne", ("not_equal",)), ("lt", ("less",)), ("le", ("less_equal",)),
                        ("gt", ("greater",)), ("ge", ("greater_equal",))]:
    register(OpInfo(f"{_name} (function)", op=getattr(rg, _name), ref=getattr(torch, _name), method=_name,
                    aliases=tuple(getattr(rg, a) for a in _aliases),
                    covers=tuple(f"Tensor.{a}" for a in _aliases),
                    samples=binary_samples(low=-1, high=1, scalars=False), differentiable=False))


def _as_samples(dtype):
    return [SampleInput(make((2, 6), dtype, seed=1), make((3, 4), dtype, seed=2), grad_args=(0,)),
            SampleInput(make((4,), dtype, seed=3), make((2, 1, 2), dtype, seed=4), grad_args=(0,)),
            SampleInput(make((), dtype, seed=5), make((1, 1), dtype, seed=6), grad_args=(0,), desc="0-d"),
            SampleInput(make((0, 3), dtype, seed=7), make((3, 0), dtype, seed=8), grad_args=(0,), desc="empty")]


# method-only names: ``op`` is the function spelling (it also runs on plain arrays and under rg.jit);
# ``method`` is the name under test
register(OpInfo("view_as", op=lambda x, other: rg.reshape(x, tuple(other.shape)),
                ref=lambda x, other: x.view_as(other), method="view_as", samples=_as_samples))
register(OpInfo("reshape_as", op=lambda x, other: rg.reshape(x, tuple(other.shape)),
                ref=lambda x, other: x.reshape_as(other), method="reshape_as", samples=_as_samples))


def _new_samples(dtype):
    return [SampleInput(make((2,), dtype, seed=1), 2, 3), SampleInput(make((2,), dtype, seed=2), (0, 4)),
            SampleInput(make((2,), dtype, seed=3), 3, kwargs=dict(dtype=torch.int64), desc="dtype=")]


def _rg_kwargs(kw):
    return {k: (rg.int64 if v is torch.int64 else v) for k, v in kw.items()}


for _new in ("new_zeros", "new_ones", "new_empty"):
    register(OpInfo(_new, op=lambda x, *s, _n=_new, **kw: getattr(x, _n)(*s, **_rg_kwargs(kw)),
                    ref=lambda x, *s, _n=_new, **kw: getattr(x, _n)(*s, **kw).zero_() if _n == "new_empty"
                    else getattr(x, _n)(*s, **kw),
                    method=lambda x, *s, _n=_new, **kw: getattr(x, _n)(*s, **_rg_kwargs(kw)),
                    covers=(f"Tensor.{_new}",), samples=_new_samples, differentiable=False))
register(OpInfo("new_full", op=lambda x, size, v: x.new_full(size, v), ref=lambda x, size, v: x.new_full(size, v),
                method=lambda x, size, v: x.new_full(size, v), covers=("Tensor.new_full",), differentiable=False,
                samples=lambda dtype: [SampleInput(make((2,), dtype, seed=1), (2, 3), 1.5),
                                       SampleInput(make((2,), dtype, seed=2), (0,), 2.0, desc="empty")]))
register(OpInfo("new_tensor", op=lambda x, data: x.new_tensor(data), ref=lambda x, data: x.new_tensor(data),
                method=lambda x, data: x.new_tensor(data), covers=("Tensor.new_tensor",), differentiable=False,
                samples=lambda dtype: [SampleInput(make((2,), dtype, seed=1), [1, 2, 3]),
                                       SampleInput(make((2,), dtype, seed=2), [[0.5], [2.5]])]))

register(OpInfo("t", op=lambda x: rg.transpose(x) if len(x.shape) == 2 else x, ref=lambda x: x.t(), method="t",
                samples=lambda dtype: [SampleInput(make((2, 3), dtype, seed=1)), SampleInput(make((4,), dtype, seed=2)),
                                       SampleInput(make((), dtype, seed=3)), SampleInput(make((0, 2), dtype))]))
register(OpInfo("select", op=rg.select, ref=torch.select, method="select", axis_kwargs=(1,),
                samples=lambda dtype: [SampleInput(make((2, 3), dtype, seed=1), 1, -1),
                                       SampleInput(make((2, 3, 2), dtype, seed=2), 0, 1),
                                       SampleInput(make((3,), dtype, seed=3), -1, 2, desc="to 0-d")]))
register(OpInfo("unbind", op=lambda *a: rg.stack(rg.unbind(*a)), ref=lambda *a: torch.stack(torch.unbind(*a)),
                method=lambda x, *a: rg.stack(x.unbind(*a)), covers=("Tensor.unbind",),
                axis_kwargs=(1,),
                samples=lambda dtype: [SampleInput(make((2, 3), dtype, seed=1)), SampleInput(make((2, 3), dtype, seed=2), 1),
                                       SampleInput(make((2, 1, 2), dtype, seed=3), -2)]))
register(OpInfo("dot", op=rg.dot, ref=torch.dot, method="dot",
                samples=lambda dtype: [SampleInput(make((3,), dtype, seed=1), make((3,), dtype, seed=2)),
                                       SampleInput(make((0,), dtype), make((0,), dtype), desc="empty"),
                                       SampleInput(make((1,), dtype, seed=3), make((1,), dtype, seed=4))]))
register(OpInfo("clamp_min", op=rg.clamp_min, ref=torch.clamp_min, method="clamp_min",
                samples=lambda dtype: [SampleInput(make((2, 3), dtype, seed=1, avoid=(0.1,)), 0.1),
                                       SampleInput(make((4,), dtype, seed=2, avoid=(-0.5,)), -0.5)]))
register(OpInfo("clamp_max", op=rg.clamp_max, ref=torch.clamp_max, method="clamp_max",
                samples=lambda dtype: [SampleInput(make((2, 3), dtype, seed=1, avoid=(0.1,)), 0.1),
                                       SampleInput(make((4,), dtype, seed=2, avoid=(-0.5,)), -0.5)]))

# ----- method spellings of arithmetic ------------------------------------------------------------
def _nonempty(samples):
    """The samples without size-0 operands (rg.jit's known size-0 gap is tracked on "mul" and "div")."""
    return lambda dtype: [s for s in samples(dtype) if all(np.size(a) for a in s.args)]


for _m in ("add", "sub"):
    register(OpInfo(f"Tensor.{_m}(alpha=)",
                    op=lambda x, y, _m=_m, alpha=1: x + y * alpha if _m == "add" else x - y * alpha,
                    ref=lambda x, y, _m=_m, **kw: getattr(x, _m)(y, **kw), method=_m,
                    covers=("Tensor.subtract",) if _m == "sub" else (),
                    samples=lambda dtype: [SampleInput(make((2, 3), dtype, seed=1), make((3,), dtype, seed=2)),
                                           SampleInput(make((2, 3), dtype, seed=3), make((2, 3), dtype, seed=4),
                                                       kwargs=dict(alpha=2.5)),
                                           SampleInput(make((2,), dtype, seed=5), 1.5, kwargs=dict(alpha=-2))]))
for _m, _covers in (("mul", ("Tensor.multiply",)), ("true_divide", ())):
    register(OpInfo(f"Tensor.{_m}", op=lambda x, y, _m=_m: x * y if _m == "mul" else x / y,
                    ref=lambda x, y, _m=_m: getattr(x, _m)(y),
                    method=_m, covers=_covers, samples=_nonempty(binary_samples(low=0.5, high=2.0, low_b=0.5,
                                                                                scalars=False, extremes=False))))
register(OpInfo("Tensor.neg", op=lambda x: -x, ref=lambda x: x.neg(), method="neg", covers=("Tensor.negative",),
                samples=lambda dtype: [SampleInput(make((2, 3), dtype, seed=1)), SampleInput(make((), dtype, seed=2))]))
register(OpInfo("Tensor.where", op=lambda x, c, y: rg.where(c, x, y), ref=lambda x, c, y: x.where(c, y), method="where",
                samples=lambda dtype: [SampleInput(make((2, 3), dtype, seed=1), make((2, 3), np.float64, seed=2) > 0,
                                                   make((3,), dtype, seed=3))]))
register(OpInfo("Tensor.swapaxes", op=rg.swapaxes, ref=lambda x, a, b: x.swapaxes(a, b),
                method="swapaxes", covers=("Tensor.swapdims",),
                samples=lambda dtype: [SampleInput(make((2, 3, 4), dtype, seed=1), 0, -1),
                                       SampleInput(make((2, 3), dtype, seed=2), 1, 0)]))


def _mixed_dtype_samples(dtype):
    """Operands of another dtype (issue 13, PyTorch's promotion): 0-d float64 with dimensioned
    ``dtype`` (the result keeps ``dtype``), dimensioned float32 with float64, integer tensors."""
    other = np.float32 if dtype == np.float64 else np.float64
    return [SampleInput(make((2, 3), dtype, seed=1, low=0.5, high=2.0), make((), np.float64, seed=2, low=0.5, high=2.0),
                        desc="0-d float64 operand"),
            SampleInput(make((2, 3), dtype, seed=3, low=0.5, high=2.0), make((3,), other, seed=4, low=0.5, high=2.0),
                        desc="dimensioned operands of two float dtypes"),
            SampleInput(make((3,), dtype, seed=5, low=0.5, high=2.0), np.array([1, 2, 3], dtype=np.int64),
                        desc="an int64 tensor"),
            SampleInput(make((3,), dtype, seed=6, low=0.5, high=2.0), np.array(2, dtype=np.int32),
                        desc="a 0-d int32 tensor")]


register(OpInfo("type promotion (mixed dtypes)",
                op=lambda x, y: rg.maximum(x * y + x / y - y ** 2, y) + rg.where(x > y, x, y),
                ref=lambda x, y: torch.maximum(x * y + x / y - y ** 2, y.to(torch.result_type(x, y)))
                + torch.where(x > y, x, y),
                method=None, covers=(), samples=_mixed_dtype_samples,
                skips={"jvp": "finite differences through a float32 operand (or output) are too coarse here; "
                              "values, vjp, jit and vmap are compared with PyTorch and eager",
                       "gradgrad": "the same: a float32 operand in every dtype's samples"}))
