"""rg.vmap with batching rules: f runs once for the whole batch, and the results equal the loop
over examples and torch.func.vmap (values and per-example gradients)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings, strategies as st
from torch import func as tf

import retrograd as rg
import retrograd.nn.functional as F
from retrograd.ops.primitive import Primitive

rng = np.random.default_rng(12)


def counted(f):
    """f, counting its calls in .calls."""
    def g(*args, **kwargs):
        g.calls += 1
        return f(*args, **kwargs)
    g.calls = 0
    return g


# ----- per-example gradients against the loop and torch.func ----------------------------------
def mlp_loss(p, x, y, lib):
    h = lib.tanh(x @ p["W1"].T + p["b1"])
    z = h @ p["W2"].T + p["b2"]
    return ((z - y) ** 2).mean()


def test_mlp_per_example_gradients_run_f_once_and_match_loop_and_torch():
    p = {"W1": rng.standard_normal((8, 5)), "b1": rng.standard_normal(8),
         "W2": rng.standard_normal((3, 8)), "b2": rng.standard_normal(3)}
    X, Y = rng.standard_normal((32, 5)), rng.standard_normal((32, 3))
    loss = counted(lambda p, x, y: mlp_loss(p, x, y, rg))
    per = rg.vmap(rg.grad(loss), in_axes=(None, 0, 0))(p, X, Y)
    assert loss.calls == 1                       # traced once for the batch of 32, not 32 calls
    loop = [rg.grad(lambda p, x, y: mlp_loss(p, x, y, rg))(p, X[i], Y[i]) for i in range(32)]
    tp = {k: torch.tensor(v) for k, v in p.items()}
    tper = tf.vmap(tf.grad(lambda p, x, y: mlp_loss(p, x, y, torch)), in_dims=(None, 0, 0))(
        tp, torch.tensor(X), torch.tensor(Y))
    for k in p:
        assert per[k].shape == (32,) + p[k].shape
        np.testing.assert_allclose(per[k].data, np.stack([g[k].data for g in loop]), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(per[k].data, tper[k].numpy(), rtol=1e-10, atol=1e-12)


def test_linear_layer_and_cross_entropy_per_example_gradients_match_torch():
    # F.linear is one fused primitive; each example is a batch of one, as in PyTorch's
    # per-sample-gradients recipe (x.unsqueeze(0))
    W, b = rng.standard_normal((4, 6)), rng.standard_normal(4)
    X, y = rng.standard_normal((10, 6)), rng.integers(0, 4, 10)

    def loss(W, b, x, t, lib_linear, lib_ce):
        return lib_ce(lib_linear(x[None], W, b), t[None])

    loss_rg = counted(lambda W, b, x, t: loss(W, b, x, t, F.linear, F.cross_entropy))
    gW, gb = rg.vmap(rg.grad(loss_rg, argnums=(0, 1)), in_axes=(None, None, 0, 0))(W, b, X, y)
    assert loss_rg.calls == 1
    tW, tb = tf.vmap(tf.grad(lambda W, b, x, t: loss(W, b, x, t, TF.linear, TF.cross_entropy),
                             argnums=(0, 1)), in_dims=(None, None, 0, 0))(
        torch.tensor(W), torch.tensor(b), torch.tensor(X), torch.tensor(y))
    np.testing.assert_allclose(gW.data, tW.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gb.data, tb.numpy(), rtol=1e-10, atol=1e-12)


def test_cross_entropy_over_minibatches_mean_sum_none():
    Z, Y = rng.standard_normal((6, 5, 3)), rng.integers(0, 3, (6, 5))
    for red in ("mean", "sum", "none"):
        f = counted(lambda z, t, red=red: F.cross_entropy(z, t, reduction=red))
        out = rg.vmap(f)(Z, Y)
        assert f.calls == 1
        ref = tf.vmap(lambda z, t, red=red: TF.cross_entropy(z, t, reduction=red))(torch.tensor(Z), torch.tensor(Y))
        np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-12)
        g = rg.vmap(rg.grad(lambda z, t, red=red: F.cross_entropy(z, t, reduction=red).sum()))(Z, Y)
        tg = tf.vmap(tf.grad(lambda z, t, red=red: TF.cross_entropy(z, t, reduction=red).sum()))(
            torch.tensor(Z), torch.tensor(Y))
        np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-10, atol=1e-12)


def test_conv_and_pool_per_example_gradients_match_torch():
    w = rng.standard_normal((3, 2, 3, 3))
    X = rng.standard_normal((4, 1, 2, 6, 6))  # each example is a batch of one image

    def loss(w, x, conv, act):
        return (act(conv(x, w, padding=1)) ** 2).sum()

    f = counted(lambda w, x: loss(w, x, F.conv2d, rg.tanh))
    g = rg.vmap(rg.grad(f), in_axes=(None, 0))(w, X)
    assert f.calls == 1
    tg = tf.vmap(tf.grad(lambda w, x: loss(w, x, TF.conv2d, torch.tanh)), in_dims=(None, 0))(
        torch.tensor(w), torch.tensor(X))
    np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-10, atol=1e-10)
    # max pooling: batched forward; its backward rule writes in place, which tracing cannot
    # follow, so the gradient falls back to one call per example (same values)
    pool = counted(lambda x: F.max_pool2d(F.conv2d(x, w, padding=1), 2))
    out = rg.vmap(pool)(X)
    assert pool.calls == 1
    ref = tf.vmap(lambda x: TF.max_pool2d(TF.conv2d(x, torch.tensor(w), padding=1), 2))(torch.tensor(X))
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-12)
    g = rg.vmap(rg.grad(lambda w, x: (F.max_pool2d(F.conv2d(x, w, padding=1), 2) ** 2).sum()),
                in_axes=(None, 0))(w, X)
    tg = tf.vmap(tf.grad(lambda w, x: (TF.max_pool2d(TF.conv2d(x, w, padding=1), 2) ** 2).sum()),
                 in_dims=(None, 0))(torch.tensor(w), torch.tensor(X))
    np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-10, atol=1e-10)


# ----- composition ----------------------------------------------------------------------------
def test_grad_of_vmap_records_the_batched_computation():
    A = rng.standard_normal((3, 4))
    f = counted(lambda r: (r ** 3).sum())
    g = rg.grad(lambda A: rg.vmap(f)(A).sum())(A)
    assert f.calls == 1
    np.testing.assert_allclose(g.data, 3 * A ** 2)
    h = rg.hessian(lambda a: rg.vmap(lambda r: rg.sin(r).sum())(a.reshape(2, 2)).sum())(A[0])
    np.testing.assert_allclose(h.data, np.diag(-np.sin(A[0])), atol=1e-14)


def test_vmap_of_vmap_is_an_outer_product_and_runs_f_once():
    a, b = rng.standard_normal(3), rng.standard_normal(5)
    f = counted(lambda x, y: x * y)
    out = rg.vmap(rg.vmap(f, in_axes=(None, 0)), in_axes=(0, None))(a, b)
    assert f.calls == 1
    np.testing.assert_allclose(out.data, np.outer(a, b))
    M = rng.standard_normal((2, 3, 4))
    out = rg.vmap(rg.vmap(lambda r: rg.softmax(r, -1)))(M)
    ref = tf.vmap(tf.vmap(lambda r: torch.softmax(r, -1)))(torch.tensor(M))
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-12)


def test_jit_of_vmap_of_grad_traces_once_and_matches_eager():
    p = {"W1": rng.standard_normal((4, 3)), "b1": rng.standard_normal(4),
         "W2": rng.standard_normal((2, 4)), "b2": rng.standard_normal(2)}
    X, Y = rng.standard_normal((7, 3)), rng.standard_normal((7, 2))
    loss = counted(lambda p, x, y: mlp_loss(p, x, y, rg))
    j = rg.jit(rg.vmap(rg.grad(loss), in_axes=(None, 0, 0)))
    out = j(p, X, Y)
    assert loss.calls == 1 and j.trace_count == 1
    eager = rg.vmap(rg.grad(lambda p, x, y: mlp_loss(p, x, y, rg)), in_axes=(None, 0, 0))(p, X, Y)
    for k in p:
        np.testing.assert_allclose(out[k].data, eager[k].data, rtol=1e-12)
    # the generated code is straight-line: no Python loop over the 7 examples
    assert j.source(p, X, Y).count("np.tanh(") == 1


def test_closures_over_values_of_an_enclosing_jit_or_vmap_are_batched_too():
    W, X = rng.standard_normal((4, 3)), rng.standard_normal((6, 3))
    f = counted(lambda x, W: rg.relu(rg.tanh(W @ x)).sum())
    j = rg.jit(lambda W, X: rg.vmap(lambda x: f(x, W))(X))       # W: a value of jit's trace
    np.testing.assert_allclose(j(W, X).data, np.maximum(np.tanh(X @ W.T), 0).sum(1))
    assert f.calls == 1 and j.source(W, X).count("np.tanh(") == 1
    g = rg.jit(rg.grad(lambda W, X: rg.vmap(lambda x: f(x, W))(X).sum()))
    ref = rg.grad(lambda W: rg.stack([f(x, W) for x in X]).sum())(W)
    f.calls = 0
    np.testing.assert_allclose(g(W, X).data, ref.data, rtol=1e-12)
    assert f.calls == 1
    # the inner function closes over the outer one's example
    y = rng.standard_normal(5)
    h = counted(lambda a, b: a * b)
    out = rg.vmap(lambda a: rg.vmap(lambda b: h(a, b))(y))(X[:, 0])
    np.testing.assert_allclose(out.data, np.outer(X[:, 0], y))
    assert h.calls == 1


def test_vmap_of_jacobian_matches_the_loop_and_torch():
    A = rng.standard_normal((5, 3))
    f = lambda x: rg.tanh(x) * x.sum()
    J = rg.vmap(rg.jacobian(f))(A)
    np.testing.assert_allclose(J.data, np.stack([rg.jacobian(f)(a).data for a in A]), rtol=1e-12)
    tJ = tf.vmap(tf.jacrev(lambda x: torch.tanh(x) * x.sum()))(torch.tensor(A))
    np.testing.assert_allclose(J.data, tJ.numpy(), rtol=1e-12)


# ----- fallbacks: the same values, just one call per example ----------------------------------
def test_value_dependent_control_flow_falls_back_to_the_loop():
    f = counted(lambda x: x * 2 if x.sum() > 0 else x * -1)
    X = np.array([[1.0, 2.0], [-3.0, 1.0], [0.5, 0.5]])
    out = rg.vmap(f)(X)
    np.testing.assert_allclose(out.data, [[2.0, 4.0], [3.0, -1.0], [1.0, 1.0]])
    assert f.calls == 1 + 3                      # the trace gave up, then one call per example


def test_random_draws_stay_one_per_example():
    # traced once, a dropout mask would be shared by every example: vmap loops instead, drawing
    # from the same generator state as the loop over examples would
    X = np.ones((4, 50))
    rg.manual_seed(3)
    out = rg.vmap(lambda x: F.dropout(x, 0.5))(X)
    rg.manual_seed(3)
    loop = np.stack([F.dropout(rg.tensor(x), 0.5).data for x in X])
    np.testing.assert_array_equal(out.data, loop)
    assert len({tuple(r) for r in out.data}) == 4
    np.random.seed(0)
    out = rg.vmap(lambda x: x * np.random.rand(*x.shape))(X)
    np.random.seed(0)
    np.testing.assert_array_equal(out.data, np.stack([x * np.random.rand(50) for x in X]))


def test_a_primitive_without_batching_rule_is_looped_alone():
    double = Primitive("double_test", lambda x: 2 * x, vjp=[lambda g, out, x: 2 * g])
    f = counted(lambda x: rg.sin(double(x)).sum())
    X = rng.standard_normal((4, 3))
    out = rg.vmap(f)(X)
    assert f.calls == 1
    np.testing.assert_allclose(out.data, np.sin(2 * X).sum(1))
    g = rg.vmap(rg.grad(f))(X)
    np.testing.assert_allclose(g.data, 2 * np.cos(2 * X))


def test_indexing_with_per_example_indices_and_advanced_indices():
    X = rng.standard_normal((4, 3, 5))
    idx = np.array([0, 2, 1, 2])
    out = rg.vmap(lambda x, i: x[i])(X, idx)            # the index depends on the example
    np.testing.assert_allclose(out.data, X[np.arange(4), idx])
    out = rg.vmap(lambda x: x[[0, 2], 1:4])(X)          # advanced next to a slice
    np.testing.assert_allclose(out.data, X[:, [0, 2], 1:4])
    out = rg.vmap(lambda x: x[[0, 2], :, [1, 3]], in_axes=1)(rng.standard_normal((3, 2, 4, 5)))
    assert out.shape == (2, 2, 4)
    g = rg.vmap(rg.grad(lambda x: (x[[0, 0, 2]] ** 2).sum()))(X)
    ref = tf.vmap(tf.grad(lambda x: (x[[0, 0, 2]] ** 2).sum()))(torch.tensor(X))
    np.testing.assert_allclose(g.data, ref.numpy())


# ----- in_axes / out_axes ---------------------------------------------------------------------
def test_in_axes_out_axes_negative_none_and_pytrees():
    A = rng.standard_normal((3, 4))
    out = rg.vmap(lambda a: a * 2, in_axes=-1, out_axes=-1)(A)
    np.testing.assert_allclose(out.data, A * 2)
    out = rg.vmap(lambda a: a.sum(), in_axes=-1)(A)
    np.testing.assert_allclose(out.data, A.sum(0))
    # a dict prefix: W is shared, x is mapped along axis 1
    p = {"W": rng.standard_normal((2, 3)), "x": rng.standard_normal((3, 6))}
    out = rg.vmap(lambda p: p["W"] @ p["x"], in_axes=({"W": None, "x": 1},))(p)
    np.testing.assert_allclose(out.data, (p["W"] @ p["x"]).T)
    ref = tf.vmap(lambda p: p["W"] @ p["x"], in_dims=({"W": None, "x": 1},))(
        {k: torch.tensor(v) for k, v in p.items()})
    np.testing.assert_allclose(out.data, ref.numpy())
    # pytree outputs with their own out_axes, and None for an output that does not depend on the batch
    s, m, c = rg.vmap(lambda a, w: (a.sum(), a * w, w * 2), in_axes=(0, None), out_axes=(0, 1, None))(
        A, rg.tensor(3.0))
    np.testing.assert_allclose(s.data, A.sum(1))
    np.testing.assert_allclose(m.data, (A * 3).T)
    assert c.shape == () and float(c) == 6.0
    # keyword arguments are mapped over axis 0, as JAX
    out = rg.vmap(lambda a, *, b: a + b)(A, b=A)
    np.testing.assert_allclose(out.data, 2 * A)
    # a list in_axes is one entry per argument, as JAX
    out = rg.vmap(lambda a, b: a - b, in_axes=[0, None])(A, A[0])
    np.testing.assert_allclose(out.data, A - A[0])


def test_outputs_that_do_not_depend_on_the_batch_are_broadcast():
    out = rg.vmap(lambda x: rg.tensor([1.0, 2.0]))(np.zeros((3, 5)))
    np.testing.assert_allclose(out.data, np.tile([1.0, 2.0], (3, 1)))
    out = rg.vmap(lambda x, w: w, in_axes=(0, None))(np.zeros(3), np.array([4.0, 5.0]))
    np.testing.assert_allclose(out.data, np.tile([4.0, 5.0], (3, 1)))


def test_results_never_share_memory_with_the_arguments():
    X = np.ones((3, 2))
    for f, ax in ((lambda x: x, 0), (lambda x: x, 1), (lambda x: x.T, 0), (lambda x: x[:1], 0)):
        out = rg.vmap(f, in_axes=ax)(X)
        assert not np.shares_memory(out.data, X)
    t = rg.tensor(X)
    assert not np.shares_memory(rg.vmap(lambda x: x)(t).data, t.data)


def test_an_empty_batch_gives_empty_results_of_the_right_shape():
    out = rg.vmap(lambda x: rg.tanh(x).sum())(np.zeros((0, 3)))
    assert out.shape == (0,)
    g = rg.vmap(rg.grad(lambda w, x: (w * x).sum()), in_axes=(None, 0))(np.ones(3), np.zeros((0, 3)))
    assert g.shape == (0, 3)
    with pytest.raises(ValueError, match="empty"):
        rg.vmap(lambda x: x if x.sum() > 0 else -x)(np.zeros((0, 3)))


def test_vmap_errors_name_the_fix():
    with pytest.raises(ValueError, match="different sizes"):
        rg.vmap(lambda a, b: a + b)(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="one entry per argument"):
        rg.vmap(lambda a, b: a + b, in_axes=(0,))(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="no argument is mapped"):
        rg.vmap(lambda a: a, in_axes=None)(np.ones(3))
    with pytest.raises(ValueError, match="only 1 dimension"):
        rg.vmap(lambda a: a, in_axes=1)(np.ones(3))
    with pytest.raises(ValueError, match="does not match the structure"):
        rg.vmap(lambda p: p["a"], in_axes=({"b": 0},))({"a": np.ones(3)})
    with pytest.raises(TypeError, match="must be an int, None"):
        rg.vmap(lambda a: a, in_axes=(1.5,))(np.ones(3))
    with pytest.raises(TypeError, match="wrap it in a tuple"):
        rg.vmap(lambda a: a, in_axes={"a": 0})
    with pytest.raises(ValueError, match="out_axes is None"):
        rg.vmap(lambda a: a * 2, out_axes=None)(np.ones(3))
    with pytest.raises(ValueError, match="out_axes=2"):
        rg.vmap(lambda a: a * 2, out_axes=2)(np.ones(3))


def test_errors_raised_by_f_reach_the_caller():
    def f(x):
        raise KeyError("mine")
    with pytest.raises(KeyError, match="mine"):
        rg.vmap(f)(np.ones(3))


# ----- random programs ------------------------------------------------------------------------
UNARY = [("tanh", np.tanh), ("sin", np.sin), ("exp", lambda a: np.exp(np.clip(a, -5, 5))),
         ("square", np.square), ("relu", lambda a: np.maximum(a, 0))]
REDUCE = ["sum", "mean", "max", "logsumexp", "softmax"]


def _run(prog, x, w, lib):
    """A small program: unary ops, a binary op with a shared or mapped w, then a reduction."""
    for op in prog["ops"]:
        if op == "tanh":
            x = lib.tanh(x)
        elif op == "sin":
            x = lib.sin(x)
        elif op == "exp":
            x = lib.exp(lib.clip(x, -5, 5))
        elif op == "square":
            x = x * x
        elif op == "relu":
            x = lib.relu(x)
        elif op == "addw":
            x = x + w
        elif op == "mulw":
            x = x * w
    ax = prog["axis"]
    red = prog["reduce"]
    if red == "sum":
        return x.sum(ax)
    if red == "mean":
        return x.mean(ax)
    if red == "max":
        return x.amax(ax)
    if red == "logsumexp":
        return lib.logsumexp(x, ax)
    return lib.softmax(x, ax)


@settings(max_examples=30, deadline=None)
@given(ops_=st.lists(st.sampled_from(["tanh", "sin", "exp", "square", "relu", "addw", "mulw"]),
                     min_size=1, max_size=5),
       reduce=st.sampled_from(REDUCE), axis=st.sampled_from([0, 1, -1]),
       in_axis=st.sampled_from([0, 1, 2, -1]), w_mapped=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_random_programs_match_the_loop_and_torch(ops_, reduce, axis, in_axis, w_mapped, seed):
    r = np.random.default_rng(seed)
    x = r.standard_normal((3, 4, 2))
    per_shape = tuple(np.delete(np.array(x.shape), in_axis % 3))
    w = r.standard_normal(x.shape) if w_mapped else r.standard_normal(per_shape[-1:])
    prog = {"ops": ops_, "reduce": reduce, "axis": axis}
    in_axes = (in_axis, in_axis if w_mapped else None)
    f = counted(lambda x, w: _run(prog, x, w, rg))
    out = rg.vmap(f, in_axes=in_axes)(x, w)
    assert f.calls == 1
    n = x.shape[in_axis]
    loop = np.stack([_run(prog, rg.tensor(np.take(x, i, in_axis)), np.take(w, i, in_axis) if w_mapped else w, rg).data
                     for i in range(n)])
    np.testing.assert_allclose(out.data, loop, rtol=1e-12, atol=1e-14)
    ref = tf.vmap(lambda x, w: _run(prog, x, w, torch), in_dims=in_axes)(torch.tensor(x), torch.tensor(w))
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-10, atol=1e-12)
    # and the per-example gradients of the summed program
    g = rg.vmap(rg.grad(lambda x, w: _run(prog, x, w, rg).sum()), in_axes=in_axes)(x, w)
    gl = np.stack([rg.grad(lambda x: _run(prog, x, np.take(w, i, in_axis) if w_mapped else w, rg).sum())(
        np.take(x, i, in_axis)).data for i in range(n)])
    np.testing.assert_allclose(g.data, gl, rtol=1e-10, atol=1e-12)
