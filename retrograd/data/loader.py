"""Datasets of arrays and a ``DataLoader`` that batches and (seeded) shuffles them."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core import Tensor, wrap as _wrap
from ..creation import generator
from ..hints import ArrayLike

generator_ = generator  # random_split's argument is called generator, as PyTorch's

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]


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

    def __init__(self, *arrays: ArrayLike) -> None:
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


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    >>> import numpy as np
    >>> sub = Subset(TensorDataset(np.arange(10)), [7, 2])
    >>> len(sub), int(sub[0][0])
    (2, 7)
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = [int(i) for i in indices]

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i):
        if isinstance(i, (list, np.ndarray)):
            return [self.dataset[self.indices[int(j)]] for j in i]
        return self.dataset[self.indices[i]]


def random_split(dataset: Dataset, lengths: Sequence[float],
                 generator: np.random.Generator | int | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random :class:`Subset` s of the given lengths.

    ``lengths`` are counts that add up to ``len(dataset)``, or fractions that add up to 1
    (the remainder is dealt round-robin, as PyTorch). The order comes from ``generator``
    (a ``np.random.Generator``, or an int seed), else from retrograd's generator
    (``rg.manual_seed``); the permutation differs from PyTorch's, whose generator is its own.

    >>> import numpy as np
    >>> train, test = random_split(TensorDataset(np.arange(10)), [0.8, 0.2], generator=0)
    >>> len(train), len(test), sorted(train.indices + test.indices) == list(range(10))
    (8, 2, True)
    """
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(0 <= x <= 1 for x in lengths) and abs(sum(lengths) - 1) < 1e-9 and sum(lengths) != n:
        counts = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(int(x) != x or x < 0 for x in lengths) or sum(lengths) != n:
        raise ValueError(f"random_split: lengths {lengths} must be non-negative counts that add up to "
                         f"the dataset's length {n}, or fractions that add up to 1")
    if generator is None:
        rng = generator_()
    elif isinstance(generator, (int, np.integer)):
        rng = np.random.default_rng(int(generator))
    else:
        rng = generator
    order = rng.permutation(n).tolist()
    out, start = [], 0
    for length in lengths:
        out.append(Subset(dataset, order[start:start + int(length)]))
        start += int(length)
    return out


def default_collate(batch: Sequence[Any]) -> Any:
    """Join a list of samples into a batch: arrays, Tensors and numbers are stacked into one
    Tensor; tuples, lists and dicts are collated field by field; strings stay a list.

    >>> import numpy as np
    >>> xb, yb = default_collate([(np.zeros(2), 1), (np.ones(2), 0)])
    >>> xb.shape, yb
    ((2, 2), tensor([1, 0]))
    """
    first = batch[0]
    if isinstance(first, dict):
        return {k: default_collate([b[k] for b in batch]) for k in first}
    if isinstance(first, (tuple, list)):
        if any(len(b) != len(first) for b in batch):
            raise ValueError("default_collate: the samples of a batch have different numbers of fields")
        out = [default_collate(list(field)) for field in zip(*batch)]
        return tuple(out) if isinstance(first, tuple) else out
    if isinstance(first, (str, bytes)):
        return list(batch)
    arrays = [b.data if isinstance(b, Tensor) else np.asarray(b) for b in batch]
    if isinstance(first, bool):
        return _wrap(np.asarray(arrays, dtype=np.bool_), None)
    if isinstance(first, int):
        return _wrap(np.asarray(arrays, dtype=np.int64), None)
    if isinstance(first, float):
        return _wrap(np.asarray(arrays, dtype=np.float64), None)
    return _wrap(np.stack(arrays), None)


class DataLoader:
    """Iterate over a dataset in batches of Tensors.

    ``shuffle=True`` draws a new order every epoch: from ``np.random.default_rng(seed + epoch)``
    when ``seed`` is given (reproducible, and the same after a resume: set ``loader.epoch``),
    else from retrograd's generator (``rg.manual_seed``). A dataset may also be given as a
    tuple of arrays. ``collate_fn(list_of_samples)`` makes a batch (default:
    :func:`default_collate`).

    >>> import numpy as np
    >>> dl = DataLoader((np.arange(10.0).reshape(5, 2), np.arange(5)), batch_size=2)
    >>> [tuple(xb.shape) for xb, yb in dl]
    [(2, 2), (2, 2), (1, 2)]
    >>> len(dl)
    3
    """

    def __init__(self, dataset: Dataset | Sequence[Any], batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False,
                 seed: int | None = None, collate_fn: Callable[[list[Any]], Any] | None = None) -> None:
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
        self.collate_fn = collate_fn

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
        arrays = getattr(self.dataset, "arrays", None) if self.collate_fn is None else None
        collate = self.collate_fn or default_collate
        for start in range(0, stop, bs):
            idx = order[start:start + bs]
            if arrays is not None:
                if not self.shuffle:  # contiguous slices: no copy
                    idx = slice(start, min(start + bs, n))
                yield tuple(_wrap(a[idx], None) for a in arrays)
            else:
                yield collate([self.dataset[int(i)] for i in idx])
