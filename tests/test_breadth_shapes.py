"""Shape functions (issue 13) against PyTorch: values, vjp, jvp, Jacobians, second derivatives."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import retrograd as rg
from breadth_check import check_op

R = np.random.default_rng(1)


def a(*shape):
    return R.standard_normal(shape)


CASES = [
    ("cat_dim", lambda x, y: rg.cat([x, y], dim=1), lambda x, y: torch.cat([x, y], dim=1), [a(2, 3), a(2, 1)]),
    ("concat_neg", lambda x, y: rg.concat([x, y], dim=-2), lambda x, y: torch.concat([x, y], dim=-2),
     [a(2, 3), a(1, 3)]),
    ("stack_dim", lambda x, y: rg.stack([x, y], dim=1), lambda x, y: torch.stack([x, y], dim=1), [a(2, 3), a(2, 3)]),
    ("flatten", lambda x: x.flatten(1), lambda x: x.flatten(1), [a(2, 3, 4)]),
    ("flatten_mid", lambda x: rg.flatten(x, 0, 1), lambda x: torch.flatten(x, 0, 1), [a(2, 3, 4)]),
    ("flatten_0d", lambda x: x.flatten(), lambda x: x.flatten(), [a()]),
    ("unflatten", lambda x: x.unflatten(1, (3, -1)), lambda x: x.unflatten(1, (3, -1)), [a(2, 12)]),
    ("repeat", lambda x: x.repeat(2, 1, 3), lambda x: x.repeat(2, 1, 3), [a(2, 3)]),
    ("tile", lambda x: rg.tile(x, (2,)), lambda x: torch.tile(x, (2,)), [a(2, 3)]),
    ("repeat_interleave", lambda x: x.repeat_interleave(2, dim=1), lambda x: x.repeat_interleave(2, dim=1), [a(2, 3)]),
    ("repeat_interleave_flat", lambda x: rg.repeat_interleave(x, 3), lambda x: torch.repeat_interleave(x, 3),
     [a(2, 2)]),
    ("repeat_interleave_counts", lambda x: x.repeat_interleave(rg.tensor([1, 0, 2]), dim=0),
     lambda x: x.repeat_interleave(torch.tensor([1, 0, 2]), dim=0), [a(3, 2)]),
    ("expand", lambda x: x.expand(2, -1, 4), lambda x: x.expand(2, -1, 4), [a(3, 1)]),
    ("chunk", lambda x: x.chunk(3, dim=1)[1] * 2 + x.chunk(3, dim=1)[2].sum(),
     lambda x: x.chunk(3, dim=1)[1] * 2 + x.chunk(3, dim=1)[2].sum(), [a(2, 7)]),
    ("split_int", lambda x: rg.split(x, 2, dim=-1)[-1], lambda x: torch.split(x, 2, dim=-1)[-1], [a(2, 5)]),
    ("split_list", lambda x: rg.split(x, [1, 3])[1], lambda x: torch.split(x, [1, 3])[1], [a(4, 2)]),
    ("tensor_split", lambda x: rg.tensor_split(x, 3, dim=1)[0], lambda x: torch.tensor_split(x, 3, dim=1)[0],
     [a(2, 7)]),
    ("tensor_split_idx", lambda x: x.tensor_split([1, 4])[1], lambda x: x.tensor_split([1, 4])[1], [a(6)]),
    ("flip", lambda x: x.flip(0, -1), lambda x: x.flip(0, -1), [a(2, 3, 2)]),
    ("roll", lambda x: rg.roll(x, (1, -2), (0, 1)), lambda x: torch.roll(x, (1, -2), (0, 1)), [a(3, 4)]),
    ("roll_flat", lambda x: x.roll(3), lambda x: x.roll(3), [a(2, 3)]),
    ("movedim", lambda x: rg.movedim(x, (0, 1), (2, 0)), lambda x: torch.movedim(x, (0, 1), (2, 0)), [a(2, 3, 4)]),
    ("moveaxis", lambda x: x.moveaxis(-1, 0), lambda x: x.moveaxis(-1, 0), [a(2, 3, 4)]),
    ("narrow", lambda x: x.narrow(1, 1, 2), lambda x: x.narrow(1, 1, 2), [a(2, 4)]),
    ("pad_constant", lambda x: rg.pad(x, (1, 2, 0, 1), value=0.5),
     lambda x: torch.nn.functional.pad(x, (1, 2, 0, 1), value=0.5), [a(2, 3)]),
    ("pad_crop", lambda x: rg.pad(x, (-1, 2)), lambda x: torch.nn.functional.pad(x, (-1, 2)), [a(2, 3)]),
    ("pad_reflect", lambda x: rg.pad(x, (2, 1, 1, 1), mode="reflect"),
     lambda x: torch.nn.functional.pad(x, (2, 1, 1, 1), mode="reflect"), [a(1, 3, 4)]),
    ("pad_replicate", lambda x: rg.pad(x, (2, 1), mode="replicate"),
     lambda x: torch.nn.functional.pad(x, (2, 1), mode="replicate"), [a(1, 2, 3)]),
    ("pad_circular", lambda x: rg.pad(x, (2, 1), mode="circular"),
     lambda x: torch.nn.functional.pad(x, (2, 1), mode="circular"), [a(1, 2, 3)]),
    ("tril", lambda x: x.tril(), lambda x: x.tril(), [a(3, 4)]),
    ("triu_k", lambda x: rg.triu(x, 1), lambda x: torch.triu(x, 1), [a(2, 3, 3)]),
    ("diag_1d", lambda x: rg.diag(x, -1), lambda x: torch.diag(x, -1), [a(3)]),
    ("diag_2d", lambda x: x.diag(1), lambda x: x.diag(1), [a(3, 4)]),
    ("diagonal", lambda x: x.diagonal(0, 0, 2), lambda x: x.diagonal(0, 0, 2), [a(3, 2, 3)]),
    ("diagonal_offset", lambda x: rg.diagonal(x, -1, -1, -2), lambda x: torch.diagonal(x, -1, -1, -2), [a(2, 3, 4)]),
    ("trace", lambda x: x.trace(), lambda x: x.trace(), [a(3, 3)]),
    ("meshgrid", lambda x, y: rg.meshgrid(x, y)[0] * rg.meshgrid(x, y)[1],
     lambda x, y: torch.meshgrid(x, y, indexing="ij")[0] * torch.meshgrid(x, y, indexing="ij")[1], [a(2), a(3)]),
    ("meshgrid_xy", lambda x, y: rg.meshgrid(x, y, indexing="xy")[0] - rg.meshgrid(x, y, indexing="xy")[1],
     lambda x, y: torch.meshgrid(x, y, indexing="xy")[0] - torch.meshgrid(x, y, indexing="xy")[1], [a(2), a(3)]),
    ("atleast_3d", lambda x: rg.atleast_3d(x), lambda x: torch.atleast_3d(x), [a(3)]),
    ("atleast_2d_0d", lambda x: rg.atleast_2d(x), lambda x: torch.atleast_2d(x), [a()]),
    ("atleast_1d", lambda x: rg.atleast_1d(x), lambda x: torch.atleast_1d(x), [a()]),
]


@pytest.mark.parametrize("name,rg_fn,torch_fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_matches_pytorch(name, rg_fn, torch_fn, arrays):
    check_op(rg_fn, torch_fn, arrays)


def test_integer_and_size_zero_inputs_keep_pytorch_shapes():
    x = np.arange(12).reshape(3, 4)
    for f in (lambda m, t: m.flip(t, (0,)), lambda m, t: m.roll(t, 1, 1), lambda m, t: m.tril(t, -1),
              lambda m, t: m.diagonal(t, 1), lambda m, t: m.repeat_interleave(t, 2, dim=0)):
        got, want = f(rg, rg.tensor(x)), f(torch, torch.tensor(x))
        assert got.dtype == np.int64 and got.tolist() == want.tolist()
    e = np.zeros((0, 3))
    assert rg.flip(rg.tensor(e), 0).shape == (0, 3)
    assert [c.shape for c in rg.chunk(rg.tensor(e), 2, dim=1)] == [tuple(c.shape) for c in torch.chunk(torch.tensor(e), 2, dim=1)]
    assert [c.shape for c in rg.split(rg.tensor(e), 2, dim=0)] == [tuple(c.shape) for c in torch.split(torch.tensor(e), 2, dim=0)]


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
