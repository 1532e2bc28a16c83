"""Errors that say what went wrong in words a learner can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


class ShapeError(ValueError):
    """Shapes that do not fit an operation. Names the op, the shapes and the rule."""


class AxisError(ShapeError, IndexError):
    """An axis (dim) out of range for a tensor: an IndexError, as PyTorch's, and a ShapeError.

    >>> issubclass(AxisError, IndexError)
    True
    """


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with finite differences (see ``rg.gradcheck``)."""


_BROADCAST_RULE = ("broadcasting compares shapes from the last dimension backwards; "
                   "each pair of sizes must be equal or one of them must be 1")


def shape_error(op: str, arrays: Sequence[Any], params: Mapping[str, Any], exc: Exception) -> Exception:
    """Turn a NumPy error inside primitive ``op`` into an error that names the op and the shapes."""
    shapes = [np.shape(a) for a in arrays if isinstance(a, (np.ndarray, np.generic))]
    shown = " and ".join(str(s) for s in shapes)
    if isinstance(exc, TypeError):
        return TypeError(f"{op}: cannot apply to inputs of types "
                         f"{', '.join(type(a).__name__ for a in arrays)}: {exc}")
    if isinstance(exc, IndexError):
        return IndexError(f"{op}: index out of range for shape {shown}: {exc}")
    if op == "matmul" and len(shapes) == 2:
        a, b = shapes
        ka = a[-1] if a else None
        kb = (b[-2] if len(b) > 1 else b[0]) if b else None
        return ShapeError(f"matmul: shapes {a} and {b} are not aligned: the last dimension of the first "
                          f"({ka}) must equal the {'second-to-last' if len(b) > 1 else 'only'} dimension "
                          f"of the second ({kb})")
    # A target shape may come as a keyword or as the positional tuple after the array.
    target = params.get("shape", next((a for a in arrays if isinstance(a, tuple)), None))
    if op == "reshape":
        a = shapes[0] if shapes else ()
        return ShapeError(f"reshape: cannot reshape a tensor of shape {a} ({int(np.prod(a))} elements) "
                          f"into shape {target}")
    if "broadcast" in str(exc) and len(shapes) >= 2:
        return ShapeError(f"{op}: shapes {shown} cannot be broadcast together: {_BROADCAST_RULE}")
    if "broadcast" in str(exc) or op == "broadcast_to":
        return ShapeError(f"{op}: cannot broadcast shape {shown} to {target}: {_BROADCAST_RULE}")
    return ShapeError(f"{op}: {exc} (input shapes: {shown})")
