"""Backward semantics (PyTorch's), the engine's walk, memory release, and retain_grad / autograd.grad."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
import torch

import retrograd as rg


def test_grad_is_none_before_backward_and_accumulates_like_torch():
    rng = np.random.default_rng(0)
    w0, x0 = rng.standard_normal((3, 4)), rng.standard_normal(4)
    w = rg.tensor(w0, requires_grad=True)
    wt = torch.tensor(w0, requires_grad=True)
    assert w.grad is None and wt.grad is None
    for _ in range(5):
        (rg.tanh(w @ x0) ** 2).sum().backward()
        (torch.tanh(wt @ torch.tensor(x0)) ** 2).sum().backward()
        np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy(), rtol=1e-12)
    single = rg.tensor(w0, requires_grad=True)
    (rg.tanh(single @ x0) ** 2).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 5 * single.grad.numpy(), rtol=1e-12)


def test_gradient_of_a_value_used_twice_is_summed():
    x = rg.tensor(3.0, requires_grad=True)
    y = x * x + x          # dy/dx = 2x + 1
    y.backward()
    assert x.grad.item() == 7.0


def test_diamond_graph_matches_torch():
    x0 = np.array([0.3, -0.7, 1.1])
    x = rg.tensor(x0, requires_grad=True)
    a = rg.sin(x)
    b = a * 2
    c = rg.exp(a)
    (b * c + a).sum().backward()
    xt = torch.tensor(x0, requires_grad=True)
    at = torch.sin(xt)
    (at * 2 * torch.exp(at) + at).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def test_non_scalar_backward_needs_gradient():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*shape \(2,\).*gradient="):
        y.backward()
    y.backward(gradient=np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 30.0])


def test_gradient_of_wrong_shape_is_rejected():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\).*shape \(2,\)"):
        (x * 3).backward(gradient=np.ones(3))


def test_second_backward_through_freed_graph_says_retain_graph():
    x = rg.tensor(2.0, requires_grad=True)
    y = rg.exp(x) * x
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward_and_accumulates():
    x = rg.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == pytest.approx(2 * 12.0)


def test_backward_on_tensor_without_grad_explains():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (rg.tensor(1.0) * 2).backward()


def test_no_grad_and_enable_grad_as_context_managers_and_decorators():
    w = rg.tensor(1.0, requires_grad=True)
    with rg.no_grad():
        assert not (w * 2).requires_grad
        assert not rg.is_grad_enabled()
        with rg.enable_grad():
            assert (w * 2).requires_grad
        assert not (w * 2).requires_grad
    assert rg.is_grad_enabled()

    @rg.no_grad()
    def predict(t):
        return t * 2

    assert not predict(w).requires_grad
    assert rg.is_grad_enabled()
    with rg.set_grad_enabled(False):
        assert not (w + 1).requires_grad


def test_leaf_and_grad_fn_and_detach():
    w = rg.tensor(1.0, requires_grad=True)
    y = w * 2
    assert w.is_leaf and not y.is_leaf
    assert y.grad_fn.name == "mul" and w.grad_fn is None
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.numpy() is y.numpy()


def test_retain_grad_and_autograd_grad_give_intermediate_gradients():
    w = rg.tensor(3.0, requires_grad=True)
    a = (2 + 3 * w).retain_grad()
    J = a ** 2
    ga, gw = rg.autograd.grad(J, [a, w], retain_graph=True)
    assert (ga.item(), gw.item()) == (22.0, 66.0)
    assert w.grad is None  # autograd.grad does not accumulate
    J.backward()
    assert (a.grad.item(), w.grad.item()) == (22.0, 66.0)


def test_autograd_grad_unused_input():
    x, z = rg.tensor(1.0, requires_grad=True), rg.tensor(2.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        rg.autograd.grad(x * 2, [x, z])
    gx, gz = rg.autograd.grad(x * 2, [x, z], allow_unused=True)
    assert gx.item() == 2.0 and gz is None


def test_create_graph_gives_second_derivatives():
    x = rg.tensor(0.7, requires_grad=True)
    y = rg.tanh(x) * rg.sin(x)
    (g,) = rg.autograd.grad(y, [x], create_graph=True)
    (h,) = rg.autograd.grad(g, [x])
    xt = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    (gt,) = torch.autograd.grad(torch.tanh(xt) * torch.sin(xt), [xt], create_graph=True)
    (ht,) = torch.autograd.grad(gt, [xt])
    assert g.item() == pytest.approx(gt.item(), rel=1e-12)
    assert h.item() == pytest.approx(ht.item(), rel=1e-12)


def test_backward_create_graph_leaves_differentiable_grad():
    x = rg.tensor(1.5, requires_grad=True)
    (x ** 3).backward(create_graph=True)
    g = x.grad                       # 3x^2, itself a graph
    assert g.requires_grad
    x.grad = None
    g.backward()
    assert x.grad.item() == pytest.approx(6 * 1.5)


def test_deep_chain_of_100000_ops():
    x = rg.tensor(1.0, requires_grad=True)
    y = x
    for i in range(100_000):
        y = y * 1.00001 if i % 2 == 0 else y + 0.5
    y.backward()
    assert x.grad.item() == pytest.approx(1.00001 ** 50_000, rel=1e-9)


def test_graph_memory_released_after_backward_without_cycle_collector():
    gc.collect()
    gc.disable()
    try:
        x = rg.tensor(np.ones(1000), requires_grad=True)
        hidden = rg.tanh(x * 2)
        ref = weakref.ref(hidden)
        loss = (hidden * 3).sum()
        del hidden
        assert ref() is not None          # the graph keeps it for backward
        loss.backward()
        assert ref() is None               # backward freed the saved values
        assert x.grad is not None

        # A graph dropped without backward goes too: nodes never point back at outputs.
        h2 = rg.exp(x)
        ref2 = weakref.ref(h2)
        out = (h2 * h2).sum()
        del h2, out
        assert ref2() is None
    finally:
        gc.enable()


def test_grad_arrays_are_not_aliased_between_leaves():
    a = rg.tensor([1.0, 2.0], requires_grad=True)
    b = rg.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.numpy()[:] = 100.0  # a user (or an optimizer) writing into one grad...
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])  # ...must not change another


def test_broadcast_gradients_are_reduced_to_the_input_shape():
    b = rg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = rg.tensor(2.0, requires_grad=True)
    x = rg.tensor(np.ones((4, 3)))
    (x * b * s).sum().backward()
    assert b.grad.shape == (3,) and s.grad.shape == ()
    np.testing.assert_array_equal(b.grad.numpy(), [8.0, 8.0, 8.0])
    assert s.grad.item() == 24.0


def test_grad_mode_is_per_thread_like_pytorch():
    import threading

    w = rg.tensor(1.0, requires_grad=True)
    inside, other = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with rg.no_grad():
            inside.set()
            other.wait(5)                      # the main thread records meanwhile
            seen["worker"] = (w * 2).requires_grad
        seen["worker_after"] = (w * 2).requires_grad

    th = threading.Thread(target=worker)
    th.start()
    inside.wait(5)
    seen["main"] = (w * 2).requires_grad       # not affected by the worker's no_grad
    other.set()
    th.join(5)
    assert seen == {"worker": False, "worker_after": True, "main": True}

    fresh = {}
    with rg.no_grad():                         # a new thread starts with recording on
        t = threading.Thread(target=lambda: fresh.setdefault("rec", (w * 2).requires_grad))
        t.start()
        t.join(5)
    assert fresh == {"rec": True}
