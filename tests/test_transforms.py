"""rg.grad / value_and_grad / vjp / jvp / jacobian / hessian / hvp against torch.func.

Every function below is written once against a tiny namespace (``RG`` or ``TH``) so the same
code runs in retrograd and in PyTorch; inputs come from hypothesis. The functions together touch
every primitive family (elementwise with broadcasting, reductions, shapes, indexing, joining,
matmul in its 1-D, 2-D and batched forms), which is what exercises the batched vjp and jvp rules
that full Jacobians rely on.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.func as tf
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import retrograd as rg

torch.set_default_dtype(torch.float64)


class RG:
    """retrograd spelling of the operations the test functions use."""
    tanh, sin, cos, exp, log, sqrt, sigmoid = rg.tanh, rg.sin, rg.cos, rg.exp, rg.log, rg.sqrt, rg.sigmoid
    tan, relu, abs = rg.tan, rg.relu, rg.abs

    @staticmethod
    def clip(x, lo, hi):
        return rg.clip(x, lo, hi)

    @staticmethod
    def min(x, axis=None):
        return rg.min(x, axis=axis)
    maximum, minimum = staticmethod(rg.maximum), staticmethod(rg.minimum)

    @staticmethod
    def c(a):
        return np.asarray(a, dtype=np.float64)

    @staticmethod
    def sum(x, axis=None, keepdims=False):
        return rg.sum(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def mean(x, axis=None):
        return rg.mean(x, axis=axis)

    @staticmethod
    def max(x, axis=None):
        return rg.max(x, axis=axis)

    @staticmethod
    def softmax(x, axis=-1):
        return rg.softmax(x, axis=axis)

    @staticmethod
    def log_softmax(x, axis=-1):
        return rg.log_softmax(x, axis=axis)

    @staticmethod
    def logsumexp(x, axis):
        return rg.logsumexp(x, axis=axis)

    @staticmethod
    def stack(xs, axis=0):
        return rg.stack(xs, axis=axis)

    @staticmethod
    def cat(xs, axis=0):
        return rg.concatenate(xs, axis=axis)

    @staticmethod
    def where(c, x, y):
        return rg.where(c, x, y)

    @staticmethod
    def reshape(x, shape):
        return rg.reshape(x, shape)

    @staticmethod
    def swap(x, a, b):
        return rg.swapaxes(x, a, b)

    @staticmethod
    def bcast(x, shape):
        return rg.broadcast_to(x, shape)

    @staticmethod
    def var(x, axis=None):
        return rg.var(x, axis=axis, correction=0)

    @staticmethod
    def gt(x, v):
        return np.asarray(x.data if isinstance(x, rg.Tensor) else x) > v


class TH:
    """PyTorch spelling of the same operations."""
    tanh, sin, cos, exp, log, sqrt, sigmoid = (torch.tanh, torch.sin, torch.cos, torch.exp, torch.log,
                                               torch.sqrt, torch.sigmoid)
    tan, relu, abs = torch.tan, torch.relu, torch.abs

    @staticmethod
    def clip(x, lo, hi):
        return torch.clamp(x, lo, hi)

    @staticmethod
    def min(x, axis=None):
        return x.min() if axis is None else x.amin(dim=axis)
    maximum, minimum = staticmethod(torch.maximum), staticmethod(torch.minimum)

    @staticmethod
    def c(a):
        return torch.as_tensor(np.asarray(a, dtype=np.float64))

    @staticmethod
    def sum(x, axis=None, keepdims=False):
        return x.sum() if axis is None else x.sum(dim=axis, keepdim=keepdims)

    @staticmethod
    def mean(x, axis=None):
        return x.mean() if axis is None else x.mean(dim=axis)

    @staticmethod
    def max(x, axis=None):
        return x.max() if axis is None else x.amax(dim=axis)

    @staticmethod
    def softmax(x, axis=-1):
        return torch.softmax(x, dim=axis)

    @staticmethod
    def log_softmax(x, axis=-1):
        return torch.log_softmax(x, dim=axis)

    @staticmethod
    def logsumexp(x, axis):
        return torch.logsumexp(x, dim=axis)

    @staticmethod
    def stack(xs, axis=0):
        return torch.stack(list(xs), dim=axis)

    @staticmethod
    def cat(xs, axis=0):
        return torch.cat(list(xs), dim=axis)

    @staticmethod
    def where(c, x, y):
        return torch.where(c, x, y)

    @staticmethod
    def reshape(x, shape):
        return x.reshape(shape)

    @staticmethod
    def swap(x, a, b):
        return x.transpose(a, b)

    @staticmethod
    def bcast(x, shape):
        return x.expand(shape)

    @staticmethod
    def var(x, axis=None):
        return x.var(correction=0) if axis is None else x.var(dim=axis, correction=0)

    @staticmethod
    def gt(x, v):
        return x > v


# Constants shared by both spellings (fixed, so the two sides see the same numbers).
_R = np.random.default_rng(1234)
W4 = _R.standard_normal((4, 4)) * 0.5
W34 = _R.standard_normal((3, 4)) * 0.5
B243 = _R.standard_normal((2, 4, 3)) * 0.5
V4 = _R.standard_normal(4)
B234 = np.ascontiguousarray(np.swapaxes(B243, 1, 2))
M24 = _R.standard_normal((2, 4))


# ----- functions of one vector x of shape (4,) -------------------------------------------------
def f_mlp(N, x):
    return N.tanh(N.c(W4) @ x)


def f_elementwise(N, x):
    return (N.sin(x) * x ** 2 + N.exp(-x) / (1 + x * x) + N.sqrt(1 + x * x) - N.log(2 + N.cos(x))
            + (2 + N.sin(x)) ** (x / 2) + N.sum(N.reshape(1.5 + x * x, (4, 1)) ** N.reshape(x[:2] / 2, (1, 2)),
                                                  axis=1))


def f_outer(N, x):
    # broadcasting in both directions: (4, 1) * (1, 4), then a reduction over one axis
    return N.sum(N.reshape(x, (4, 1)) * N.reshape(N.sigmoid(x), (1, 4)) + N.c(M24)[:1], axis=0)


def f_softmax(N, x):
    return N.softmax(x) * N.log_softmax(2 * x) + N.logsumexp(N.reshape(x, (2, 2)), axis=(1,)).sum()


def f_matvec_left(N, x):
    return x @ N.c(W34).T + N.c(V4)[:3] * (x @ x)  # 1-D @ 2-D and 1-D @ 1-D


def f_batched(N, x):
    # (2, 3, 4) @ (4,) and (4,) @ (2, 4, 3): matmul broadcasting over a batch axis
    return N.sum(N.tanh(N.c(B234) @ x), axis=1) + N.sum(x @ N.c(B243), axis=1)


def f_square_mat(N, x):
    m = N.reshape(x, (2, 2))
    return N.reshape(m @ m @ N.swap(m, 0, 1), (4,)) + N.var(x)


def f_indexing(N, x):
    return N.cat([x[::2] * x[1::2], x[np.array([0, 0, 3])], N.stack([N.max(x), N.mean(x)])])


def f_where_bcast(N, x):
    leaky = N.where(N.gt(x, 0.0), x, 0.1 * x)
    return N.bcast(leaky, (3, 4)) * N.c(W34) + N.maximum(x, N.c(V4)) - N.minimum(x * x, N.c(1.5))


def f_kinks(N, x):
    # relu, abs and clip away from their kinks (the strategy keeps x off 0 and +-1.2)
    m = N.reshape(x, (2, 2)) * N.c(M24[:, :2])
    return N.tan(x / 2) * N.relu(x) + N.abs(x) * N.clip(x, -1.2, 1.2) + N.min(m, axis=0).sum() + N.min(x)


VECTOR_FUNCTIONS = [f_mlp, f_elementwise, f_outer, f_softmax, f_matvec_left, f_batched, f_square_mat,
                    f_indexing, f_where_bcast, f_kinks]


def scalar_of(fn):
    """A scalar function built from ``fn`` (for grad, hessian, hvp)."""
    def s(N, x):
        y = fn(N, x)
        return N.sum(N.sin(y) * y)
    s.__name__ = f"scalar_{fn.__name__}"
    return s


SCALAR_FUNCTIONS = [scalar_of(fn) for fn in VECTOR_FUNCTIONS]

# Values in [-1.5, 1.5], kept away from the kinks of where/maximum/minimum/max by the strategy below.
_val = st.floats(-1.5, 1.5, allow_nan=False, allow_infinity=False)


@st.composite
def vectors(draw, n=4):
    x = draw(hnp.arrays(np.float64, (n,), elements=_val))
    # Keep values apart from each other, from 0 and from V4 (ties and kinks have no unique derivative).
    x = x + np.arange(n) * 0.01 + 0.0371
    x = np.where(np.abs(x) < 0.05, x + 0.1, x)
    x = np.where(np.abs(x - V4) < 0.05, x + 0.1, x)
    x = np.where(np.abs(x * x - 1.5) < 0.05, x + 0.07, x)
    x = np.where(np.abs(np.abs(x) - 1.2) < 0.03, x * 0.9, x)
    return x


def rg_f(fn):
    return lambda x: fn(RG, x)


def th_f(fn):
    return lambda x: fn(TH, x)


def close(ours, theirs, rtol=1e-8, atol=1e-10):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    ours = ours.data if isinstance(ours, rg.Tensor) else np.asarray(ours)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def T(x):
    return torch.tensor(x, dtype=torch.float64)


# ----- full Jacobians ---------------------------------------------------------------------------
@pytest.mark.parametrize("fn", VECTOR_FUNCTIONS, ids=lambda f: f.__name__)
@given(x=vectors())
def test_jacobian_rev_matches_torch_jacrev(fn, x):
    close(rg.jacobian(rg_f(fn), mode="rev")(x), tf.jacrev(th_f(fn))(T(x)))


@pytest.mark.parametrize("fn", VECTOR_FUNCTIONS, ids=lambda f: f.__name__)
@given(x=vectors())
def test_jacobian_fwd_matches_torch_jacfwd(fn, x):
    close(rg.jacobian(rg_f(fn), mode="fwd")(x), tf.jacfwd(th_f(fn))(T(x)))


@pytest.mark.parametrize("fn", [f_mlp, f_square_mat, f_outer], ids=lambda f: f.__name__)
@given(x=hnp.arrays(np.float64, (2, 2), elements=_val))
def test_jacobian_of_matrix_input_and_output(fn, x):
    """Matrix in, matrix out: shapes out.shape + in.shape, both modes."""
    def g(N, m):
        return N.reshape(fn(N, N.reshape(m, (4,))), (2, -1))
    ours_rev = rg.jacobian(lambda m: g(RG, m), mode="rev")(x)
    ours_fwd = rg.jacfwd(lambda m: g(RG, m))(x)
    theirs = tf.jacrev(lambda m: g(TH, m))(T(x))
    close(ours_rev, theirs)
    close(ours_fwd, theirs)


@given(x=vectors(), y=hnp.arrays(np.float64, (3,), elements=_val))
def test_jacobian_argnums_tuple(x, y):
    def f(N, a, b):
        return N.tanh(N.c(W34) @ a) * b + N.sum(a) * N.sin(b)
    for mode in ("rev", "fwd", "auto"):
        ja, jb = rg.jacobian(lambda a, b: f(RG, a, b), argnums=(0, 1), mode=mode)(x, y)
        ta, tb = tf.jacrev(lambda a, b: f(TH, a, b), argnums=(0, 1))(T(x), T(y))
        close(ja, ta)
        close(jb, tb)
    close(rg.jacrev(lambda a, b: f(RG, a, b), argnums=1)(x, y), tb)


def test_jacobian_scalar_input_and_output():
    assert rg.jacobian(lambda x: x ** 3)(2.0).item() == pytest.approx(12.0)
    j = rg.jacobian(lambda x: rg.stack([x, x * x, rg.sin(x)]), mode="fwd")(0.5)
    close(j, tf.jacfwd(lambda x: torch.stack([x, x * x, torch.sin(x)]))(T(0.5)))
    j = rg.jacobian(lambda x: (x * x).sum(), mode="rev")(np.array([1.0, 2.0]))
    close(j, np.array([2.0, 4.0]))


def test_jacobian_of_constant_and_identity():
    x = np.array([1.0, 2.0, 3.0])
    for mode in ("rev", "fwd"):
        close(rg.jacobian(lambda v: v, mode=mode)(x), np.eye(3))
        close(rg.jacobian(lambda v: np.ones(2), mode=mode)(x), np.zeros((2, 3)))


def test_jacobian_float32_keeps_dtype():
    x = np.array([0.1, 0.2], dtype=np.float32)
    for mode in ("rev", "fwd"):
        j = rg.jacobian(lambda v: rg.tanh(v) * 2, mode=mode)(x)
        assert j.dtype == np.float32
        close(j, np.diag(2 * (1 - np.tanh(x) ** 2)), rtol=1e-6)


# ----- grad and value_and_grad ------------------------------------------------------------------
@pytest.mark.parametrize("fn", SCALAR_FUNCTIONS, ids=lambda f: f.__name__)
@given(x=vectors())
def test_grad_matches_torch(fn, x):
    close(rg.grad(rg_f(fn))(x), tf.grad(th_f(fn))(T(x)))


@given(x=vectors(), y=hnp.arrays(np.float64, (4,), elements=_val))
def test_value_and_grad_argnums_matches_torch(x, y):
    def f(N, a, b):
        return N.sum(N.tanh(a * b) + N.exp(b) * a)
    (va, (ga, gb)) = rg.value_and_grad(lambda a, b: f(RG, a, b), argnums=(0, 1))(x, y)
    (gta, gtb), vt = tf.grad_and_value(lambda a, b: f(TH, a, b), argnums=(0, 1))(T(x), T(y))
    close(va, vt)
    close(ga, gta)
    close(gb, gtb)
    close(rg.grad(lambda a, b: f(RG, a, b), argnums=-1)(x, y), gtb)


def test_grad_accepts_tensors_arrays_and_floats():
    f = lambda x: x * x * x
    for x in (2.0, 2, np.float64(2.0), np.array(2.0), rg.tensor(2.0), rg.tensor(2.0, requires_grad=True)):
        g = rg.grad(f)(x)
        assert isinstance(g, rg.Tensor) and g.item() == 12.0
    assert rg.grad(f)(rg.tensor(2.0, requires_grad=True)).requires_grad  # differentiable further


def test_grad_has_aux_and_nondiff_args():
    def loss(w, x, label):
        pred = (w * x).sum()
        return (pred - 1.0) ** 2, {"pred": pred, "label": label}
    g, aux = rg.grad(loss, has_aux=True)(np.array([1.0, 2.0]), np.array([3.0, 4.0]), "cat")
    close(g, 2 * (11.0 - 1.0) * np.array([3.0, 4.0]))
    assert aux["label"] == "cat" and aux["pred"].item() == 11.0
    (v, aux), g2 = rg.value_and_grad(loss, has_aux=True)(np.array([1.0, 2.0]), np.array([3.0, 4.0]), "dog")
    assert v.item() == 100.0 and not v.requires_grad
    close(g2, g)


def test_grad_of_unused_argument_is_zero():
    g = rg.grad(lambda x, y: (x * 2).sum(), argnums=(0, 1))(np.ones(2), np.ones(3))
    close(g[0], 2 * np.ones(2))
    close(g[1], np.zeros(3))


def test_grad_flows_to_closed_over_parameters():
    """grad(f)(x) of a function using a parameter w that requires grad stays differentiable in w."""
    w = rg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x = np.array([0.3, 0.7, -0.2])
    g = rg.grad(lambda x: (rg.tanh(w * x) ** 2).sum())(x)
    (g * g).sum().backward()
    wt = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    gt = tf.grad(lambda x: (torch.tanh(wt * x) ** 2).sum())(T(x))
    (gt * gt).sum().backward()
    close(g, gt)
    close(w.grad, wt.grad)


# ----- vjp and jvp ------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", VECTOR_FUNCTIONS, ids=lambda f: f.__name__)
@given(x=vectors(), seed=st.integers(0, 2 ** 16))
def test_vjp_matches_torch(fn, x, seed):
    out, vjp_fn = rg.vjp(rg_f(fn), x)
    tout, tvjp = tf.vjp(th_f(fn), T(x))
    close(out, tout)
    ct = np.random.default_rng(seed).standard_normal(out.shape)
    (ours,) = vjp_fn(ct)
    (theirs,) = tvjp(T(ct))
    close(ours, theirs)
    (again,) = vjp_fn(rg.tensor(2 * ct))  # vjp_fn can be called again
    close(again, 2 * theirs)


@pytest.mark.parametrize("fn", VECTOR_FUNCTIONS, ids=lambda f: f.__name__)
@given(x=vectors(), seed=st.integers(0, 2 ** 16))
def test_jvp_matches_torch(fn, x, seed):
    v = np.random.default_rng(seed).standard_normal(x.shape)
    out, t_out = rg.jvp(rg_f(fn), (x,), (v,))
    tout, tt = tf.jvp(th_f(fn), (T(x),), (T(v),))
    close(out, tout)
    close(t_out, tt)


@given(x=vectors(), y=hnp.arrays(np.float64, (4,), elements=_val), seed=st.integers(0, 2 ** 16))
def test_jvp_and_vjp_of_two_arguments(x, y, seed):
    def f(N, a, b):
        return N.softmax(a * b) + N.c(W4) @ (a - b) ** 2
    rng = np.random.default_rng(seed)
    u, v = rng.standard_normal(4), rng.standard_normal(4)
    _, t = rg.jvp(lambda a, b: f(RG, a, b), [x, y], [u, v])
    _, tt = tf.jvp(lambda a, b: f(TH, a, b), (T(x), T(y)), (T(u), T(v)))
    close(t, tt)
    _, vjp_fn = rg.vjp(lambda a, b: f(RG, a, b), x, y)
    _, tvjp = tf.vjp(lambda a, b: f(TH, a, b), T(x), T(y))
    for ours, theirs in zip(vjp_fn(u), tvjp(T(u))):
        close(ours, theirs)


# ----- Hessians and Hessian-vector products --------------------------------------------------------
@pytest.mark.parametrize("fn", SCALAR_FUNCTIONS, ids=lambda f: f.__name__)
@given(x=vectors())
def test_hessian_matches_torch(fn, x):
    close(rg.hessian(rg_f(fn))(x), tf.hessian(th_f(fn))(T(x)), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("fn", SCALAR_FUNCTIONS[:5], ids=lambda f: f.__name__)
@given(x=vectors())
def test_hessian_all_four_compositions_agree(fn, x):
    """rev-over-rev, fwd-over-rev, rev-over-fwd, fwd-over-fwd all give torch's Hessian."""
    theirs = tf.hessian(th_f(fn))(T(x))
    f = rg_f(fn)
    for outer in ("rev", "fwd"):
        for inner in ("rev", "fwd"):
            close(rg.jacobian(rg.jacobian(f, mode=inner), mode=outer)(x), theirs, rtol=1e-7, atol=1e-9)
    close(rg.jacobian(rg.grad(f))(x), theirs, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("fn", SCALAR_FUNCTIONS, ids=lambda f: f.__name__)
@given(x=vectors(), seed=st.integers(0, 2 ** 16))
def test_hvp_matches_torch(fn, x, seed):
    v = np.random.default_rng(seed).standard_normal(x.shape)
    theirs = tf.jvp(tf.grad(th_f(fn)), (T(x),), (T(v),))[1]
    close(rg.hvp(rg_f(fn), x, v), theirs, rtol=1e-7, atol=1e-9)


@given(x=vectors(), y=hnp.arrays(np.float64, (3,), elements=_val))
def test_hessian_argnums_tuple_blocks(x, y):
    def f(N, a, b):
        return N.sum(N.tanh(N.c(W34) @ a) * b * b) + N.sum(a * a * a)
    ours = rg.hessian(lambda a, b: f(RG, a, b), argnums=(0, 1))(x, y)
    theirs = tf.hessian(lambda a, b: f(TH, a, b), argnums=(0, 1))(T(x), T(y))
    for i in range(2):
        for j in range(2):
            close(ours[i][j], theirs[i][j], rtol=1e-7, atol=1e-9)


# ----- composition ------------------------------------------------------------------------------
def test_grad_of_jvp_and_jvp_of_vjp():
    x0, v0 = np.array([0.3, -0.8, 1.1]), np.array([1.0, 0.5, -2.0])

    def f(N, x):
        return N.sin(x) * N.exp(x) + x ** 3

    # d/dx sum(jvp(f, x, v))
    ours = rg.grad(lambda x: rg.jvp(rg_f(lambda N, x: f(N, x)), (x,), (v0,))[1].sum())(x0)
    theirs = tf.grad(lambda x: tf.jvp(lambda x: f(TH, x), (x,), (T(v0),))[1].sum())(T(x0))
    close(ours, theirs)
    # jvp of the vjp map with respect to the cotangent and the primal
    ours = rg.jvp(lambda x: rg.vjp(lambda x: f(RG, x), x)[1](v0)[0], (x0,), (v0,))[1]
    theirs = tf.jvp(lambda x: tf.vjp(lambda x: f(TH, x), x)[1](T(v0))[0], (T(x0),), (T(v0),))[1]
    close(ours, theirs)


def test_nested_grad_keeps_variables_apart():
    """The classic perturbation-confusion example: d/dy [d/dx (x * y)] at x = y is 1, not 2."""
    assert rg.grad(lambda y: rg.grad(lambda x: x * y)(y))(3.0).item() == 1.0
    # and a closed-over outer variable: d/dy [d/dx (x * y)](x=2) = 1
    assert rg.grad(lambda y: rg.grad(lambda x: x * y)(2.0))(3.0).item() == 1.0


def test_transforms_ignore_no_grad_and_leave_inputs_alone():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    with rg.no_grad():
        g = rg.grad(lambda v: (v ** 3).sum())(x)
        j = rg.jacobian(lambda v: v ** 3, mode="fwd")(x)
    close(g, [3.0, 12.0])
    close(j, np.diag([3.0, 12.0]))
    assert x.grad is None and not g.requires_grad


# ----- the structured identity seed ------------------------------------------------------------
def test_diagonal_seed_gives_numpys_results_for_every_operation():
    """The seed of one-pass Jacobians skips products with itself; results must equal dense NumPy's."""
    from retrograd.transforms import _Diagonal

    rng = np.random.default_rng(0)
    d = rng.standard_normal(4)
    dense = np.diag(d)
    A, v, col = rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((4, 1))
    B, batch = rng.standard_normal((3, 4)), rng.standard_normal((2, 4, 5))
    cases = [
        lambda D: D @ A, lambda D: B @ D, lambda D: D @ v, lambda D: v @ D, lambda D: D @ batch,
        lambda D: D * v, lambda D: v * D, lambda D: D * 2.5, lambda D: D * col, lambda D: D * A.T[:1],
        lambda D: (D * v) @ A, lambda D: D + 1, lambda D: -D, lambda D: D.T @ A, lambda D: D[1:] @ A,
        lambda D: D.reshape(2, 8), lambda D: np.where(D > 0, D, 0.0) @ A, lambda D: D.sum(axis=0),
        lambda D: D @ D, lambda D: (D * v) * (D * v), lambda D: np.add.reduce(D * v, axis=1),
    ]
    for i, case in enumerate(cases):
        got, want = case(_Diagonal(d.copy())), case(dense.copy())
        assert got.shape == want.shape, i
        np.testing.assert_array_equal(np.asarray(got), want, err_msg=f"case {i}")
    D = _Diagonal(d.copy())
    np.add(D, 1.0, out=D)  # written in place: must stop claiming to be diagonal
    np.testing.assert_array_equal(D @ A, (dense + 1.0) @ A)


def test_jacobian_results_are_plain_independent_arrays():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    for mode in ("rev", "fwd"):
        J = rg.jacobian(lambda x: W @ x, mode=mode)(np.zeros(2))
        assert type(J.data) is np.ndarray
        J.data[0, 0] = 100.0  # must not write into W
        assert W[0, 0] == 1.0
        J = rg.jacobian(lambda x: x, mode=mode)(np.zeros(3))
        assert type(J.data) is np.ndarray and J.data.flags.writeable


def test_has_aux_for_jacobian_and_vjp():
    x = np.array([0.5, -1.0])
    J, aux = rg.jacobian(lambda v: (rg.tanh(v), "info"), has_aux=True)(x)
    close(J, np.diag(1 - np.tanh(x) ** 2))
    assert aux == "info"
    _out, vjp_fn, aux = rg.vjp(lambda v: (v * 3, {"n": 2}), x, has_aux=True)
    assert aux == {"n": 2}
    close(vjp_fn(np.ones(2))[0], [3.0, 3.0])


def test_hessian_of_vector_output_and_through_nn_primitives():
    from retrograd.nn import functional as F
    rng = np.random.default_rng(3)
    W, b, X = rng.standard_normal((3, 4)), rng.standard_normal(3), rng.standard_normal((5, 4))
    y = np.array([0, 1, 2, 1, 0])
    ours = rg.hessian(lambda w: F.cross_entropy(F.linear(X, w, b), y))(W)
    theirs = tf.hessian(lambda w: torch.nn.functional.cross_entropy(
        torch.nn.functional.linear(T(X), w, T(b)), torch.tensor(y)))(T(W))
    close(ours, theirs, rtol=1e-7, atol=1e-12)
    ours = rg.hessian(lambda v: rg.tanh(rg.tensor(W) @ v))(X[0])  # shape (3, 4, 4)
    close(ours, tf.hessian(lambda v: torch.tanh(T(W) @ v))(T(X[0])), rtol=1e-7, atol=1e-12)


def test_every_primitive_declares_vjp_and_jvp_rules():
    from retrograd import ops
    for prim in ops.ALL:
        assert prim.jvp is not None, prim.name
        assert prim.vjps is not None or prim.vjp_n is not None, prim.name


def test_grad_with_respect_to_the_cotangent_of_vjp():
    """d/dv sum(v @ J) = J @ 1: the cotangent itself can be traced by an outer transform."""
    x0, v0 = np.array([0.3, -0.8, 1.1]), np.array([1.0, 0.5])
    f = lambda x: rg.stack([rg.sin(x).sum(), (x * x * x).sum()])
    ours = rg.grad(lambda v: rg.vjp(f, x0)[1](v)[0].sum())(v0)
    J = rg.jacobian(f)(x0).data
    close(ours, J @ np.ones(3))
    tout = tf.grad(lambda v: tf.vjp(lambda x: torch.stack([torch.sin(x).sum(), (x ** 3).sum()]), T(x0))[1](v)[0]
                   .sum())(T(v0))
    close(ours, tout)
