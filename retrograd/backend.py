"""The array namespace and dtypes.

Everything numeric goes through NumPy here. Keeping the conversions in one
module means a second array library (CuPy on a GPU) only has to be wired in
one place.

>>> from retrograd import backend
>>> backend.to_array(3).dtype
dtype('float64')
"""

from __future__ import annotations

import numbers

import numpy as np

xp = np

float32 = np.float32
float64 = np.float64
float16 = np.float16
int64 = np.int64
int32 = np.int32
bool_ = np.bool_

_default_dtype = np.dtype(np.float64)


def set_default_dtype(dtype) -> None:
    """Set the dtype given to Python numbers and lists by ``rg.tensor``.

    >>> import retrograd as rg
    >>> rg.set_default_dtype("float32"); rg.tensor(1.0).dtype
    dtype('float32')
    >>> rg.set_default_dtype("float64")
    """
    global _default_dtype
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"default dtype must be a floating point dtype, got {dt}")
    _default_dtype = dt


def get_default_dtype() -> np.dtype:
    """The dtype ``rg.tensor`` gives Python numbers (float64 unless changed).

    >>> import retrograd as rg
    >>> rg.get_default_dtype()
    dtype('float64')
    """
    return _default_dtype


def _check_kind(arr: np.ndarray, what: str) -> np.ndarray:
    if arr.dtype.kind not in "fiub":
        raise TypeError(
            f"{what}: expected numbers (float, int or bool), got an array of dtype "
            f"{arr.dtype} ({_kind_name(arr.dtype)}); convert it to numbers first"
        )
    return arr


def _kind_name(dt: np.dtype) -> str:
    return {"U": "strings", "S": "bytes", "O": "Python objects", "c": "complex numbers",
            "M": "datetimes", "m": "timedeltas"}.get(dt.kind, dt.kind)


def to_array(data, dtype=None, what: str = "tensor") -> np.ndarray:
    """Turn numbers, lists or arrays into a numeric ndarray, with clear errors.

    Python numbers and nested lists get the default float dtype; NumPy arrays
    keep theirs unless ``dtype`` is given.

    >>> to_array([1, 2]).dtype, to_array(np.arange(2)).dtype
    (dtype('float64'), dtype('int64'))
    """
    if isinstance(data, str) or isinstance(data, bytes):
        raise TypeError(f"{what}: expected numbers, got the string {data!r}")
    if isinstance(data, np.ndarray):
        arr = data
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        return _check_kind(arr, what)
    if isinstance(data, (np.generic,)):
        arr = np.asarray(data, dtype=dtype)
        return _check_kind(arr, what)
    if isinstance(data, (bool, np.bool_)):
        return np.asarray(data, dtype=dtype if dtype is not None else np.bool_)
    if isinstance(data, numbers.Number):
        if isinstance(data, complex):
            raise TypeError(f"{what}: complex numbers are not supported, got {data!r}")
        return np.asarray(data, dtype=dtype if dtype is not None else _default_dtype)
    try:
        arr = np.asarray(data)
    except ValueError as exc:  # ragged nested lists
        raise TypeError(f"{what}: could not make a rectangular array from {type(data).__name__}: {exc}") from None
    _check_kind(arr, what)
    if dtype is not None:
        return arr.astype(dtype, copy=False)
    if arr.dtype.kind in "iu" and not isinstance(data, np.ndarray):
        return arr.astype(_default_dtype)
    return arr
