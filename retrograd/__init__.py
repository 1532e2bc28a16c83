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
from .backend import (bool_, float16, float32, float64, get_default_dtype, int32, int64,
                      set_default_dtype)
from .creation import (arange, eye, full, generator, linspace, manual_seed, ones, ones_like, rand,
                       randn, zeros, zeros_like)
from .errors import GradcheckError, ShapeError
from .functions import (abs, add, argmax, argmin, broadcast_to, cat, clip, concatenate, cos, div,
                        divide, exp, expand_dims, getitem, log, log_softmax, logsumexp, matmul, max,
                        maximum, mean, min, minimum, mul, multiply, negative, pow, power, relu,
                        reshape, sigmoid, sin, softmax, sqrt, squeeze, stack, sub, subtract, sum,
                        swapaxes, tan, tanh, transpose, unsqueeze, var, where)
from .gradcheck import gradcheck
from .tensor import Tensor, tensor
from . import learn
from .pytree import tree_flatten, tree_leaves, tree_map, tree_structure, tree_unflatten
from .functional import (checkpoint, grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, stop_gradient,
                         value_and_grad, vjp)
from .vmap import vmap
from .gradcheck import gradgradcheck
from .tracing import TracingError
from .jit import jit
from . import nn, optim, data

__version__ = "0.1.0"
