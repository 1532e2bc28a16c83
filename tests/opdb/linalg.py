"""Matrix products: ``rg.matmul``, the ``@`` operator, ``Tensor.matmul``."""

from __future__ import annotations

import operator

import torch

import retrograd as rg

from .core import OpInfo, SampleInput, make, register

MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
                 ((2, 3), (5, 3, 4)), ((2, 2, 3), (2, 3, 4)), ((1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4)),
                 ((2, 2, 3), (3,)), ((0, 3), (3, 2)), ((2, 0), (0, 3)), ((1, 1), (1, 1))]


def _samples(dtype):
    return [SampleInput(make(a, dtype, seed=i), make(b, dtype, seed=50 + i), desc=f"{a} @ {b}")
            for i, (a, b) in enumerate(MATMUL_SHAPES)]


register(OpInfo("matmul", op=rg.matmul, ref=torch.matmul, method="matmul", samples=_samples))
register(OpInfo("matmul_operator", op=rg.matmul, ref=operator.matmul, method=operator.matmul, samples=_samples))
