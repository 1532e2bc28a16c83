"""Issue 13's shape and scan functions on generated shapes and arguments (hypothesis), against
PyTorch: values and gradients for a random cotangent."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import assume, given, strategies as st
from hypothesis.extra import numpy as hnp

import retrograd as rg

shapes = hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4)


def _compare(rg_fn, torch_fn, x):
    t = torch.tensor(x, requires_grad=True)
    t_out = torch_fn(t)
    r = rg.tensor(x, requires_grad=True)
    r_out = rg_fn(r)
    np.testing.assert_allclose(r_out.numpy(), t_out.detach().numpy(), rtol=1e-12, atol=1e-12)
    cot = np.random.default_rng(0).standard_normal(tuple(t_out.shape))
    t_out.backward(torch.tensor(cot))
    r_out.backward(cot)
    np.testing.assert_allclose(r.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@st.composite
def array_and_dim(draw):
    shape = draw(shapes)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(draw(st.integers(0, 99))).standard_normal(shape)
    return x, dim


@given(array_and_dim(), st.integers(-5, 5))
def test_roll_flip_narrow(xd, shift):
    x, d = xd
    _compare(lambda t: t.roll(shift, d).flip(d), lambda t: t.roll(shift, d).flip(d), x)
    n = x.shape[d]
    start = abs(shift) % (n + 1)
    _compare(lambda t: t.narrow(d, start, n - start), lambda t: t.narrow(d, start, n - start), x)


@given(array_and_dim(), st.integers(1, 4))
def test_chunk_split_and_repeat_interleave(xd, k):
    x, d = xd
    for rg_part, t_part in zip(rg.tensor(x).chunk(k, d), torch.tensor(x).chunk(k, d)):
        assert rg_part.shape == tuple(t_part.shape)
    for rg_part, t_part in zip(rg.tensor(x).tensor_split(k, d), torch.tensor(x).tensor_split(k, d)):
        assert rg_part.shape == tuple(t_part.shape)
    _compare(lambda t: t.repeat_interleave(k, dim=d), lambda t: t.repeat_interleave(k, dim=d), x)


@given(array_and_dim())
def test_scans_and_sort(xd):
    x, d = xd
    _compare(lambda t: t.cumsum(d), lambda t: t.cumsum(d), x)
    _compare(lambda t: t.cumprod(d), lambda t: t.cumprod(d), x)
    _compare(lambda t: t.logcumsumexp(d), lambda t: t.logcumsumexp(d), x)
    _compare(lambda t: t.sort(d, descending=True).values, lambda t: t.sort(d, descending=True).values, x)
    _compare(lambda t: t.cummax(d).values, lambda t: t.cummax(d).values, x)


@given(shapes, st.lists(st.integers(1, 3), min_size=0, max_size=2), st.integers(0, 99))
def test_repeat_and_tile(shape, extra, seed):
    x = np.random.default_rng(seed).standard_normal(shape)
    reps = tuple(extra) + tuple(1 + (i % 2) for i in range(len(shape)))
    _compare(lambda t: t.repeat(*reps), lambda t: t.repeat(*reps), x)
    _compare(lambda t: t.tile(tuple(extra) or (2,)), lambda t: t.tile(tuple(extra) or (2,)), x)


@given(hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4), st.integers(0, 3), st.integers(0, 3),
       st.sampled_from(["constant", "reflect", "replicate", "circular"]), st.integers(0, 99))
def test_pad(shape, lo, hi, mode, seed):
    x = np.random.default_rng(seed).standard_normal((1,) + shape)  # PyTorch's layouts: (N, C, W), (N, C, H, W)
    h, w = shape[-2], shape[-1]
    if mode == "reflect":
        assume(max(lo, hi) < min(h, w))
    if mode == "circular":
        assume(max(lo, hi) <= min(h, w))
    pad = (lo, hi, hi, lo)
    _compare(lambda t: rg.pad(t, pad, mode=mode), lambda t: torch.nn.functional.pad(t, pad, mode=mode), x)
