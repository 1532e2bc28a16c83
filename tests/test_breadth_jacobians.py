"""Issue 13's ops with batches of cotangents and tangents: the whole Jacobian in one reverse walk
(``mode="rev"``) and in one forward walk (``mode="fwd"``) against PyTorch's, for every smooth
sample of every differentiable breadth entry of the op database. This exercises what the
per-sample tests do not: rules given cotangents and tangents with extra leading batch axes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import retrograd as rg

from opdb import OPS, breadth_convert, breadth_index, breadth_logic, breadth_math, breadth_shape, core

BREADTH = set(breadth_convert.NAMES + breadth_index.NAMES + breadth_logic.NAMES + breadth_math.NAMES
              + breadth_shape.NAMES)


def _jacobian_samples(info):
    """Smooth float64 samples with small, non-empty inputs and outputs (PyTorch's jacobian cannot stack nothing)."""
    out = []
    for sample in info.sample_inputs(np.float64):
        if not (sample.smooth and sample.check_grad and sample.grad_args):
            continue
        f, inputs = core.differentiable_function(info, sample)
        if any(x.size > 24 or x.size == 0 for x in inputs) or f(*[rg.tensor(x) for x in inputs]).numpy().size == 0:
            continue
        out.append(sample)
    return out


def _entries():
    for info in OPS:
        if info.name in BREADTH and info.differentiable and info.ref is not None and info.supports_jvp \
                and _jacobian_samples(info):
            yield pytest.param(info, id=info.name)


def _torch_function(info, sample):
    base = sample.torch_args(requires_grad=False)

    def f(*xs):
        args = list(base)
        for p, x in zip(sample.grad_args, xs):
            args[p] = x
        return core.first(info.ref(*args, **sample.kwargs))
    return f


ENTRIES = list(_entries())


def test_most_breadth_entries_are_covered():
    assert len(ENTRIES) >= 60  # guards the filter above against silently dropping everything


@pytest.mark.parametrize("info", ENTRIES)
def test_jacobians_match_pytorch(info):
    for sample in _jacobian_samples(info):
        f, inputs = core.differentiable_function(info, sample)
        want = torch.autograd.functional.jacobian(_torch_function(info, sample), tuple(torch.tensor(x) for x in inputs))
        argnums = tuple(range(len(inputs)))
        for mode in ("rev", "fwd"):
            got = rg.jacobian(f, argnums=argnums, mode=mode)(*inputs)
            for g, w in zip(got, want):
                np.testing.assert_allclose(np.asarray(g.numpy() if isinstance(g, rg.Tensor) else g), w.numpy(),
                                           rtol=1e-9, atol=1e-11, err_msg=f"{info.name} {sample} mode={mode}")
