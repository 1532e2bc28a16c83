"""Issue 13's indexing functions: gather, take_along_dim, scatter, scatter_add, scatter_reduce,
index_select, index_add, masked_fill, masked_select."""

from __future__ import annotations

import numpy as np
import torch

import retrograd as rg

from .core import OPS, OpInfo, SampleInput, make, register

_FIRST = len(OPS)

IDX = np.array([[0, 2, 1], [1, 3, 0]])  # no repeated position in a row: scatter is well defined
DUP = np.array([0, 2, 0, 1])
MASK = np.array([[True, False, True], [False, False, True]])


def _gather(dtype):
    return [SampleInput(make((2, 4), dtype, seed=1), 1, IDX),
            SampleInput(make((4, 2), dtype, seed=2), 0, IDX[:, :2]),
            SampleInput(make((3,), dtype, seed=3), -1, np.array([2, 2, 0, 1])),
            SampleInput(make((2, 3), dtype, seed=4), 1, np.zeros((2, 0), np.int64), desc="empty index")]


register(OpInfo("gather", op=rg.gather, ref=torch.gather, method="gather", samples=_gather, axis_kwargs=(1,)))


def _take(dtype):
    return [SampleInput(make((2, 3), dtype, seed=1), np.array([[2], [0]]), 1),
            SampleInput(make((2, 1), dtype, seed=2), np.array([[0, 1, 1, 0]]), 0, desc="broadcast"),
            SampleInput(make((2, 3), dtype, seed=3), np.array([5, 0, 0]), desc="flattened")]


register(OpInfo("take_along_dim", op=rg.take_along_dim, ref=torch.take_along_dim, method="take_along_dim",
                samples=_take, axis_kwargs=(2,)))


def _scatter(dtype):
    return [SampleInput(make((2, 4), dtype, seed=1), 1, IDX, make((2, 3), dtype, seed=2)),
            SampleInput(make((3, 3), dtype, seed=3), 0, np.array([[2, 0, 1]]), make((2, 3), dtype, seed=4),
                        desc="src larger than index (PyTorch's own backward rejects it: values only)",
                        check_grad=False),
            SampleInput(make((2, 4), dtype, seed=5), 1, IDX, 2.5, desc="a number")]


register(OpInfo("scatter", op=rg.scatter, ref=torch.scatter, method="scatter", samples=_scatter, axis_kwargs=(1,)))


def _scatter_add(dtype):
    return [SampleInput(make((2, 4), dtype, seed=1), 1, IDX, make((2, 3), dtype, seed=2)),
            SampleInput(make((3,), dtype, seed=3), 0, DUP, make((4,), dtype, seed=4), desc="repeated positions")]


register(OpInfo("scatter_add", op=rg.scatter_add, ref=torch.scatter_add, method="scatter_add",
                samples=_scatter_add, axis_kwargs=(1,)))


def _scatter_reduce(dtype):
    out = []
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            out.append(SampleInput(make((4,), dtype, seed=1, distinct=True), 0, DUP,
                                   make((4,), dtype, seed=2, distinct=True) + 0.01, reduce,
                                   kwargs=dict(include_self=include_self)))
            out.append(SampleInput(make((2, 4), dtype, seed=3, distinct=True), 1, IDX,
                                   make((2, 3), dtype, seed=4, distinct=True) + 0.01, reduce,
                                   kwargs=dict(include_self=include_self)))
    return out


def _scatter_reduce_int(dtype):
    x, src = np.array([3, -1, 2, 8]), np.array([5, -7, 4, 9])
    return [SampleInput(x, 0, DUP, src, reduce, kwargs=dict(include_self=inc))
            for reduce in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)]


register(OpInfo("scatter_reduce_int", op=rg.scatter_reduce, ref=torch.scatter_reduce, samples=_scatter_reduce_int,
                differentiable=False))
register(OpInfo("scatter_reduce", op=rg.scatter_reduce, ref=torch.scatter_reduce, method="scatter_reduce",
                samples=_scatter_reduce, axis_kwargs=(1,)))


def _index_select(dtype):
    return [SampleInput(make((2, 3), dtype, seed=1), 1, np.array([2, 0, 2])),
            SampleInput(make((3, 2), dtype, seed=2), 0, np.array([], np.int64)),
            SampleInput(make((4,), dtype, seed=3), -1, np.array([3]))]


register(OpInfo("index_select", op=rg.index_select, ref=torch.index_select, method="index_select",
                samples=_index_select, axis_kwargs=(1,)))


def _index_add(dtype):
    return [SampleInput(make((3, 2), dtype, seed=1), 0, DUP, make((4, 2), dtype, seed=2), kwargs=dict(alpha=2.0)),
            SampleInput(make((2, 3), dtype, seed=3), -1, np.array([1, 1]), make((2, 2), dtype, seed=4))]


register(OpInfo("index_add", op=rg.index_add, ref=torch.index_add, method="index_add", samples=_index_add,
                axis_kwargs=(1,)))


def _masked_fill(dtype):
    return [SampleInput(make((2, 3), dtype, seed=1), MASK, -1.5),
            SampleInput(make((2, 3), dtype, seed=2), MASK[0], make((), dtype, seed=3), desc="broadcast mask, 0-d value"),
            SampleInput(make((), dtype, seed=4), np.array(True), 2.0)]


register(OpInfo("masked_fill", op=rg.masked_fill, ref=torch.masked_fill, method="masked_fill", samples=_masked_fill))


def _masked_select(dtype):
    return [SampleInput(make((2, 3), dtype, seed=1), MASK), SampleInput(make((1, 3), dtype, seed=2), MASK),
            SampleInput(make((2, 3), dtype, seed=3), np.zeros((2, 3), bool))]


register(OpInfo("masked_select", op=rg.masked_select, ref=torch.masked_select, method="masked_select",
                samples=_masked_select))


def _nonzero(dtype):
    x = make((2, 3), dtype, seed=1)
    x[0, 1] = x[1, 2] = 0
    return [SampleInput(x), SampleInput(np.array([0, 3, 0, -1])), SampleInput(np.zeros((0, 2), dtype)),
            SampleInput(np.array(2.0, dtype))]


register(OpInfo("nonzero", op=rg.nonzero, ref=torch.nonzero, method="nonzero", samples=_nonzero, differentiable=False))

NAMES = [o.name for o in OPS[_FIRST:]]  # this family's entries (tests/test_breadth_jacobians.py)
