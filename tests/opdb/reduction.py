"""Reductions and normalisations: sum, mean, max, min, var, logsumexp, softmax, log_softmax,
argmax, argmin. NumPy's ``axis``/``keepdims`` and PyTorch's ``dim``/``keepdim`` are both tried."""

from __future__ import annotations

import numpy as np
import torch

import retrograd as rg

from .core import OpInfo, SampleInput, make, register, special


def _dim(axis=None, keepdims=False, dim=None, keepdim=None):
    return (axis if dim is None else dim), bool(keepdims if keepdim is None else keepdim)


def _torch_reduce(fn, all_fn=None):
    """A torch reduction called with retrograd's keywords (``axis=None`` reduces everything)."""
    def ref(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
        d, k = _dim(axis, keepdims, dim, keepdim)
        if d is None:
            out = (all_fn or fn)(x) if all_fn or x.ndim else fn(x)
            if all_fn is None and x.ndim:
                out = fn(x, dim=tuple(range(x.ndim)))
            return out.reshape((1,) * x.ndim) if k else out
        return fn(x, dim=d, keepdim=k)
    return ref


def reduction_samples(distinct=False, empty=True, extremes=None):
    """Samples for a reduction: every axis spelling, keepdims both ways, 0-d, size-1 and size-0 axes."""
    def samples(dtype):
        def x(shape, seed=0):
            return make(shape, dtype, seed=seed, distinct=distinct)
        out = [
            SampleInput(x(()), desc="0-d, all axes"),
            SampleInput(x(()), kwargs=dict(axis=0), desc="0-d, axis 0"),
            SampleInput(x(()), kwargs=dict(dim=-1, keepdim=True), desc="0-d, dim -1"),
            SampleInput(x((4,)), desc="vector"),
            SampleInput(x((2, 3), 1), kwargs=dict(axis=1), desc="rows"),
            SampleInput(x((2, 3), 2), kwargs=dict(axis=-2, keepdims=True), desc="negative axis, keepdims"),
            SampleInput(x((2, 3, 2), 3), kwargs=dict(axis=(0, 2)), desc="tuple of axes"),
            SampleInput(x((2, 3, 2), 4), kwargs=dict(dim=(-1, 0), keepdim=True), desc="dim tuple, keepdim"),
            SampleInput(x((2, 1, 3), 5), kwargs=dict(axis=1), desc="size-1 axis"),
            SampleInput(x((2, 3), 6), kwargs=dict(keepdims=True), desc="all axes, keepdims"),
        ]
        if empty:
            out += [SampleInput(x((2, 0), 7), kwargs=dict(axis=1), desc="size-0 axis"),
                    SampleInput(x((0, 3), 8), kwargs=dict(axis=1), desc="size-0 other axis")]
        if extremes is not None:
            out.append(SampleInput(special(dtype, extremes).reshape(-1, 1).repeat(2, 1).T.copy(),
                                   kwargs=dict(axis=1), desc="inf, nan", smooth=False))
        return out
    return samples


_SPECIALS = (np.inf, -np.inf, 1.0, 0.5)
register(OpInfo("sum", op=rg.sum, ref=_torch_reduce(torch.sum), method="sum",
                samples=reduction_samples(extremes=_SPECIALS), axis_kwargs=("axis", "dim")))
register(OpInfo("mean", op=rg.mean, ref=_torch_reduce(torch.mean), method="mean",
                samples=reduction_samples(extremes=_SPECIALS), axis_kwargs=("axis", "dim")))
register(OpInfo("amax", op=rg.amax, ref=_torch_reduce(torch.amax), method="amax",
                samples=reduction_samples(distinct=True, empty=False), axis_kwargs=("axis", "dim")))
register(OpInfo("amin", op=rg.amin, ref=_torch_reduce(torch.amin), method="amin",
                samples=reduction_samples(distinct=True, empty=False), axis_kwargs=("axis", "dim")))


def _values(result):
    """``max(dim)`` returns ``(values, indices)`` (PyTorch); the other forms return values."""
    return result.values if isinstance(result, tuple) else result


def _torch_max_min(values_of_dim, all_fn):
    """PyTorch's max/min called with retrograd's keywords: an int ``dim`` gives (values, indices)."""
    reduce = _torch_reduce(all_fn)

    def ref(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
        if isinstance(dim, int):
            return values_of_dim(x, dim, bool(keepdim)).values
        return reduce(x, axis, keepdims, dim=dim, keepdim=keepdim)
    return ref


# rg.max(x, axis=...) is NumPy's (values); rg.max(x, dim=int) is PyTorch's (values, indices),
# with the gradient on the selected element: both are compared here through their values (the
# indices are checked in tests/test_inplace.py).
register(OpInfo("max", op=lambda x, **kw: _values(rg.max(x, **kw)),
                ref=_torch_max_min(torch.max, torch.amax),
                method=lambda x, **kw: _values(x.max(**kw)), covers=("rg.max", "Tensor.max"),
                samples=reduction_samples(distinct=True, empty=False), axis_kwargs=("axis", "dim")))
register(OpInfo("min", op=lambda x, **kw: _values(rg.min(x, **kw)),
                ref=_torch_max_min(torch.min, torch.amin),
                method=lambda x, **kw: _values(x.min(**kw)), covers=("rg.min", "Tensor.min"),
                samples=reduction_samples(distinct=True, empty=False), axis_kwargs=("axis", "dim")))


def _ties(dtype):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], dtype=dtype)
    return [SampleInput(x, kwargs=dict(axis=1), desc="ties share the gradient", smooth=False),
            SampleInput(x, desc="ties over everything", smooth=False)]


def _extremes(values):
    def samples(dtype):
        x = np.array([values, values[::-1]], dtype=dtype)
        return [SampleInput(x, kwargs=dict(axis=1), desc="inf, nan", smooth=False),
                SampleInput(x, desc="inf, nan over everything", smooth=False)]
    return samples


register(OpInfo("max_inf_nan", op=rg.max, ref=_torch_reduce(torch.amax), method="max",
                samples=_extremes((np.inf, -np.inf, np.nan, 1.0)), supports_jvp=False, supports_gradgrad=False))
register(OpInfo("min_inf_nan", op=rg.min, ref=_torch_reduce(torch.amin), method="min",
                samples=_extremes((np.inf, -np.inf, 1.0, -np.inf)), supports_jvp=False, supports_gradgrad=False))


register(OpInfo("max_ties", op=rg.max, ref=_torch_reduce(torch.amax), method="max", samples=_ties,
                supports_jvp=False, supports_gradgrad=False))  # ties: no finite differences
register(OpInfo("min_ties", op=rg.min, ref=_torch_reduce(torch.amin), method="min", samples=_ties,
                supports_jvp=False, supports_gradgrad=False))  # ties: no finite differences


def _logsumexp_ref(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    d, k = _dim(axis, keepdims, dim, keepdim)
    if d is None:
        out = torch.logsumexp(x.reshape(-1), 0)
        return out.reshape((1,) * x.ndim) if k else out
    return torch.logsumexp(x, dim=d, keepdim=k)


register(OpInfo("logsumexp", op=rg.logsumexp, ref=_logsumexp_ref, method="logsumexp",
                samples=reduction_samples(extremes=(np.inf, -np.inf, 1000.0, -1000.0)),
                axis_kwargs=("axis", "dim")))


def _var_ref(x, dim=None, unbiased=None, keepdim=False, *, correction=None, ddof=None, axis=None,
             keepdims=None):
    d, k = (axis if dim is None else dim), bool(keepdim if keepdims is None else keepdims)
    if isinstance(d, bool):
        d, unbiased = None, d
    c = correction if correction is not None else ddof if ddof is not None else 1
    if unbiased is not None:
        c = int(unbiased)
    if d is None:
        out = torch.var(x.reshape(-1), correction=c)
        return out.reshape((1,) * x.ndim) if k else out
    return torch.var(x, dim=d, keepdim=k, correction=c)


def _var_samples(dtype):
    out = reduction_samples()(dtype)
    x = make((3, 4), dtype, seed=11)
    out += [SampleInput(x, kwargs=dict(axis=1, ddof=0), desc="NumPy's ddof"),
            SampleInput(x, 0, False, desc="positional dim and unbiased (PyTorch's overload)"),
            SampleInput(x, 1, True, True, desc="positional dim, unbiased, keepdim"),
            SampleInput(x, False, desc="var(unbiased) overload"),
            SampleInput(x, kwargs=dict(unbiased=False), desc="unbiased=False"),
            SampleInput(x, kwargs=dict(dim=0, correction=1, keepdim=True), desc="correction"),
            SampleInput(x, kwargs=dict(dim=(0, 1), correction=2), desc="correction 2"),
            SampleInput(make((2,), dtype, seed=12), kwargs=dict(correction=3), smooth=False, check_grad=False,
                        desc="correction > n: inf (its gradient is nan here, PyTorch's +-inf)"),
            SampleInput(make((0, 2), dtype), kwargs=dict(axis=0, correction=1), desc="empty axis: nan",
                        smooth=False)]
    return out


register(OpInfo("var", op=rg.var, ref=_var_ref, method="var", samples=_var_samples,
                axis_kwargs=("axis", "dim")))


def _softmax_samples(dtype):
    return [
        SampleInput(make((), dtype), kwargs=dict(axis=0), desc="0-d"),
        SampleInput(make((4,), dtype, seed=1), desc="vector, default axis"),
        SampleInput(make((2, 3), dtype, seed=2), kwargs=dict(axis=0), desc="axis 0"),
        SampleInput(make((2, 3, 2), dtype, seed=3), kwargs=dict(dim=-2), desc="dim -2"),
        SampleInput(make((2, 1), dtype, seed=4), kwargs=dict(axis=1), desc="size-1 axis"),
        SampleInput(make((0, 3), dtype, seed=5), kwargs=dict(axis=1), desc="size-0 batch"),
        SampleInput(make((2, 0), dtype, seed=6), kwargs=dict(axis=1), desc="size-0 axis"),
        SampleInput(np.array([[1000.0, -1000.0, 0.0], [-np.inf, 0.0, 1.0]], dtype), kwargs=dict(axis=1),
                    desc="large and -inf", smooth=False),
    ]


def _softmax_ref(fn):
    def ref(x, axis=-1, *, dim=None):
        return fn(x, dim=axis if dim is None else dim)
    return ref


register(OpInfo("softmax", op=rg.softmax, ref=_softmax_ref(torch.softmax), method="softmax",
                samples=_softmax_samples, axis_kwargs=("axis", "dim")))
register(OpInfo("log_softmax", op=rg.log_softmax, ref=_softmax_ref(torch.log_softmax), method="log_softmax",
                samples=_softmax_samples, axis_kwargs=("axis", "dim")))


def _arg_samples(dtype):
    def x(shape, seed=0):
        return make(shape, dtype, seed=seed, distinct=True)
    return [SampleInput(x(()), desc="0-d"), SampleInput(x(()), kwargs=dict(axis=0), desc="0-d, axis 0"),
            SampleInput(x((5,), 1), desc="vector"), SampleInput(x((2, 3), 2), desc="flattened"),
            SampleInput(x((2, 3), 3), kwargs=dict(axis=1), desc="rows"),
            SampleInput(x((2, 3, 2), 4), kwargs=dict(dim=-3), desc="dim -3"),
            SampleInput(x((2, 3), 5), kwargs=dict(axis=1, keepdims=True), desc="keepdims"),
            SampleInput(x((2, 3), 6), kwargs=dict(dim=0, keepdim=True), desc="keepdim"),
            SampleInput(x((2, 3), 7), kwargs=dict(keepdim=True), desc="flattened, keepdim"),
            SampleInput(x((), 8), kwargs=dict(dim=0, keepdim=True), desc="0-d, keepdim")]


def _arg_ref(fn):
    def ref(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
        d, k = _dim(axis, keepdims, dim, keepdim)
        return fn(x, keepdim=k) if d is None else fn(x, dim=d, keepdim=k)
    return ref


register(OpInfo("argmax", op=rg.argmax, ref=_arg_ref(torch.argmax), method="argmax", samples=_arg_samples,
                differentiable=False, axis_kwargs=("axis", "dim")))
register(OpInfo("argmin", op=rg.argmin, ref=_arg_ref(torch.argmin), method="argmin", samples=_arg_samples,
                differentiable=False, axis_kwargs=("axis", "dim")))
