"""Adam and AdamW, with PyTorch's update formulas (bias correction, ``eps`` outside the root)."""

from __future__ import annotations

import math

import numpy as np

from ..hints import Params
from .optimizer import Optimizer


class Adam(Optimizer):
    """PyTorch's ``torch.optim.Adam``, update for update.

    ``m = lerp(m, g, 1 - beta1)``, ``v = beta2 * v + (1 - beta2) * g * g``, then
    ``p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``.
    ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2); for decoupled
    decay use :class:`AdamW`. ``amsgrad`` uses the running maximum of ``v``.

    >>> import retrograd as rg
    >>> w = rg.tensor([1.0], requires_grad=True)
    >>> opt = rg.optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.9], requires_grad=True)
    """

    _decoupled = False

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, maximize: bool = False) -> None:
        if lr < 0:
            raise ValueError(f"invalid learning rate: {lr}")
        if eps < 0:
            raise ValueError(f"invalid epsilon value: {eps}")
        if not (0.0 <= betas[0] < 1.0 and 0.0 <= betas[1] < 1.0):
            raise ValueError(f"invalid betas: {betas} (each must be in [0, 1))")
        if weight_decay < 0:
            raise ValueError(f"invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def _update(self, group, p, g, state):
        data = p.data
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(data)
            state["exp_avg_sq"] = np.zeros_like(data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(data)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        s0, s1 = self._scratch(p, 0), self._scratch(p, 1)
        if wd != 0:
            if self._decoupled:
                data *= 1 - lr * wd
            else:  # g + wd * p
                np.multiply(data, wd, out=s1)
                s1 += g
                g = s1
        # m.lerp_(g, 1 - beta1), as torch computes it
        w = 1 - beta1
        np.subtract(g, m, out=s0)
        if w < 0.5:
            s0 *= w
            m += s0
        else:
            s0 *= 1 - w
            np.subtract(g, s0, out=m)
        # v = beta2 * v + (1 - beta2) * g * g
        v *= beta2
        np.multiply(g, 1 - beta2, out=s0)
        s0 *= g
        v += s0
        bias_correction1 = 1 - beta1 ** t
        bias_correction2_sqrt = math.sqrt(1 - beta2 ** t)
        step_size = lr / bias_correction1
        if group["amsgrad"]:
            vmax = state["max_exp_avg_sq"]
            np.maximum(vmax, v, out=vmax)
            np.sqrt(vmax, out=s0)
        else:
            np.sqrt(v, out=s0)
        s0 /= bias_correction2_sqrt
        s0 += eps                       # denom
        np.multiply(m, -step_size, out=s1)
        s1 /= s0
        data += s1


class AdamW(Adam):
    """PyTorch's ``torch.optim.AdamW``: Adam with decoupled weight decay
    (``p *= 1 - lr * weight_decay`` before the Adam step; default ``weight_decay=0.01``).

    >>> import retrograd as rg
    >>> w = rg.tensor([1.0], requires_grad=True)
    >>> opt = rg.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.85], requires_grad=True)
    """

    _decoupled = True

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, maximize: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize)
