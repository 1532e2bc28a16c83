"""Every differentiable op of the database, jitted equals eager: the value and the gradient of a
weighted sum of its output, through rg.jit(rg.value_and_grad(...)). See tests/opdb/core.py."""

from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg

from opdb.core import cases, differentiable_function, first

# Ops whose output shape depends on the input values cannot be traced into straight-line code:
# rg.jit raises TracingError for them (as jax.jit does), and says what to do instead.
DATA_DEPENDENT_SHAPES = {"masked_select", "nonzero", "boolean_index"}

# Known gaps of rg.jit (issue 12 follow-up): strict xfails, so the day one works the test fails and asks
# for its line to be removed. None is left: ops whose rules read values (sort, cummax, norms, max_pool,
# scatter_reduce, ...) record those reads as NumPy calls in the trace, or take a branch right for any value.
KNOWN_GAPS: dict[str, str] = {}


def _cases():
    for param in cases("vjp", dtypes=(np.float64,)):
        info, dtype = param.values
        reason = KNOWN_GAPS.get(info.name)
        marks = list(param.marks) + ([pytest.mark.xfail(strict=True, reason=reason)] if reason else [])
        yield pytest.param(info, dtype, marks=marks, id=param.id)


def _close(a, b, what):
    la, ta = rg.tree_flatten(a)
    lb, tb = rg.tree_flatten(b)
    assert ta == tb, what
    for x, y in zip(la, lb):
        x = np.asarray(x.data if isinstance(x, rg.Tensor) else x)
        y = np.asarray(y.data if isinstance(y, rg.Tensor) else y)
        assert x.shape == y.shape and x.dtype == y.dtype, what
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("info,dtype", list(_cases()))
def test_jitted_value_and_gradient_equal_eager(info, dtype):
    for sample in info.sample_inputs(dtype):
        if not sample.smooth or not sample.check_grad or not sample.grad_args:
            continue
        f, inputs = differentiable_function(info, sample)
        with np.errstate(all="ignore"):
            out = first(f(*[rg.as_tensor(x) for x in inputs]))
        weights = np.random.default_rng(0).standard_normal(np.shape(out.data))

        def loss(*xs):
            return (first(f(*xs)) * weights).sum()

        vg = rg.value_and_grad(loss, argnums=tuple(range(len(inputs))))
        what = f"{info.name} {sample}"
        try:
            with np.errstate(all="ignore"):
                jitted = rg.jit(vg)(*inputs)
        except rg.TracingError:
            assert info.name in DATA_DEPENDENT_SHAPES, f"{what}: rg.jit could not trace it"
            continue
        with np.errstate(all="ignore"):
            _close(jitted, vg(*inputs), what)
        # the same code on other values (the inputs' elements shuffled, so domains hold): nothing that
        # depends on the values (an order, an index, a mask) may have been frozen at trace time
        rng = np.random.default_rng(1)
        others = [rng.permutation(np.ravel(x)).reshape(np.shape(x)) for x in inputs]
        if all(np.array_equal(a, b) for a, b in zip(others, inputs)):
            continue
        jf = rg.jit(vg)
        with np.errstate(all="ignore"):
            jf(*inputs)
            try:
                want = vg(*others)
            except (ValueError, ArithmeticError, np.linalg.LinAlgError):
                continue  # outside the op's domain (a matrix that is no longer invertible, ...)
            _close(jf(*others), want, what + " (new values)")
        assert jf.trace_count == 1, what
