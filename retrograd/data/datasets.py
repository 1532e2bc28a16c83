"""Datasets: the course's toy problems, two moons, scikit-learn's digits, MNIST from IDX files.

Every loader returns ``(X, y)``: ``X`` a float array of shape (n, features),
``y`` an int64 array of class labels. Random datasets take a ``seed`` (or use
retrograd's generator, seeded by ``rg.manual_seed``, when ``seed`` is None).
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..creation import generator
from ..hints import DTypeLike

__all__ = [
    "DATASETS_2D",
    "load_digits",
    "load_mnist",
    "make_circles",
    "make_moons",
    "make_xor",
    "read_idx",
    "train_test_split",
]


def _rng(seed):
    return generator() if seed is None else np.random.default_rng(seed)


def _split_counts(n):
    return n // 2, n - n // 2


def make_circles(n: int = 1000, seed: int | np.random.Generator | None = None,
                 dtype: DTypeLike = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The course's circles (seed 001): half the points in a disc of radius 0.5 (label 0),
    half in the ring 0.6 <= r <= 1 (label 1), angles uniform, radii uniform.

    >>> X, y = make_circles(10, seed=0)
    >>> X.shape, y.tolist()
    ((10, 2), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    >>> r = (X ** 2).sum(1) ** 0.5
    >>> bool((r[y == 0] <= 0.5).all() and (r[y == 1] >= 0.6).all())
    True
    """
    rng = _rng(seed)
    n0, n1 = _split_counts(n)
    r = np.concatenate([rng.uniform(0.0, 0.5, n0), rng.uniform(0.6, 1.0, n1)])
    theta = rng.uniform(0.0, 2 * np.pi, n)
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1).astype(dtype)
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return X, y


def make_xor(n: int = 1000, sigma: float = 0.15, seed: int | np.random.Generator | None = None,
             dtype: DTypeLike = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The course's XOR-like data (seed 001): four Gaussian blobs (std ``sigma``) centred on
    (0, 0) and (1, 1) (label 0) and (0, 1) and (1, 0) (label 1), ``n // 4`` points each
    (the remainder goes to the first blobs).

    >>> X, y = make_xor(8, seed=0)
    >>> X.shape, y.tolist()
    ((8, 2), [0, 0, 0, 0, 1, 1, 1, 1])
    """
    rng = _rng(seed)
    centres = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    labels = np.array([0, 0, 1, 1])
    counts = [n // 4 + (1 if i < n % 4 else 0) for i in range(4)]
    X = np.concatenate([c + sigma * rng.standard_normal((k, 2)) for c, k in zip(centres, counts)])
    y = np.concatenate([np.full(k, lab, np.int64) for lab, k in zip(labels, counts)])
    return X.astype(dtype), y


def make_moons(n: int = 1000, noise: float = 0.1, seed: int | np.random.Generator | None = None,
               dtype: DTypeLike = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (as scikit-learn's ``make_moons``), Gaussian ``noise`` added.

    >>> X, y = make_moons(6, noise=0.0, seed=0)
    >>> X.shape, y.tolist()
    ((6, 2), [0, 0, 0, 1, 1, 1])
    """
    rng = _rng(seed)
    n0, n1 = _split_counts(n)
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n1)
    outer = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    inner = np.stack([1 - np.cos(t1), 1 - np.sin(t1) - 0.5], axis=1)
    X = np.concatenate([outer, inner])
    if noise:
        X = X + noise * rng.standard_normal(X.shape)
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return X.astype(dtype), y


def load_digits(dtype: DTypeLike = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits (1797 images, 10 classes; no download), pixels scaled to [0, 1].

    Needs scikit-learn (``pip install 'retrograd[train]'``).

    >>> X, y = load_digits()
    >>> X.shape, int(y.max())
    ((1797, 64), 9)
    """
    try:
        from sklearn.datasets import load_digits as _load
    except ImportError:
        raise ImportError("the digits dataset comes with scikit-learn: pip install 'retrograd[train]'") from None
    d = _load()
    return (d.data / 16.0).astype(dtype), d.target.astype(np.int64)


# ----- IDX files (MNIST, Fashion-MNIST) ---------------------------------------------------
_IDX_TYPES: dict[int, DTypeLike] = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzip-compressed or not, into an array.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.idx")
    >>> _ = open(p, "wb").write(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]))
    >>> read_idx(p)
    array([7, 8, 9], dtype=uint8)
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path}: is a folder, not an IDX file")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"{path}: cannot read this IDX file ({getattr(exc, 'strerror', None) or exc})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic number {raw[:4].hex()})")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_TYPES:
        raise ValueError(f"{path}: unknown IDX data type 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header: {ndim} dimensions need {header} bytes, "
                         f"the file has {len(raw)}")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dt = np.dtype(_IDX_TYPES[code])
    count = int(np.prod(shape)) if shape else 1
    if len(raw) - header < count * dt.itemsize:
        raise ValueError(f"{path}: truncated IDX file: shape {shape} needs {count * dt.itemsize} bytes "
                         f"of data, found {len(raw) - header}")
    data = np.frombuffer(raw, dtype=dt, count=count, offset=header)
    return data.reshape(shape).astype(dt.newbyteorder("="))


_MNIST_NAMES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _find(folder: Path, stem: str) -> Path:
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder}: is a file; give the folder that holds the IDX files")
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        p = folder / name
        if p.exists():
            return p
    raise FileNotFoundError(f"{folder}: no {stem} or {stem}.gz (MNIST/Fashion-MNIST IDX files); "
                            "retrograd does not download datasets: put the four IDX files in this folder")


def load_mnist(path: str | os.PathLike[str], split: str = "train",
               dtype: DTypeLike = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """MNIST or Fashion-MNIST images from IDX files you already have, flattened to (n, 784)
    and scaled to [0, 1].

    ``path`` is the folder holding ``train-images-idx3-ubyte[.gz]``,
    ``train-labels-idx1-ubyte[.gz]``, ``t10k-images-idx3-ubyte[.gz]`` and
    ``t10k-labels-idx1-ubyte[.gz]``; ``split`` is ``"train"`` or ``"test"``.

    >>> load_mnist("/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: /nonexistent: no train-images-idx3-ubyte or ...
    """
    if split not in _MNIST_NAMES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    folder = Path(os.path.expanduser(str(path)))
    img_name, lab_name = _MNIST_NAMES[split]
    img_path, lab_path = _find(folder, img_name), _find(folder, lab_name)
    images, labels = read_idx(img_path), read_idx(lab_path)
    if images.ndim < 2:
        raise ValueError(f"{img_path}: images need at least 2 dimensions, the file has shape {images.shape}")
    if labels.ndim != 1:
        raise ValueError(f"{lab_path}: labels need 1 dimension, the file has shape {labels.shape}")
    if labels.dtype.kind not in "iu":
        raise ValueError(f"{lab_path}: labels must be integers, the file holds {labels.dtype} numbers")
    if labels.size and labels.min() < 0:
        raise ValueError(f"{lab_path}: labels must be 0 or more, the file has {int(labels.min())}")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{folder}: {images.shape[0]} images but {labels.shape[0]} labels in the {split} split")
    X = images.reshape(images.shape[0], -1).astype(dtype) / 255.0
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{img_path}: the images hold NaN or infinite values")
    return X, labels.astype(np.int64)


def train_test_split(X: np.ndarray, y: np.ndarray, test_fraction: float = 0.2,
                     seed: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into ``(X_train, X_test, y_train, y_test)`` (scikit-learn's order).

    >>> import numpy as np
    >>> Xtr, Xte, ytr, yte = train_test_split(np.zeros((10, 2)), np.arange(10), 0.3, seed=0)
    >>> Xtr.shape, Xte.shape
    ((7, 2), (3, 2))
    """
    n = len(X)
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    perm = _rng(seed).permutation(n)
    n_test = max(1, int(round(n * test_fraction)))
    te, tr = perm[:n_test], perm[n_test:]
    return X[tr], X[te], y[tr], y[te]


DATASETS_2D: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "circles": make_circles, "xor": make_xor, "moons": make_moons}
