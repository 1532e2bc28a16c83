"""Every primitive, two ways: gradients against central finite differences (float64, gradcheck),
and values and gradients against PyTorch (CPU) on the same inputs. Shapes come from hypothesis,
including broadcasting, size-1 dimensions, empty dimensions and 0-d tensors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import retrograd as rg
from op_specs import BINARY, REDUCE, SOFTMAX, UNARY, distinct, values

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
shapes_with_empty = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)


def torch_grads(torch_fn, arrays, cotangent_seed=0):
    """Value of ``torch_fn`` and the gradients of <out, random cotangent> w.r.t. every input."""
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = torch_fn(torch, *ts)
    cot = np.random.default_rng(cotangent_seed).standard_normal(tuple(out.shape))
    grads = torch.autograd.grad(out, ts, torch.tensor(cot), allow_unused=True)
    return out.detach().numpy(), cot, [None if g is None else g.numpy() for g in grads]


def rg_grads(rg_fn, arrays, cot):
    xs = [rg.tensor(a, requires_grad=True) for a in arrays]
    out = rg_fn(*xs)
    out.backward(cot)
    return out.numpy(), [x.grad.numpy() if x.grad is not None else None for x in xs]


def assert_matches_torch(rg_fn, torch_fn, arrays):
    t_out, cot, t_grads = torch_grads(torch_fn, arrays)
    r_out, r_grads = rg_grads(rg_fn, arrays, cot)
    assert r_out.shape == t_out.shape
    np.testing.assert_allclose(r_out, t_out, rtol=1e-10, atol=1e-12)
    for r, t in zip(r_grads, t_grads):
        t = np.zeros_like(r) if t is None else t
        np.testing.assert_allclose(r, t, rtol=1e-9, atol=1e-12)


# ----- elementwise unary -----------------------------------------------------------------
@pytest.mark.parametrize("spec", UNARY, ids=lambda s: s.name)
@given(data=st.data())
def test_unary_gradcheck(spec, data):
    x = data.draw(values(data.draw(shapes), spec.low, spec.high, spec.away_from_zero,
                         spec.extra.get("avoid", ())))
    assert rg.gradcheck(spec.rg_fn, [rg.tensor(x, requires_grad=True)])


@pytest.mark.parametrize("spec", UNARY, ids=lambda s: s.name)
@given(data=st.data())
def test_unary_matches_torch(spec, data):
    x = data.draw(values(data.draw(shapes_with_empty), spec.low, spec.high, spec.away_from_zero,
                         spec.extra.get("avoid", ())))
    assert_matches_torch(spec.rg_fn, spec.torch_fn, [x])


# ----- elementwise binary with broadcasting -------------------------------------------------
def _binary_inputs(data, spec, min_side=1):
    bshapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                          min_side=min_side, max_side=3))
    x = data.draw(values(bshapes.input_shapes[0], spec.low, spec.high))
    y = data.draw(values(bshapes.input_shapes[1], spec.low, spec.high, spec.away_from_zero))
    if spec.extra.get("no_ties"):  # x on a grid of halves, y between them: never equal
        x = np.round(x * 2) / 2
        y = np.round(y * 2) / 2 + 0.25
    return x, y


@pytest.mark.parametrize("spec", BINARY, ids=lambda s: s.name)
@given(data=st.data())
def test_binary_gradcheck(spec, data):
    x, y = _binary_inputs(data, spec)
    assert rg.gradcheck(spec.rg_fn, [rg.tensor(x, requires_grad=True), rg.tensor(y, requires_grad=True)])


@pytest.mark.parametrize("spec", BINARY, ids=lambda s: s.name)
@given(data=st.data())
def test_binary_matches_torch(spec, data):
    x, y = _binary_inputs(data, spec, min_side=0)
    assert_matches_torch(spec.rg_fn, spec.torch_fn, [x, y])


@pytest.mark.parametrize("spec", BINARY, ids=lambda s: s.name)
def test_binary_with_python_scalar_on_either_side(spec):
    x = np.array([0.7, 1.3])
    assert_matches_torch(lambda a: spec.rg_fn(a, 1.25), lambda T, a: spec.torch_fn(T, a, 1.25), [x])
    if spec.name not in ("maximum", "minimum"):
        assert_matches_torch(lambda a: spec.rg_fn(1.25, a), lambda T, a: spec.torch_fn(T, 1.25, a), [x])


# ----- reductions --------------------------------------------------------------------------
@st.composite
def reduce_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    nd = len(shape)
    axis = draw(st.one_of(st.none(), st.integers(-nd, nd - 1),
                          st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True).map(tuple)))
    keepdims = draw(st.booleans())
    x = distinct(draw(values(shape)))
    return x, axis, keepdims


@pytest.mark.parametrize("spec", REDUCE, ids=lambda s: s.name)
@given(case=reduce_case())
def test_reduce_gradcheck(spec, case):
    x, axis, k = case
    assert rg.gradcheck(lambda t: spec.rg_fn(t, axis, k), [rg.tensor(x, requires_grad=True)])


@pytest.mark.parametrize("spec", REDUCE, ids=lambda s: s.name)
@given(case=reduce_case())
def test_reduce_matches_torch(spec, case):
    x, axis, k = case
    if axis is None:
        k = False
    assert_matches_torch(lambda t: spec.rg_fn(t, axis, k), lambda T, t: spec.torch_fn(T, t, axis, k), [x])


@pytest.mark.parametrize("spec", REDUCE[:2], ids=lambda s: s.name)
def test_reduce_of_0d_tensor(spec):
    x = np.array(1.5)
    assert_matches_torch(lambda t: spec.rg_fn(t, None, False), lambda T, t: spec.torch_fn(T, t, None, False), [x])


def test_max_ties_share_the_gradient_like_torch_amax():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    assert_matches_torch(lambda t: rg.max(t, axis=1), lambda T, t: t.amax(dim=1), [x])
    assert_matches_torch(lambda t: rg.maximum(t, 2.0), lambda T, t: T.maximum(t, T.tensor(2.0, dtype=T.float64)),
                         [x])


@pytest.mark.parametrize("spec", SOFTMAX, ids=lambda s: s.name)
@given(data=st.data())
def test_softmax_family(spec, data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = data.draw(values(shape, -3, 3))
    assert rg.gradcheck(lambda t: spec.rg_fn(t, axis), [rg.tensor(x, requires_grad=True)])
    assert_matches_torch(lambda t: spec.rg_fn(t, axis), lambda T, t: spec.torch_fn(T, t, axis), [x])


def test_softmax_logsumexp_sigmoid_do_not_overflow():
    big = np.array([1000.0, -1000.0, 0.0])
    assert np.allclose(rg.softmax(rg.tensor(big)).numpy(), [1.0, 0.0, 0.0])
    assert np.isfinite(rg.log_softmax(rg.tensor(big)).numpy()).all()
    assert float(rg.logsumexp(rg.tensor([1000.0, 1000.0]))) == pytest.approx(1000 + np.log(2))
    with np.errstate(over="raise"):
        s = rg.sigmoid(rg.tensor(big, requires_grad=True))
        s.sum().backward()
    assert np.allclose(s.numpy(), [1.0, 0.0, 0.5])
    assert np.isfinite(s.numpy()).all()


# ----- shapes, indexing, joining, matmul, where -------------------------------------------
@given(data=st.data())
def test_reshape_transpose_squeeze_unsqueeze(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    x = data.draw(values(shape))
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    new_shape = (-1,) + (1,) * data.draw(st.integers(0, 2))
    cases = [
        (lambda t: rg.reshape(t, new_shape), lambda T, t: t.reshape(new_shape)),
        (lambda t: rg.transpose(t, perm), lambda T, t: t.permute(perm)),
        (lambda t: t.T, lambda T, t: t.permute(tuple(reversed(range(t.ndim))))),
        (lambda t: rg.squeeze(rg.unsqueeze(t, 0) * 2), lambda T, t: (t.unsqueeze(0) * 2).squeeze()),
        (lambda t: rg.unsqueeze(t, -1), lambda T, t: t.unsqueeze(-1)),
    ]
    for rg_fn, torch_fn in cases:
        assert rg.gradcheck(rg_fn, [rg.tensor(x, requires_grad=True)])
        assert_matches_torch(rg_fn, torch_fn, [x])


@given(data=st.data())
def test_broadcast_to(data):
    bshape = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=1, min_dims=0, max_dims=3, max_side=3))
    x = data.draw(values(bshape.input_shapes[0]))
    target = bshape.result_shape
    fn = lambda t: rg.broadcast_to(t, target)  # noqa: E731
    assert rg.gradcheck(fn, [rg.tensor(x, requires_grad=True)])
    assert_matches_torch(fn, lambda T, t: t.broadcast_to(target), [x])


INDEXES = [
    (1,), (slice(None, None, -1),), (slice(1, None),), (Ellipsis, 0), (None, 0),
    (np.array([0, 0, 2, 1, 0]),), (np.array([[0, 1], [1, 1]]),), (np.array([True, False, True]),),
    (slice(None), np.array([2, 2, 0])), (np.array([0, 2]), np.array([1, 1])), (-1, slice(0, 2)),
]


@pytest.mark.parametrize("idx", INDEXES, ids=repr)
def test_getitem_basic_and_integer_arrays_accumulate(idx):
    x = np.random.default_rng(1).standard_normal((3, 3))
    fn = lambda t: t[idx]  # noqa: E731
    assert rg.gradcheck(fn, [rg.tensor(x, requires_grad=True)])
    if isinstance(idx[0], slice) and idx[0].step == -1:  # PyTorch has no negative steps: its spelling is flip
        assert_matches_torch(fn, lambda T, t: t.flip(0), [x])
        return
    tidx = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in idx)
    assert_matches_torch(fn, lambda T, t: t[tidx], [x])


def test_getitem_repeated_indices_sum_their_gradients():
    x = rg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 0, 2]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 1.0])


@given(data=st.data())
def test_concatenate_and_stack(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = data.draw(values(shape))
    b_shape = list(shape)
    b_shape[axis] = data.draw(st.integers(1, 3))
    b = data.draw(values(tuple(b_shape)))
    c = data.draw(values(shape))
    cat = lambda x, y: rg.concatenate([x, y, x * 2], axis=axis)  # noqa: E731
    assert rg.gradcheck(cat, [rg.tensor(a, requires_grad=True), rg.tensor(b, requires_grad=True)])
    assert_matches_torch(cat, lambda T, x, y: T.cat([x, y, x * 2], dim=axis), [a, b])
    st_axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    stk = lambda x, y: rg.stack([x, y], axis=st_axis)  # noqa: E731
    assert rg.gradcheck(stk, [rg.tensor(a, requires_grad=True), rg.tensor(c, requires_grad=True)])
    assert_matches_torch(stk, lambda T, x, y: T.stack([x, y], dim=st_axis), [a, c])


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
                 ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4)),
                 ((2, 2, 3), (3,))]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES, ids=str)
def test_matmul(sa, sb):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    assert rg.gradcheck(lambda x, y: x @ y, [rg.tensor(a, requires_grad=True), rg.tensor(b, requires_grad=True)])
    assert_matches_torch(lambda x, y: x @ y, lambda T, x, y: x @ y, [a, b])


@given(data=st.data())
def test_where(data):
    bshapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
    c = data.draw(hnp.arrays(np.bool_, bshapes.input_shapes[0]))
    x = data.draw(values(bshapes.input_shapes[1]))
    y = data.draw(values(bshapes.input_shapes[2]))
    fn = lambda a, b: rg.where(c, a, b)  # noqa: E731
    assert rg.gradcheck(fn, [rg.tensor(x, requires_grad=True), rg.tensor(y, requires_grad=True)])
    assert_matches_torch(fn, lambda T, a, b: T.where(T.tensor(c), a, b), [x, y])


def test_relu_derivative_at_zero_is_zero():
    x = rg.tensor([0.0, -0.0, 1.0], requires_grad=True)
    rg.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 1.0])


def test_float32_stays_float32_through_forward_and_backward():
    x = rg.tensor(np.array([0.5, 1.5], dtype=np.float32), requires_grad=True)
    w = rg.tensor(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    y = rg.softmax(rg.tanh(w @ x * 2.0 + 1) ** 2, axis=0)
    assert y.dtype == np.float32
    (y * rg.log(y)).sum().backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32
    # agrees with the float64 computation to float32 precision
    x64 = rg.tensor(x.numpy().astype(np.float64), requires_grad=True)
    y64 = rg.softmax(rg.tanh(rg.tensor(np.ones((2, 2))) @ x64 * 2.0 + 1) ** 2, axis=0)
    (y64 * rg.log(y64)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), x64.grad.numpy(), rtol=1e-4, atol=1e-6)
