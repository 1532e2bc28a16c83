"""PyTorch's type promotion for binary operations (issue 13): result dtypes, values and gradient
dtypes compared with PyTorch over dtype pairs x operand kinds (0-d, dimensioned, Python number).

Retrograd's default float dtype is float64, so PyTorch runs here with ``set_default_dtype(float64)``:
a Python float (or an integer true division) then gives float64 on both sides.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

import retrograd as rg

DTYPES = ["bool", "int32", "int64", "float32", "float64"]
KINDS = ["dim", "zero", "number"]
TORCH_DT = {"bool": torch.bool, "int32": torch.int32, "int64": torch.int64,
            "float32": torch.float32, "float64": torch.float64}


@contextlib.contextmanager
def torch_default_float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


# name -> (retrograd op, torch op, differentiable)
OPS = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, True),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, True),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, True),
    "truediv": (lambda a, b: a / b, lambda a, b: a / b, True),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b, True),
    "maximum": (lambda a, b: rg.maximum(a, b), lambda a, b: torch.maximum(a, b), True),
    "minimum": (lambda a, b: rg.minimum(a, b), lambda a, b: torch.minimum(a, b), True),
    "atan2": (lambda a, b: rg.atan2(a, b), lambda a, b: torch.atan2(a, b), True),
    "hypot": (lambda a, b: rg.hypot(a, b), lambda a, b: torch.hypot(a, b), True),
    "logaddexp": (lambda a, b: rg.logaddexp(a, b), lambda a, b: torch.logaddexp(a, b), True),
    "fmod": (lambda a, b: rg.fmod(a, b), lambda a, b: torch.fmod(a, b), False),
    "remainder": (lambda a, b: rg.remainder(a, b), lambda a, b: torch.remainder(a, b), False),
    "div_floor": (lambda a, b: rg.div(a, b, rounding_mode="floor"),
                  lambda a, b: torch.div(a, b, rounding_mode="floor"), False),
    "div_trunc": (lambda a, b: rg.div(a, b, rounding_mode="trunc"),
                  lambda a, b: torch.div(a, b, rounding_mode="trunc"), False),
    "where": (lambda a, b: rg.where(rg.tensor([True, False, True]), a, b),
              lambda a, b: torch.where(torch.tensor([True, False, True]), a, b), True),
    "lt": (lambda a, b: a < b, lambda a, b: a < b, False),
    "eq": (lambda a, b: a == b, lambda a, b: a == b, False),
    "ge_fn": (lambda a, b: rg.ge(a, b), lambda a, b: torch.ge(a, b), False),
}
# Functions that need a Tensor first argument in PyTorch (a Python number can only come second).
TENSOR_FIRST = {"maximum", "minimum", "atan2", "hypot", "logaddexp", "fmod", "remainder", "div_floor",
                "div_trunc", "ge_fn"}


def _values(dtype, kind, draw_floats):
    """Three values of ``dtype`` (positive, away from the ops' singular points)."""
    if dtype == "bool":
        return [True, False, True]
    if dtype.startswith("int"):
        return [1, 2, 3]
    return draw_floats


def _operand(lib, dtype, kind, vals, requires_grad):
    if kind == "number":
        return {"bool": bool, "int32": int, "int64": int}.get(dtype, float)(vals[1])
    data = vals if kind == "dim" else vals[1]
    if lib == "torch":
        return torch.tensor(data, dtype=TORCH_DT[dtype], requires_grad=requires_grad)
    return rg.tensor(np.array(data, dtype=dtype), requires_grad=requires_grad)


def _grad_wanted(dtype, kind, diff):
    return diff and kind != "number" and dtype.startswith("float")


floats = st.lists(st.floats(0.25, 3.0, width=32), min_size=3, max_size=3)
COMBOS = [((da, ka), (db, kb)) for da in DTYPES for ka in KINDS for db in DTYPES for kb in KINDS]


@pytest.mark.parametrize("op", sorted(OPS))
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fa=floats, fb=floats)
def test_binary_ops_promote_as_pytorch(op, fa, fb):
    """Every dtype pair x operand kind (dimensioned, 0-d, Python number), values drawn."""
    compared = 0
    for left, right in COMBOS:
        compared += _check(op, left, right, fa, fb)
    assert compared > len(COMBOS) // 4  # PyTorch refuses some (hypot of integers, bool - bool)


def _check(op, left, right, fa, fb) -> bool:
    (da, ka), (db, kb) = left, right
    if ka == "number" and (kb == "number" or op in TENSOR_FIRST):
        return False
    if op == "pow" and da == db == "bool":
        return False  # a known gap: NumPy's bool ** bool is int8 where PyTorch's is bool
    rg_op, torch_op, diff = OPS[op]
    va, vb = _values(da, ka, fa), _values(db, kb, fb)
    ga, gb = _grad_wanted(da, ka, diff), _grad_wanted(db, kb, diff)
    with torch_default_float64():
        ta, tb = _operand("torch", da, ka, va, ga), _operand("torch", db, kb, vb, gb)
        try:
            expected = torch_op(ta, tb)
        except (RuntimeError, TypeError):
            return False  # PyTorch refuses these dtypes (bool - bool, an integer hypot, ...)
        a, b = _operand("rg", da, ka, va, ga), _operand("rg", db, kb, vb, gb)
        with np.errstate(all="ignore"):
            got = rg_op(a, b)
        want_dtype = str(expected.dtype).removeprefix("torch.")
        assert str(got.dtype) == want_dtype, (op, left, right)
        tol = 1e-6 if want_dtype == "float32" else 1e-12
        np.testing.assert_allclose(got.numpy().astype(float), expected.detach().numpy().astype(float),
                                   rtol=tol, atol=tol, err_msg=str((op, left, right)))
        if not (ga or gb) or not expected.requires_grad:
            return True
        try:
            expected.sum().backward()
        except RuntimeError:
            return True  # PyTorch's own backward refuses (float ** bool tensor)
        got.sum().backward()
        for mine, theirs, wanted in ((a, ta, ga), (b, tb, gb)):
            if wanted:
                assert mine.grad.dtype == mine.dtype, (op, left, right)  # in the input's own dtype
                assert str(mine.grad.dtype) == str(theirs.grad.dtype).removeprefix("torch.")
                gtol = 1e-5 if "float32" in (da, db) else 1e-10  # PyTorch's formulas may round in float32
                np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=gtol, atol=gtol,
                                           err_msg=str((op, left, right)))
    return True


# ----- the two cases of the issue (NumPy's promotion gave float64 in both) -----------------------
def test_float32_times_0d_float64_stays_float32():
    x = rg.ones(3, dtype=rg.float32, requires_grad=True)
    s = rg.tensor(2.0, requires_grad=True)  # 0-d, the default float64
    y = x * s
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and s.grad.dtype == np.float64
    assert float(s.grad) == 3.0


def test_float32_times_int64_tensor_is_float32():
    y = rg.ones(3, dtype=rg.float32) * rg.tensor([1, 2, 3])
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), [1.0, 2.0, 3.0])


def test_python_numbers_keep_the_default_float():
    assert (rg.tensor([1, 2]) * 2.5).dtype == np.float64  # retrograd's default float
    assert (rg.ones(2, dtype=rg.float32) * 2.5).dtype == np.float32
    assert (rg.tensor([1, 2], dtype=rg.int32) + 1).dtype == np.int32
    assert (rg.tensor([True, False]) + 1).dtype == np.int64
    # NumPy's float64 scalar is a Python float (a subclass): weak in PyTorch, not in NumPy
    assert (rg.ones(2, dtype=rg.float32) * np.float64(2.0)).dtype == np.float32
    assert (torch.ones(2, dtype=torch.float32) * np.float64(2.0)).dtype == torch.float32


def test_matmul_promotes_by_result_type():
    # PyTorch refuses float32 @ float64 ("expected m1 and m2 to have the same dtype"); retrograd
    # gives torch.result_type's dtype instead, and each gradient in its input's dtype.
    with pytest.raises(RuntimeError):
        torch.ones(2, 3, dtype=torch.float32) @ torch.ones(3, 2, dtype=torch.float64)
    a = rg.ones((2, 3), dtype=rg.float32, requires_grad=True)
    b = rg.ones((3, 2), dtype=rg.float64, requires_grad=True)
    y = a @ b
    assert y.dtype == np.float64
    y.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    assert (rg.ones((2, 3), dtype=rg.float32) @ rg.ones(3, dtype=rg.int64)).dtype == np.float32


def test_clamp_with_tensor_bounds_promotes():
    x = rg.tensor([0.5, 2.0, 5.0], dtype=rg.float32)
    out = rg.clamp(x, min=rg.tensor(1.0), max=rg.tensor(4.0))
    with torch_default_float64():
        expected = torch.clamp(torch.tensor([0.5, 2.0, 5.0]).float(), min=torch.tensor(1.0), max=torch.tensor(4.0))
    assert str(out.dtype) == str(expected.dtype).removeprefix("torch.") == "float32"
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_comparison_casts_an_integer_to_the_float_dtype():
    # 16777217 is not a float32: PyTorch compares it as float32 (16777216), NumPy would not.
    x = rg.tensor([16777216.0], dtype=rg.float32)
    big = rg.tensor(16777217)
    assert bool((x == big)[0]) and bool(rg.eq(x, big)[0])
    assert bool((torch.tensor([16777216.0], dtype=torch.float32) == torch.tensor(16777217))[0])


# ----- in place: the tensor keeps its dtype, or PyTorch's error ----------------------------------
def test_inplace_keeps_the_dtype():
    x = rg.ones(3, dtype=rg.float32)
    x += rg.tensor([1.0, 2.0, 3.0])  # float64 into float32: allowed, stays float32
    x *= rg.tensor(2.0)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x.numpy(), [4.0, 6.0, 8.0])
    i = rg.tensor([1, 2], dtype=rg.int32)
    i += rg.tensor([1, 1])
    assert i.dtype == np.int32


@pytest.mark.parametrize("other", [rg.tensor([0.5, 0.5]), rg.tensor(0.5), 0.5])
def test_inplace_int_plus_float_raises_as_pytorch(other):
    i = rg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        i += other
    with pytest.raises(RuntimeError):
        t = torch.tensor([1, 2])
        t += other if isinstance(other, float) else torch.tensor(other.numpy())


def test_inplace_recorded_keeps_the_dtype():
    w = rg.ones(3, dtype=rg.float32, requires_grad=True)
    y = w * 1.0
    y += rg.tensor(2.0, requires_grad=True)
    assert y.dtype == np.float32
    y.sum().backward()
    assert w.grad.dtype == np.float32


# ----- rg.jit and rg.vmap agree with eager ------------------------------------------------------
PAIRS = [("float32", "float64", "zero"), ("float32", "int64", "dim"), ("int32", "float64", "zero"),
         ("int64", "float32", "dim"), ("bool", "float32", "zero"), ("int32", "int64", "zero")]


@pytest.mark.parametrize(("da", "db", "kb"), PAIRS)
def test_jit_and_vmap_agree_with_eager(da, db, kb):
    a = rg.tensor(np.array([1, 2, 3], dtype=da))
    b = rg.tensor(np.array([2, 1, 2] if kb == "dim" else 2, dtype=db))

    def f(x, y):
        return x * y + x / (y + 1) - rg.maximum(x, y) + rg.where(x > y, x, y)

    eager = f(a, b)
    jitted = rg.jit(f)(a, b)
    assert jitted.dtype == eager.dtype
    np.testing.assert_allclose(jitted.numpy(), eager.numpy(), rtol=1e-6)
    bb = rg.tensor(np.stack([b.numpy()] * 2))
    mapped = rg.vmap(f, in_axes=(None, 0))(a, bb)
    assert mapped.dtype == eager.dtype
    np.testing.assert_allclose(mapped.numpy()[0], eager.numpy(), rtol=1e-6)


def test_jit_gradients_come_back_in_each_input_dtype():
    x = rg.ones(3, dtype=rg.float32)
    s = rg.tensor(2.0)
    gx, gs = rg.jit(rg.grad(lambda x, s: (x * s).sum(), argnums=(0, 1)))(x, s)
    assert gx.dtype == np.float32 and gs.dtype == np.float64
    assert float(gs) == 3.0
