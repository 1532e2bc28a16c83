"""rg.vmap (against loops and torch.func.vmap), rg.stop_gradient and rg.checkpoint."""

import numpy as np
import torch
from torch import func as tf

import retrograd as rg

rng = np.random.default_rng(3)


def loss(params, x, y, lib):
    h = lib.tanh(params["W"] @ x + params["b"])
    return ((h * params["v"]).sum() - y) ** 2


def test_per_example_gradients_equal_the_loop_and_torch_func():
    params = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(4), "v": rng.standard_normal(4)}
    X, y = rng.standard_normal((5, 3)), rng.standard_normal(5)
    per = rg.vmap(rg.grad(lambda p, x, y: loss(p, x, y, rg)), in_axes=(None, 0, 0))(params, X, y)
    loop = [rg.grad(lambda p, x, y: loss(p, x, y, rg))(params, X[i], y[i]) for i in range(5)]
    tp = {k: torch.tensor(v) for k, v in params.items()}
    tper = tf.vmap(tf.grad(lambda p, x, y: loss(p, x, y, torch)), in_dims=(None, 0, 0))(
        tp, torch.tensor(X), torch.tensor(y))
    for k in params:
        assert per[k].shape == (5,) + params[k].shape
        np.testing.assert_allclose(per[k].data, np.stack([g[k].data for g in loop]), rtol=1e-12)
        np.testing.assert_allclose(per[k].data, tper[k].numpy(), rtol=1e-10, atol=1e-12)
    # and jitted
    j = rg.jit(rg.vmap(rg.grad(lambda p, x, y: loss(p, x, y, rg)), in_axes=(None, 0, 0)))
    jper = j(params, X, y)
    for k in params:
        np.testing.assert_allclose(jper[k].data, per[k].data, rtol=1e-12)


def test_in_axes_out_axes_and_grad_of_vmap():
    A = rng.standard_normal((3, 4))
    f = lambda a, s: rg.sin(a) * s
    out = rg.vmap(f, in_axes=(1, None), out_axes=1)(A, 2.0)
    np.testing.assert_allclose(out.data, np.sin(A) * 2.0)
    tout = tf.vmap(lambda a, s: torch.sin(a) * s, in_dims=(1, None), out_dims=1)(torch.tensor(A), 2.0)
    np.testing.assert_allclose(out.data, tout.numpy())
    g = rg.grad(lambda A: rg.vmap(lambda r: (r ** 3).sum())(A).sum())(A)
    np.testing.assert_allclose(g.data, 3 * A ** 2)


def test_stop_gradient_eager_and_jitted_matches_torch_detach():
    x = rng.standard_normal(3)
    f = lambda x: (x * rg.stop_gradient(x) ** 2).sum()
    t = torch.tensor(x, requires_grad=True)
    (t * t.detach() ** 2).sum().backward()
    np.testing.assert_allclose(rg.grad(f)(x).data, t.grad.numpy())
    np.testing.assert_allclose(rg.jit(rg.grad(f))(x).data, t.grad.numpy())
    sg = rg.stop_gradient({"a": rg.tensor([1.0], requires_grad=True), "b": None})
    assert not sg["a"].requires_grad and sg["b"] is None


def test_checkpoint_recomputes_and_gives_the_same_gradients():
    calls = []

    def block(v):
        calls.append(1)
        return rg.tanh(v * 2) * rg.sin(v)

    x0 = rng.standard_normal(4)
    x = rg.tensor(x0, requires_grad=True)
    y = rg.checkpoint(block)(x)
    assert len(calls) == 1
    assert all(p is x for _, p in y.grad_fn.parents)       # one node on the inputs: nothing saved inside
    y.sum().backward()
    assert len(calls) == 2                                  # recomputed in backward
    np.testing.assert_allclose(x.grad.data, rg.grad(lambda v: block(v).sum())(x0).data)
    # higher order through the checkpoint
    h = rg.hessian(lambda v: rg.checkpoint(block)(v).sum())(x0)
    np.testing.assert_allclose(h.data, rg.hessian(lambda v: block(v).sum())(x0).data, rtol=1e-10)
