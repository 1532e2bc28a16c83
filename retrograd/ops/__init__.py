"""All primitives, one module per family. See :mod:`retrograd.ops.primitive`."""

from .primitive import Primitive, raw
from .elementwise import (add, sub, mul, div, power, neg, exp, log, sqrt, sin, cos, tan, tanh,
                          sigmoid, relu, absolute, maximum, minimum, clip, where)
from .shape import broadcast_to, sum_to, reshape, transpose, getitem, index_add, concatenate, stack
from .reduce import sum_, mean, amax, amin, logsumexp, softmax, log_softmax
from .linalg import matmul

ALL = [add, sub, mul, div, power, neg, exp, log, sqrt, sin, cos, tan, tanh, sigmoid, relu,
       absolute, maximum, minimum, clip, where, broadcast_to, sum_to, reshape, transpose,
       getitem, index_add, concatenate, stack, sum_, mean, amax, amin, logsumexp, softmax,
       log_softmax, matmul]

from .conv import im2col, col2im, max_pool  # noqa: E402  (convolution and pooling windows)

ALL += [im2col, col2im, max_pool]
