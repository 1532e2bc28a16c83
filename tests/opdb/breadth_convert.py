"""Issue 13's conversions and deterministic factories: clone, to, float/double/half/long/int/bool,
type_as, contiguous, cpu; full_like, empty (zeros here), with their dtypes against PyTorch's."""

from __future__ import annotations

import numpy as np
import torch

import retrograd as rg

from .core import OPS, OpInfo, SampleInput, make, register

_FIRST = len(OPS)
_TORCH = {np.float16: torch.float16, np.float32: torch.float32, np.float64: torch.float64, np.int64: torch.int64,
          np.int32: torch.int32, np.bool_: torch.bool}


def _x(dtype):
    return [SampleInput(make((2, 3), dtype, seed=1)), SampleInput(make((), dtype, seed=2)),
            SampleInput(make((0, 2), dtype, seed=3))]


register(OpInfo("clone", op=rg.clone, ref=torch.clone, method="clone", samples=_x))
register(OpInfo("contiguous", op=lambda x: x.T.contiguous(), ref=lambda x: x.T.contiguous(), samples=_x,
                covers=("Tensor.contiguous",)))
register(OpInfo("cpu", op=lambda x: x.cpu(), ref=lambda x: x.cpu(), samples=_x, covers=("Tensor.cpu",)))
# The jvp test compares the tangent in the input's dtype; a conversion's is in the target dtype (its
# values are checked by the vjp test against PyTorch, and by tests/test_breadth_jacobians.py).
_CASTS = {"jvp": "the output dtype is the target's, not the input's"}
for _name, _np in (("float", np.float32), ("double", np.float64), ("half", np.float16)):
    register(OpInfo(_name, op=(lambda n: lambda x: getattr(x, n)())(_name), ref=(lambda n: lambda x: getattr(x, n)())(_name),
                    method=_name, samples=_x, tol={np.float32: (1e-3, 1e-3), np.float64: (1e-3, 1e-3)}
                    if _np == np.float16 else {}, covers=(f"Tensor.{_name}",), skips=_CASTS,
                    supports_gradgrad=_np != np.float16))
for _name in ("long", "int", "bool"):
    register(OpInfo(_name, op=(lambda n: lambda x: getattr(x, n)())(_name), ref=(lambda n: lambda x: getattr(x, n)())(_name),
                    method=_name, differentiable=False, covers=(f"Tensor.{_name}",),
                    samples=lambda d: [SampleInput(np.array([[1.7, -2.5], [0.0, 3.2]], d))]))


def _to_samples(dtype):
    x = make((2, 3), dtype, seed=1)
    return [SampleInput(x, np.float64), SampleInput(x, np.float32), SampleInput(x, "cpu", np.float64, desc="device, dtype")]


def _to_ref(x, *args):
    return x.to(*[_TORCH.get(a, a) for a in args])


register(OpInfo("to", op=lambda x, *a: x.to(*a), ref=_to_ref, samples=_to_samples, covers=("Tensor.to",), skips=_CASTS))
register(OpInfo("to_int", op=lambda x, *a: x.to(*a), ref=_to_ref, differentiable=False,
                samples=lambda d: [SampleInput(np.array([1.7, -2.5], d), np.int64)]))
register(OpInfo("type_as", op=lambda x, y: x.type_as(y), ref=lambda x, y: x.type_as(y), covers=("Tensor.type_as",),
                samples=lambda d: [SampleInput(make((3,), d, seed=1), np.zeros(2, np.float64), grad_args=(0,))],
                skips=_CASTS))
register(OpInfo("type_as_int", op=lambda x, y: x.type_as(y), ref=lambda x, y: x.type_as(y), differentiable=False,
                samples=lambda d: [SampleInput(make((3,), d, seed=2), np.zeros(2, np.int64))]))
register(OpInfo("full_like", op=rg.full_like, ref=torch.full_like, differentiable=False,
                samples=lambda d: [SampleInput(make((2, 3), d), 1.5), SampleInput(np.arange(3), 7),
                                   SampleInput(make((), d), -2.0)]))
register(OpInfo("empty_is_zeros", op=lambda *s, dtype: rg.empty(*s, dtype=dtype),
                ref=lambda *s, dtype: torch.zeros(s, dtype=_TORCH[dtype]), differentiable=False,
                samples=lambda d: [SampleInput(2, 3, kwargs=dict(dtype=d)), SampleInput(0, kwargs=dict(dtype=d))],
                covers=("rg.empty",)))

NAMES = [o.name for o in OPS[_FIRST:]]  # this family's entries (tests/test_breadth_jacobians.py)
