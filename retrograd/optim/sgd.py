"""Stochastic gradient descent with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

import numpy as np

from ..hints import Params
from .optimizer import Optimizer


class SGD(Optimizer):
    """PyTorch's ``torch.optim.SGD``, update for update.

    With gradient ``g`` (plus ``weight_decay * p``) and momentum buffer ``b``
    (``b = g`` on the first step, then ``b = momentum * b + (1 - dampening) * g``),
    the step is ``p -= lr * b`` (or ``lr * (g + momentum * b)`` with ``nesterov``).

    >>> import retrograd as rg
    >>> w = rg.tensor([1.0], requires_grad=True)
    >>> opt = rg.optim.SGD([w], lr=0.5, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
    >>> w
    tensor([-0.9], requires_grad=True)
    """

    def __init__(self, params: Params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, maximize: bool = False) -> None:
        if lr < 0:
            raise ValueError(f"invalid learning rate: {lr}")
        if momentum < 0:
            raise ValueError(f"invalid momentum value: {momentum}")
        if weight_decay < 0:
            raise ValueError(f"invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _update(self, group, p, g, state):
        lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
        data = p.data
        s0, s1 = self._scratch(p, 0), self._scratch(p, 1)
        if wd != 0:  # g + wd * p
            np.multiply(data, wd, out=s0)
            s0 += g
            g = s0
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(g, dtype=data.dtype, copy=True)
            else:
                buf *= momentum
                dampening = group["dampening"]
                if dampening == 0:
                    buf += g
                else:
                    np.multiply(g, 1 - dampening, out=s1)
                    buf += s1
            if group["nesterov"]:  # g + momentum * buf
                np.multiply(buf, momentum, out=s1)
                np.add(g, s1, out=s1)
                g = s1
            else:
                g = buf
        np.multiply(g, lr, out=s0)
        data -= s0
