"""Every differentiable op of the database under rg.vmap equals the loop over examples: the values,
and the per-example gradients of a weighted sum through rg.vmap(rg.grad(...)). See tests/opdb/core.py.

Each sample becomes a batch of three examples (the sample scaled by 1, 0.9 and 0.8, which keeps
every input in its op's domain) mapped over axis 0; the other arguments stay fixed."""

from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg

from opdb.core import cases, differentiable_function, first

SCALES = (1.0, 0.9, 0.8)


def _loop(fn, batches):
    outs = [fn(*[b[i] for b in batches]) for i in range(len(SCALES))]
    return np.stack([np.asarray(o.data if isinstance(o, rg.Tensor) else o) for o in outs])


@pytest.mark.parametrize("info,dtype", cases("vjp", dtypes=(np.float64,)))
def test_vmap_equals_the_loop_over_examples(info, dtype):
    for sample in info.sample_inputs(dtype):
        if not sample.smooth or not sample.check_grad or not sample.grad_args:
            continue
        f, inputs = differentiable_function(info, sample)
        batches = [rg.tensor(np.stack([np.asarray(x) * s for s in SCALES])) for x in inputs]
        what = f"{info.name} {sample}"
        with np.errstate(all="ignore"):
            try:
                loop = _loop(lambda *xs: first(f(*xs)), batches)
            except Exception:  # noqa: BLE001 - an op that refuses one of the scaled examples: not a vmap case
                continue
            out = rg.vmap(f)(*batches)
        np.testing.assert_allclose(out.data, loop, rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=what)
        weights = np.random.default_rng(0).standard_normal(loop.shape[1:])

        def loss(*xs):
            return (first(f(*xs)) * weights).sum()

        grad = rg.grad(loss, argnums=tuple(range(len(inputs))))
        with np.errstate(all="ignore"):
            per = rg.vmap(grad)(*batches)
            ref = [_loop(lambda *xs, k=k: grad(*xs)[k], batches) for k in range(len(inputs))]
        for k in range(len(inputs)):
            np.testing.assert_allclose(per[k].data, ref[k], rtol=1e-9, atol=1e-12, equal_nan=True,
                                       err_msg=f"{what}: gradient {k}")
