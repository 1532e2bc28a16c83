"""Type aliases for annotations: what retrograd's functions accept, in one place.

>>> from retrograd.hints import ArrayLike, Axis
>>> def double(x: ArrayLike, dim: Axis = None) -> ArrayLike:
...     return x * 2

The aliases are for annotations only (``from __future__ import annotations`` keeps them unevaluated);
``Tensor`` is named as a forward reference, so at run time this module imports only ``backend`` (which
defines ``DTypeLike`` and ``DeviceLike``, next to the dtypes and ``device``), and any layer above the
backend may import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, Union

import numpy as np

from .backend import DeviceLike, DTypeLike

if TYPE_CHECKING:  # for the type checker only: at run time this module sits below the core
    from .core import Tensor

__all__ = ["ArrayLike", "Axis", "DTypeLike", "DeviceLike", "Params", "Shape"]

ArrayLike: TypeAlias = Union["Tensor", "np.ndarray[Any, Any]", float, int]
"""What the array functions take: a Tensor, a NumPy array or a Python number (``np.float64`` is a float).

They also run on nested lists and other NumPy scalars; the type names the common cases. Given a Tensor
they return a Tensor (the return types say ``Tensor``); given only NumPy arrays they return arrays (the
plain-NumPy path the vjp rules use), which the return types do not spell out.
"""

Params: TypeAlias = Iterable["Tensor"] | Iterable[dict[str, Any]]
"""What an optimizer takes (PyTorch's ``ParamsT``): Tensors, or parameter groups (dicts with "params")."""

Shape: TypeAlias = Sequence[int]
"""A shape: a tuple (or any sequence) of ints."""

Axis: TypeAlias = int | Sequence[int] | None
"""An axis (PyTorch's ``dim``) argument: one int, several, or None for all of them."""
