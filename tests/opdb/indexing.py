"""Indexing: ``x[idx]`` and ``rg.getitem`` with basic, integer-array and boolean indices."""

from __future__ import annotations

import numpy as np
import torch

import retrograd as rg

from .core import OpInfo, SampleInput, make, register

INDEXES = [
    1, -1, (0, 2), slice(1, None), slice(None, None, 2), (Ellipsis, 0), (None, 0), (slice(None), None),
    np.array([0, 0, 2, 1, 0]), np.array([[0, 1], [1, 1]]), np.array([True, False, True]),
    (slice(None), np.array([2, 2, 0])), (np.array([0, 2]), np.array([1, 1])), (-1, slice(0, 2)),
    [0, 0, 2], ((0, 0),), (np.array([], dtype=np.int64),), np.array(1), (np.array([[True, False, True],
                                                                                      [False, False, True],
                                                                                      [True, True, True]]),),
]


def _torch_index(idx):
    """The same index for torch: ndarrays become torch tensors, lists and tuples inside stay."""
    if isinstance(idx, np.ndarray):
        return torch.from_numpy(idx)
    if isinstance(idx, tuple):
        return tuple(_torch_index(i) for i in idx)
    return idx


def _samples(dtype):
    x = make((3, 3), dtype)
    out = [SampleInput(x, idx, desc=f"x[{idx!r}]") for idx in INDEXES]
    out.append(SampleInput(make((), dtype), (), desc="0-d x[()]"))
    out.append(SampleInput(make((), dtype), None, desc="0-d x[None]"))
    out.append(SampleInput(make((0, 3), dtype), (slice(None), 1), desc="size-0 rows"))
    x3 = make((3, 4, 5), dtype, seed=1)
    out += [SampleInput(x3, idx, desc=f"an integer with index arrays: x[{idx!r}]") for idx in MIXED]
    return out


# An integer next to index arrays: PyTorch selects first (NumPy would move the array axes first).
MIXED = [(0, slice(None), np.array([0, 2, 2])), (-1, None, [1, 1]), (-1, Ellipsis, np.array([[1], [0]])),
         (np.array([1, 0]), 2, slice(1, 3)), (slice(None), 1, np.array([True, False, True, True, False])),
         (0, np.array([0, 3]), np.array([1, 1]))]


register(OpInfo("getitem", op=rg.getitem, ref=lambda x, idx: x[_torch_index(idx)],
                method=lambda x, idx: x[idx], samples=_samples, covers=("Tensor.__getitem__",)))


def _negative_steps(dtype):
    x = make((3, 4), dtype)
    return [SampleInput(x, (slice(None, None, -1),), desc="rows reversed"),
            SampleInput(x, (slice(None), slice(3, 0, -2)), desc="columns, step -2")]


# PyTorch has no negative steps (its spelling is flip): NumPy is the reference.
register(OpInfo("getitem_negative_step", op=rg.getitem, ref_numpy=lambda x, idx: x[idx],
                method=lambda x, idx: x[idx], samples=_negative_steps))
