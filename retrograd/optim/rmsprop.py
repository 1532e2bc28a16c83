"""RMSprop and Adagrad, with PyTorch's update formulas."""

from __future__ import annotations

import numpy as np

from ..hints import Params
from .optimizer import Optimizer


def _check(lr, eps, weight_decay):
    if lr < 0:
        raise ValueError(f"invalid learning rate: {lr}")
    if eps < 0:
        raise ValueError(f"invalid epsilon value: {eps}")
    if weight_decay < 0:
        raise ValueError(f"invalid weight_decay value: {weight_decay}")


class RMSprop(Optimizer):
    """PyTorch's ``torch.optim.RMSprop``, update for update.

    ``v = alpha * v + (1 - alpha) * g * g``; the step divides ``g`` by ``sqrt(v) + eps``
    (``centered`` subtracts the square of the running mean of ``g`` from ``v`` first;
    ``momentum`` keeps a buffer ``b = momentum * b + g / (sqrt(v) + eps)`` and steps by it).

    >>> import retrograd as rg
    >>> w = rg.tensor([1.0], requires_grad=True)
    >>> opt = rg.optim.RMSprop([w], lr=0.01, alpha=0.75)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.98], requires_grad=True)
    """

    def __init__(self, params: Params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 maximize: bool = False) -> None:
        _check(lr, eps, weight_decay)
        if momentum < 0:
            raise ValueError(f"invalid momentum value: {momentum}")
        if alpha < 0:
            raise ValueError(f"invalid alpha value: {alpha}")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _update(self, group, p, g, state):
        data = p.data
        lr, alpha, eps, wd = group["lr"], group["alpha"], group["eps"], group["weight_decay"]
        momentum = group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(data)
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(data)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(data)
        state["step"] += 1
        if wd != 0:
            g = g + wd * data
        v = state["square_avg"]
        v *= alpha
        v += (1 - alpha) * g * g
        if group["centered"]:
            m = state["grad_avg"]
            m += (g - m) * (1 - alpha)  # lerp, as torch (weight < 0.5 in the usual case)
            avg = np.sqrt(v - m * m)
        else:
            avg = np.sqrt(v)
        avg += eps
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += g / avg
            data -= lr * buf
        else:
            data -= lr * (g / avg)


class Adagrad(Optimizer):
    """PyTorch's ``torch.optim.Adagrad``, update for update.

    ``s += g * g``; ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)``.

    >>> import retrograd as rg
    >>> w = rg.tensor([1.0], requires_grad=True)
    >>> opt = rg.optim.Adagrad([w], lr=0.5)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.5], requires_grad=True)
    """

    def __init__(self, params: Params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, maximize: bool = False) -> None:
        _check(lr, eps, weight_decay)
        if lr_decay < 0:
            raise ValueError(f"invalid lr_decay value: {lr_decay}")
        if initial_accumulator_value < 0:
            raise ValueError(f"invalid initial_accumulator_value: {initial_accumulator_value}")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      maximize=maximize))
        for group in self.param_groups:  # torch fills the state at construction
            for p in group["params"]:
                self.state[p] = {"step": 0, "sum": np.full_like(
                    p.data, group["initial_accumulator_value"])}

    def _update(self, group, p, g, state):
        data = p.data
        if not state:
            state.update(step=0, sum=np.full_like(data, group["initial_accumulator_value"]))
        state["step"] += 1
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * data
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        s = state["sum"]
        s += g * g
        std = np.sqrt(s)
        std += group["eps"]
        data -= clr * (g / std)
