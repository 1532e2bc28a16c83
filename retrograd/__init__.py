"""retrograd: backpropagation through computation graphs, on NumPy.

>>> import retrograd as rg
>>> w = rg.tensor(3.0, requires_grad=True)
>>> J = (2 + 3 * w) ** 2
>>> J.backward()
>>> J, w.grad
(tensor(121., grad_fn=<pow>), tensor(66.))
"""

from . import autograd
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .backend import (bool_, device, float16, float32, float64, get_default_dtype, int32, int64,
                      set_default_dtype)
from .creation import (arange, empty, empty_like, eye, full, full_like, generator, linspace,
                       manual_seed, normal, ones, ones_like, rand, rand_like, randint, randn,
                       randn_like, randperm, zeros, zeros_like)
from .errors import GradcheckError, ShapeError
from .ops.primitive import Primitive
from .functions import (abs, add, amax, amin, argmax, argmin, broadcast_to, cat, clip, concat, concatenate, cos,
                        exp, expand_dims, getitem, log, log_softmax, logsumexp, matmul, max, maximum,
                        mean, min, minimum, mul, multiply, negative, pow, power, relu,
                        reshape, sigmoid, sin, softmax, sqrt, squeeze, stack, sub, subtract, sum,
                        swapaxes, tan, tanh, transpose, unsqueeze, var, where)
from .functions import flatten, permute
from .gradcheck import gradcheck
from .tensor import Tensor, as_tensor, from_numpy, tensor
# Breadth (issue 13): PyTorch's tensor functions, by family.
from .conversion import clone, to_dtype
from .functions_shape import (atleast_1d, atleast_2d, atleast_3d, chunk, diag, diagonal, expand,
                              flatten, flip, meshgrid, movedim, moveaxis, narrow, pad, repeat,
                              repeat_interleave, roll, split, tensor_split, tile, trace, tril, triu,
                              unflatten)
from .functions_index import (gather, index_add, index_select, masked_fill, masked_select, nonzero,
                              one_hot, scatter, scatter_add, scatter_reduce, take_along_dim)
from .functions_math import (acos, arccos, arcsin, arctan, arctan2, argsort, asin, atan, atan2, bmm,
                             ceil, cosh, cummax, cummin, cumprod, cumsum, div, divide, einsum, erf,
                             exp2, expm1, fix, floor, floor_divide, fmod, hypot, kthvalue, lerp, log10,
                             log1p, log2, logaddexp, logcumsumexp, median, mm, norm, outer, prod,
                             reciprocal, remainder, round, rsqrt, sign, sinh, sort, square, std,
                             tensordot, topk, true_divide, trunc)
from .functions_logic import (all, allclose, any, bitwise_and, bitwise_not, bitwise_or, bitwise_xor,
                              isclose, isfinite, isinf, isnan, logical_and, logical_not, logical_or,
                              logical_xor, nan_to_num)
from . import linalg, return_types
from . import learn
from .functional import grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, value_and_grad, vjp
from .gradcheck import gradgradcheck
from . import nn, optim, data, utils
from .serialization import load, save

# PyTorch's dtype names (they shadow the builtins only as attributes of this package).
float, double, half, long, int, bool = float32, float64, float16, int64, int32, bool_  # noqa: A001

__version__ = "0.1.0"
