"""Tensor hooks (as PyTorch's register_hook) and concurrent backward() calls into shared leaves."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import retrograd as rg

torch = pytest.importorskip("torch")


def both(fn):
    """Run ``fn(T)`` with retrograd and PyTorch; return the two results as float64 arrays."""
    out = []
    for T in (rg, torch):
        res = fn(T)
        out.append([np.asarray(r.detach().numpy() if T is torch else r.numpy(), dtype=np.float64)
                    for r in res])
    return out


def test_leaf_hook_sees_the_gradient_and_may_replace_it():
    seen = {}

    def run(T):
        x = T.tensor([1.0, -2.0], dtype=T.float64, requires_grad=True)
        x.register_hook(lambda g: seen.setdefault(T.__name__, g.numpy().copy()) is None or g * 3)
        (x * x).sum().backward()
        return (x.grad,)

    (r,), (t,) = both(run)
    np.testing.assert_allclose(r, t)
    np.testing.assert_allclose(seen["retrograd"], seen["torch"])


def test_intermediate_hook_changes_what_flows_further_back():
    def run(T):
        x = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
        h = x * 3
        h.register_hook(lambda g: g + 1)
        h.retain_grad()
        (h ** 2).sum().backward()
        return x.grad, h.grad

    r, t = both(run)
    for a, b in zip(r, t):
        np.testing.assert_allclose(a, b)


def test_hooks_run_in_order_and_none_keeps_the_gradient():
    calls = []
    x = rg.tensor(2.0, requires_grad=True)
    x.register_hook(lambda g: calls.append(("first", float(g))))
    x.register_hook(lambda g: g * 10)
    x.register_hook(lambda g: calls.append(("third", float(g))))
    (x * 3).backward()
    assert calls == [("first", 3.0), ("third", 30.0)]
    assert float(x.grad) == 30.0


def test_hook_handle_removes_the_hook():
    x = rg.tensor(2.0, requires_grad=True)
    handle = x.register_hook(lambda g: g * 0)
    handle.remove()
    (x * 3).backward()
    assert float(x.grad) == 3.0


def test_hooks_apply_to_autograd_grad_and_to_create_graph():
    x = rg.tensor(2.0, requires_grad=True)
    h = x ** 2
    h.register_hook(lambda g: g * 2)
    (gx,) = rg.autograd.grad(h * 1.0, x, create_graph=True)
    assert float(gx) == 8.0
    (ggx,) = rg.autograd.grad(gx, x)
    assert float(ggx) == 4.0


def test_hook_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        rg.tensor(1.0).register_hook(lambda g: g)


def test_four_threads_backward_into_one_leaf_add_up_exactly():
    w = rg.tensor([1.0, 2.0], requires_grad=True)
    n_threads, n_calls = 4, 3000

    def work():
        for _ in range(n_calls):
            (w * 2).sum().backward()

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert w.grad.tolist() == [2.0 * n_threads * n_calls] * 2


def test_threads_with_retain_grad_and_hooks_keep_their_own_graphs():
    results = []

    def work(seed):
        x = rg.tensor(float(seed), requires_grad=True)
        for _ in range(200):
            y = (x * x).retain_grad()
            (y * 3).backward()
            results.append(float(y.grad))
        results.append(("x", seed, float(x.grad)))

    threads = [threading.Thread(target=work, args=(s,)) for s in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == 3.0 for r in results if not isinstance(r, tuple))
    assert sorted(r for r in results if isinstance(r, tuple)) == [("x", s, 200 * 6.0 * s) for s in (1, 2, 3)]
