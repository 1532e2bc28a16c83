"""Activation modules (PyTorch's names and arguments); each calls its functional twin.

>>> import retrograd as rg
>>> rg.nn.GELU(approximate="tanh")(rg.tensor([0.0]))
tensor([0.])
"""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .modules import Module

__all__ = ["ELU", "GELU", "Hardtanh", "LeakyReLU", "LogSigmoid", "Mish", "ReLU6", "SiLU", "Softplus"]


class GELU(Module):
    """``x * Phi(x)``; ``approximate="tanh"`` for the tanh approximation.

    >>> import retrograd as rg
    >>> rg.nn.GELU()(rg.tensor([0.0]))
    tensor([0.])
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """``x * sigmoid(x)``.

    >>> import retrograd as rg
    >>> rg.nn.SiLU()(rg.tensor([0.0]))
    tensor([0.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.silu(x)


class LeakyReLU(Module):
    """``x`` where positive, ``negative_slope * x`` elsewhere.

    >>> import retrograd as rg
    >>> rg.nn.LeakyReLU(0.1)(rg.tensor([-1.0]))
    tensor([-0.1])
    """

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere.

    >>> import retrograd as rg
    >>> rg.nn.ELU()(rg.tensor([1.0]))
    tensor([1.])
    """

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta`` (linear above ``threshold``).

    >>> import retrograd as rg
    >>> rg.nn.Softplus(threshold=1.0)(rg.tensor([5.0]))
    tensor([5.])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)


class Mish(Module):
    """``x * tanh(softplus(x))``.

    >>> import retrograd as rg
    >>> rg.nn.Mish()(rg.tensor([0.0]))
    tensor([0.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.mish(x)


class Hardtanh(Module):
    """``x`` clamped to ``[min_val, max_val]``.

    >>> import retrograd as rg
    >>> rg.nn.Hardtanh()(rg.tensor([2.0]))
    tensor([1.])
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0):
        super().__init__()
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)


class ReLU6(Hardtanh):
    """``min(max(x, 0), 6)``.

    >>> import retrograd as rg
    >>> rg.nn.ReLU6()(rg.tensor([7.0]))
    tensor([6.])
    """

    def __init__(self) -> None:
        super().__init__(0.0, 6.0)


class LogSigmoid(Module):
    """``log(sigmoid(x))``, without overflow.

    >>> import retrograd as rg
    >>> rg.nn.LogSigmoid()(rg.tensor([0.0]))
    tensor([-0.69314718])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.logsigmoid(x)
