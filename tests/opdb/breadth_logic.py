"""Issue 13's boolean and integer functions: & | ^ ~ on bool and int tensors, logical_*, isnan,
isinf, isfinite, isclose, any, all, nan_to_num, and integer // % (not differentiable)."""

from __future__ import annotations

import numpy as np
import torch

import retrograd as rg

from .core import OPS, OpInfo, SampleInput, make, register, special

_FIRST = len(OPS)

B1 = np.array([[True, False, True], [False, False, True]])
B2 = np.array([True, True, False])
I1 = np.array([[5, -3, 0], [7, 2, -8]])
I2 = np.array([3, -2, 1])


def _logic_samples(dtype):
    return [SampleInput(B1, B2, desc="bool, broadcast"), SampleInput(I1, I2, desc="int64, broadcast"),
            SampleInput(I1, 6, desc="int with a Python int"), SampleInput(np.array(True), B2, desc="0-d")]


for _name, _sym in (("bitwise_and", "__and__"), ("bitwise_or", "__or__"), ("bitwise_xor", "__xor__")):
    register(OpInfo(_name, op=getattr(rg, _name), ref=getattr(torch, _name), method=_name,
                    aliases=((lambda s: lambda a, b: getattr(a, s)(b))(_sym),), samples=_logic_samples,
                    differentiable=False))
register(OpInfo("bitwise_not", op=rg.bitwise_not, ref=torch.bitwise_not, method="bitwise_not",
                aliases=(lambda a: ~a,), differentiable=False,
                samples=lambda d: [SampleInput(B1), SampleInput(I1), SampleInput(np.array(False))]))


def _mixed(dtype):
    return [SampleInput(make((2, 3), dtype, seed=1), make((3,), dtype, seed=2)),
            SampleInput(np.array([0.0, 1.0, 0.0], dtype), np.array([1.0, 1.0, 0.0], dtype)),
            SampleInput(I1, B2)]


for _name in ("logical_and", "logical_or", "logical_xor"):
    register(OpInfo(_name, op=getattr(rg, _name), ref=getattr(torch, _name), method=_name, samples=_mixed,
                    differentiable=False))
register(OpInfo("logical_not", op=rg.logical_not, ref=torch.logical_not, method="logical_not", differentiable=False,
                samples=lambda d: [SampleInput(special(d)), SampleInput(I1), SampleInput(B1)]))
for _name in ("isnan", "isinf", "isfinite"):
    register(OpInfo(_name, op=getattr(rg, _name), ref=getattr(torch, _name), method=_name, differentiable=False,
                    samples=lambda d: [SampleInput(special(d)), SampleInput(make((2, 0), d)), SampleInput(make((), d))]))


def _close(dtype):
    x = make((2, 3), dtype, seed=1)
    y = x + np.asarray([[0.0, 1e-9, 1e-3], [np.nan, 0.0, 1.0]], dtype)
    return [SampleInput(x, y), SampleInput(x, y, kwargs=dict(rtol=1e-2, atol=1e-3)),
            SampleInput(special(dtype), special(dtype), kwargs=dict(equal_nan=True))]


register(OpInfo("isclose", op=rg.isclose, ref=torch.isclose, method="isclose", samples=_close, differentiable=False))


def _anyall(dtype):
    return [SampleInput(B1), SampleInput(B1, 1), SampleInput(B1, 0, True), SampleInput(I1, -1),
            SampleInput(make((2, 3), dtype, seed=1), kwargs=dict(dim=0)), SampleInput(np.zeros((0, 2), bool), 0),
            SampleInput(np.array(True))]


register(OpInfo("any", op=rg.any, ref=torch.any, method="any", samples=_anyall, differentiable=False, axis_kwargs=(1, "dim")))
register(OpInfo("all", op=rg.all, ref=torch.all, method="all", samples=_anyall, differentiable=False, axis_kwargs=(1, "dim")))


def _nan_to_num(dtype):
    return [SampleInput(special(dtype), smooth=False), SampleInput(special(dtype), 1.5, 9.0, -9.0, smooth=False),
            SampleInput(make((2, 3), dtype, seed=1), desc="finite: the identity")]


register(OpInfo("nan_to_num", op=rg.nan_to_num, ref=torch.nan_to_num, method="nan_to_num", samples=_nan_to_num))


def _int_division(dtype):
    return [SampleInput(I1, I2), SampleInput(I1, 4), SampleInput(-7, I2)]


register(OpInfo("floor_divide_int", op=lambda a, b: a // b, ref=lambda a, b: a // b, samples=_int_division,
                differentiable=False))
register(OpInfo("remainder_int", op=lambda a, b: a % b, ref=lambda a, b: a % b, samples=_int_division,
                differentiable=False))
register(OpInfo("div_trunc_int", op=lambda a, b: rg.div(a, b, rounding_mode="trunc"),
                ref=lambda a, b: torch.div(a, b, rounding_mode="trunc"), samples=_int_division, differentiable=False))
register(OpInfo("fmod_int", op=rg.fmod, ref=torch.fmod, samples=lambda d: _int_division(d)[:2], differentiable=False))

NAMES = [o.name for o in OPS[_FIRST:]]  # this family's entries (tests/test_breadth_jacobians.py)
