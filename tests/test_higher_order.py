"""Higher-order derivatives: SymPy for 2nd and 3rd derivatives, PyTorch for create_graph backward,
gradgradcheck, and the errors the transforms raise."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import retrograd as rg
from retrograd.ops import Primitive
from retrograd.ops.primitive import raw

torch.set_default_dtype(torch.float64)

X = sp.Symbol("x")

# (name, retrograd function of a scalar Tensor, the same in SymPy, domain)
SCALAR_CASES = [
    ("tanh", lambda x: rg.tanh(x), sp.tanh(X), (-2, 2)),
    ("x_sin", lambda x: rg.sin(x) * x, sp.sin(X) * X, (-3, 3)),
    ("exp_cos", lambda x: rg.exp(x) * rg.cos(x), sp.exp(X) * sp.cos(X), (-2, 2)),
    ("rational", lambda x: x ** 3 / (1 + x ** 2), X ** 3 / (1 + X ** 2), (-2, 2)),
    ("log1p_sq", lambda x: rg.log(1 + x * x), sp.log(1 + X ** 2), (-2, 2)),
    ("sigmoid", lambda x: rg.sigmoid(x), 1 / (1 + sp.exp(-X)), (-4, 4)),
    ("sqrt", lambda x: rg.sqrt(1 + x * x), sp.sqrt(1 + X ** 2), (-2, 2)),
    ("x_pow_x", lambda x: x ** x, X ** X, (0.3, 2)),
    ("rpow", lambda x: 2.0 ** (x * x), 2 ** (X ** 2), (-1.5, 1.5)),
    ("tan", lambda x: rg.tan(x), sp.tan(X), (-1, 1)),
    ("quotient", lambda x: rg.sin(x) / (2 + rg.cos(x)), sp.sin(X) / (2 + sp.cos(X)), (-3, 3)),
    ("softplus_lse", lambda x: rg.logsumexp(rg.stack([x, 0 * x]), axis=0), sp.log(sp.exp(X) + 1), (-3, 3)),
]


def sympy_derivatives(expr, x0, orders=(1, 2, 3)):
    return [float(sp.diff(expr, X, k).subs(X, x0).evalf()) for k in orders]


def _rel(a, b, rtol=1e-8):
    return a == pytest.approx(b, rel=rtol, abs=1e-9)


@pytest.mark.parametrize("name, f, expr, dom", SCALAR_CASES, ids=[c[0] for c in SCALAR_CASES])
@given(u=st.floats(0.0, 1.0))
def test_second_and_third_derivatives_match_sympy(name, f, expr, dom, u):
    x0 = dom[0] + (dom[1] - dom[0]) * u
    d1, d2, d3 = sympy_derivatives(expr, x0)
    g = rg.grad(f)
    assert _rel(g(x0).item(), d1)
    assert _rel(rg.grad(g)(x0).item(), d2)
    assert _rel(rg.grad(rg.grad(g))(x0).item(), d3)
    # the same derivatives by other routes: forward over reverse, pure forward, pure reverse
    assert _rel(rg.jvp(g, (x0,), (1.0,))[1].item(), d2)
    assert _rel(rg.hessian(f)(x0).item(), d2)
    assert _rel(rg.jacfwd(rg.jacfwd(rg.jacfwd(f)))(x0).item(), d3)
    assert _rel(rg.jacrev(rg.jacrev(rg.jacrev(f)))(x0).item(), d3)


@pytest.mark.parametrize("name, f, expr, dom", SCALAR_CASES, ids=[c[0] for c in SCALAR_CASES])
def test_create_graph_backward_three_times_matches_sympy(name, f, expr, dom):
    x0 = dom[0] + 0.37 * (dom[1] - dom[0])
    d1, d2, d3 = sympy_derivatives(expr, x0)
    x = rg.tensor(x0, requires_grad=True)
    y = f(x)
    (g1,) = rg.autograd.grad(y, x, create_graph=True)
    (g2,) = rg.autograd.grad(g1, x, create_graph=True)
    (g3,) = rg.autograd.grad(g2, x)
    assert _rel(g1.item(), d1) and _rel(g2.item(), d2) and _rel(g3.item(), d3)
    # Tensor.backward(create_graph=True): x.grad is itself differentiable
    x = rg.tensor(x0, requires_grad=True)
    f(x).backward(create_graph=True)
    first = x.grad
    assert first.requires_grad and _rel(first.item(), d1)
    x.grad = None
    first.backward()
    assert _rel(x.grad.item(), d2)


def test_two_variable_mixed_partials_match_sympy():
    a, b = sp.symbols("a b")
    expr = sp.sin(a * b) + a ** 3 * sp.exp(b) / (1 + b ** 2)

    def f(x, y):
        return rg.sin(x * y) + x ** 3 * rg.exp(y) / (1 + y * y)
    p = {a: 0.7, b: -0.4}
    H = rg.hessian(f, argnums=(0, 1))(0.7, -0.4)
    want = [[sp.diff(expr, u, v).subs(p) for v in (a, b)] for u in (a, b)]
    for i in range(2):
        for j in range(2):
            assert _rel(H[i][j].item(), float(want[i][j]))
    d_aab = float(sp.diff(expr, a, a, b).subs(p))
    assert _rel(rg.grad(rg.grad(rg.grad(f, 0), 0), 1)(0.7, -0.4).item(), d_aab)


# ----- create_graph backward on tensors, against PyTorch ------------------------------------------
_val = st.floats(-1.5, 1.5, allow_nan=False, allow_infinity=False)


def _double_backward(lib, x0, W0, v0, fn):
    """x.grad after y.backward(create_graph=True) and then (x.grad . v).backward(): g + H v."""
    if lib == "torch":
        x = torch.tensor(x0, requires_grad=True)
        W = torch.tensor(W0, requires_grad=True)
        fn(torch, x, W).backward(create_graph=True)
        g = x.grad.detach().clone()
        (x.grad * torch.tensor(v0)).sum().backward()
        return g.numpy(), x.grad.detach().numpy(), W.grad.detach().numpy()
    x = rg.tensor(x0, requires_grad=True)
    W = rg.tensor(W0, requires_grad=True)
    fn(rg, x, W).backward(create_graph=True)
    g = x.grad.data.copy()
    (x.grad * v0).sum().backward()
    return g, x.grad.data, W.grad.data


def _mlp(m, x, W):
    return (m.tanh(W @ m.tanh(W @ x)) * x).sum()


def _products(m, x, W):
    return (x * x * m.sin(x)).sum() * (W * W).sum() + (m.cos(W @ x) * x).sum()


def _matmul_chain(m, x, W):
    A = W @ W.T @ W
    return (x @ A @ x) ** 2 / 10 + (m.sigmoid(A @ x)).sum()


@pytest.mark.parametrize("fn", [_mlp, _products, _matmul_chain], ids=lambda f: f.__name__)
@given(x0=hnp.arrays(np.float64, (3,), elements=_val), W0=hnp.arrays(np.float64, (3, 3), elements=_val),
       v0=hnp.arrays(np.float64, (3,), elements=_val))
def test_backward_create_graph_matches_torch(fn, x0, W0, v0):
    ours = _double_backward("rg", x0, W0, v0, fn)
    theirs = _double_backward("torch", x0, W0, v0, fn)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t, rtol=1e-8, atol=1e-10)


def test_grad_of_grad_builds_no_graph_for_plain_inputs():
    g = rg.grad(lambda x: (x ** 3).sum())(np.array([1.0, 2.0]))
    assert not g.requires_grad and g.grad_fn is None
    h = rg.grad(rg.grad(lambda x: x ** 3))(2.0)
    assert not h.requires_grad and h.item() == 12.0
    # mixed partial of x**y at y = 0 is 1/x (the exponent is traced, so the formula stays exact)
    m = rg.grad(rg.grad(lambda x, y: x ** y, 0), 1)(2.0, 0.0)
    assert not m.requires_grad and m.item() == pytest.approx(0.5)
    H = rg.hessian(lambda x: (rg.sin(x) * x).sum())(np.array([0.5, 1.0]))
    assert not H.requires_grad and H.grad_fn is None


# ----- gradgradcheck --------------------------------------------------------------------------
GG_FUNCTIONS = [
    lambda x, W: rg.tanh(W @ x),
    lambda x, W: rg.softmax(W * x, axis=-1),
    lambda x, W: rg.logsumexp(W @ rg.sin(x)) + rg.log_softmax(x).sum(),
    lambda x, W: rg.concatenate([x[::2] * x[1:2], (W @ x)[[0, 0]]]),
    lambda x, W: rg.where(x > 0, x ** 3, rg.exp(x)) * rg.max(W, axis=0) ** 2,
    lambda x, W: (rg.reshape(W, (-1,))[:3] + 1.5) ** x + rg.var(W, axis=1),
    lambda x, W: rg.sqrt(rg.sigmoid(W).sum(axis=1, keepdims=True) + x * x).mean(axis=0),
]


@pytest.mark.parametrize("i", range(len(GG_FUNCTIONS)))
def test_gradgradcheck_passes_on_correct_rules(i):
    rng = np.random.default_rng(i)
    x = rg.tensor(rng.uniform(0.3, 1.2, 3), requires_grad=True)
    W = rg.tensor(rng.standard_normal((3, 3)) + np.arange(9).reshape(3, 3) * 0.2, requires_grad=True)
    assert rg.gradcheck(GG_FUNCTIONS[i], [x, W])
    assert rg.gradgradcheck(GG_FUNCTIONS[i], [x, W])


def test_gradgradcheck_catches_a_rule_that_is_only_right_to_first_order():
    # The vjp uses raw(x): right values, but the backward pass is not recorded as depending on x.
    bad_sin = Primitive("bad_sin", np.sin, vjp=[lambda g, out, x: g * np.cos(raw(x))],
                        jvp=[lambda t, out, x: t * np.cos(raw(x))])
    x = rg.tensor([0.3, 0.9], requires_grad=True)
    assert rg.gradcheck(lambda x: bad_sin(x), [x])
    with pytest.raises(rg.GradcheckError, match="disagrees"):
        rg.gradgradcheck(lambda x: bad_sin(x), [x])
    assert rg.gradgradcheck(lambda x: bad_sin(x), [x], raise_exception=False) is False


def test_gradgradcheck_with_given_grad_outputs_and_errors():
    x = rg.tensor([0.3, 0.9], requires_grad=True)
    assert rg.gradgradcheck(lambda x: x * rg.exp(x), [x], grad_outputs=[np.array([1.0, -2.0])])
    with pytest.raises(ValueError, match="shape"):
        rg.gradgradcheck(lambda x: x * x, [x], grad_outputs=[np.ones(3)])
    with pytest.raises(ValueError, match="requires grad"):
        rg.gradgradcheck(lambda x: x * x, [rg.tensor([1.0])])


# ----- errors ---------------------------------------------------------------------------------
def test_grad_of_non_scalar_output_says_what_to_do():
    with pytest.raises(TypeError, match=r"scalar.*shape \(2,\).*sum.*jacobian"):
        rg.grad(lambda x: x * 2)(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="scalar"):
        rg.value_and_grad(lambda x: x.reshape(1))(1.0)


def test_wrong_argnums():
    f = lambda x, y: (x * y).sum()
    with pytest.raises(ValueError, match=r"argnums=2.*2 positional"):
        rg.grad(f, argnums=2)(1.0, 2.0)
    with pytest.raises(ValueError, match="argument -3"):
        rg.jacobian(f, argnums=-3)(1.0, 2.0)
    with pytest.raises(ValueError, match="twice"):
        rg.grad(f, argnums=(0, -2))(1.0, 2.0)
    with pytest.raises(ValueError, match="empty"):
        rg.grad(f, argnums=())
    for bad in ("0", 1.0, True, (0, "1"), None):
        with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
            rg.grad(f, argnums=bad)
    with pytest.raises(TypeError, match="argnums"):
        rg.hessian(f, argnums=[0.5])


def test_non_differentiable_outputs():
    x = np.array([1.0, 2.0])
    with pytest.raises(TypeError, match=r"int64.*not differentiable"):
        rg.grad(lambda v: rg.argmax(v))(x)
    with pytest.raises(TypeError, match=r"bool.*not differentiable"):
        rg.jacobian(lambda v: v > 1)(x)
    with pytest.raises(TypeError, match="several outputs"):
        rg.grad(lambda v: (v.sum(), v.sum()))(x)
    with pytest.raises(TypeError, match="got NoneType"):
        rg.vjp(lambda v: None, x)
    with pytest.raises(TypeError, match="got str"):
        rg.jvp(lambda v: "v", (x,), (x,))
    with pytest.raises(TypeError, match="pair"):
        rg.grad(lambda v: v.sum(), has_aux=True)(x)


def test_non_differentiable_inputs_and_bad_functions():
    with pytest.raises(TypeError, match=r"argument 0 has dtype int64.*floating point"):
        rg.grad(lambda v: (v * 1.0).sum())(np.array([1, 2]))
    with pytest.raises(TypeError, match="expected a function"):
        rg.grad(3.0)
    # A list of Tensors is a pytree (JAX's rule), no longer an error: the gradient is a list too.
    g = rg.grad(lambda v: v[0] * v[1])([rg.tensor(1.0), rg.tensor(2.0)])
    assert isinstance(g, list) and [float(t) for t in g] == [2.0, 1.0]


def test_jvp_vjp_jacobian_argument_errors():
    f = lambda v: v * 2
    x = np.array([1.0, 2.0])
    with pytest.raises(rg.ShapeError, match=r"tangent 0 has shape \(3,\).*primal 0 has shape \(2,\)"):
        rg.jvp(f, (x,), (np.ones(3),))
    with pytest.raises(TypeError, match="tuples"):
        rg.jvp(f, x, x)
    with pytest.raises(ValueError, match="one tangent per primal"):
        rg.jvp(f, (x, x), (x,))
    _, vjp_fn = rg.vjp(f, x)
    with pytest.raises(rg.ShapeError, match=r"cotangent has shape \(3,\).*output has shape \(2,\)"):
        vjp_fn(np.ones(3))
    with pytest.raises(TypeError, match="at least one primal"):
        rg.vjp(f)
    with pytest.raises(ValueError, match="mode must be"):
        rg.jacobian(f, mode="reverse")


def test_transform_of_an_intermediate_whose_graph_was_freed():
    """Differentiating with respect to an activation does not walk (or need) the graph below it."""
    w = rg.tensor([0.5, -1.0], requires_grad=True)
    h = rg.tanh(w * 3)
    h.sum().backward()  # frees the graph of h
    g = rg.grad(lambda a: (a ** 3).sum())(h)
    np.testing.assert_allclose(g.data, 3 * np.tanh(w.data * 3) ** 2)
    H = rg.hessian(lambda a: (a ** 3).sum())(h)
    np.testing.assert_allclose(H.data, np.diag(6 * np.tanh(w.data * 3)))


def test_nested_transform_result_flows_back_to_outer_leaves():
    """grad(f)(h) with h = tanh(3 w): its backward reaches w, as torch.func.grad's does."""
    w = rg.tensor([0.5, -1.0], requires_grad=True)
    g = rg.grad(lambda a: (rg.sin(a) * a).sum())(rg.tanh(w * 3))
    g.sum().backward()
    wt = torch.tensor([0.5, -1.0], requires_grad=True)
    gt = torch.func.grad(lambda a: (torch.sin(a) * a).sum())(torch.tanh(wt * 3))
    gt.sum().backward()
    np.testing.assert_allclose(g.data, gt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.data, wt.grad.numpy(), rtol=1e-10)
