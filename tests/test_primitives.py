"""What the op database (tests/opdb, tests/test_opdb_*.py) does not check op by op: no overflow
warnings inside the stable primitives, and float32 kept through a composed forward and backward
pass. Every op's values and derivatives against PyTorch and finite differences are in the database."""

from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg


def test_softmax_logsumexp_sigmoid_do_not_overflow():
    big = np.array([1000.0, -1000.0, 0.0])
    assert np.allclose(rg.softmax(rg.tensor(big)).numpy(), [1.0, 0.0, 0.0])
    assert np.isfinite(rg.log_softmax(rg.tensor(big)).numpy()).all()
    assert float(rg.logsumexp(rg.tensor([1000.0, 1000.0]))) == pytest.approx(1000 + np.log(2))
    with np.errstate(over="raise"):
        s = rg.sigmoid(rg.tensor(big, requires_grad=True))
        s.sum().backward()
    assert np.allclose(s.numpy(), [1.0, 0.0, 0.5])
    assert np.isfinite(s.numpy()).all()


def test_float32_stays_float32_through_forward_and_backward():
    x = rg.tensor(np.array([0.5, 1.5], dtype=np.float32), requires_grad=True)
    w = rg.tensor(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    y = rg.softmax(rg.tanh(w @ x * 2.0 + 1) ** 2, axis=0)
    assert y.dtype == np.float32
    (y * rg.log(y)).sum().backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32
    # agrees with the float64 computation to float32 precision
    x64 = rg.tensor(x.numpy().astype(np.float64), requires_grad=True)
    y64 = rg.softmax(rg.tanh(rg.tensor(np.ones((2, 2))) @ x64 * 2.0 + 1) ** 2, axis=0)
    (y64 * rg.log(y64)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), x64.grad.numpy(), rtol=1e-4, atol=1e-6)
