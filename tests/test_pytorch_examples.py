"""PyTorch's tutorial "Learning PyTorch with Examples", ported by renaming the import.

Each program is written once, as in the tutorial, for a module ``T`` that is either
``torch`` or ``retrograd``; both start from the same initial weights, run the full
2000 steps in float64, and must end at the same loss (to 1e-6, relative).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import retrograd

torch = pytest.importorskip("torch")

INIT = np.random.default_rng(0).standard_normal(4)   # a, b, c, d, as the tutorial's randn(())


def tensors_version(T):
    """Warm-up: numpy-like tensors, gradients written by hand."""
    dtype = T.float64
    x = T.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = T.sin(x)
    a, b, c, d = (T.tensor(v, dtype=dtype) for v in INIT)
    learning_rate = 1e-6
    for t in range(2000):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum().item()
        if t == 0:
            first = loss
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    return first, loss, [a.item(), b.item(), c.item(), d.item()]


def autograd_version(T):
    """Tensors and autograd: loss.backward(), updates inside no_grad, grads reset to None."""
    dtype = T.float64
    x = T.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = T.sin(x)
    a, b, c, d = (T.tensor(v, dtype=dtype, requires_grad=True) for v in INIT)
    learning_rate = 1e-6
    for t in range(2000):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t == 0:
            first = loss.item()
        loss.backward()
        with T.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return first, loss.item(), [a.item(), b.item(), c.item(), d.item()]


def nn_version(T):
    """nn: Sequential(Linear(3, 1), Flatten(0, 1)), MSELoss(sum), manual updates of parameters()."""
    dtype = T.float64
    x = T.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = T.sin(x)
    p = T.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = T.nn.Sequential(T.nn.Linear(3, 1), T.nn.Flatten(0, 1))
    model = model.double() if hasattr(model, "double") else model
    with T.no_grad():
        model[0].weight.copy_(T.tensor(INIT[1:].reshape(1, 3), dtype=dtype))
        model[0].bias.copy_(T.tensor(INIT[:1], dtype=dtype))
    loss_fn = T.nn.MSELoss(reduction="sum")
    learning_rate = 1e-6
    for t in range(2000):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t == 0:
            first = loss.item()
        model.zero_grad()
        loss.backward()
        with T.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    linear_layer = model[0]
    return first, loss.item(), [linear_layer.bias.item()] + linear_layer.weight.detach().numpy().ravel().tolist()


def module_version(T):
    """A custom nn.Module with Parameters and optim.SGD."""

    class Polynomial3(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c, self.d = (T.nn.Parameter(T.tensor(v, dtype=T.float64)) for v in INIT)

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    x = T.linspace(-math.pi, math.pi, 2000, dtype=T.float64)
    y = T.sin(x)
    model = Polynomial3()
    criterion = T.nn.MSELoss(reduction="sum")
    optimizer = T.optim.SGD(model.parameters(), lr=1e-6)
    for t in range(2000):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if t == 0:
            first = loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return first, loss.item(), [model.a.item(), model.b.item(), model.c.item(), model.d.item()]


def function_version(T):
    """A custom autograd Function (the Legendre polynomial P3), as the tutorial writes it."""

    class LegendrePolynomial3(T.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    dtype = T.float64
    x = T.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = T.sin(x)
    a = T.full((), 0.0, dtype=dtype, requires_grad=True)
    b = T.full((), -1.0, dtype=dtype, requires_grad=True)
    c = T.full((), 0.0, dtype=dtype, requires_grad=True)
    d = T.full((), 0.3, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    for t in range(2000):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t == 0:
            first = loss.item()
        loss.backward()
        with T.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return first, loss.item(), [a.item(), b.item(), c.item(), d.item()]


@pytest.mark.parametrize("program", [tensors_version, autograd_version, nn_version, module_version,
                                     function_version])
def test_tutorial_program_ends_where_pytorch_ends(program):
    first_rg, loss_rg, weights_rg = program(retrograd)
    _first_torch, loss_torch, weights_torch = program(torch)
    assert loss_rg == pytest.approx(loss_torch, rel=1e-6)
    np.testing.assert_allclose(weights_rg, weights_torch, rtol=1e-6, atol=1e-9)
    assert loss_rg < first_rg / 5, "the program must have trained"
