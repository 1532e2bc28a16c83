"""PyTorch's named tuples for ops that return values and indices (``torch.return_types``).

>>> from retrograd.return_types import sort
>>> sort(values=1, indices=0).values
1
"""

from __future__ import annotations

from collections import namedtuple

sort = namedtuple("sort", ["values", "indices"])
topk = namedtuple("topk", ["values", "indices"])
kthvalue = namedtuple("kthvalue", ["values", "indices"])
median = namedtuple("median", ["values", "indices"])
cummax = namedtuple("cummax", ["values", "indices"])
cummin = namedtuple("cummin", ["values", "indices"])
