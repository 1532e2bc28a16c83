"""Every differentiable op of the database: the vjp against PyTorch's gradients, the jvp against
central finite differences, second derivatives with gradgradcheck. See tests/opdb/core.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import retrograd as rg

from opdb import core
from opdb.core import FD_TOL, assert_close, cases, differentiable_function, rng_for, run_ref, run_rg


def _differentiable_samples(info, dtype):
    samples = [s for s in info.sample_inputs(dtype) if s.grad_args and s.check_grad]
    assert samples, f"{info.name}: no sample has a differentiable input, so nothing would be checked"
    return samples


def _smooth_samples(info, dtype):
    samples = [s for s in _differentiable_samples(info, dtype) if s.smooth]
    assert samples, f"{info.name}: no smooth sample, so finite differences check nothing"
    return samples


@pytest.mark.parametrize("info,dtype", cases("vjp"))
def test_vjp_matches_reference(info, dtype):
    for sample in _differentiable_samples(info, dtype):
        what = f"{info.name} {sample}"
        with np.errstate(all="ignore"):
            args, out = run_rg(info, sample)
        out = core.first(out)
        cot = rng_for(info.name, repr(sample)).standard_normal(out.shape).astype(out.dtype)
        with np.errstate(all="ignore"):
            out.backward(cot)
        grads = [args[p].grad for p in sample.grad_args]
        if info.ref is None:  # a NumPy op: its gradients are checked against finite differences
            continue
        targs, tout = run_ref(info, sample)
        tout = core.first(tout)
        tgrads = torch.autograd.grad(tout, [targs[p] for p in sample.grad_args], torch.tensor(cot),
                                     allow_unused=True)
        for p, g, tg in zip(sample.grad_args, grads, tgrads):
            expected = np.zeros(sample.args[p].shape, dtype) if tg is None else tg.numpy()
            assert g is not None, f"{what}: no gradient reached argument {p}"
            assert_close(g.numpy(), expected, dtype, info.tolerance(dtype), what=f"{what} d/darg{p}")


def _fd_jvp(f, inputs, tangents, eps=1e-6):
    """Central difference of ``f`` along ``tangents``, in float64."""
    x64 = [np.asarray(x, np.float64) for x in inputs]
    plus = f(*[rg.tensor(x + eps * t) for x, t in zip(x64, tangents)]).numpy()
    minus = f(*[rg.tensor(x - eps * t) for x, t in zip(x64, tangents)]).numpy()
    return (plus.astype(np.float64) - minus) / (2 * eps)


@pytest.mark.parametrize("info,dtype", cases("jvp"))
def test_jvp_matches_finite_differences(info, dtype):
    for sample in _smooth_samples(info, dtype):
        what = f"{info.name} {sample}"
        f, inputs = differentiable_function(info, sample)
        r = rng_for("jvp", info.name, repr(sample))
        tangents = [r.standard_normal(x.shape) for x in inputs]
        out, t_out = rg.jvp(f, tuple(rg.tensor(x) for x in inputs),
                            tuple(rg.tensor(t.astype(dtype)) for t in tangents))
        expected = _fd_jvp(f, inputs, tangents).astype(dtype)
        finite = np.isfinite(out.numpy())  # no finite difference where the value is infinite
        assert_close(np.where(finite, t_out.numpy(), 0), np.where(finite, expected, 0), dtype, FD_TOL[dtype],
                     what=what)


@pytest.mark.parametrize("info,dtype", cases("gradgrad", dtypes=(np.float64,)))
def test_gradgradcheck(info, dtype):
    for sample in _smooth_samples(info, dtype):
        f, inputs = differentiable_function(info, sample)
        xs = [rg.tensor(x, requires_grad=True) for x in inputs]
        assert rg.gradgradcheck(f, xs), f"{info.name} {sample}"
