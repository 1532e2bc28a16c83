"""The course notebooks' numbers (../shared/seeds/) as acceptance tests, to the digits they print."""

from __future__ import annotations

import numpy as np
import torch

import retrograd as rg


def test_coursera_network0_every_value_and_derivative():
    # J = (2 + 3w)^2 at w = 3: a = 11, J = 121, dJ/da = 22, dJ/dw = 66
    w = rg.tensor(3.0, requires_grad=True, name="w")
    a = (2 + 3 * w).named("a").retain_grad()
    J = a ** 2
    J.backward()
    assert (a.item(), J.item()) == (11.0, 121.0)
    assert (a.grad.item(), w.grad.item()) == (22.0, 66.0)


def test_coursera_network1_every_value_and_derivative():
    # x=2, w=-2, b=8, y=1: c=-4, a=4, d=3, J=4.5; dJ/dd=3, dJ/da=3, dJ/dc=3, dJ/db=3, dJ/dw=6
    x, y = rg.tensor(2.0), rg.tensor(1.0)
    w, b = rg.tensor(-2.0, requires_grad=True), rg.tensor(8.0, requires_grad=True)
    c = (w * x).retain_grad()
    a = (c + b).retain_grad()
    d = (a - y).retain_grad()
    J = d ** 2 / 2
    J.backward()
    assert (c.item(), a.item(), d.item(), J.item()) == (-4.0, 4.0, 3.0, 4.5)
    assert (d.grad.item(), a.grad.item(), c.grad.item(), b.grad.item(), w.grad.item()) == (3, 3, 3, 3, 6)


def test_coursera_arithmetic_checks_with_eps_0_001():
    # The notebook's one-sided differences, recomputed through the engine's forward pass.
    def J_of_w(wv):
        return ((2 + 3 * rg.tensor(wv)) ** 2).item()
    k = (J_of_w(3 + 0.001) - J_of_w(3)) / 0.001
    assert f"{k:.6f}" == f"{66.0090000000082:.6f}"


UDL = dict(beta0=1.0, beta1=2.0, beta2=-3.0, beta3=0.4, omega0=0.1, omega1=-0.4, omega2=2.0, omega3=3.0)


def test_udl_7_1_forward_backward_and_parameter_gradients():
    p = {k: rg.tensor(v, requires_grad=True) for k, v in UDL.items()}
    x, y = 2.3, 2.0
    f0 = (p["beta0"] + p["omega0"] * x).retain_grad()
    h1 = rg.sin(f0).retain_grad()
    f1 = (p["beta1"] + p["omega1"] * h1).retain_grad()
    h2 = rg.exp(f1).retain_grad()
    f2 = (p["beta2"] + p["omega2"] * h2).retain_grad()
    h3 = rg.cos(f2).retain_grad()
    f3 = (p["beta3"] + p["omega3"] * h3).retain_grad()
    loss = (f3 - y) ** 2
    loss.backward()
    printed_forward = dict(f0=1.230, h1=0.942, f1=1.623, h2=5.068, f2=7.137, h3=0.657, f3=2.372, l_i=0.139)
    got = dict(f0=f0, h1=h1, f1=f1, h2=h2, f2=f2, h3=h3, f3=f3, l_i=loss)
    for name, value in printed_forward.items():
        assert f"{got[name].item():3.3f}" == f"{value:3.3f}", name
    printed_backward = dict(f3=0.745, h3=2.234, f2=-1.683, h2=-3.366, f1=-17.060, h1=6.824, f0=2.281)
    for name, value in printed_backward.items():
        assert f"{got[name].grad.item():3.3f}" == f"{value:3.3f}", "dl/d" + name
    # The notebook's "True value" column (its own dldbeta1 line has a slip: it used dl/df2).
    printed_params = dict(beta3=0.745, omega3=0.489, beta2=-1.683, omega2=-8.530, beta1=-17.060,
                          omega1=-16.079, beta0=2.281, omega0=5.246)
    for name, value in printed_params.items():
        assert f"{p[name].grad.item():3.3f}" == f"{value:3.3f}", "dl/d" + name


def test_seed003_grad_none_backward_step_accumulate_zero_grad_matches_torch():
    """Seed 003's walkthrough on plain tensors: None before backward, a step, 5 accumulating
    backward calls, then zeroing; every number compared with PyTorch from the same weights."""
    rng = np.random.default_rng(3)
    W1, b1 = rng.standard_normal((8, 6)) * 0.3, rng.standard_normal(8) * 0.1
    W2, b2 = rng.standard_normal((3, 8)) * 0.3, rng.standard_normal(3) * 0.1
    X, Y = rng.standard_normal((4, 6)), rng.standard_normal((4, 3))
    ours = [rg.tensor(a, requires_grad=True) for a in (W1, b1, W2, b2)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (W1, b1, W2, b2)]

    def loss_rg():
        w1, c1, w2, c2 = ours
        pred = rg.relu(X @ w1.T + c1) @ w2.T + c2
        return ((Y - pred) ** 2).sum()

    def loss_torch():
        w1, c1, w2, c2 = theirs
        pred = torch.relu(torch.tensor(X) @ w1.T + c1) @ w2.T + c2
        return ((torch.tensor(Y) - pred) ** 2).sum()

    assert all(p.grad is None for p in ours)
    loss_rg().backward()
    loss_torch().backward()
    with rg.no_grad(), torch.no_grad():
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10)
            p.data -= 0.001 * p.grad.data      # optimizer.step() with SGD, lr = 0.001
            q -= 0.001 * q.grad
    for _ in range(5):
        loss_rg().backward()
        loss_torch().backward()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10)
    for p in ours:  # zero_grad
        p.grad = None
    assert all(p.grad is None for p in ours)
