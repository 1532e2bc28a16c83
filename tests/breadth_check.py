"""One generic check for the breadth ops (issue 13): forward and vjp against PyTorch, jvp against
central finite differences, reverse and forward Jacobians against PyTorch's, gradgradcheck, and
float32 in, float32 out. Used by tests/test_breadth_*.py until the op database takes them over."""

from __future__ import annotations

import numpy as np
import torch

import retrograd as rg


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def check_op(rg_fn, torch_fn, arrays, *, grad=True, jac=True, gradgrad=True, f32=True, rtol=1e-10,
             atol=1e-12, seed=0):
    """``rg_fn`` and ``torch_fn`` map tensors (one per array) to one tensor."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    ts = [torch.tensor(a, requires_grad=grad) for a in arrays]
    t_out = torch_fn(*ts)
    xs = [rg.tensor(a, requires_grad=grad) for a in arrays]
    r_out = rg_fn(*xs)
    assert isinstance(r_out, rg.Tensor)
    assert r_out.shape == tuple(t_out.shape), (r_out.shape, tuple(t_out.shape))
    np.testing.assert_allclose(r_out.numpy(), t_out.detach().numpy(), rtol=rtol, atol=atol)
    if f32:
        o32 = rg_fn(*[rg.tensor(a.astype(np.float32)) for a in arrays])
        assert o32.dtype == np.float32, o32.dtype
        t32 = torch_fn(*[torch.tensor(a.astype(np.float32)) for a in arrays])
        np.testing.assert_allclose(o32.numpy(), t32.numpy(), rtol=2e-5, atol=2e-5)
    if not grad:
        return
    rng = np.random.default_rng(seed)
    cot = rng.standard_normal(r_out.shape)
    t_grads = torch.autograd.grad(t_out, ts, torch.tensor(cot), allow_unused=True)
    r_out.backward(cot)
    for x, g in zip(xs, t_grads):
        want = np.zeros(x.shape) if g is None else g.numpy()
        got = np.zeros(x.shape) if x.grad is None else x.grad.numpy()
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11)
    # jvp against central differences
    tangents = [rng.standard_normal(a.shape) for a in arrays]
    _, t_out_fwd = rg.jvp(lambda *a: rg_fn(*a), tuple(arrays), tuple(tangents))
    eps = 1e-6
    plus = rg_fn(*[rg.tensor(a + eps * t) for a, t in zip(arrays, tangents)]).numpy()
    minus = rg_fn(*[rg.tensor(a - eps * t) for a, t in zip(arrays, tangents)]).numpy()
    np.testing.assert_allclose(np.asarray(t_out_fwd.numpy()), (plus - minus) / (2 * eps), rtol=1e-5, atol=1e-6)
    if jac and all(a.size <= 40 for a in arrays) and r_out.numpy().size <= 60:
        tj = torch.autograd.functional.jacobian(lambda *a: torch_fn(*a), tuple(torch.tensor(a) for a in arrays))
        tj = _tuple(tj)
        argnums = tuple(range(len(arrays)))
        for mode in ("rev", "fwd"):
            rj = _tuple(rg.jacobian(rg_fn, argnums=argnums, mode=mode)(*arrays))
            for a, b in zip(rj, tj):
                np.testing.assert_allclose(np.asarray(a.numpy()), b.numpy(), rtol=1e-9, atol=1e-10,
                                           err_msg=f"jacobian mode={mode}")
    if gradgrad:
        assert rg.gradgradcheck(rg_fn, [rg.tensor(a, requires_grad=True) for a in arrays])
