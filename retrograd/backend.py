"""The array namespace and dtypes.

Everything numeric goes through NumPy here. Keeping the conversions in one
module means a second array library (CuPy on a GPU) only has to be wired in
one place.

>>> from retrograd import backend
>>> backend.to_array(3.0).dtype, backend.to_array(3).dtype
(dtype('float64'), dtype('int64'))
"""

from __future__ import annotations

import numbers
from typing import Any, TypeAlias, Union

import numpy as np

xp = np

float32 = np.float32
float64 = np.float64
float16 = np.float16
int64 = np.int64
int32 = np.int32
bool_ = np.bool_

_default_dtype = np.dtype(np.float64)

DTypeLike: TypeAlias = Union["np.dtype[Any]", type, str, None]
"""A dtype: retrograd's (``rg.float32``, which are NumPy's), a NumPy dtype or type, or a name ("float32")."""

DeviceLike: TypeAlias = Union[str, "device", None]
"""A device: only the CPU exists (``"cpu"``, ``rg.device("cpu")`` or None)."""


def set_default_dtype(dtype: DTypeLike) -> None:
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


def get_default_dtype() -> np.dtype[Any]:
    """The dtype ``rg.tensor`` gives Python numbers (float64 unless changed).

    >>> import retrograd as rg
    >>> rg.get_default_dtype()
    dtype('float64')
    """
    return _default_dtype


def _check_kind(arr: np.ndarray[Any, Any], what: str) -> np.ndarray[Any, Any]:
    if arr.dtype.kind not in "fiub":
        raise TypeError(
            f"{what}: expected numbers (float, int or bool), got an array of dtype "
            f"{arr.dtype} ({_kind_name(arr.dtype)}); convert it to numbers first"
        )
    return arr


def _kind_name(dt: np.dtype[Any]) -> str:
    return {"U": "strings", "S": "bytes", "O": "Python objects", "c": "complex numbers",
            "M": "datetimes", "m": "timedeltas"}.get(dt.kind, dt.kind)


def to_array(data: Any, dtype: DTypeLike = None, what: str = "tensor") -> np.ndarray[Any, Any]:
    """Turn numbers, lists or arrays into a numeric ndarray, with clear errors.

    Python floats (and lists holding one) get the default float dtype, Python
    ints and integer lists int64 and bools bool, as in PyTorch; NumPy arrays
    keep their dtype unless ``dtype`` is given.

    >>> to_array([1, 2]).dtype, to_array([1, 2.5]).dtype, to_array(np.arange(2)).dtype
    (dtype('int64'), dtype('float64'), dtype('int64'))
    """
    if isinstance(data, (str, bytes)):
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
        if dtype is None:
            dtype = np.int64 if isinstance(data, numbers.Integral) else _default_dtype
        return np.asarray(data, dtype=dtype)
    try:
        arr = np.asarray(data)
    except ValueError as exc:  # ragged nested lists
        raise TypeError(f"{what}: could not make a rectangular array from {type(data).__name__}: {exc}") from None
    _check_kind(arr, what)
    if dtype is not None:
        return arr.astype(dtype, copy=False)
    if arr.dtype.kind == "f" and arr.dtype != _default_dtype and not _holds_arrays(data):
        return arr.astype(_default_dtype)  # Python floats: the default dtype, not NumPy's float64
    if arr.dtype.kind in "iu" and arr.dtype != np.int64 and not _holds_arrays(data):
        return arr.astype(np.int64)
    return arr


def _holds_arrays(data: Any) -> bool:
    """True for a list whose first leaf is a NumPy array or scalar (their dtype wins)."""
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return isinstance(data, (np.ndarray, np.generic))


class device:
    """Where a tensor's data lives: always the CPU here (PyTorch's ``torch.device``).

    Any other device is a clear error until a GPU backend exists.

    >>> device("cpu")
    device(type='cpu')
    >>> device("cpu") == "cpu"
    True
    """

    __slots__ = ("index", "type")
    type: str
    index: int | None

    def __init__(self, type: str | device = "cpu", index: int | None = None) -> None:
        if isinstance(type, device):
            index = type.index  # before `type` is rebound to the name
            type = type.type
        name = str(type)
        if ":" in name:
            name, _, idx = name.partition(":")
            index = int(idx)
        if name != "cpu" or index not in (None, 0):
            shown = str(type) if index is None or ":" in str(type) else f"{type}:{index}"
            raise RuntimeError(f"device {shown!r} is not available: retrograd runs on the CPU "
                               "(NumPy) only; use device='cpu' or leave device= out")
        self.type, self.index = name, index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, ValueError):
                return False
        return isinstance(other, device) and other.type == self.type

    def __hash__(self) -> int:
        return hash(self.type)

    def __repr__(self) -> str:
        return f"device(type={self.type!r})"

    def __str__(self) -> str:
        return self.type


CPU = device("cpu")


def check_device(dev: DeviceLike) -> None:
    """Accept ``None``, ``"cpu"`` or ``device("cpu")``; anything else raises a clear error.

    >>> check_device("cpu")
    """
    if dev is not None and not (isinstance(dev, device)):
        device(dev)


def set_default_device(dev: DeviceLike) -> None:
    """PyTorch's ``torch.set_default_device``: only the CPU (``"cpu"`` or ``None``) is accepted,
    anything else is the same clear error as ``device=``.

    >>> import retrograd as rg
    >>> rg.set_default_device("cpu"); rg.get_default_device()
    device(type='cpu')
    """
    check_device(dev)


def get_default_device() -> device:
    """The device new tensors are made on: always the CPU (PyTorch's ``torch.get_default_device``).

    >>> import retrograd as rg
    >>> rg.get_default_device()
    device(type='cpu')
    """
    return CPU
