"""Creation functions: zeros, ones, full, eye, arange, linspace, zeros_like, ones_like.

Not differentiable: only their values, shapes and dtypes are compared with PyTorch's.
"""

from __future__ import annotations

import numpy as np
import torch

import retrograd as rg

from .core import OpInfo, SampleInput, make, register

_TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}


def _td(kwargs):
    """``dtype=`` as torch's."""
    return {**kwargs, "dtype": _TORCH_DTYPE[kwargs["dtype"]]} if "dtype" in kwargs else kwargs


def _entry(name, op, ref, cases, **kw):
    def samples(dtype):
        return [SampleInput(*args, kwargs=dict(dtype=dtype), desc=f"{args}") for args in cases(dtype)]
    register(OpInfo(name, op=op, ref=lambda *a, **k: ref(*a, **_td(k)), samples=samples, differentiable=False,
                    **kw))


_entry("zeros", lambda *s, dtype: rg.zeros(*s, dtype=dtype), lambda *s, **k: torch.zeros(s, **k), lambda d: [(2, 3), (0,), (1, 1), ()],
       covers=("rg.zeros",))
_entry("zeros_shape_tuple", lambda s, dtype: rg.zeros(s, dtype=dtype), torch.zeros, lambda d: [((2, 3),), ((),)])
_entry("ones", lambda *s, dtype: rg.ones(*s, dtype=dtype), lambda *s, **k: torch.ones(s, **k), lambda d: [(2, 3), (0,), (1, 1), ()],
       covers=("rg.ones",))
_entry("full", rg.full, torch.full, lambda d: [((2, 3), 1.5), ((), -2.0), ((0, 2), 3.0)])
_entry("eye", rg.eye, torch.eye, lambda d: [(3,), (2, 4), (0,), (1, 1)])
_entry("arange", rg.arange, torch.arange, lambda d: [(5,), (1, 4), (0, 2, 0.5), (3, 0, -1), (0,)])
_entry("linspace", rg.linspace, torch.linspace, lambda d: [(0, 1, 5), (-2, 2, 1), (1, 0, 3), (0, 1, 0)])
_entry("zeros_like", rg.zeros_like, torch.zeros_like, lambda d: [(make((2, 3), d),), (make((), d),)])
_entry("ones_like", rg.ones_like, torch.ones_like, lambda d: [(make((2, 3), d),), (make((0, 1), d),)])
