"""Adadelta, with PyTorch's update formula (the optimizer of PyTorch's ``examples/mnist``)."""

from __future__ import annotations

import numpy as np

from ..hints import Params
from .optimizer import Optimizer


class Adadelta(Optimizer):
    """PyTorch's ``torch.optim.Adadelta``, update for update.

    ``v = rho * v + (1 - rho) * g * g``; ``delta = sqrt(u + eps) / sqrt(v + eps) * g``;
    ``u = rho * u + (1 - rho) * delta * delta``; ``p -= lr * delta``.

    >>> import retrograd as rg
    >>> w = rg.tensor([1.0], requires_grad=True)
    >>> opt = rg.optim.Adadelta([w], lr=1.0, rho=0.5, eps=0.25)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.33333333], requires_grad=True)
    """

    def __init__(self, params: Params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        if lr < 0:
            raise ValueError(f"invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"invalid rho value: {rho} (it must be in [0, 1])")
        if eps < 0:
            raise ValueError(f"invalid epsilon value: {eps}")
        if weight_decay < 0:
            raise ValueError(f"invalid weight_decay value: {weight_decay}")
        if differentiable:
            raise ValueError("Adadelta(differentiable=True) is not supported: retrograd's optimizers "
                             "update p.data outside the graph")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, group, p, g, state):
        data = p.data
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        if not state:
            state.update(step=0, square_avg=np.zeros_like(data), acc_delta=np.zeros_like(data))
        state["step"] += 1
        if wd != 0:
            g = g + wd * data
        v, u = state["square_avg"], state["acc_delta"]
        v *= rho
        v += (1 - rho) * g * g
        delta = np.sqrt(u + eps)
        delta /= np.sqrt(v + eps)
        delta *= g
        u *= rho
        u += (1 - rho) * delta * delta
        data -= lr * delta
