"""Indexing functions (issue 13): what the op database (tests/opdb/breadth_index.py) does not cover."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import retrograd as rg

R = np.random.default_rng(2)


def a(*shape):
    return R.standard_normal(shape)


IDX = np.array([[0, 2, 1], [1, 3, 0]])  # no repeated position in a row: scatter is well defined
RT, TT = rg.tensor(IDX), torch.tensor(IDX)
DUP = np.array([0, 2, 0, 1])
MASK = np.array([[True, False, True], [False, False, True]])

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
    with pytest.raises(ValueError, match="'sum', 'prod'"):
        x.scatter_reduce(0, rg.tensor([[0, 1, 0]]), rg.ones(1, 3), "max")


def test_method_and_function_forms_agree():
    x = rg.tensor(a(2, 4))
    pairs = [(x.gather(1, RT), rg.gather(x, 1, RT)),
             (x.index_select(0, rg.tensor([1])), rg.index_select(x, 0, rg.tensor([1]))),
             (x.masked_fill(x > 0, 0.0), rg.masked_fill(x, x > 0, 0.0)),
             (x.scatter_add(1, RT, rg.ones(2, 3)), rg.scatter_add(x, 1, RT, rg.ones(2, 3)))]
    for m, f in pairs:
        np.testing.assert_array_equal(m.numpy(), f.numpy())


def test_masked_fill_keeps_the_input_dtype():
    assert rg.tensor([1, 2]).masked_fill(rg.tensor([True, False]), 2.7).dtype == np.int64
    x32 = rg.tensor(np.ones(2, np.float32), requires_grad=True)
    out = x32.masked_fill(rg.tensor([True, False]), rg.tensor(3.0))
    assert out.dtype == np.float32


def test_scatter_with_a_larger_src_sends_gradients_only_from_the_used_part():
    idx = np.array([[2, 0, 1]])
    src = rg.tensor(a(2, 4), requires_grad=True)
    x = rg.tensor(a(3, 3), requires_grad=True)
    cot = a(3, 3)
    rg.scatter(x, 0, rg.tensor(idx), src).backward(cot)
    ts = torch.tensor(src.numpy()[:1, :3], requires_grad=True)  # the part of src that index reads
    tx = torch.tensor(x.numpy(), requires_grad=True)
    torch.scatter(tx, 0, torch.tensor(idx), ts).backward(torch.tensor(cot))
    want = np.zeros((2, 4))
    want[:1, :3] = ts.grad.numpy()
    np.testing.assert_allclose(src.grad.numpy(), want)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_scatter_reduce_prod_is_exact_at_zeros():
    x = rg.tensor([2.0, 3.0, 5.0], requires_grad=True)
    src = rg.tensor([0.0, 4.0, 0.0, 7.0], requires_grad=True)
    idx = rg.tensor([0, 0, 1, 1])
    out = x.scatter_reduce(0, idx, src, "prod")
    assert out.tolist() == [0.0, 0.0, 5.0]
    assert rg.gradcheck(lambda a, b: a.scatter_reduce(0, idx, b, "prod"), [x, src])
    assert rg.gradgradcheck(lambda a, b: a.scatter_reduce(0, idx, b, "prod"), [x, src])
    out.backward(np.ones(3))
    assert src.grad.tolist() == [8.0, 0.0, 21.0, 0.0] and x.grad.tolist() == [0.0, 0.0, 1.0]
