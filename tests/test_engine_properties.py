"""Generated graphs: random DAGs of primitives (values reused, broadcasting, several outputs)
must give PyTorch's gradients; the engine's internal adjoint primitives must pass gradcheck."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, strategies as st

import retrograd as rg
from retrograd import ops

UNARY = {
    "tanh": (rg.tanh, torch.tanh), "sin": (rg.sin, torch.sin), "sigmoid": (rg.sigmoid, torch.sigmoid),
    "exp_small": (lambda t: rg.exp(t * 0.3), lambda t: torch.exp(t * 0.3)),
    "square": (lambda t: t * t, lambda t: t * t),
}
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
}
SHAPES = [(3,), (2, 3), (1, 3), (2, 1), ()]


@st.composite
def programs(draw):
    """A list of steps; each reads earlier values by index, so values are reused (a DAG)."""
    n_inputs = draw(st.integers(1, 3))
    shapes = [draw(st.sampled_from(SHAPES)) for _ in range(n_inputs)]
    steps = []
    for k in range(draw(st.integers(1, 12))):
        avail = n_inputs + k
        if draw(st.booleans()):
            steps.append(("u", draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, avail - 1))))
        else:
            steps.append(("b", draw(st.sampled_from(sorted(BINARY))),
                          draw(st.integers(0, avail - 1)), draw(st.integers(0, avail - 1))))
    seed = draw(st.integers(0, 2 ** 16))
    return shapes, steps, seed


def run(program, lib):
    shapes, steps, seed = program
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-1, 1, s) for s in shapes]
    if lib == "rg":
        leaves = [rg.tensor(a, requires_grad=True) for a in arrays]
    else:
        leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    vals = list(leaves)
    for step in steps:
        table = UNARY if step[0] == "u" else BINARY
        fn = table[step[1]][0 if lib == "rg" else 1]
        vals.append(fn(*(vals[i] for i in step[2:])))
    # Two outputs summed: the last value and one from the middle (a value can feed several paths).
    loss = vals[-1].sum() + (vals[len(vals) // 2] * 0.5).sum()
    return leaves, loss


@given(programs())
def test_random_dags_match_torch(program):
    ours, loss = run(program, "rg")
    theirs, tloss = run(program, "torch")
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-12, atol=1e-12)
    loss.backward()
    tgrads = torch.autograd.grad(tloss, theirs, allow_unused=True)
    for mine, ref in zip(ours, tgrads):
        expected = np.zeros(mine.shape) if ref is None else ref.numpy()
        got = np.zeros(mine.shape) if mine.grad is None else mine.grad.numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@given(st.sampled_from([((2, 3), (3,), 0), ((2, 3), (1, 3), 0), ((4, 2, 3), (2, 1), 0),
                        ((5, 2, 3), (3,), 1), ((5, 4, 2, 3), (2, 3), 1)]), st.integers(0, 100))
def test_sum_to_and_broadcast_to_are_adjoint_and_pass_gradcheck(case, seed):
    big, small, nb = case
    rng = np.random.default_rng(seed)
    x = rg.tensor(rng.standard_normal(big), requires_grad=True)
    assert rg.gradcheck(lambda t: ops.sum_to(t, small, nb=nb), [x])
    target_shape = big[:nb] + small
    y = rg.tensor(rng.standard_normal(target_shape), requires_grad=True)
    assert rg.gradcheck(lambda t: ops.broadcast_to(t, big), [rg.tensor(rng.standard_normal(small),
                                                                        requires_grad=True)])
    # <sum_to(x), y> == <x, broadcast(y)>: the defining property of an adjoint pair
    lhs = float((ops.sum_to(x.data, small, nb=nb) * y.data).sum())
    rhs = float((x.data * np.broadcast_to(y.data.reshape(big[:nb] + (1,) * (len(big) - len(target_shape))
                                                           + small), big)).sum())
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)


def test_index_add_is_the_adjoint_of_getitem():
    rng = np.random.default_rng(5)
    idx = (np.array([0, 2, 2, 1]),)
    g = rg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert rg.gradcheck(lambda t: ops.index_add(t, idx, (3, 3)), [g])
    x = rng.standard_normal((3, 3))
    lhs = float((x[idx] * g.data).sum())
    rhs = float((x * ops.index_add(g.data, idx, (3, 3))).sum())
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)
