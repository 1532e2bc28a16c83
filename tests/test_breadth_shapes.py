"""Shape functions (issue 13): what the op database (tests/opdb/breadth_shape.py) does not cover."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import retrograd as rg

R = np.random.default_rng(1)


def a(*shape):
    return R.standard_normal(shape)


def test_integer_and_size_zero_inputs_keep_pytorch_shapes():
    x = np.arange(12).reshape(3, 4)
    for f in (lambda m, t: m.flip(t, (0,)), lambda m, t: m.roll(t, 1, 1), lambda m, t: m.tril(t, -1),
              lambda m, t: m.diagonal(t, 1), lambda m, t: m.repeat_interleave(t, 2, dim=0)):
        got, want = f(rg, rg.tensor(x)), f(torch, torch.tensor(x))
        assert got.dtype == np.int64 and got.tolist() == want.tolist()
    e = np.zeros((0, 3))
    assert rg.flip(rg.tensor(e), 0).shape == (0, 3)
    te = torch.tensor(e)
    assert [c.shape for c in rg.chunk(rg.tensor(e), 2, dim=1)] == [tuple(c.shape) for c in torch.chunk(te, 2, dim=1)]
    assert [c.shape for c in rg.split(rg.tensor(e), 2, dim=0)] == [tuple(c.shape) for c in torch.split(te, 2, dim=0)]


def test_bad_dims_raise_index_error_like_pytorch():
    x = rg.zeros(2, 3)
    for call in (lambda: x.flip(2), lambda: x.roll(1, 5), lambda: x.narrow(-3, 0, 1), lambda: x.movedim(0, 2),
                 lambda: x.flatten(0, 4), lambda: x.unflatten(2, (1, 3)), lambda: x.chunk(2, 2),
                 lambda: x.diagonal(0, 0, 2)):
        with pytest.raises(IndexError, match="out of range"):
            call()
    with pytest.raises(ValueError, match="reflect"):
        rg.pad(x, (3, 0), mode="reflect")
    with pytest.raises(Exception, match="-1"):
        rg.zeros(3).expand(-1, 3)


def test_method_and_function_forms_agree():
    x = rg.tensor(a(2, 3, 4))
    pairs = [(x.flatten(1), rg.flatten(x, 1)), (x.flip(1), rg.flip(x, 1)), (x.roll(1, 2), rg.roll(x, 1, 2)),
             (x.movedim(0, 2), rg.movedim(x, 0, 2)), (x.narrow(2, 1, 2), rg.narrow(x, 2, 1, 2)),
             (x.tril(), rg.tril(x)), (x.diagonal(0, 1, 2), rg.diagonal(x, 0, 1, 2)),
             (x.repeat(1, 2, 1), rg.repeat(x, 1, 2, 1)), (x.tile(2), rg.tile(x, (2,)))]
    for m, f in pairs:
        np.testing.assert_array_equal(m.numpy(), f.numpy())
