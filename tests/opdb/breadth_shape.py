"""Issue 13's shape functions: cat/stack with dim=, unflatten, repeat, tile,
repeat_interleave, chunk, split, tensor_split, flip, roll, movedim, narrow, pad,
tril, triu, diag, diagonal, trace, meshgrid, atleast_1d/2d/3d."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as TF

import retrograd as rg

from .core import OPS, OpInfo, SampleInput, make, register

_FIRST = len(OPS)


def _s(shapes_args, **common):
    """samples(dtype) from ``[(shape, args, kwargs), ...]``: the first argument is a float array."""
    def samples(dtype):
        return [SampleInput(make(shape, dtype, seed=i), *args, kwargs=kw, desc=f"{shape} {args} {kw}", **common)
                for i, (shape, args, kw) in enumerate(shapes_args)]
    return samples


def _pair(fn):
    """A function of a list of tensors as one of positional tensors (what the database passes)."""
    return lambda *xs, **kw: fn(list(xs), **kw)


def _cat_samples(dtype):
    return [SampleInput(make((2, 3), dtype, seed=1), make((2, 1), dtype, seed=2), kwargs=dict(dim=1)),
            SampleInput(make((2, 3), dtype, seed=3), make((1, 3), dtype, seed=4), kwargs=dict(dim=-2)),
            SampleInput(make((0, 3), dtype, seed=5), make((2, 3), dtype, seed=6), kwargs=dict(dim=0))]


register(OpInfo("cat_dim", op=_pair(rg.cat), ref=_pair(torch.cat), samples=_cat_samples, axis_kwargs=("dim",),
                aliases=(_pair(rg.concat), _pair(rg.concatenate)), covers=("rg.concat",)))
register(OpInfo("stack_dim", op=_pair(rg.stack), ref=_pair(torch.stack), axis_kwargs=("dim",),
                samples=lambda dtype: [SampleInput(make((2, 3), dtype, seed=1), make((2, 3), dtype, seed=2),
                                                   kwargs=dict(dim=d)) for d in (0, 1, -1)]))

register(OpInfo("unflatten", op=rg.unflatten, ref=torch.unflatten, method="unflatten", axis_kwargs=(1,),
                samples=_s([((2, 12), (1, (3, -1)), {}), ((6,), (0, (2, 3)), {}), ((2, 6), (-1, (1, 6)), {}),
                            ((0, 4), (1, (2, 2)), {})])))
register(OpInfo("expand_as", op=lambda x, y: x.expand_as(y), ref=lambda x, y: x.expand_as(y), covers=("Tensor.expand_as",),
                samples=lambda d: [SampleInput(make((3, 1), d, seed=1), make((2, 3, 4), d, seed=2), grad_args=(0,))]))
register(OpInfo("repeat", op=rg.repeat, ref=lambda x, *s: x.repeat(*s), method="repeat",
                samples=_s([((2, 3), (2, 1, 3), {}), ((3,), (2,), {}), ((), (2, 2), {}), ((2, 1), (0, 2), {})])))
register(OpInfo("tile", op=rg.tile, ref=torch.tile, method="tile",
                samples=_s([((2, 3), ((2,),), {}), ((3,), ((2, 2),), {}), ((2, 1, 2), ((1, 2, 1),), {})])))
register(OpInfo("repeat_interleave", op=rg.repeat_interleave, ref=torch.repeat_interleave, method="repeat_interleave",
                axis_kwargs=("dim",),
                samples=_s([((2, 3), (2,), dict(dim=1)), ((2, 2), (3,), {}), ((3, 2), (np.array([1, 0, 2]),), dict(dim=0)),
                            ((), (2,), {}), ((2, 3), (1,), dict(dim=-1))])))


def _piece(fn, k):
    return lambda *a, **kw: fn(*a, **kw)[k]


register(OpInfo("chunk", op=_piece(rg.chunk, 1), ref=_piece(torch.chunk, 1), method=_piece(rg.Tensor.chunk, 1),
                axis_kwargs=("dim",), covers=("Tensor.chunk",),
                samples=_s([((2, 7), (3,), dict(dim=1)), ((5,), (2,), {}), ((4, 2), (4,), dict(dim=0))])))
register(OpInfo("chunk_last", op=_piece(rg.chunk, -1), ref=_piece(torch.chunk, -1), samples=_s([((2, 7), (3,), dict(dim=-1))])))
register(OpInfo("split", op=_piece(rg.split, -1), ref=_piece(torch.split, -1), method=_piece(rg.Tensor.split, -1),
                axis_kwargs=("dim",), covers=("Tensor.split",),
                samples=_s([((2, 5), (2,), dict(dim=-1)), ((4, 2), ([1, 3],), {}), ((4, 2), ([0, 4],), {})])))
register(OpInfo("tensor_split", op=_piece(rg.tensor_split, 0), ref=_piece(torch.tensor_split, 0),
                method=_piece(rg.Tensor.tensor_split, 0), axis_kwargs=("dim",), covers=("Tensor.tensor_split",),
                samples=_s([((2, 7), (3,), dict(dim=1)), ((6,), ([1, 4],), {}), ((6, 2), ([2, 2],), dict(dim=0))])))
register(OpInfo("tensor_split_middle", op=_piece(rg.tensor_split, 1), ref=_piece(torch.tensor_split, 1),
                samples=_s([((6,), ([1, 4],), {}), ((2, 7), (3,), dict(dim=1))])))
register(OpInfo("flip", op=rg.flip, ref=torch.flip, method=lambda x, dims: x.flip(dims), axis_kwargs=(1,),
                covers=("Tensor.flip",),
                samples=_s([((2, 3, 2), ((0, -1),), {}), ((3,), ((0,),), {}), ((), ((),), {}), ((0, 2), ((1,),), {})])))
register(OpInfo("roll", op=rg.roll, ref=torch.roll, method="roll", axis_kwargs=("dims",),
                samples=_s([((3, 4), ((1, -2),), dict(dims=(0, 1))), ((2, 3), (3,), {}), ((4,), (-5,), dict(dims=0))])))
# PyTorch checks no dims on an empty tensor: this sample stays out of the axis-error test.
register(OpInfo("roll_empty", op=rg.roll, ref=torch.roll, samples=_s([((0, 2), (1,), dict(dims=1))])))
register(OpInfo("movedim", op=rg.movedim, ref=torch.movedim, method="movedim", axis_kwargs=(1, 2),
                aliases=(rg.moveaxis, lambda x, s, d: x.moveaxis(s, d)), covers=("Tensor.moveaxis",),
                samples=_s([((2, 3, 4), ((0, 1), (2, 0)), {}), ((2, 3, 4), (-1, 0), {}), ((3,), (0, 0), {})])))
register(OpInfo("narrow", op=rg.narrow, ref=torch.narrow, method="narrow", axis_kwargs=(1,),
                samples=_s([((2, 4), (1, 1, 2), {}), ((5,), (0, -2, 2), {}), ((3, 2), (0, 0, 0), {})])))

_PADS = [((2, 3), ((1, 2, 0, 1),), dict(value=0.5)), ((2, 3), ((-1, 2),), {}), ((3,), ((2, 0),), {}),
         ((1, 2, 3), ((0, 0, 1, 1),), dict(value=-2.0))]
register(OpInfo("pad_constant", op=rg.pad, ref=TF.pad, samples=_s(_PADS)))
register(OpInfo("pad_reflect", op=rg.pad, ref=TF.pad,
                samples=_s([((1, 3, 4), ((2, 1, 1, 1),), dict(mode="reflect")),
                            ((2, 2, 3), ((2, 2),), dict(mode="reflect"))])))
register(OpInfo("pad_replicate", op=rg.pad, ref=TF.pad,
                samples=_s([((1, 2, 3), ((2, 1),), dict(mode="replicate")),
                            ((1, 2, 2, 3), ((1, 0, 3, 1),), dict(mode="replicate"))])))
register(OpInfo("pad_circular", op=rg.pad, ref=TF.pad, samples=_s([((1, 2, 3), ((2, 1),), dict(mode="circular"))])))
register(OpInfo("tril", op=rg.tril, ref=torch.tril, method="tril",
                samples=_s([((3, 4), (), {}), ((2, 3, 3), (1,), {}), ((3, 2), (-1,), {}), ((0, 2), (), {})])))
register(OpInfo("triu", op=rg.triu, ref=torch.triu, method="triu",
                samples=_s([((3, 4), (), {}), ((2, 3, 3), (-1,), {}), ((3, 2), (2,), {})])))
register(OpInfo("diag", op=rg.diag, ref=torch.diag, method="diag",
                samples=_s([((3,), (), {}), ((3,), (-1,), {}), ((3, 4), (1,), {}), ((3, 4), (-2,), {}), ((0,), (), {})])))
register(OpInfo("diagonal", op=rg.diagonal, ref=torch.diagonal, method="diagonal", axis_kwargs=(2, 3),
                samples=_s([((3, 2, 3), (0, 0, 2), {}), ((2, 3, 4), (-1, -1, -2), {}), ((3, 3), (), {}),
                            ((2, 3), (5, 0, 1), {})])))
register(OpInfo("trace", op=rg.trace, ref=torch.trace, method="trace",
                samples=_s([((3, 3), (), {}), ((2, 4), (), {}), ((0, 0), (), {})])))


def _meshgrid_samples(dtype):
    return [SampleInput(make((2,), dtype, seed=1), make((3,), dtype, seed=2), kwargs=dict(indexing=ix))
            for ix in ("ij", "xy")] + [SampleInput(make((2,), dtype, seed=3), make((), dtype, seed=4),
                                                   make((3,), dtype, seed=5), kwargs=dict(indexing="xy"))]


def _grids(fn):
    return lambda *xs, indexing: sum(g * (i + 1) for i, g in enumerate(fn(*xs, indexing=indexing)))


register(OpInfo("meshgrid", op=_grids(rg.meshgrid), ref=_grids(torch.meshgrid), samples=_meshgrid_samples))
for _n, _rg, _t in (("atleast_1d", rg.atleast_1d, torch.atleast_1d), ("atleast_2d", rg.atleast_2d, torch.atleast_2d),
                    ("atleast_3d", rg.atleast_3d, torch.atleast_3d)):
    register(OpInfo(_n, op=_rg, ref=_t, samples=_s([((), (), {}), ((3,), (), {}), ((2, 3), (), {}), ((2, 1, 2), (), {})])))

NAMES = [o.name for o in OPS[_FIRST:]]  # this family's entries (tests/test_breadth_jacobians.py)
