"""Dtype conversion: the ``cast`` primitive behind ``.to``, ``.float()``, ``.double()``, ``.clone()``.

A cast always copies (so ``clone`` is a cast to the same dtype). Its gradient is the
cotangent cast back to the input's dtype; casts to integer or boolean dtypes are not
differentiable and the tensor layer records no node for them.
"""

from __future__ import annotations

import numpy as np

from .primitive import Primitive, raw


def _cast_impl(x, dtype):
    return np.array(x, dtype=dtype, copy=True, order="C")


cast: Primitive = Primitive("cast", _cast_impl,
                 vjp=[lambda g, out, x, dtype: cast(g, raw(x).dtype)],
                 jvp=[lambda t, out, x, dtype: cast(t, dtype)],
                 doc="A copy of x with the given dtype; the gradient is cast back.")
