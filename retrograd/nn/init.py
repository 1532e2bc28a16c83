"""Weight initialisation, in place, with PyTorch's names and formulas (``torch.nn.init``).

Random numbers come from retrograd's seeded generator (``rg.manual_seed``).

>>> import retrograd as rg
>>> w = rg.zeros(3, 4)
>>> _ = rg.nn.init.uniform_(w, -0.1, 0.1)
>>> bool((abs(w.numpy()) <= 0.1).all())
True
"""

from __future__ import annotations

import math

import numpy as np

from ..creation import generator
from ..tensor import Tensor

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (as ``torch.nn.init.calculate_gain``).

    >>> round(calculate_gain("relu"), 4)
    1.4142
    """
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _fill(t, values):
    np.copyto(t.data, values, casting="unsafe")
    return t


def _fans(t):
    shape = t.data.shape
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill ``t`` with samples of U(a, b).

    >>> import retrograd as rg
    >>> uniform_(rg.zeros(2), 1.0, 1.0)
    tensor([1., 1.])
    """
    return _fill(t, generator().uniform(a, b, t.data.shape))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill ``t`` with samples of N(mean, std**2).

    >>> import retrograd as rg
    >>> normal_(rg.zeros(2), 3.0, 0.0)
    tensor([3., 3.])
    """
    return _fill(t, generator().normal(mean, std, t.data.shape))


def constant_(t: Tensor, val: float) -> Tensor:
    """Fill ``t`` with ``val``.

    >>> import retrograd as rg
    >>> constant_(rg.zeros(2), 0.5)
    tensor([0.5, 0.5])
    """
    t.data[...] = val
    return t


def zeros_(t: Tensor) -> Tensor:
    """Fill ``t`` with zeros.

    >>> import retrograd as rg
    >>> zeros_(rg.ones(2))
    tensor([0., 0.])
    """
    return constant_(t, 0.0)


def ones_(t: Tensor) -> Tensor:
    """Fill ``t`` with ones.

    >>> import retrograd as rg
    >>> ones_(rg.zeros(2))
    tensor([1., 1.])
    """
    return constant_(t, 1.0)


def kaiming_uniform_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    """He initialisation: U(-bound, bound) with bound = gain * sqrt(3 / fan).

    ``torch.nn.Linear`` uses ``a=sqrt(5)``, which gives bound = 1 / sqrt(fan_in).

    >>> import retrograd as rg
    >>> w = kaiming_uniform_(rg.zeros(3, 4), a=5 ** 0.5)
    >>> bool((abs(w.numpy()) <= 0.5).all())
    True
    """
    fan_in, fan_out = _fans(t)
    fan = fan_in if mode == "fan_in" else fan_out
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return uniform_(t, -bound, bound)


def kaiming_normal_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    """He initialisation: N(0, std**2) with std = gain / sqrt(fan).

    >>> import retrograd as rg
    >>> kaiming_normal_(rg.zeros(3, 4)).shape
    (3, 4)
    """
    fan_in, fan_out = _fans(t)
    fan = fan_in if mode == "fan_in" else fan_out
    return normal_(t, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan))


def xavier_uniform_(t: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot initialisation: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).

    >>> import retrograd as rg
    >>> w = xavier_uniform_(rg.zeros(3, 3))
    >>> bool((abs(w.numpy()) <= 1.0).all())
    True
    """
    fan_in, fan_out = _fans(t)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -a, a)


def xavier_normal_(t: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot initialisation: N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out)).

    >>> import retrograd as rg
    >>> xavier_normal_(rg.zeros(3, 3)).shape
    (3, 3)
    """
    fan_in, fan_out = _fans(t)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))
