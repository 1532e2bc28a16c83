"""Functional optimizers equal the stateful ones, eagerly and inside a jitted training step."""

import numpy as np
import pytest

import retrograd as rg
from retrograd.optim import functional as optf

F = rg.nn.functional


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    params = {"W": rng.standard_normal((4, 3)) * 0.5, "b": np.zeros(4)}
    X, y = rng.standard_normal((16, 3)), rng.integers(0, 4, 16)
    return params, X, y


def loss_fn(p, x, y):
    return F.cross_entropy(F.linear(x, p["W"], p["b"]), y)


@pytest.mark.parametrize("make, cls, kw", [
    (optf.sgd, rg.optim.SGD, dict(lr=0.1)),
    (optf.sgd, rg.optim.SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    (optf.sgd, rg.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (optf.adam, rg.optim.Adam, dict(lr=0.05, weight_decay=0.01)),
    (lambda **kw: optf.adam(decoupled=True, **kw), rg.optim.AdamW, dict(lr=0.05, weight_decay=0.1)),
])
def test_functional_optimizers_match_the_stateful_ones_eager_and_jitted(make, cls, kw):
    params, X, y = _problem()
    # stateful reference
    ts = {k: rg.tensor(v.copy(), requires_grad=True) for k, v in params.items()}
    opt_ref = cls([ts["W"], ts["b"]], **kw)
    ref_losses = []
    for _ in range(5):
        opt_ref.zero_grad()
        loss = loss_fn(ts, X, y)
        loss.backward()
        opt_ref.step()
        ref_losses.append(float(loss))
    opt = make(**kw)

    def train_step(params, opt_state, xb, yb):
        loss, grads = rg.value_and_grad(loss_fn)(params, xb, yb)
        params, opt_state = opt.update(params, grads, opt_state)
        return loss, params, opt_state

    for step in (train_step, rg.jit(train_step)):
        p, s = params, opt.init(params)
        losses = []
        for _ in range(5):
            loss, p, s = step(p, s, X, y)
            losses.append(float(loss))
        np.testing.assert_allclose(losses, ref_losses, rtol=1e-12)
        for k in params:
            np.testing.assert_allclose(np.asarray(p[k].data), ts[k].data, rtol=1e-12, atol=1e-14)
    assert step.trace_count == 1   # the state (step count included) is traced: one trace for all steps


def test_update_checks_structures_and_arguments():
    opt = optf.sgd(lr=0.1)
    with pytest.raises(ValueError, match="structure"):
        opt.update({"a": np.ones(1)}, {"b": np.ones(1)}, {})
    with pytest.raises(ValueError, match="learning rate"):
        optf.adam(lr=-1)
    with pytest.raises(ValueError, match="nesterov"):
        optf.sgd(lr=0.1, nesterov=True)
