"""Data for training: toy datasets, digits, MNIST from IDX files, and a batching ``DataLoader``
(also importable as ``retrograd.utils.data``, PyTorch's path).

>>> import retrograd as rg
>>> X, y = rg.data.make_circles(100, seed=0)
>>> xb, yb = next(iter(rg.data.DataLoader((X, y), batch_size=32, shuffle=True, seed=0)))
>>> xb.shape, yb.dtype
((32, 2), dtype('int64'))
"""

from .datasets import (
    DATASETS_2D,
    load_digits,
    load_mnist,
    make_circles,
    make_moons,
    make_xor,
    read_idx,
    train_test_split,
)
from .loader import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split

__all__ = [
    "DATASETS_2D",
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "default_collate",
    "load_digits",
    "load_mnist",
    "make_circles",
    "make_moons",
    "make_xor",
    "random_split",
    "read_idx",
    "train_test_split",
]
