"""rg.custom_vjp and rg.custom_jvp: JAX's API, used by every transform, rg.jit and rg.vmap."""

from functools import partial

import numpy as np
import pytest

import retrograd as rg

rng = np.random.default_rng(5)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ----- custom_jvp: JAX's log1pexp -------------------------------------------------------------
@rg.custom_jvp
def log1pexp(x):
    return rg.log(1.0 + rg.exp(x))


@log1pexp.defjvp
def log1pexp_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return log1pexp(x), (1.0 - 1.0 / (1.0 + rg.exp(x))) * x_dot


def naive(x):
    return rg.log(1.0 + rg.exp(x))


X = np.array([-3.0, 0.0, 2.0, 10.0, 100.0])


def dsigmoid(x):
    return np.exp(-x) / (1 + np.exp(-x)) ** 2


def test_log1pexp_grad_is_stable_where_the_formula_gives_nan():
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(rg.grad(naive)(1000.0).item())   # exp(1000) overflows: inf / inf
        assert rg.grad(log1pexp)(1000.0).item() == 1.0
    np.testing.assert_allclose(rg.vmap(rg.grad(log1pexp))(X).data, sigmoid(X), rtol=1e-14)
    np.testing.assert_allclose(log1pexp(X[:4]).data, np.log1p(np.exp(X[:4])), rtol=1e-14)


def test_log1pexp_in_every_mode_equals_the_analytic_derivatives():
    s = sigmoid(X)
    _, t = rg.jvp(log1pexp, (X,), (np.full(5, 2.0),))
    np.testing.assert_allclose(t.data, 2 * s, rtol=1e-14)
    np.testing.assert_allclose(rg.jacfwd(log1pexp)(X).data, np.diag(s), rtol=1e-14)
    np.testing.assert_allclose(rg.jacrev(log1pexp)(X).data, np.diag(s), rtol=1e-14)
    # second derivatives: the rule is differentiated again (reverse over the transposed rule)
    h = rg.hessian(lambda x: log1pexp(x).sum())(X)
    np.testing.assert_allclose(h.data, np.diag(dsigmoid(X)), rtol=1e-12)
    np.testing.assert_allclose(rg.grad(rg.grad(log1pexp))(1.0).item(), sigmoid(1.0) * (1 - sigmoid(1.0)))
    # eager backward on a Tensor
    x = rg.tensor(X, requires_grad=True)
    log1pexp(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, s, rtol=1e-14)


def test_log1pexp_under_jit_uses_the_rule():
    j = rg.jit(rg.grad(lambda x: log1pexp(x).sum()))
    np.testing.assert_allclose(j(X).data, sigmoid(X), rtol=1e-14)
    src = j.source(X)
    assert "np.exp(" in src and "np.log(" not in src     # the rule's code, not the formula's derivative


def test_defjvps_and_nondiff_argnums_for_custom_jvp():
    f = rg.custom_jvp(lambda x, y: rg.sin(x) * y)
    f.defjvps(lambda t, ans, x, y: rg.cos(x) * t * y, lambda t, ans, x, y: rg.sin(x) * t)
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    gx, gy = rg.grad(lambda x, y: f(x, y).sum(), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx.data, np.cos(x) * y)
    np.testing.assert_allclose(gy.data, np.sin(x))

    # JAX's example: a function argument in nondiff_argnums comes first in the rule
    @partial(rg.custom_jvp, nondiff_argnums=(0,))
    def app(fn, x):
        return fn(x)

    @app.defjvp
    def app_jvp(fn, primals, tangents):
        x, = primals
        x_dot, = tangents
        return fn(x), 2.0 * x_dot             # deliberately not fn's derivative: the rule wins

    np.testing.assert_allclose(rg.grad(lambda x: app(rg.sin, x))(0.5).item(), 2.0)
    np.testing.assert_allclose(rg.jvp(lambda x: app(rg.sin, x), (0.5,), (1.0,))[1].item(), 2.0)


# ----- custom_vjp: JAX's f(x, y) = sin(x) * y ---------------------------------------------------
@rg.custom_vjp
def f(x, y):
    return rg.sin(x) * y


def f_fwd(x, y):
    return f(x, y), (rg.cos(x), rg.sin(x), y)


def f_bwd(res, g):
    cos_x, sin_x, y = res
    return (cos_x * g * y, sin_x * g)


f.defvjp(f_fwd, f_bwd)


def test_custom_vjp_gradients_jacobian_and_hessian_are_analytic():
    x, y = rng.standard_normal(4), rng.standard_normal(4)
    np.testing.assert_allclose(f(x, y).data, np.sin(x) * y)
    gx, gy = rg.grad(lambda x, y: f(x, y).sum(), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx.data, np.cos(x) * y)
    np.testing.assert_allclose(gy.data, np.sin(x))
    np.testing.assert_allclose(rg.jacobian(f)(x, y).data, np.diag(np.cos(x) * y))
    # second order: the residuals are functions of x again (fwd is re-run with recording)
    np.testing.assert_allclose(rg.hessian(lambda x: f(x, y).sum())(x).data, np.diag(-np.sin(x) * y),
                               atol=1e-15)
    xt = rg.tensor(x, requires_grad=True)
    f(xt, y).sum().backward()
    np.testing.assert_allclose(xt.grad.data, np.cos(x) * y)


def test_custom_vjp_under_vjp_with_a_cotangent():
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    out, pull = rg.vjp(f, x, y)
    ct = rng.standard_normal(3)
    gx, gy = pull(ct)
    np.testing.assert_allclose(out.data, np.sin(x) * y)
    np.testing.assert_allclose(gx.data, np.cos(x) * y * ct)
    np.testing.assert_allclose(gy.data, np.sin(x) * ct)


def test_custom_vjp_under_jit_and_vmap():
    x, y = rng.standard_normal(4), rng.standard_normal(4)
    j = rg.jit(rg.value_and_grad(lambda x, y: f(x, y).sum(), argnums=(0, 1)))
    v, (gx, gy) = j(x, y)
    np.testing.assert_allclose(v.item(), (np.sin(x) * y).sum())
    np.testing.assert_allclose(gx.data, np.cos(x) * y)
    np.testing.assert_allclose(gy.data, np.sin(x))
    assert "custom_vjp_f(x, y)" in j.source(x, y)     # the forward is one call of f
    np.testing.assert_allclose(rg.jit(f)(x, y).data, np.sin(x) * y)
    X, Y = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    g = rg.vmap(rg.grad(lambda x, y: f(x, y).sum()))(X, Y)
    np.testing.assert_allclose(g.data, np.cos(X) * Y)
    np.testing.assert_allclose(rg.vmap(f)(X, Y).data, np.sin(X) * Y)


def test_the_rule_is_used_not_the_derivative_of_f():
    # JAX's clip_gradient: the identity forward, a clipped gradient backward
    @partial(rg.custom_vjp, nondiff_argnums=(0, 1))
    def clip_gradient(lo, hi, x):
        return x

    clip_gradient.defvjp(lambda lo, hi, x: (x, None),
                         lambda lo, hi, res, g: (rg.clip(g, lo, hi),))
    g = rg.grad(lambda x: (3.0 * clip_gradient(-0.5, 0.5, x) ** 2).sum())(np.array([0.05, 2.0, -2.0]))
    np.testing.assert_allclose(g.data, [0.3, 0.5, -0.5])


def test_pytrees_in_and_out_and_none_cotangents():
    @rg.custom_vjp
    def h(p, s):
        return {"a": p["w"] * 2.0, "b": (p["w"] * p["v"]).sum()}

    # bwd: one cotangent per argument (a pytree like it), None for "no gradient"
    h.defvjp(lambda p, s: (h(p, s), p),
             lambda p, g: ({"w": g["a"] * 2.0 + g["b"] * p["v"], "v": (g["b"] * p["w"])}, None))
    p = {"w": np.array([1.0, 2.0]), "v": np.array([3.0, -1.0])}
    out = h(p, 1.0)
    np.testing.assert_allclose(out["a"].data, [2.0, 4.0])
    np.testing.assert_allclose(out["b"].item(), 1.0)

    def loss(p, s):
        o = h(p, s)
        return (o["a"] ** 2).sum() + 3.0 * o["b"]

    gp, gs = rg.grad(loss, argnums=(0, 1))(p, 1.0)
    np.testing.assert_allclose(gp["w"].data, 8 * p["w"] + 3 * p["v"])
    np.testing.assert_allclose(gp["v"].data, 3 * p["w"])
    assert gs.item() == 0.0


def test_custom_jvp_with_two_outputs():
    @rg.custom_jvp
    def sc(x):
        return rg.sin(x), rg.cos(x)

    @sc.defjvp
    def sc_jvp(primals, tangents):
        x, = primals
        t, = tangents
        return sc(x), (rg.cos(x) * t, -rg.sin(x) * t)

    x = rng.standard_normal(3)
    s, c = sc(x)
    np.testing.assert_allclose(s.data, np.sin(x))
    np.testing.assert_allclose(c.data, np.cos(x))
    g = rg.grad(lambda x: (sc(x)[0] * sc(x)[1]).sum())(x)
    np.testing.assert_allclose(g.data, np.cos(2 * x), rtol=1e-12)
    _, (ts, tc) = rg.jvp(sc, (x,), (np.ones(3),))
    np.testing.assert_allclose(ts.data, np.cos(x))
    np.testing.assert_allclose(tc.data, -np.sin(x))


def test_errors_say_what_to_do():
    g = rg.custom_vjp(lambda x: x * 2)
    with pytest.raises(AttributeError, match="defvjp"):
        g(1.0)
    g.defvjp(lambda x: (x * 2, None), lambda res, ct: (ct, ct))
    with pytest.raises(TypeError, match=r"returned 2 cotangent.*1 differentiable"):
        rg.grad(g)(1.0)
    g.defvjp(lambda x: x * 2, lambda res, ct: (ct,))
    with pytest.raises(TypeError, match="fwd must return a pair"):
        rg.grad(g)(1.0)
    with pytest.raises(TypeError, match="can't apply forward-mode autodiff"):
        rg.jvp(f, (1.0, 2.0), (1.0, 0.0))
    j = rg.custom_jvp(lambda x: x * 2)
    with pytest.raises(AttributeError, match="defjvp"):
        j(1.0)
    j.defjvp(lambda primals, tangents: tangents[0] * 2)
    with pytest.raises(TypeError, match="must return a pair"):
        rg.grad(j)(1.0)
    bad = rg.custom_vjp(lambda x: x, nondiff_argnums=(3,))
    bad.defvjp(lambda x: (x, None), lambda res, g: (g,))
    with pytest.raises(ValueError, match="nondiff_argnums"):
        bad(1.0)
