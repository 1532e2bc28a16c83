"""All primitives, one module per family. See :mod:`retrograd.ops.primitive`."""

from .convert import cast
from .einsum import einsum
from .elementwise import (
    absolute,
    add,
    clip,
    cos,
    div,
    exp,
    log,
    maximum,
    minimum,
    mul,
    neg,
    power,
    relu,
    sigmoid,
    sin,
    sqrt,
    sub,
    tan,
    tanh,
    where,
)
from .intops import ceil, floor, floor_divide, fmod, remainder, round_, sign, trunc, trunc_divide
from .linalg import matmul
from .primitive import Primitive as Primitive, raw as raw  # re-exported
from .reduce import amax, amin, log_softmax, logsumexp, mean, softmax, sum_
from .scan import cumprod, cumsum, logcumsumexp, prod
from .shape import (
    broadcast_to,
    concatenate,
    getitem,
    index_add,
    reshape,
    setitem,
    stack,
    sum_to,
    transpose,
    ufunc_at,
)
from .special import (
    acos,
    asin,
    atan,
    atan2,
    cosh,
    erf,
    exp2,
    expm1,
    hypot,
    log1p,
    log2,
    log10,
    logaddexp,
    rsqrt,
    sinh,
)

ALL = [add, sub, mul, div, power, neg, exp, log, sqrt, sin, cos, tan, tanh, sigmoid, relu,
       absolute, maximum, minimum, clip, where, broadcast_to, sum_to, reshape, transpose,
       getitem, index_add, concatenate, stack, setitem, sum_, mean, amax, amin, logsumexp, softmax,
       log_softmax, matmul, cast, log1p, expm1, log2, log10, exp2, rsqrt, sinh, cosh, asin, acos,
       atan, atan2, hypot, logaddexp, erf, floor, ceil, round_, trunc, sign, floor_divide,
       trunc_divide, remainder, fmod, cumsum, cumprod, logcumsumexp, prod, einsum, ufunc_at]

from .conv import col2im, im2col, max_pool  # noqa: E402  (convolution and pooling windows)

ALL += [im2col, col2im, max_pool]
