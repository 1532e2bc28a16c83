"""Issue 13's maths: elementwise functions, rounding and remainders, std, prod, scans, sorting,
norms, einsum, tensordot, mm, bmm, outer, sum(dtype=), argmax/argmin with keepdim."""

from __future__ import annotations

import math

import numpy as np
import torch

import retrograd as rg

from .core import OPS, OpInfo, SampleInput, binary_samples, make, register, unary_samples

_FIRST = len(OPS)


def _s(shapes_args, low=-2.0, high=2.0, distinct=False, avoid=(), **common):
    """samples(dtype) from ``[(shape, args, kwargs), ...]``: the first argument is a float array."""
    def samples(dtype):
        return [SampleInput(make(shape, dtype, low, high, seed=i, distinct=distinct, avoid=avoid), *args, kwargs=kw,
                            desc=f"{shape} {args} {kw}", **common)
                for i, (shape, args, kw) in enumerate(shapes_args)]
    return samples


# ----- elementwise ---------------------------------------------------------------------------
UNARY = [  # name, low, high, avoid
    ("log1p", -0.8, 2.0, ()), ("expm1", -2.0, 2.0, ()), ("log2", 0.2, 3.0, ()), ("log10", 0.2, 3.0, ()),
    ("exp2", -2.0, 2.0, ()), ("rsqrt", 0.2, 3.0, ()), ("square", -2.0, 2.0, ()), ("reciprocal", -2.0, 2.0, (0.0,)),
    ("sinh", -2.0, 2.0, ()), ("cosh", -2.0, 2.0, ()), ("asin", -0.9, 0.9, ()), ("acos", -0.9, 0.9, ()),
    ("atan", -2.0, 2.0, ()), ("erf", -2.0, 2.0, ()),
]
for _name, _lo, _hi, _avoid in UNARY:
    register(OpInfo(_name, op=getattr(rg, _name), ref=getattr(torch, _name), method=_name,
                    samples=unary_samples(_lo, _hi, avoid=_avoid)))
for _name in ("arcsin", "arccos", "arctan"):
    register(OpInfo(_name, op=getattr(rg, _name), ref=getattr(torch, _name), method=_name,
                    samples=unary_samples(-0.9, 0.9, extremes=False)))

# Rounding: piecewise constant, gradient 0 (PyTorch's convention); values kept away from the jumps.
for _name in ("floor", "ceil", "trunc", "round", "sign"):
    register(OpInfo(_name, op=getattr(rg, _name), ref=getattr(torch, _name), method=_name,
                    samples=unary_samples(-3.0, 3.0, avoid=(-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5,
                                                           2.0, 2.5, 3.0))))
register(OpInfo("round_decimals", op=rg.round, ref=torch.round, method="round",
                samples=_s([((3,), (), dict(decimals=1)), ((2, 2), (), dict(decimals=2))], low=0.013, high=0.041)))

for _name in ("atan2", "arctan2", "hypot", "logaddexp"):
    register(OpInfo(_name, op=getattr(rg, _name), ref=getattr(torch, _name), method=_name,
                    samples=binary_samples(low=0.3, high=2.0, scalars=False)))


def _remainder_samples(dtype):
    a = make((2, 3), dtype, -5.0, 5.0, seed=1, avoid=(-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0))
    b = np.asarray(np.where(np.arange(3) % 2, 1.5, -2.0), dtype)
    return [SampleInput(a, b, desc="broadcast, both signs"),
            SampleInput(make((3,), dtype, 0.1, 2.9, seed=2), 3.0, desc="a Python number")]


register(OpInfo("remainder", op=rg.remainder, ref=torch.remainder, method="remainder", samples=_remainder_samples,
                aliases=(lambda a, b: a % b,)))
register(OpInfo("fmod", op=rg.fmod, ref=torch.fmod, method="fmod", samples=_remainder_samples))
# PyTorch has no derivative for floor_divide (retrograd gives 0, as for div(rounding_mode="floor")).
register(OpInfo("floor_divide", op=rg.floor_divide, ref=torch.floor_divide, method="floor_divide",
                samples=_remainder_samples, aliases=(lambda a, b: a // b,), differentiable=False))
register(OpInfo("div_trunc", op=lambda a, b: rg.div(a, b, rounding_mode="trunc"),
                ref=lambda a, b: torch.div(a, b, rounding_mode="trunc"),
                method=lambda a, b: a.div(b, rounding_mode="trunc"), samples=_remainder_samples))
register(OpInfo("div_method", op=rg.div, ref=torch.div, method="div", samples=binary_samples(low_b=0.5, high_b=2.0),
                aliases=(rg.divide, rg.true_divide, lambda a, b: a.divide(b) if isinstance(a, rg.Tensor) else rg.divide(a, b)),
                covers=("Tensor.divide",)))
register(OpInfo("div_floor", op=lambda a, b: rg.div(a, b, rounding_mode="floor"),
                ref=lambda a, b: torch.div(a, b, rounding_mode="floor"), samples=_remainder_samples))


def _lerp_samples(dtype):
    return [SampleInput(make((2, 3), dtype, seed=1), make((2, 3), dtype, seed=2), make((3,), dtype, seed=3)),
            SampleInput(make((3,), dtype, seed=4), make((2, 3), dtype, seed=5), 0.3, desc="a number weight")]


register(OpInfo("lerp", op=rg.lerp, ref=torch.lerp, method="lerp", samples=_lerp_samples))

# ----- reductions and scans ------------------------------------------------------------------
def _std_ref(x, *args, ddof=None, axis=None, keepdims=None, **kw):
    """torch.std, with NumPy's ddof=/axis=/keepdims= spelled in PyTorch's words."""
    for theirs, v in (("correction", ddof), ("dim", axis), ("keepdim", keepdims)):
        if v is not None:
            kw[theirs] = v
    return torch.std(x, *args, **kw)


# PyTorch's default is the unbiased estimate (correction=1); NumPy's ddof= is another name of correction
register(OpInfo("std", op=rg.std, ref=_std_ref, method="std", axis_kwargs=("dim",),
                samples=_s([((2, 3), (), dict(dim=1, correction=1)), ((4,), (), dict(correction=0)),
                            ((2, 3, 2), (), dict(dim=(0, 2), keepdim=True, correction=1)),
                            ((3, 4), (), {}), ((3, 4), (1,), {}), ((3, 4), (0, False), {}),
                            ((3, 4), (1, True, True), {}), ((3, 4), (False,), {}),
                            ((3, 4), (), dict(unbiased=False)), ((3, 4), (), dict(axis=1, ddof=0)),
                            ((2, 5), (), dict(dim=-1, correction=2))])))
register(OpInfo("prod", op=rg.prod, ref=torch.prod, method="prod", axis_kwargs=(1,),
                samples=_s([((2, 3), (1,), {}), ((3, 2), (0,), dict(keepdim=True)), ((2, 2), (), {}), ((), (), {}),
                            ((2, 0), (1,), {}), ((3,), (-1,), {})])))


def _prod_zero(dtype):
    x = make((2, 4), dtype, seed=1)
    x[0, 1] = 0
    x[1, 0] = x[1, 2] = 0
    return [SampleInput(x, 1, desc="one zero, two zeros")]


register(OpInfo("prod_with_zeros", op=rg.prod, ref=torch.prod, samples=_prod_zero))
_SCANS = [((2, 3), (1,), {}), ((4,), (0,), {}), ((3, 2), (-2,), {}), ((), (0,), {}), ((2, 0), (1,), {})]
register(OpInfo("cumsum", op=rg.cumsum, ref=torch.cumsum, method="cumsum", axis_kwargs=(1,), samples=_s(_SCANS)))
register(OpInfo("cumprod", op=rg.cumprod, ref=torch.cumprod, method="cumprod", axis_kwargs=(1,), samples=_s(_SCANS)))


def _cumprod_zero(dtype):
    x = make((2, 4), dtype, seed=1)
    x[0, 1] = 0
    x[1, 0] = x[1, 2] = 0
    return [SampleInput(x, 1, desc="one zero, two zeros")]


register(OpInfo("cumprod_with_zeros", op=rg.cumprod, ref=torch.cumprod, samples=_cumprod_zero))
register(OpInfo("logcumsumexp", op=rg.logcumsumexp, ref=torch.logcumsumexp, method="logcumsumexp", axis_kwargs=(1,),
                samples=_s(_SCANS)))


def _lcse_far(dtype):
    return [SampleInput(np.array([-1000.0, 0.0, 1000.0, 999.0], dtype), 0, desc="far apart: no overflow")]


register(OpInfo("logcumsumexp_far", op=rg.logcumsumexp, ref=torch.logcumsumexp, samples=_lcse_far,
                supports_gradgrad=False))
register(OpInfo("cummax", op=rg.cummax, ref=torch.cummax, method="cummax", axis_kwargs=(1,),
                samples=_s([((2, 4), (1,), {}), ((5,), (0,), {}), ((), (0,), {})])))
register(OpInfo("cummin", op=rg.cummin, ref=torch.cummin, method="cummin", axis_kwargs=(1,),
                samples=_s([((2, 4), (1,), {}), ((3, 2), (0,), {})])))


def _cummax_ties(dtype):
    return [SampleInput(np.array([1.0, 3.0, 3.0, 2.0, 3.0, 5.0], dtype), 0, smooth=False)]


register(OpInfo("cummax_ties", op=lambda x, d: rg.cummax(x, d).indices, ref=lambda x, d: torch.cummax(x, d).indices,
                samples=_cummax_ties, differentiable=False))

# ----- sorting -------------------------------------------------------------------------------
_SORTS = [((2, 4), (), {}), ((5,), (), dict(descending=True)), ((3, 2), (0,), {}), ((2, 3), (-1, True), {}),
          ((), (), {}), ((0, 3), (1,), {})]
register(OpInfo("sort", op=rg.sort, ref=torch.sort, method="sort", axis_kwargs=(1,), samples=_s(_SORTS, distinct=True)))
register(OpInfo("sort_indices", op=lambda *a, **k: rg.sort(*a, **k).indices,
                ref=lambda *a, **k: torch.sort(*a, **k).indices, differentiable=False,
                samples=_s(_SORTS, distinct=True)))


def _stable(dtype):
    x = np.array([[2.0, 1.0, 2.0, np.nan, 1.0, 3.0]], dtype)
    return [SampleInput(x, kwargs=dict(dim=-1, descending=d, stable=True)) for d in (False, True)]


register(OpInfo("sort_stable_nan", op=lambda *a, **k: rg.sort(*a, **k).indices,
                ref=lambda *a, **k: torch.sort(*a, **k).indices, samples=_stable, differentiable=False))
register(OpInfo("argsort", op=rg.argsort, ref=torch.argsort, method="argsort", differentiable=False, axis_kwargs=(1,),
                samples=_s(_SORTS, distinct=True)))
register(OpInfo("topk", op=rg.topk, ref=torch.topk, method="topk", axis_kwargs=("dim",),
                samples=_s([((2, 5), (2,), {}), ((6,), (3,), dict(largest=False)), ((3, 2), (1,), dict(dim=0)),
                            ((4,), (0,), {})], distinct=True)))
register(OpInfo("topk_indices", op=lambda *a, **k: rg.topk(*a, **k).indices,
                ref=lambda *a, **k: torch.topk(*a, **k).indices, differentiable=False,
                samples=_s([((2, 5), (2,), {}), ((6,), (3,), dict(largest=False))], distinct=True)))
register(OpInfo("kthvalue", op=rg.kthvalue, ref=torch.kthvalue, method="kthvalue", axis_kwargs=(2,),
                samples=_s([((2, 5), (2,), {}), ((6,), (1,), {}), ((3, 2), (3, 0, True), {})], distinct=True)))
register(OpInfo("median", op=rg.median, ref=torch.median, method="median",
                samples=_s([((2, 5), (), {}), ((6,), (), {}), ((), (), {})], distinct=True)))
register(OpInfo("median_dim", op=rg.median, ref=torch.median, method="median", axis_kwargs=(1,),
                samples=_s([((2, 5), (1,), {}), ((4, 3), (0, True), {}), ((3,), (-1,), {})], distinct=True)))


def _median_nan(dtype):
    return [SampleInput(np.array([1.0, np.nan, 3.0], dtype), smooth=False),
            SampleInput(np.array([[1.0, np.nan, 3.0], [2.0, 0.0, 1.0]], dtype), 1, smooth=False, check_grad=False,
                        desc="values only: PyTorch does not say which NaN it returns")]


register(OpInfo("median_nan", op=lambda *a: rg.median(*a) if len(a) == 1 else rg.median(*a).values,
                ref=lambda *a: torch.median(*a) if len(a) == 1 else torch.median(*a).values, samples=_median_nan,
                supports_jvp=False, supports_gradgrad=False))

# ----- norms ---------------------------------------------------------------------------------
_P = [((4,), (), {}), ((2, 3), (1,), {}), ((2, 3), (3,), dict(dim=1)), ((2, 3), (math.inf,), dict(dim=0)),
      ((2, 3), (-math.inf,), {}), ((2, 3), (2,), dict(dim=(0, 1), keepdim=True)), ((3,), (0.5,), {})]
register(OpInfo("norm", op=rg.norm, ref=torch.norm, method="norm", samples=_s(_P, low=0.3, high=2.0, distinct=True),
                axis_kwargs=("dim",)))
register(OpInfo("linalg_vector_norm", op=rg.linalg.vector_norm, ref=torch.linalg.vector_norm, axis_kwargs=("dim",),
                samples=_s([((4,), (), {}), ((2, 3), (1,), dict(dim=-1)), ((2, 3), (0,), {}),
                            ((2, 2, 2), (3,), dict(dim=(0, 2), keepdim=True))], distinct=True)))
register(OpInfo("linalg_matrix_norm", op=rg.linalg.matrix_norm, ref=torch.linalg.matrix_norm,
                samples=_s([((3, 3), (), {}), ((2, 3), (1,), {}), ((2, 3), (-1,), {}), ((2, 2, 3), (math.inf,), {}),
                            ((3, 2), (-math.inf,), dict(keepdim=True))], distinct=True)))
register(OpInfo("linalg_norm", op=rg.linalg.norm, ref=torch.linalg.norm,
                samples=_s([((4,), (), {}), ((2, 3), (), {}), ((2, 3), (1,), {}), ((2, 3), (), dict(dim=1)),
                            ((2, 3, 2), ("fro",), dict(dim=(0, 2)))], distinct=True)))


def _norm_at_zero(dtype):
    return [SampleInput(np.zeros(3, dtype), desc="2-norm of 0: gradient 0, not nan", smooth=False),
            SampleInput(np.array([[0.0, 0.0], [1.0, 2.0]], dtype), kwargs=dict(dim=1), smooth=False)]


register(OpInfo("norm_at_zero", op=rg.norm, ref=torch.norm, samples=_norm_at_zero, supports_jvp=False,
                supports_gradgrad=False))

# ----- products ------------------------------------------------------------------------------
EINSUMS = [("ij,jk->ik", (2, 3), (3, 4)), ("bij,bjk->bik", (2, 2, 3), (2, 3, 2)), ("i,i->", (3,), (3,)),
           ("ij->ji", (2, 3)), ("ii->i", (3, 3)), ("ii", (3, 3)), ("ij,kj", (2, 3), (4, 3)), ("i,j->ij", (2,), (3,)),
           ("...ij,...jk->...ik", (2, 2, 3), (3, 2)), ("bi,bi->b", (2, 3), (1, 3)), ("ij->", (2, 3)),
           ("iij->j", (2, 2, 3)), ("ij,jk,kl->il", (2, 3), (3, 2), (2, 2)), ("i...->...", (2, 3, 1))]


def _einsum_samples(dtype):
    return [SampleInput(eq, *[make(s, dtype, seed=10 * i + k) for k, s in enumerate(shapes)], desc=eq)
            for i, (eq, *shapes) in enumerate(EINSUMS)]


register(OpInfo("einsum", op=rg.einsum, ref=torch.einsum, samples=_einsum_samples))


def _tensordot_samples(dtype):
    return [SampleInput(make((2, 3), dtype, seed=1), make((3, 4), dtype, seed=2), kwargs=dict(dims=1)),
            SampleInput(make((2, 3, 4), dtype, seed=3), make((3, 4, 2), dtype, seed=4)),
            SampleInput(make((2, 3), dtype, seed=5), make((3, 2), dtype, seed=6), kwargs=dict(dims=([0, 1], [1, 0]))),
            SampleInput(make((2,), dtype, seed=7), make((3,), dtype, seed=8), kwargs=dict(dims=0))]


register(OpInfo("tensordot", op=rg.tensordot, ref=torch.tensordot, samples=_tensordot_samples))
register(OpInfo("mm", op=rg.mm, ref=torch.mm, method="mm",
                samples=lambda d: [SampleInput(make((2, 3), d, seed=1), make((3, 4), d, seed=2)),
                                   SampleInput(make((0, 3), d, seed=3), make((3, 2), d, seed=4))]))
register(OpInfo("bmm", op=rg.bmm, ref=torch.bmm, method="bmm",
                samples=lambda d: [SampleInput(make((2, 2, 3), d, seed=1), make((2, 3, 4), d, seed=2))]))
register(OpInfo("outer", op=rg.outer, ref=torch.outer, method="outer",
                samples=lambda d: [SampleInput(make((2,), d, seed=1), make((3,), d, seed=2)),
                                   SampleInput(make((0,), d, seed=3), make((3,), d, seed=4))]))

# ----- keywords added to existing reductions -------------------------------------------------
_TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}
register(OpInfo("sum_dtype", op=rg.sum, ref=lambda x, dtype, **k: torch.sum(x, dtype=_TORCH_DTYPE[dtype], **k),
                method="sum",
                samples=lambda d: [SampleInput(make((2, 3), d, seed=1), kwargs=dict(dtype=np.float64)),
                                   SampleInput(make((2, 3), d, seed=2), kwargs=dict(dim=1, dtype=np.float32))],
                # The finite differences are taken in float64 while the output is forced to a dtype.
                skips={"jvp": "the output dtype is fixed by dtype=, not by the input"}))
register(OpInfo("argmax_keepdim", op=rg.argmax, ref=torch.argmax, method="argmax", differentiable=False,
                axis_kwargs=("dim",),
                samples=_s([((2, 3), (), dict(dim=1, keepdim=True)), ((2, 3), (), dict(dim=0, keepdim=False))],
                           distinct=True)))
register(OpInfo("argmin_keepdim", op=rg.argmin, ref=torch.argmin, method="argmin", differentiable=False,
                samples=_s([((2, 3), (), dict(dim=-1, keepdim=True))], distinct=True)))

NAMES = [o.name for o in OPS[_FIRST:]]  # this family's entries (tests/test_breadth_jacobians.py)
