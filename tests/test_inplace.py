"""In-place operations, version counters and memory sharing, differential against PyTorch.

Each case runs the same code on retrograd and on PyTorch (``T`` is the module) and compares
the outcome: the same numbers, or an error on both sides.
"""

from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg

torch = pytest.importorskip("torch")


def outcome(fn, T):
    """Run ``fn(T)``; return ("ok", value as float64 arrays) or ("error", message)."""
    try:
        out = fn(T)
    except RuntimeError as exc:
        return "error", str(exc)
    if not isinstance(out, tuple):
        out = (out,)
    return "ok", [None if o is None else np.asarray(o.detach().numpy() if hasattr(o, "detach") and
                                                     not isinstance(o, rg.Tensor) else o.numpy(),
                                                     dtype=np.float64) for o in out]


def same_outcome(fn):
    """retrograd and PyTorch agree: both raise, or both give the same numbers."""
    r_kind, r_val = outcome(fn, rg)
    t_kind, t_val = outcome(fn, torch)
    assert r_kind == t_kind, f"retrograd: {r_kind} {r_val!r:.200}; torch: {t_kind} {t_val!r:.200}"
    if r_kind == "ok":
        assert len(r_val) == len(t_val)
        for a, b in zip(r_val, t_val):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    return r_kind, r_val


def leaf(T, values):
    return T.tensor(values, dtype=T.float64, requires_grad=True)


# ----- the training-loop idiom ------------------------------------------------------------------
def test_no_grad_isub_updates_the_parameter_in_place_and_trains():
    def train(T):
        w = leaf(T, [1.0, -2.0])
        ident = id(w)
        for _ in range(5):
            loss = ((w - 3.0) ** 2).sum()
            loss.backward()
            with T.no_grad():
                w -= 0.1 * w.grad
            w.grad = None
        assert id(w) == ident, "the name must still refer to the same tensor"
        return w
    kind, (w,) = same_outcome(train)
    assert kind == "ok" and not np.allclose(w, [1.0, -2.0])


def test_in_place_on_parameters_from_a_loop_changes_the_model():
    lin = rg.nn.Linear(2, 1)
    before = lin.weight.numpy().copy()
    lin(rg.ones(3, 2)).sum().backward()
    with rg.no_grad():
        for p in lin.parameters():
            p -= 0.5 * p.grad
    assert not np.allclose(lin.weight.numpy(), before)
    np.testing.assert_allclose(lin.weight.numpy(), before - 0.5 * 3.0)


@pytest.mark.parametrize("op", ["iadd", "isub", "imul", "itruediv", "add_", "sub_", "mul_", "div_",
                                "zero_", "fill_", "copy_", "clamp_", "clip_", "neg_", "setitem"])
def test_leaf_that_requires_grad_refuses_in_place_with_grad_mode_on(op):
    def run(T):
        w = leaf(T, [1.0, 2.0])
        apply_op(T, w, op)
        return w
    kind, msg = same_outcome(run)
    assert kind == "error"
    assert "leaf Variable that requires grad" in msg
    if isinstance(msg, str) and "retrograd" not in msg:
        pass
    with pytest.raises(RuntimeError, match="no_grad"):
        run(rg)


def apply_op(T, t, op):
    other = T.tensor([0.5, 4.0], dtype=T.float64)
    if op == "iadd":
        t += other
    elif op == "isub":
        t -= other
    elif op == "imul":
        t *= other
    elif op == "itruediv":
        t /= other
    elif op in ("add_", "sub_", "mul_", "div_", "copy_"):
        getattr(t, op)(other)
    elif op == "fill_":
        t.fill_(3.0)
    elif op in ("clamp_", "clip_"):
        getattr(t, op)(0.5, 1.5)
    elif op == "setitem":
        t[0] = 7.0
    else:
        getattr(t, op)()
    return t


@pytest.mark.parametrize("op", ["iadd", "isub", "imul", "itruediv", "add_", "sub_", "mul_", "div_",
                                "zero_", "fill_", "copy_", "clamp_", "clip_", "neg_", "setitem"])
def test_in_place_under_no_grad_keeps_identity_and_matches_torch(op):
    def run(T):
        w = leaf(T, [1.0, 2.0])
        ident = id(w)
        with T.no_grad():
            out = apply_op(T, w, op)
        assert id(w) == ident and (out is None or out is w or op in ("iadd", "isub", "imul", "itruediv"))
        assert w.requires_grad and w.is_leaf
        assert w._version == 1
        return w
    same_outcome(run)


@pytest.mark.parametrize("op", ["iadd", "isub", "imul", "itruediv", "add_", "sub_", "mul_", "div_",
                                "zero_", "fill_", "copy_", "clamp_", "clip_", "neg_", "setitem"])
def test_in_place_on_a_non_leaf_is_recorded(op):
    def run(T):
        w = leaf(T, [1.0, 2.0])
        v = leaf(T, [3.0, -1.0])
        h = w * v
        apply_op(T, h, op)
        (h * h).sum().backward()
        return h, w.grad, v.grad
    same_outcome(run)


def test_setitem_gradient_reaches_the_history_and_the_value():
    def run(T):
        a = leaf(T, [1.0, 2.0, 3.0, 4.0])
        b = leaf(T, [5.0, 6.0])
        t = a * 2
        t[1:3] = b * 3
        t[0] = a[3] * b[0]
        (t * T.tensor([1.0, 2.0, 3.0, 4.0], dtype=T.float64)).sum().backward()
        return t, a.grad, b.grad
    kind, _ = same_outcome(run)
    assert kind == "ok"


def test_setitem_into_a_buffer_that_does_not_require_grad():
    def run(T):
        w = leaf(T, [0.5])
        h = T.zeros(3, dtype=T.float64)
        h[0] = w[0] * 2
        h[2] = w[0] ** 2
        h.sum().backward()
        return h, w.grad
    kind, _ = same_outcome(run)
    assert kind == "ok"


def test_consumers_recorded_before_an_in_place_write_keep_the_old_history():
    def run(T):
        x = leaf(T, [2.0])
        y = x * 2
        z = y + 1          # add reads no values: its edge must still lead to the old y
        y.mul_(5)
        (z + y).sum().backward()
        return x.grad
    kind, (g,) = same_outcome(run)
    assert kind == "ok" and g[0] == 12.0


def test_recurrent_fill_of_a_buffer_gives_the_chain_rule_gradient():
    # PyTorch refuses this one (tanh saved a view of h); retrograd keeps the old value and is right.
    W = rg.tensor(0.5, requires_grad=True)
    h = rg.zeros(4)
    h[0] = W
    for i in range(1, 4):
        h[i] = rg.tanh(h[i - 1] * W)
    h.sum().backward()
    tW = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    hs = [tW]
    for _ in range(3):
        hs.append(torch.tanh(hs[-1] * tW))
    sum(hs).backward()
    assert float(W.grad) == pytest.approx(float(tW.grad), rel=1e-12)


# ----- version counters ------------------------------------------------------------------------
def test_optimizer_step_between_forward_and_backward_raises_like_torch():
    def run(T):
        w1 = leaf(T, [[1.0, 2.0], [0.5, -1.0]])
        w2 = leaf(T, [[1.5, -2.0]])
        x = T.tensor([3.0, 4.0], dtype=T.float64)
        opt = T.optim.SGD([w1, w2], lr=0.1)
        loss = (w2 @ T.tanh(w1 @ x)).sum() ** 2     # w2's values are needed for w1's gradient
        loss.backward(retain_graph=True)
        opt.step()
        loss.backward()
        return w1.grad
    kind, msg = same_outcome(run)
    assert kind == "error" and "modified by an inplace operation" in msg


def test_a_value_read_only_for_a_gradient_nobody_needs_may_change_as_in_torch():
    def run(T):
        w = leaf(T, [[1.0, 2.0]])
        x = T.tensor([3.0, 4.0], dtype=T.float64)    # x needs no gradient, so mul never reads w
        opt = T.optim.SGD([w], lr=0.1)
        loss = (w * x).sum() ** 2
        loss.backward(retain_graph=True)
        opt.step()
        loss.backward()
        return w.grad
    kind, _ = same_outcome(run)
    assert kind == "ok"


def test_version_error_names_the_primitive():
    w = rg.tensor([1.0, 2.0], requires_grad=True, name="w")
    y = (w * w).sum()
    with rg.no_grad():
        w += 1
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*'mul'.*tensor 'w'"):
        y.backward()


def test_write_to_a_value_nobody_reads_is_allowed_as_in_torch():
    def run(T):
        w = leaf(T, [1.0, 2.0])
        y = (w + 1).sum()           # add's gradient does not read w
        with T.no_grad():
            w.mul_(3)
        y.backward()
        return w.grad
    kind, _ = same_outcome(run)
    assert kind == "ok"


def test_writing_an_output_that_backward_reads_raises():
    def run(T):
        x = leaf(T, [1.0, 2.0])
        y = x.exp()
        with T.no_grad():
            y.add_(1)
        y.sum().backward()
        return x.grad
    kind, _ = same_outcome(run)
    assert kind == "error"


def test_writing_through_a_view_bumps_the_base_version():
    def run(T):
        x = leaf(T, [[1.0, 2.0], [3.0, 4.0]])
        y = x.exp()
        z = (y * y).sum()
        with T.no_grad():
            y[0].mul_(2)        # a view of y's memory: y's saved values changed
        z.backward()
        return x.grad
    kind, _ = same_outcome(run)
    assert kind == "error"


def test_version_counts_writes_and_is_shared_with_views_and_detach():
    def run(T):
        t = T.zeros(2, 2, dtype=T.float64)
        v = t[0]
        d = t.detach()
        t += 1
        v.add_(1)
        d[1, 1] = 5.0
        return T.tensor([t._version, v._version, d._version], dtype=T.float64), t
    _kind, (versions, _t) = same_outcome(run)
    assert list(versions) == [3, 3, 3]


def test_zero_grad_writes_in_place_and_step_counts_as_a_write():
    w = rg.tensor([1.0, 2.0], requires_grad=True)
    opt = rg.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    g = w.grad
    opt.step()
    assert w._version == 1
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and g._version == 1 and np.all(g.numpy() == 0)


def test_in_place_result_must_keep_the_shape_and_dtype():
    def wrong_shape(T):
        t = T.zeros(3, dtype=T.float64)
        t += T.ones(2, 3, dtype=T.float64)
        return t

    def int_from_float(T):
        t = T.zeros(3, dtype=T.int64)
        t += 1.5
        return t

    assert same_outcome(wrong_shape)[0] == "error"
    assert same_outcome(int_from_float)[0] == "error"


# ----- memory: tensor copies, from_numpy and as_tensor share ----------------------------------------
def test_tensor_copies_the_callers_array_like_torch():
    a = np.array([1.0, 2.0])
    t, tt = rg.tensor(a), torch.tensor(a)
    a[0] = 100.0
    assert t.tolist() == tt.tolist() == [1.0, 2.0]


def test_overwriting_the_batch_buffer_after_forward_does_not_change_the_gradient():
    buf = np.array([1.0, 2.0])
    w = rg.tensor([3.0, 4.0], requires_grad=True)
    loss = (w * rg.tensor(buf)).sum()
    buf[:] = 50.0
    loss.backward()
    assert w.grad.tolist() == [1.0, 2.0]


def test_from_numpy_and_as_tensor_share_memory_like_torch():
    a = np.array([1.0, 2.0])
    f, af, tf = rg.from_numpy(a), rg.as_tensor(a), torch.from_numpy(a)
    a[1] = 7.0
    assert f.tolist() == af.tolist() == tf.tolist() == [1.0, 7.0]
    f[0] = -1.0
    assert a[0] == -1.0
    assert rg.as_tensor(a, dtype=rg.float32).dtype == np.float32 and a.dtype == np.float64
    with pytest.raises(TypeError, match=r"numpy.ndarray"):
        rg.from_numpy([1.0, 2.0])


# ----- gradients are private ------------------------------------------------------------------------
def test_leaves_never_share_a_grad_array():
    p1 = rg.tensor([1.0, 2.0], requires_grad=True)
    p2 = rg.tensor([3.0, 4.0], requires_grad=True)
    ((p1 + p2) * 2).sum().backward()
    assert not np.shares_memory(p1.grad.numpy(), p2.grad.numpy())
    with rg.no_grad():
        p1.grad *= 0.5                     # what clip_grad_norm_ does
    assert p2.grad.tolist() == [2.0, 2.0]


def test_grad_is_not_shared_with_the_seed_or_a_saved_array():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([1.0, 1.0])
    x.backward(gradient=rg.from_numpy(seed))
    seed[:] = 9.0
    assert x.grad.tolist() == [1.0, 1.0]


def test_accumulation_is_in_place_into_the_private_array():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    g = x.grad
    (x * 3).sum().backward()
    assert x.grad is g and g.tolist() == [6.0, 6.0]


# ----- max / min with dim ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_with_dim_return_values_and_indices_like_torch(name, keepdim):
    data = np.array([[1.0, 5.0, 5.0], [7.0, 2.0, -1.0]])
    x, tx = rg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    values, indices = getattr(x, name)(dim=1, keepdim=keepdim)
    tv, ti = getattr(tx, name)(dim=1, keepdim=keepdim)
    assert values.tolist() == tv.tolist() and indices.tolist() == ti.tolist()
    assert getattr(x, name)(1, keepdim).indices.tolist() == ti.tolist()
    assert getattr(rg, name)(x, 1, keepdim).values.tolist() == tv.tolist()
    (values * rg.tensor(2.0)).sum().backward()
    (tv * 2).sum().backward()
    assert x.grad.tolist() == tx.grad.tolist()       # the selected element only, even at a tie


def test_numpy_style_max_keeps_returning_values():
    t = rg.tensor([[1.0, 5.0], [7.0, 2.0]])
    assert rg.max(t, axis=1).tolist() == [5.0, 7.0]
    assert t.max(axis=0).tolist() == [7.0, 5.0]
    assert float(t.max()) == 7.0


def test_max_of_two_tensors_is_maximum():
    a, b = rg.tensor([1.0, 5.0]), rg.tensor([3.0, 2.0])
    assert rg.max(a, b).tolist() == torch.max(torch.tensor([1.0, 5.0]), torch.tensor([3.0, 2.0])).tolist()
    assert rg.min(a, b).tolist() == [1.0, 2.0]


def test_max_over_an_empty_dim_raises():
    with pytest.raises(IndexError, match="non-zero size"):
        rg.zeros(2, 0).max(dim=1)


# ----- grad mode -----------------------------------------------------------------------------------------
def test_set_grad_enabled_as_a_plain_call():
    try:
        rg.set_grad_enabled(False)
        assert not rg.is_grad_enabled()
        w = rg.tensor(1.0, requires_grad=True)
        assert not (w * 2).requires_grad
    finally:
        rg.set_grad_enabled(True)
    assert rg.is_grad_enabled()


def test_set_grad_enabled_as_context_and_decorator_restores_the_mode():
    with rg.set_grad_enabled(False):
        assert not rg.is_grad_enabled()
    assert rg.is_grad_enabled()

    @rg.set_grad_enabled(False)
    def f():
        return rg.is_grad_enabled()

    assert rg.is_grad_enabled(), "decorating must not switch the mode"
    assert f() is False and rg.is_grad_enabled()


def test_one_gradient_array_returned_for_two_inputs_is_not_shared():
    class Twice(rg.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            same = g * 2
            return same, same          # the same array for both inputs

    a = rg.tensor([1.0, 2.0], requires_grad=True)
    b = rg.tensor([3.0, 4.0], requires_grad=True)
    Twice.apply(a, b).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    with rg.no_grad():
        a.grad *= 10
    assert b.grad.tolist() == [2.0, 2.0]


def test_a_hook_that_returns_a_kept_tensor_does_not_share_it_with_grad():
    kept = rg.tensor([5.0, 5.0])
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: kept)
    (x * 3).sum().backward()
    assert not np.shares_memory(x.grad.numpy(), kept.numpy())
