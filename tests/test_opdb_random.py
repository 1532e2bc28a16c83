"""Random shapes, axes and indices on top of the op database's fixed samples (hypothesis, small):
values and gradients against PyTorch. The fixed samples are in tests/opdb; this is what drew
the integer-next-to-index-arrays bug out."""

from __future__ import annotations

import operator

import numpy as np
import pytest
import torch
from hypothesis import assume, given, strategies as st
from hypothesis.extra import numpy as hnp

import retrograd as rg


def _compare(rg_fn, torch_fn, arrays, seed=0):
    """Values and gradients (random cotangent) of ``rg_fn`` and ``torch_fn`` on the same arrays."""
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    try:
        t_out = torch_fn(*ts)
    except (IndexError, RuntimeError, ValueError):
        with pytest.raises((IndexError, ValueError)):  # PyTorch refuses: so must we
            rg_fn(*[rg.tensor(a, requires_grad=True) for a in arrays])
        return
    xs = [rg.tensor(a, requires_grad=True) for a in arrays]
    out = rg_fn(*xs)
    assert out.shape == tuple(t_out.shape)
    np.testing.assert_allclose(out.numpy(), t_out.detach().numpy(), rtol=1e-10, atol=1e-12, equal_nan=True)
    cot = np.random.default_rng(seed).standard_normal(out.shape)
    with np.errstate(all="ignore"):
        out.backward(cot)
    grads = torch.autograd.grad(t_out, ts, torch.tensor(cot), allow_unused=True)
    for x, g in zip(xs, grads):
        expected = np.zeros(x.shape) if g is None else g.numpy()
        np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-9, atol=1e-12, equal_nan=True)


BINARY = [("add", operator.add, operator.add), ("mul", operator.mul, operator.mul),
          ("div", operator.truediv, operator.truediv), ("pow", operator.pow, operator.pow),
          ("maximum", rg.maximum, torch.maximum), ("minimum", rg.minimum, torch.minimum)]


@pytest.mark.parametrize("name,ours,theirs", BINARY, ids=[b[0] for b in BINARY])
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=0, max_side=3),
       seed=st.integers(0, 2 ** 16))
def test_binary_ops_on_random_broadcast_shapes(name, ours, theirs, shapes, seed):
    r = np.random.default_rng(seed)
    a = r.uniform(0.3, 2.0, shapes.input_shapes[0])
    b = r.uniform(-2.0, 2.0, shapes.input_shapes[1])
    _compare(ours, theirs, [a, b], seed)


REDUCTIONS = [("sum", torch.sum), ("mean", torch.mean), ("amax", torch.amax), ("amin", torch.amin),
              ("logsumexp", torch.logsumexp)]


@st.composite
def reduction_case(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
    nd = len(shape)
    if nd == 0:
        axis = draw(st.sampled_from([0, -1]))
    else:
        axis = draw(st.one_of(st.integers(-nd, nd - 1),
                              st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=nd,
                                       unique_by=lambda a: a % nd).map(tuple)))
    return shape, axis, draw(st.booleans()), draw(st.integers(0, 2 ** 16))


@pytest.mark.parametrize("name,theirs", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
@given(case=reduction_case())
def test_reductions_over_random_axes(name, theirs, case):
    shape, axis, keepdims, seed = case
    n = int(np.prod(shape))
    x = np.random.default_rng(seed).permutation(np.linspace(-2, 2, n)).reshape(shape)  # no ties
    ours = getattr(rg, "max" if name == "amax" else "min" if name == "amin" else name)
    _compare(lambda t: ours(t, axis=axis, keepdims=keepdims), lambda t: theirs(t, dim=axis, keepdim=keepdims),
             [x], seed)


_COMPONENTS = [0, -1, 2, slice(None), slice(1, 3), slice(None, None, 2), None, Ellipsis,
               np.array([0, 2, 2]), np.array([[1], [0]]), np.array([True, False, True])]


@given(idx=st.lists(st.sampled_from(range(len(_COMPONENTS))), min_size=1, max_size=3), seed=st.integers(0, 99))
def test_getitem_with_random_indices(idx, seed):
    idx = tuple(_COMPONENTS[i] for i in idx)
    assume(sum(i is Ellipsis for i in idx) <= 1)
    x = np.random.default_rng(seed).standard_normal((3, 4, 3))
    tidx = tuple(torch.from_numpy(i) if isinstance(i, np.ndarray) else i for i in idx)
    _compare(lambda t: t[idx], lambda t: t[tidx], [x], seed)
