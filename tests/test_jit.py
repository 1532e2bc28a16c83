"""rg.jit: jitted equals eager (values, gradients, higher derivatives), caching, errors, the source."""

import ast

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import retrograd as rg

rng = np.random.default_rng(1)


def close(a, b, tol=1e-10):
    la, ta = rg.tree_flatten(a)
    lb, tb = rg.tree_flatten(b)
    assert ta == tb
    for x, y in zip(la, lb):
        x = np.asarray(x.data if isinstance(x, rg.Tensor) else x)
        y = np.asarray(y.data if isinstance(y, rg.Tensor) else y)
        assert x.shape == y.shape and x.dtype == y.dtype, (x, y)
        np.testing.assert_allclose(x, y, rtol=tol, atol=tol)


# ----- every op of the database, jitted vs eager: tests/test_opdb_jit.py ------------------------
def test_shape_ops_indexing_matmul_and_nn_layers_jitted_equal_eager():
    F = rg.nn.functional
    W, b = rng.standard_normal((5, 4)), rng.standard_normal(5)
    x, y = rng.standard_normal((6, 4)), rng.integers(0, 5, 6)

    def loss(W, b, x):
        z = F.linear(x, W, b)
        h = rg.concatenate([z[:, :2], rg.stack([z[:, 3], z[:, 4]], axis=1)], axis=1)
        t = rg.transpose(h).reshape(-1)[[0, 3, 3, 7]]
        return F.cross_entropy(z, y) + (t ** 2).sum() + (x @ W.T).mean() + rg.where(z > 0, z, 0.1 * z).sum()

    vg = rg.value_and_grad(loss, argnums=(0, 1, 2))
    close(rg.jit(vg)(W, b, x), vg(W, b, x))


# ----- generated random programs -------------------------------------------------------------------
UNARY_STEPS = {
    "sin": rg.sin, "cos": rg.cos, "tanh": rg.tanh, "sigmoid": rg.sigmoid, "exp_small": lambda v: rg.exp(v * 0.1),
    "square": lambda v: v * v, "neg": lambda v: -v, "softplus": lambda v: rg.log(1 + rg.exp(v * 0.5)),
    "scale": lambda v: v * 1.7 - 0.3, "recip": lambda v: 1.0 / (1.0 + v * v),
}
BINARY_STEPS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (1.5 + rg.sin(b)), "pow": lambda a, b: (a * a + 1.0) ** (b * 0.1),
}


@st.composite
def programs(draw):
    n = draw(st.integers(1, 12))
    steps = []
    for i in range(n):
        if draw(st.booleans()):
            steps.append(("u", draw(st.sampled_from(sorted(UNARY_STEPS))), draw(st.integers(0, i + 1))))
        else:
            steps.append(("b", draw(st.sampled_from(sorted(BINARY_STEPS))),
                          draw(st.integers(0, i + 1)), draw(st.integers(0, i + 1))))
    reduce_kind = draw(st.sampled_from(["sum", "mean", "max_axis", "matmul"]))
    return steps, reduce_kind


def run_program(prog, x, y):
    steps, reduce_kind = prog
    vals = [x, y]
    for s in steps:
        if s[0] == "u":
            vals.append(UNARY_STEPS[s[1]](vals[s[2]]))
        else:
            vals.append(BINARY_STEPS[s[1]](vals[s[2]], vals[s[3]]))
    out = vals[-1]
    if reduce_kind == "sum":
        return out.sum()
    if reduce_kind == "mean":
        return (out * out).mean()
    if reduce_kind == "max_axis":
        return rg.max(out, axis=0).sum()
    return (out @ np.linspace(-1, 1, 3)).sum()


@settings(max_examples=40, deadline=None)
@given(programs(), st.integers(0, 2 ** 31))
def test_random_programs_jitted_equal_eager(prog, seed):
    r = np.random.default_rng(seed)
    x, y = r.uniform(-1, 1, (2, 3)), r.uniform(-1, 1, (2, 3))
    f = lambda x, y: run_program(prog, x, y)
    vg = rg.value_and_grad(f, argnums=(0, 1))
    jvg = rg.jit(vg)
    close(jvg(x, y), vg(x, y), tol=1e-9)
    x2, y2 = r.uniform(-1, 1, (2, 3)), r.uniform(-1, 1, (2, 3))
    close(jvg(x2, y2), vg(x2, y2), tol=1e-9)        # new values, same code
    assert jvg.trace_count == 1
    # higher derivatives, in both orders of composition
    h = rg.hessian(f)
    close(rg.jit(h)(x, y), h(x, y), tol=1e-8)
    close(rg.grad(rg.jit(f))(x, y), rg.grad(f)(x, y), tol=1e-9)
    close(rg.jacobian(rg.jit(rg.grad(f)))(x, y), rg.jacobian(rg.grad(f))(x, y), tol=1e-8)


@settings(max_examples=30, deadline=None)
@given(programs(), st.floats(-1, 1), st.floats(-1, 1))
def test_random_scalar_programs_use_floats_and_equal_eager(prog, a, b):
    f = lambda x, y: run_program((prog[0], "sum"), x, y)
    vg = rg.value_and_grad(f, argnums=(0, 1))
    j = rg.jit(vg)
    close(j(a, b), vg(a, b), tol=1e-9)
    code = [line for line in j.source(a, b).splitlines() if not line.strip().startswith("#")]
    assert not any("np." in line for line in code)    # 0-d float graphs run on Python floats


# ----- composition ------------------------------------------------------------------------------------
def test_jit_composes_with_transforms_in_both_orders():
    f = lambda x: (rg.tanh(x) ** 3).sum()
    x = rng.standard_normal(4)
    for t in (rg.grad, rg.hessian, rg.jacobian, lambda g: rg.jacobian(rg.grad(g), mode="fwd")):
        close(rg.jit(t(f))(x), t(f)(x), tol=1e-9)
        close(t(rg.jit(f))(x), t(f)(x), tol=1e-9)
    v, jv = rg.jvp(f, (x,), (np.ones(4),)), rg.jit(lambda x, t: rg.jvp(f, (x,), (t,)))(x, np.ones(4))
    close(jv, v)
    _out, vjp_fn = rg.vjp(rg.jit(lambda x: rg.sin(x) * 2), rg.tensor(x))
    close(vjp_fn(np.ones(4)), (rg.tensor(2 * np.cos(x)),))


def test_backward_through_a_jitted_function_and_closed_over_parameters():
    w = rg.tensor(rng.standard_normal(3), requires_grad=True)
    f = rg.jit(lambda x: (w * x).sum())
    x = rg.tensor(rng.standard_normal(3), requires_grad=True)
    f(x).backward()
    np.testing.assert_allclose(x.grad.data, w.data)
    np.testing.assert_allclose(w.grad.data, x.data)
    with rg.no_grad():  # inference: the closed-over parameter is read when the code runs
        x2 = rng.standard_normal(3)
        assert float(f(x2)) == pytest.approx(float((w.data * x2).sum()))
        w.data[:] = 1.0  # changed in place, as an optimizer does
        assert float(f(x2)) == pytest.approx(float(x2.sum()))


def test_nested_jit_is_inlined_and_pytrees_in_and_out():
    inner = rg.jit(lambda p: p["a"] * p["b"])
    outer = rg.jit(lambda p, xs: {"y": inner(p) + xs[0], "z": [xs[1] * 2, None]})
    p, xs = {"a": np.ones(2), "b": np.full(2, 3.0)}, [np.arange(2.0), np.arange(2.0) + 5]
    out = outer(p, xs)
    assert set(out) == {"y", "z"} and out["z"][1] is None
    np.testing.assert_allclose(out["y"].data, [3.0, 4.0])
    np.testing.assert_allclose(out["z"][0].data, [10.0, 12.0])
    assert inner.trace_count == 0 and outer.trace_count == 1


# ----- caching ------------------------------------------------------------------------------------------
def test_retraces_on_new_shapes_dtypes_structure_and_static_values_not_on_new_values():
    calls = []

    def f(x, n):
        calls.append(1)
        return x * n

    j = rg.jit(f, static_argnums=1)
    j(np.ones(3), 2)
    j(np.full(3, 5.0), 2)
    j(rg.tensor([7.0, 8.0, 9.0]), 2)
    assert j.trace_count == 1 and len(calls) == 1
    j(np.ones(4), 2)                       # new shape
    j(np.ones(4, dtype=np.float32), 2)     # new dtype
    j(np.ones(4), 3)                       # new static value
    assert j.trace_count == 4
    np.testing.assert_allclose(j(np.full(4, 2.0), 3).data, 6.0)
    g = rg.jit(lambda t: t[0] + t[1])
    g((1.0, 2.0))
    g([1.0, 2.0])                          # a list is another structure than a tuple
    assert g.trace_count == 2
    g.clear_cache()
    g((5.0, 6.0))
    assert g.trace_count == 3


def test_dtypes_are_kept():
    j = rg.jit(rg.value_and_grad(lambda x: (x * 0.5 + 1).sum()))
    v, gx = j(np.ones(3, dtype=np.float32))
    assert v.dtype == np.float32 and gx.dtype == np.float32


# ----- errors --------------------------------------------------------------------------------------------
def _f_if(x):
    if x.sum() > 0:   # the line the error must name
        return x
    return -x


@pytest.mark.parametrize("fn, what", [
    (_f_if, "Python condition"),
    (lambda x: x * float(x.sum()), "float()"),
    (lambda x: x * x.sum().item(), ".item()"),
    (lambda x: x * np.asarray(x), "converting to a NumPy array"),
    (lambda x, n: x * sum(range(n)), "Python int"),
])
def test_tracing_errors_name_the_line_and_suggest_where_or_static_argnums(fn, what):
    args = (np.ones(3),) if fn.__code__.co_argcount == 1 else (np.ones(3), 3)
    with pytest.raises(rg.TracingError) as info:
        rg.jit(fn)(*args)
    msg = str(info.value)
    assert what in msg and "rg.where" in msg and "static_argnums" in msg
    assert "test_jit.py:" in msg
    if fn is _f_if:
        assert "if x.sum() > 0:" in msg
    # the same function works when the decision is made static
    if fn.__code__.co_argcount == 2:
        assert rg.jit(fn, static_argnums=1)(*args).shape == (3,)


def test_errors_for_bad_arguments_and_backward_inside():
    with pytest.raises(TypeError, match="expected a function"):
        rg.jit(3)
    with pytest.raises(TypeError, match="hashable"):
        rg.jit(lambda x, s: x, static_argnums=1)(np.ones(2), [1, 2])
    with pytest.raises(rg.TracingError, match=r"rg.grad"):
        rg.jit(lambda x: x.sum().backward())(np.ones(2))


def test_shape_control_flow_is_fine():
    def f(x):
        if x.shape[0] > 2:
            return x[:2].sum()
        return x.sum() * 10
    j = rg.jit(f)
    assert float(j(np.ones(5))) == 2.0 and float(j(np.ones(2))) == 20.0


# ----- the generated source -----------------------------------------------------------------------------
def test_source_is_valid_python_that_runs_on_its_own_and_frees_memory():
    F = rg.nn.functional
    W = rng.standard_normal((3, 4))

    def loss(W, x, y):
        return F.cross_entropy(F.linear(x, W), y)

    x, y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    j = rg.jit(rg.value_and_grad(loss))
    src = j.source(W, x, y)
    ast.parse(src)
    assert "# forward" in src and "# backward" in src and "del " in src
    assert "# d " in src and "rule" in src
    # one line per primitive: no line holds two calls of the forward primitives
    ns = {"np": np, **_helpers_for(src)}
    exec(compile(src, "<test>", "exec"), ns)
    fn = ns["value_and_grad_loss"]
    loss_v, gW = fn(W, x, y)
    v, g = rg.value_and_grad(loss)(W, x, y)
    np.testing.assert_allclose(loss_v, v.data)
    np.testing.assert_allclose(gW, g.data)


def _helpers_for(src):
    """What the generated code names besides NumPy: the primitives' own implementations."""
    from retrograd import ops
    from retrograd.ops.nn import cross_entropy, linear
    names = {p.name: p.impl for p in ops.ALL}
    names.update(linear=linear.impl, cross_entropy=cross_entropy.impl, softmax=ops.softmax.impl)
    return names


def test_common_subexpressions_are_merged_and_constants_folded():
    c = np.arange(3.0)

    def f(x):
        k = rg.exp(rg.tensor(c)) * 2          # does not depend on x: folded
        return rg.sin(x) * k + rg.sin(x)      # sin(x) computed once

    src = rg.jit(f).source(np.ones(3))
    assert src.count("np.sin(") == 1 and "np.exp(" not in src
    assert next(n for n in rg.jit(f).lower(np.ones(3)).nodes if n["kind"] == "op")["op"] == "sin"


def test_names_given_with_named_appear_in_the_source():
    def f(w, x):
        a = (w * x).named("a")
        return rg.tanh(a).named("J")
    src = rg.jit(rg.grad(f)).source(0.5, 2.0)
    assert "a = w * x" in src and "dJ_dw" in src and "math.tanh(a)" in src


def test_lower_gives_the_graph_forward_and_backward():
    low = rg.jit(rg.value_and_grad(lambda x: (rg.tanh(x) * 3).sum())).lower(np.ones(2))
    phases = [n["phase"] for n in low.nodes]  # a learning-layer Graph (tests/test_jit_code.py draws it)
    assert phases[:2] == ["input", "forward"] and phases[-1] == "backward"
    assert list(low.inputs) == ["x"] and len(low.extra["outputs"]) == 2
    d = low.to_dict()
    assert d["source"] == low.source and d["nodes"][1]["op"] == "tanh"


def test_dead_arrays_are_reused_in_place_without_touching_inputs_or_outputs():
    W, x = rng.standard_normal((64, 64)), rng.standard_normal((64, 64))
    W0, x0 = W.copy(), x.copy()

    def step(W, x):
        h = rg.tanh(x @ W)
        loss = (h * h).sum()
        g = rg.grad(lambda W: (rg.tanh(x @ W) ** 2).sum())(W)
        return loss, W - 0.1 * g, h

    j = rg.jit(step)
    assert "out=" in j.source(W, x)
    close(j(W, x), step(W, x))
    np.testing.assert_array_equal(W, W0)   # arguments are never written
    np.testing.assert_array_equal(x, x0)


def test_big_float_programs_are_written_with_single_use_values_inlined():
    def f(x, w):
        y = x
        for i in range(700):
            y = rg.tanh(y * w + 0.01 * (i % 7)) + rg.relu(y - 0.5) * 0.1
        return y * y

    vg = rg.value_and_grad(f, argnums=(0, 1))
    j = rg.jit(vg)
    close(j(0.3, 0.9), vg(0.3, 0.9), tol=1e-9)
    close(j(-0.2, 1.1), vg(-0.2, 1.1), tol=1e-9)
    src = j.source(0.3, 0.9)
    compile(src, "<big>", "exec")
    lines = [ln for ln in src.splitlines() if "=" in ln and not ln.strip().startswith("#")]
    assert len(lines) < len(j._cache[next(iter(j._cache))].trace.eqns) / 2


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_whole_jacobians_never_form_the_identity(mode):
    W, x = rng.standard_normal((6, 5)), rng.standard_normal(5)
    f = lambda x, W: rg.tanh(W @ x)
    j = rg.jit(rg.jacobian(f, mode=mode))
    close(j(x, W), rg.jacobian(f, mode=mode)(x, W))
    code = "\n".join(ln for ln in j.source(x, W).splitlines() if not ln.strip().startswith("#"))
    assert "c1" not in code and code.count("@") == 1    # only the forward W @ x: no identity matrix
    g = rg.jit(rg.jacobian(lambda x: rg.sin(x) * x, mode=mode))  # the diagonal used elementwise
    close(g(x), rg.jacobian(lambda x: rg.sin(x) * x, mode=mode)(x))


def test_max_dim_and_argmax_trace_their_indices():
    # the indices of max(dim)/argmax are computed by the generated code, not frozen at trace time
    f = rg.jit(lambda x: (rg.max(x, 1).values, rg.argmax(x, dim=0)))
    x = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    f(x)
    v, i = f(x[:, ::-1].copy())
    np.testing.assert_array_equal(v.data, [5.0, 7.0])
    np.testing.assert_array_equal(i.data, [1, 0, 1])
    assert f.trace_count == 1


def test_small_constants_with_inf_and_nan_are_written_as_python():
    c = np.array([-np.inf, 1.0, np.nan])
    f = rg.jit(lambda x: rg.maximum(x, c) + 0 * x)
    x = np.array([0.5, 0.5, 0.5])
    np.testing.assert_array_equal(f(x).data, np.maximum(x, c))
    src = f.source(x)
    assert "-np.inf" in src and "np.nan" in src
    ns = {}
    exec(src, ns)  # the source runs on its own
    np.testing.assert_array_equal(ns["f"](x)[0], np.maximum(x, c))


def test_pytree_arguments_find_their_code_and_results_keep_their_structure():
    calls = []

    @rg.jit
    def f(p, s, x):
        calls.append(1)
        return {"sum": (p["w"] * x).sum(), "both": [p["b"] + 1, None]}, s

    p = {"w": np.ones(3), "b": rg.tensor([2.0])}
    out, s = f(p, (np.zeros(2), None), np.arange(3.0))
    assert out["sum"].item() == 3.0 and out["both"][0].tolist() == [3.0] and out["both"][1] is None
    assert isinstance(s, tuple) and s[1] is None and s[0].tolist() == [0.0, 0.0]
    f({"b": np.array([5.0]), "w": np.full(3, 2.0)}, (np.ones(2), None), np.ones(3))   # other key order
    assert f.trace_count == 1
    f(p, (np.zeros(2), None), np.arange(4.0)[:3].astype(np.float32))                  # a new dtype
    f({"w": np.ones(4), "b": np.ones(1)}, (np.zeros(2), None), np.ones(4))            # a new shape
    f(p, [np.zeros(2), None], np.arange(3.0))                                          # a list, not a tuple
    assert f.trace_count == 4 and len(calls) == 4


def test_pytree_with_a_tensor_that_requires_grad_is_differentiated_eagerly():
    f = rg.jit(lambda p: (p["w"] * p["w"]).sum())
    w = rg.tensor([1.0, 2.0], requires_grad=True)
    f({"w": w}).backward()
    np.testing.assert_array_equal(w.grad.data, [2.0, 4.0])
    assert f.trace_count == 0


def test_named_tuple_results_are_rebuilt():
    f = rg.jit(lambda x: rg.max(x, 0))
    r = f(np.array([[1.0, 5.0], [3.0, 2.0]]))
    assert type(r) is type(rg.max(rg.tensor([1.0]), 0))
    assert r.values.tolist() == [3.0, 5.0] and r.indices.tolist() == [1, 0]


def test_the_cycle_collector_is_on_again_after_tracing_even_when_it_fails():
    import gc

    def bad(x):
        if x > 0:   # a TracingError while tracing
            return x
        return -x

    assert gc.isenabled()
    with pytest.raises(rg.TracingError):
        rg.jit(bad)(np.ones(2))
    assert gc.isenabled()
    rg.jit(lambda x: x * 2)(np.ones(2))
    assert gc.isenabled()
