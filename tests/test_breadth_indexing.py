"""Indexing functions (issue 13) against PyTorch: values, vjp, jvp, Jacobians, second derivatives."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import retrograd as rg
from breadth_check import check_op

R = np.random.default_rng(2)


def a(*shape):
    return R.standard_normal(shape)


IDX = np.array([[0, 2, 1], [1, 3, 0]])  # no repeated position in a row: scatter is well defined
RT, TT = rg.tensor(IDX), torch.tensor(IDX)
DUP = np.array([0, 2, 0, 1])
MASK = np.array([[True, False, True], [False, False, True]])

CASES = [
    ("gather_1", lambda x: x.gather(1, RT), lambda x: x.gather(1, TT), [a(2, 4)]),
    ("gather_0", lambda x: rg.gather(x, 0, RT[:, :2]), lambda x: torch.gather(x, 0, TT[:, :2]), [a(4, 2)]),
    ("take_along_dim", lambda x: rg.take_along_dim(x, rg.tensor([[2], [0]]), 1),
     lambda x: torch.take_along_dim(x, torch.tensor([[2], [0]]), 1), [a(2, 3)]),
    ("take_along_dim_bcast", lambda x: rg.take_along_dim(x, rg.tensor([[0, 1, 1, 0]]), 0),
     lambda x: torch.take_along_dim(x, torch.tensor([[0, 1, 1, 0]]), 0), [a(2, 1)]),
    ("take_along_dim_flat", lambda x: rg.take_along_dim(x, rg.tensor([5, 0, 0])),
     lambda x: torch.take_along_dim(x, torch.tensor([5, 0, 0])), [a(2, 3)]),
    ("scatter_src", lambda x, s: x.scatter(1, RT, s), lambda x, s: x.scatter(1, TT, s), [a(2, 4), a(2, 3)]),
    ("scatter_value", lambda x: rg.scatter(x, 1, RT, 2.5), lambda x: torch.scatter(x, 1, TT, 2.5), [a(2, 4)]),
    ("scatter_add", lambda x, s: x.scatter_add(1, RT, s), lambda x, s: x.scatter_add(1, TT, s),
     [a(2, 4), a(2, 3)]),
    ("scatter_add_dup", lambda x, s: rg.scatter_add(x, 0, rg.tensor(DUP), s),
     lambda x, s: torch.scatter_add(x, 0, torch.tensor(DUP), s), [a(3), a(4)]),
    ("scatter_add_2d_bigsrc", lambda x, s: rg.scatter_add(x, 1, RT[:, :2], s),
     lambda x, s: torch.scatter_add(x, 1, TT[:, :2], s[:, :2]), [a(2, 4), a(2, 3)]),
    ("scatter_reduce_sum", lambda x, s: x.scatter_reduce(0, rg.tensor(DUP), s, "sum"),
     lambda x, s: x.scatter_reduce(0, torch.tensor(DUP), s, "sum"), [a(4), a(4)]),
    ("scatter_reduce_sum_noself", lambda x, s: x.scatter_reduce(0, rg.tensor(DUP), s, "sum", include_self=False),
     lambda x, s: x.scatter_reduce(0, torch.tensor(DUP), s, "sum", include_self=False), [a(4), a(4)]),
    ("scatter_reduce_mean", lambda x, s: x.scatter_reduce(0, rg.tensor(DUP), s, "mean"),
     lambda x, s: x.scatter_reduce(0, torch.tensor(DUP), s, "mean"), [a(4), a(4)]),
    ("scatter_reduce_mean_noself", lambda x, s: x.scatter_reduce(1, RT, s, "mean", include_self=False),
     lambda x, s: x.scatter_reduce(1, TT, s, "mean", include_self=False), [a(2, 4), a(2, 3)]),
    ("scatter_reduce_amax", lambda x, s: x.scatter_reduce(0, rg.tensor(DUP), s, "amax"),
     lambda x, s: x.scatter_reduce(0, torch.tensor(DUP), s, "amax"), [a(4), a(4)]),
    ("scatter_reduce_amin_noself", lambda x, s: x.scatter_reduce(1, RT, s, "amin", include_self=False),
     lambda x, s: x.scatter_reduce(1, TT, s, "amin", include_self=False), [a(2, 4), a(2, 3)]),
    ("index_select", lambda x: x.index_select(1, rg.tensor([2, 0, 2])),
     lambda x: x.index_select(1, torch.tensor([2, 0, 2])), [a(2, 3)]),
    ("index_add", lambda x, s: x.index_add(0, rg.tensor(DUP), s, alpha=2.0),
     lambda x, s: x.index_add(0, torch.tensor(DUP), s, alpha=2.0), [a(3, 2), a(4, 2)]),
    ("masked_fill", lambda x: x.masked_fill(rg.tensor(MASK), -1.5), lambda x: x.masked_fill(torch.tensor(MASK), -1.5),
     [a(2, 3)]),
    ("masked_fill_bcast_tensor", lambda x, v: rg.masked_fill(x, rg.tensor(MASK[0]), v),
     lambda x, v: torch.masked_fill(x, torch.tensor(MASK[0]), v), [a(2, 3), a()]),
    ("masked_select", lambda x: x.masked_select(rg.tensor(MASK)), lambda x: x.masked_select(torch.tensor(MASK)),
     [a(2, 3)]),
    ("masked_select_bcast", lambda x: x.masked_select(rg.tensor(MASK)), lambda x: x.masked_select(torch.tensor(MASK)),
     [a(1, 3)]),
]


@pytest.mark.parametrize("name,rg_fn,torch_fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_matches_pytorch(name, rg_fn, torch_fn, arrays):
    check_op(rg_fn, torch_fn, arrays)


def test_scatter_reduce_ties_share_the_gradient_as_pytorch():
    x, s, idx = np.array([1.0, 5.0]), np.array([5.0, 2.0, 5.0]), np.array([1, 0, 1])
    tx, ts = torch.tensor(x, requires_grad=True), torch.tensor(s, requires_grad=True)
    tx.scatter_reduce(0, torch.tensor(idx), ts, "amax").sum().backward()
    rx, rs = rg.tensor(x, requires_grad=True), rg.tensor(s, requires_grad=True)
    rx.scatter_reduce(0, rg.tensor(idx), rs, "amax").sum().backward()
    np.testing.assert_allclose(rx.grad.numpy(), tx.grad.numpy())  # three-way tie: 1/3 each
    np.testing.assert_allclose(rs.grad.numpy(), ts.grad.numpy())
    # Without the input in the reduction, the two tied sources share the gradient in halves
    # (PyTorch still divides by three, counting the excluded input: its gradients sum to 2/3).
    rx, rs = rg.tensor(x, requires_grad=True), rg.tensor(s, requires_grad=True)
    rx.scatter_reduce(0, rg.tensor(idx), rs, "amax", include_self=False).sum().backward()
    assert rs.grad.tolist() == [0.5, 1.0, 0.5] and rx.grad.tolist() == [0.0, 0.0]


def test_scatter_with_repeated_positions_writes_once():
    out = rg.scatter(rg.zeros(3), 0, rg.tensor([1, 1]), rg.tensor([2.0, 7.0]))
    assert out.tolist() in ([0.0, 7.0, 0.0], [0.0, 2.0, 0.0])  # one of the writes, never their sum


def test_nonzero_and_one_hot():
    x = np.array([[0, 1, 0], [2, 0, 3]])
    assert rg.nonzero(rg.tensor(x)).tolist() == torch.nonzero(torch.tensor(x)).tolist()
    assert [t.tolist() for t in rg.tensor(x).nonzero(as_tuple=True)] == \
        [t.tolist() for t in torch.tensor(x).nonzero(as_tuple=True)]
    assert rg.nonzero(rg.tensor(x)).dtype == np.int64
    labels = np.array([[0, 3], [1, 1]])
    got = rg.one_hot(rg.tensor(labels))
    want = torch.nn.functional.one_hot(torch.tensor(labels))
    assert got.dtype == np.int64 and got.tolist() == want.tolist()
    assert rg.one_hot(rg.tensor([1]), 4).tolist() == [[0, 1, 0, 0]]
    with pytest.raises(ValueError, match="class values"):
        rg.one_hot(rg.tensor([4]), 3)
    with pytest.raises(TypeError, match="integers"):
        rg.one_hot(rg.tensor([1.0]))


def test_indexing_errors_are_clear():
    x = rg.zeros(2, 3)
    with pytest.raises(IndexError, match="out of range"):
        x.gather(1, rg.tensor([[3], [0]]))
    with pytest.raises(IndexError, match="out of range"):
        x.gather(2, rg.tensor([[0], [0]]))
    with pytest.raises(TypeError, match="integers"):
        x.gather(1, rg.tensor([[0.0], [1.0]]))
    with pytest.raises(TypeError, match="boolean"):
        x.masked_fill(rg.tensor([[1, 0, 1], [0, 0, 0]]), 1.0)
    with pytest.raises(IndexError):
        x.index_select(0, rg.tensor([2]))
    with pytest.raises(NotImplementedError, match="prod"):
        x.scatter_reduce(0, rg.tensor([[0, 1, 0]]), rg.ones(1, 3), "prod")


def test_method_and_function_forms_agree():
    x = rg.tensor(a(2, 4))
    pairs = [(x.gather(1, RT), rg.gather(x, 1, RT)), (x.index_select(0, rg.tensor([1])), rg.index_select(x, 0, rg.tensor([1]))),
             (x.masked_fill(x > 0, 0.0), rg.masked_fill(x, x > 0, 0.0)),
             (x.scatter_add(1, RT, rg.ones(2, 3)), rg.scatter_add(x, 1, RT, rg.ones(2, 3)))]
    for m, f in pairs:
        np.testing.assert_array_equal(m.numpy(), f.numpy())


def test_masked_fill_keeps_the_input_dtype():
    assert rg.tensor([1, 2]).masked_fill(rg.tensor([True, False]), 2.7).dtype == np.int64
    x32 = rg.tensor(np.ones(2, np.float32), requires_grad=True)
    out = x32.masked_fill(rg.tensor([True, False]), rg.tensor(3.0))
    assert out.dtype == np.float32
