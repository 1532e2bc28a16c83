"""Type aliases for annotations: what retrograd's functions accept, in one place.

>>> from retrograd.hints import ArrayLike, Axis
>>> def double(x: ArrayLike, dim: Axis = None) -> ArrayLike:
...     return x * 2

The aliases are for annotations only (``from __future__ import annotations`` keeps them unevaluated);
``Tensor`` and NumPy's generic types are named as forward references, so this module imports nothing
from retrograd at run time and any layer may import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, Union

import numpy as np

if TYPE_CHECKING:  # for the type checker only: at run time this module sits below the core
    from .backend import device
    from .tensor import Tensor

__all__ = ["ArrayLike", "Axis", "DTypeLike", "DeviceLike", "Number", "Params", "Shape"]

#: A Python number (``bool`` is an ``int`` to the type checker, and is accepted where ``int`` is).
Number: TypeAlias = int | float | complex

#: What the array functions take: a Tensor, a NumPy array or a Python number (``np.float64`` is a float).
#: The functions also run on nested lists and other NumPy scalars; the type names the common cases.
ArrayLike: TypeAlias = Union["Tensor", "np.ndarray[Any, Any]", float, int]

#: A dtype: retrograd's (``rg.float32``, which are NumPy's), a NumPy dtype or type, or a name ("float32").
DTypeLike: TypeAlias = Union["np.dtype[Any]", type, str, None]

#: A device: only the CPU exists (``"cpu"``, ``rg.device("cpu")`` or None).
DeviceLike: TypeAlias = Union[str, "device", None]

#: What an optimizer takes (PyTorch's ``ParamsT``): Tensors, or parameter groups (dicts with "params").
Params: TypeAlias = Iterable["Tensor"] | Iterable[dict[str, Any]]

#: A shape: a tuple (or any sequence) of ints.
Shape: TypeAlias = Sequence[int]

#: An axis (PyTorch's ``dim``) argument: one int, several, or None for all of them.
Axis: TypeAlias = int | Sequence[int] | None
