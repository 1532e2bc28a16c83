"""All primitives, one module per family. See :mod:`retrograd.ops.primitive`."""

from .primitive import Primitive, raw
from .elementwise import (add, sub, mul, div, power, neg, exp, log, sqrt, sin, cos, tan, tanh,
                          sigmoid, relu, absolute, maximum, minimum, clip, where)
from .shape import broadcast_to, sum_to, reshape, transpose, getitem, index_add, concatenate, stack, setitem
from .reduce import sum_, mean, amax, amin, logsumexp, softmax, log_softmax
from .linalg import matmul
from .convert import cast
from .special import (log1p, expm1, log2, log10, exp2, rsqrt, sinh, cosh, asin, acos, atan, atan2,
                      hypot, logaddexp, erf)
from .intops import floor, ceil, round_, trunc, sign, floor_divide, trunc_divide, remainder, fmod
from .scan import cumsum, cumprod, logcumsumexp, prod
from .einsum import einsum

ALL = [add, sub, mul, div, power, neg, exp, log, sqrt, sin, cos, tan, tanh, sigmoid, relu,
       absolute, maximum, minimum, clip, where, broadcast_to, sum_to, reshape, transpose,
       getitem, index_add, concatenate, stack, setitem, sum_, mean, amax, amin, logsumexp, softmax,
       log_softmax, matmul, cast, log1p, expm1, log2, log10, exp2, rsqrt, sinh, cosh, asin, acos,
       atan, atan2, hypot, logaddexp, erf, floor, ceil, round_, trunc, sign, floor_divide,
       trunc_divide, remainder, fmod, cumsum, cumprod, logcumsumexp, prod, einsum]

from .conv import im2col, col2im, max_pool  # noqa: E402  (convolution and pooling windows)

ALL += [im2col, col2im, max_pool]
