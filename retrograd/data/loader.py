"""Datasets of arrays and a ``DataLoader`` that batches and (seeded) shuffles them."""

from __future__ import annotations

import math

import numpy as np

from ..creation import generator
from ..tensor import Tensor, _wrap

__all__ = ["Dataset", "TensorDataset", "DataLoader"]


class Dataset:
    """Anything with ``__len__`` and ``__getitem__(i)`` returning a sample (a tuple of arrays).

    >>> class Squares(Dataset):
    ...     def __len__(self): return 3
    ...     def __getitem__(self, i): return (float(i), float(i * i))
    >>> Squares()[2]
    (2.0, 4.0)
    """

    def __len__(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def __getitem__(self, i):  # pragma: no cover - abstract
        raise NotImplementedError


class TensorDataset(Dataset):
    """Arrays (or Tensors) of the same length, indexed together along the first axis.

    >>> import numpy as np
    >>> ds = TensorDataset(np.zeros((4, 2)), np.arange(4))
    >>> len(ds), int(ds[1][1])
    (4, 1)
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        self.arrays = tuple(a.data if isinstance(a, Tensor) else np.asarray(a) for a in arrays)
        n = len(self.arrays[0])
        for a in self.arrays[1:]:
            if len(a) != n:
                raise ValueError(f"TensorDataset: arrays have different lengths "
                                 f"{[len(x) for x in self.arrays]}; they must all have {n} rows")

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, i):
        return tuple(a[i] for a in self.arrays)


class DataLoader:
    """Iterate over a dataset in batches of Tensors.

    ``shuffle=True`` draws a new order every epoch: from ``np.random.default_rng(seed + epoch)``
    when ``seed`` is given (reproducible, and the same after a resume: set ``loader.epoch``),
    else from retrograd's generator (``rg.manual_seed``). A dataset may also be given as a
    tuple of arrays.

    >>> import numpy as np
    >>> dl = DataLoader((np.arange(10.0).reshape(5, 2), np.arange(5)), batch_size=2)
    >>> [tuple(xb.shape) for xb, yb in dl]
    [(2, 2), (2, 2), (1, 2)]
    >>> len(dl)
    3
    """

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 seed=None):
        if isinstance(dataset, (tuple, list)):
            dataset = TensorDataset(*dataset)
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        self.epoch = 0

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self):
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        rng = np.random.default_rng(self.seed + self.epoch) if self.seed is not None else generator()
        return rng.permutation(n)

    def __iter__(self):
        order = self._order()
        self.epoch += 1
        n, bs = len(order), self.batch_size
        stop = n - n % bs if self.drop_last else n
        arrays = getattr(self.dataset, "arrays", None)
        for start in range(0, stop, bs):
            idx = order[start:start + bs]
            if arrays is not None:
                if not self.shuffle:  # contiguous slices: no copy
                    idx = slice(start, min(start + bs, n))
                yield tuple(_wrap(a[idx], None) for a in arrays)
            else:
                samples = [self.dataset[int(i)] for i in idx]
                if not isinstance(samples[0], tuple):
                    samples = [(s,) for s in samples]
                yield tuple(_wrap(np.stack([np.asarray(s[k]) for s in samples]), None)
                            for k in range(len(samples[0])))
