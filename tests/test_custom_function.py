"""rg.autograd.Function: PyTorch's custom-function surface, first and higher derivatives, forward mode."""

from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg

torch = pytest.importorskip("torch")


def legendre(T):
    """PyTorch's tutorial function, written once for both libraries."""

    class LegendrePolynomial3(T.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    return LegendrePolynomial3


def test_custom_function_value_and_gradient_match_torch():
    data = np.array([0.3, -0.7, 1.2])
    out = {}
    for T in (rg, torch):
        x = T.tensor(data, requires_grad=True)
        y = legendre(T).apply(x)
        (y * T.tensor([1.0, 2.0, 3.0], dtype=T.float64)).sum().backward()
        out[T.__name__] = (np.asarray(y.detach().numpy() if T is torch else y.numpy()), x.grad.numpy())
    for a, b in zip(out["retrograd"], out["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_custom_function_second_derivative_through_a_recorded_backward():
    x = rg.tensor([0.3, -0.7], requires_grad=True)
    P3 = legendre(rg).apply
    (g,) = rg.autograd.grad(P3(x).sum(), x, create_graph=True)
    (gg,) = rg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 15 * x.numpy())   # d2/dx2 of (5x^3 - 3x) / 2
    assert rg.gradcheck(P3, (x,)) and rg.gradgradcheck(P3, (x,))


def test_ctx_attributes_needs_input_grad_and_non_tensor_arguments():
    seen = {}

    class Scale(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x, factor, y):
            ctx.factor = factor
            seen["needs"] = ctx.needs_input_grad
            return x * factor + y

        @staticmethod
        def backward(ctx, g):
            return g * ctx.factor, None, None

    x = rg.tensor([1.0, 2.0], requires_grad=True)
    y = rg.tensor([0.5, 0.5])
    Scale.apply(x, 3.0, y).sum().backward()
    assert seen["needs"] == (True, False, False)
    assert x.grad.tolist() == [3.0, 3.0]


def test_backward_returning_the_wrong_number_of_gradients_raises():
    class Bad(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = rg.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(x, x).backward()


def test_a_plain_array_under_create_graph_raises_instead_of_a_silent_zero():
    class Square(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return (2 * g * x).numpy()      # not recorded

    x = rg.tensor(1.5, requires_grad=True)
    assert float(rg.autograd.grad(Square.apply(x), x)[0]) == 3.0    # first order is fine
    with pytest.raises(RuntimeError, match="plain array while create_graph=True"):
        rg.autograd.grad(Square.apply(x), x, create_graph=True)


def test_primitive_rule_returning_a_plain_array_under_create_graph_raises():
    square = rg.Primitive("square", lambda x: x * x,
                          vjp=[lambda g, out, x: 2 * rg.ops.raw(g) * rg.ops.raw(x)])
    x = rg.tensor(2.0, requires_grad=True)
    assert float(rg.autograd.grad(square(x), x)[0]) == 4.0
    with pytest.raises(RuntimeError, match="primitive 'square'"):
        rg.autograd.grad(square(x), x, create_graph=True)


def test_saved_tensor_changed_in_place_raises_on_access():
    class Id(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            _x, = ctx.saved_tensors
            return g

    x = rg.tensor([1.0], requires_grad=True)
    y = Id.apply(x)
    with rg.no_grad():
        x += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(rg.ones(1))


def test_custom_jvp_serves_forward_mode():
    class Sin(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return rg.sin(x)

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * rg.cos(x)

        @staticmethod
        def jvp(ctx, t):
            x, = ctx.saved_tensors
            return t * rg.cos(x)

    x = np.array([0.1, 0.5, 2.0])
    _, tangent = rg.jvp(Sin.apply, (x,), (np.ones(3),))
    np.testing.assert_allclose(tangent.numpy(), np.cos(x))
    np.testing.assert_allclose(rg.jacfwd(Sin.apply)(x).numpy(), np.diag(np.cos(x)))


def test_forward_mode_without_a_jvp_says_so():
    x = np.array([0.3])
    with pytest.raises(NotImplementedError, match="jvp"):
        rg.jvp(legendre(rg).apply, (x,), (np.ones(1),))


def test_function_inside_no_grad_is_not_recorded():
    x = rg.tensor(1.0, requires_grad=True)
    with rg.no_grad():
        y = legendre(rg).apply(x)
    assert not y.requires_grad and y.grad_fn is None
