"""Boolean and integer tests: bitwise and logical operators (``& | ^ ~``), ``isnan``,
``isinf``, ``isfinite``, ``isclose``, ``allclose``, ``any``, ``all`` and ``nan_to_num``.

These give boolean (or integer) tensors that are not differentiable, except ``nan_to_num``,
whose gradient passes where the input was finite.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from . import ops
from .core import Tensor, promote, wrap as _wrap
from .dims import norm_dims
from .errors import shape_error
from .hints import ArrayLike, Axis


def _operand(x, op):
    # The array behind a Tensor; Python numbers stay numbers (weak in promotion, as PyTorch's).
    if isinstance(x, (bool, int, float)):
        return x
    return _data(x, op)


def _data(x, op):
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, (bool, int, float, np.ndarray, np.generic)):
        return np.asarray(x)
    if isinstance(x, (list, tuple)):
        return np.asarray(x)
    raise TypeError(f"{op}: unsupported operand of type {type(x).__name__}")


def _result(args, out):
    out = np.asarray(out)
    if builtins.any(isinstance(a, Tensor) for a in args):
        return _wrap(out, None)
    return out


def _bitwise(ufunc: np.ufunc, name: str, symbol: str) -> Callable[[ArrayLike, ArrayLike], Tensor]:
    def fn(x: ArrayLike, y: ArrayLike) -> Tensor:
        a, b = _data(x, name), _data(y, name)
        for v in (a, b):
            if v.dtype.kind not in "iub":
                raise TypeError(f"{name} ({symbol}): expected integer or boolean tensors, got dtype {v.dtype}")
        try:
            return _result((x, y), ufunc(a, b))
        except ValueError as exc:
            raise shape_error(name, [a, b], {}, exc) from None
    fn.__name__ = fn.__qualname__ = name
    example = repr(_wrap(ufunc(np.array([True, False]), np.array([True, True])), None))
    fn.__doc__ = (f"Elementwise ``x {symbol} y`` on integer or boolean tensors.\n\n"
                  f"    >>> import retrograd as rg\n"
                  f"    >>> rg.{name}(rg.tensor([True, False]), rg.tensor([True, True]))\n"
                  f"    {example}\n")
    return fn


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and", "&")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or", "|")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor", "^")


def bitwise_not(x: ArrayLike) -> Tensor:
    """Elementwise ``~x``: logical not for booleans, bitwise not for integers.

    >>> import retrograd as rg
    >>> ~rg.tensor([True, False]), ~rg.tensor([0, 5])
    (tensor([False,  True]), tensor([-1, -6]))
    """
    a = _data(x, "bitwise_not")
    if a.dtype.kind not in "iub":
        raise TypeError(f"bitwise_not (~): expected an integer or boolean tensor, got dtype {a.dtype}")
    return _result((x,), np.invert(a))


def _logical(ufunc: np.ufunc, name: str) -> Callable[[ArrayLike, ArrayLike], Tensor]:
    def fn(x: ArrayLike, y: ArrayLike) -> Tensor:
        return _result((x, y), ufunc(_data(x, name), _data(y, name)))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Elementwise logical {name.split('_')[1]} (non-zero counts as true); a boolean tensor.\n\n"
                  f"    >>> import retrograd as rg\n"
                  f"    >>> rg.{name}(rg.tensor([1.0, 0.0]), rg.tensor([1.0, 1.0])).dtype\n"
                  f"    dtype('bool')\n")
    return fn


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(x: ArrayLike) -> Tensor:
    """Elementwise logical not (zero counts as false); a boolean tensor.

    >>> import retrograd as rg
    >>> rg.logical_not(rg.tensor([0.0, 2.0]))
    tensor([ True, False])
    """
    return _result((x,), np.logical_not(_data(x, "logical_not")))


def isnan(x: ArrayLike) -> Tensor:
    """True where ``x`` is NaN.

    >>> import retrograd as rg
    >>> rg.isnan(rg.tensor([1.0, float("nan")]))
    tensor([False,  True])
    """
    return _result((x,), np.isnan(_data(x, "isnan")))


def isinf(x: ArrayLike) -> Tensor:
    """True where ``x`` is +inf or -inf.

    >>> import retrograd as rg
    >>> rg.isinf(rg.tensor([1.0, float("-inf")]))
    tensor([False,  True])
    """
    return _result((x,), np.isinf(_data(x, "isinf")))


def isfinite(x: ArrayLike) -> Tensor:
    """True where ``x`` is neither infinite nor NaN.

    >>> import retrograd as rg
    >>> rg.isfinite(rg.tensor([1.0, float("inf")]))
    tensor([ True, False])
    """
    return _result((x,), np.isfinite(_data(x, "isfinite")))


def isclose(x: ArrayLike, y: ArrayLike, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """True where ``|x - y| <= atol + rtol * |y|`` (PyTorch's and NumPy's rule).

    >>> import retrograd as rg
    >>> rg.isclose(rg.tensor([1.0, 2.0]), rg.tensor([1.0 + 1e-9, 2.1]))
    tensor([ True, False])
    """
    return _result((x, y), np.isclose(_data(x, "isclose"), _data(y, "isclose"), rtol=rtol, atol=atol,
                                      equal_nan=equal_nan))


def allclose(x: ArrayLike, y: ArrayLike, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if every element of ``x`` is close to ``y`` (see ``isclose``); a Python bool.

    >>> import retrograd as rg
    >>> rg.allclose(rg.tensor([1.0, 2.0]), rg.tensor([1.0, 2.0 + 1e-9]))
    True
    """
    return bool(np.allclose(_data(x, "allclose"), _data(y, "allclose"), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def _reduce_bool(ufunc, x, dim, keepdim, op):
    a = _data(x, op)
    if dim is None:
        out = ufunc(a, keepdims=bool(keepdim)) if keepdim else ufunc(a)
    else:
        axes = norm_dims(a.ndim, dim, op) if a.ndim else ()
        out = ufunc(a, axis=axes, keepdims=bool(keepdim))
    return _result((x,), np.asarray(out, dtype=bool))


def any(x: ArrayLike, dim: Axis = None, keepdim: bool = False, *, axis: Axis = None,
        keepdims: bool | None = None) -> Tensor:
    """True if any element (along ``dim``) is non-zero.

    >>> import retrograd as rg
    >>> rg.any(rg.tensor([[0, 1], [0, 0]]), dim=1)
    tensor([ True, False])
    """
    dim = axis if dim is None else dim
    return _reduce_bool(np.any, x, dim, keepdim if keepdims is None else keepdims, "any")


def all(x: ArrayLike, dim: Axis = None, keepdim: bool = False, *, axis: Axis = None,
        keepdims: bool | None = None) -> Tensor:
    """True if every element (along ``dim``) is non-zero.

    >>> import retrograd as rg
    >>> rg.all(rg.tensor([[1, 1], [0, 1]]), dim=1)
    tensor([ True, False])
    """
    dim = axis if dim is None else dim
    return _reduce_bool(np.all, x, dim, keepdim if keepdims is None else keepdims, "all")


def nan_to_num(x: ArrayLike, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (the dtype's largest and
    smallest values by default); the gradient passes where ``x`` was finite.

    >>> import retrograd as rg
    >>> rg.nan_to_num(rg.tensor([float("nan"), 1.0, float("inf")]), posinf=9.0)
    tensor([0., 1., 9.])
    """
    a = _data(x, "nan_to_num")
    if a.dtype.kind != "f":
        return x  # type: ignore[return-value]  # plain arrays in, plain arrays out
    fill = np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)
    return ops.where(np.isfinite(a), x, fill)


# ----- comparisons: PyTorch's function forms of < <= > >= == != -------------------------------
def _comparison(ufunc: Any, name: str, symbol: str, aliases: tuple[str, ...] = ()) -> Callable[..., Tensor]:
    def fn(input: ArrayLike, other: ArrayLike) -> Tensor:
        a, b = promote(_operand(input, name), _operand(other, name), compare=True)  # as PyTorch compares
        try:
            out = ufunc(a, b)
        except ValueError as exc:
            raise shape_error(name, [a, b], {}, exc) from None
        return _wrap(np.asarray(out), None)
    fn.__name__ = fn.__qualname__ = name
    example = repr(_wrap(ufunc(np.array([1.0, 2.0, 3.0]), np.array(2.0)), None))
    also = f" Also ``rg.{'``, ``rg.'.join(aliases)}``." if aliases else ""
    fn.__doc__ = (f"Elementwise ``input {symbol} other`` as a boolean tensor, not differentiable "
                  f"(PyTorch's ``torch.{name}``; ``other`` may be a number).{also}\n\n"
                  f"    >>> import retrograd as rg\n"
                  f"    >>> rg.{name}(rg.tensor([1.0, 2.0, 3.0]), 2)\n"
                  f"    {example}\n")
    return fn


eq = _comparison(np.equal, "eq", "==")
ne = not_equal = _comparison(np.not_equal, "ne", "!=", ("not_equal",))
lt = less = _comparison(np.less, "lt", "<", ("less",))
le = less_equal = _comparison(np.less_equal, "le", "<=", ("less_equal",))
gt = greater = _comparison(np.greater, "gt", ">", ("greater",))
ge = greater_equal = _comparison(np.greater_equal, "ge", ">=", ("greater_equal",))


def equal(input: ArrayLike, other: ArrayLike) -> bool:
    """True when both tensors have the same shape and the same elements (PyTorch's ``torch.equal``).

    >>> import retrograd as rg
    >>> rg.equal(rg.tensor([1, 2]), rg.tensor([1, 2])), rg.equal(rg.tensor([1, 2]), rg.tensor([1]))
    (True, False)
    """
    a, b = _data(input, "equal"), _data(other, "equal")
    return a.shape == b.shape and bool(np.array_equal(a, b))
