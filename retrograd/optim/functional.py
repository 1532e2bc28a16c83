"""Functional optimizers: the update as a pure function of (params, grads, state), for ``rg.jit``.

The stateful classes (``rg.optim.SGD``, ``Adam``) change ``p.data`` in place; a jitted training
step needs the update written as a function that returns new parameters and a new state
instead, as JAX's optax does. Each constructor returns a :class:`GradientTransformation` with

* ``init(params) -> state``: the optimizer state for a pytree of parameters;
* ``update(params, grads, state) -> (params, state)``: one step, PyTorch's formulas.

The state is a pytree of arrays (the step count included), so a jitted step that takes it and
returns it traces once and runs for every step::

    opt = rg.optim.functional.adam(lr=1e-3)

    @rg.jit
    def train_step(params, opt_state, xb, yb):
        loss, grads = rg.value_and_grad(loss_fn)(params, xb, yb)
        params, opt_state = opt.update(params, grads, opt_state)
        return loss, params, opt_state

>>> import retrograd as rg
>>> opt = sgd(lr=0.25)
>>> params = {"w": rg.tensor([3.0])}
>>> state = opt.init(params)
>>> for _ in range(3):
...     g = rg.grad(lambda p: ((p["w"] - 1) ** 2).sum())(params)
...     params, state = opt.update(params, g, state)
>>> params["w"]
tensor([1.25])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..functions import sqrt
from ..pytree import tree_flatten, tree_map, tree_unflatten
from ..tensor import Tensor

__all__ = ["GradientTransformation", "adam", "sgd"]


class GradientTransformation(NamedTuple):
    """An optimizer as two pure functions: ``init(params)`` and ``update(params, grads, state)``."""
    init: Callable
    update: Callable


def _zeros_like(p):
    a = p.data if isinstance(p, Tensor) else np.asarray(p)
    return np.zeros(np.shape(a), dtype=a.dtype if a.dtype.kind == "f" else np.float64)


def _check(lr, name):
    if lr < 0:
        raise ValueError(f"{name}: learning rate must be >= 0, got {lr}")


def _map3(f, params, grads, *states):
    """``f`` leaf by leaf over params, grads and states; returns one pytree per output of ``f``."""
    leaves, tree = tree_flatten(params)
    g_leaves, g_tree = tree_flatten(grads)
    if g_tree != tree:
        raise ValueError(f"update: the gradients have structure {g_tree} but the parameters have {tree}")
    s_leaves = [tree_flatten(s)[0] for s in states]
    outs = [f(p, g, *ss) for p, g, *ss in zip(leaves, g_leaves, *s_leaves)]
    return tuple(tree_unflatten(tree, list(col)) for col in zip(*outs))


def sgd(lr: float, momentum: float = 0.0, weight_decay: float = 0.0,
        nesterov: bool = False) -> GradientTransformation:
    """Stochastic gradient descent with PyTorch's ``SGD`` formulas (momentum, Nesterov, weight decay).

    >>> import retrograd as rg
    >>> opt = sgd(lr=0.1, momentum=0.9)
    >>> w, state = rg.tensor([1.0]), opt.init(rg.tensor([1.0]))
    >>> w, state = opt.update(w, rg.tensor([1.0]), state)
    >>> w
    tensor([0.9])
    """
    _check(lr, "sgd")
    if nesterov and momentum <= 0:
        raise ValueError("sgd: nesterov=True needs a momentum > 0")

    def init(params):
        if not momentum:
            return {}
        return {"momentum": tree_map(_zeros_like, params)}

    def step(p, g, buf=None):
        if weight_decay:
            g = g + weight_decay * p
        if momentum:
            buf = momentum * buf + g  # the buffer starts at zero: the first step gives buf = g
            g = g + momentum * buf if nesterov else buf
        return (p - lr * g,) + ((buf,) if momentum else ())

    def update(params, grads, state):
        if momentum:
            new_params, bufs = _map3(step, params, grads, state["momentum"])
            return new_params, {"momentum": bufs}
        (new_params,) = _map3(step, params, grads)
        return new_params, {}

    return GradientTransformation(init, update)


def adam(lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
         weight_decay: float = 0.0,
         decoupled: bool = False) -> GradientTransformation:
    """Adam with PyTorch's formulas (``decoupled=True``: AdamW's weight decay).

    The step count lives in the state as a 0-d array, so a jitted step does not trace again
    as it grows.

    >>> import retrograd as rg
    >>> opt = adam(lr=0.1)
    >>> w = rg.tensor([1.0])
    >>> w, state = opt.update(w, rg.tensor([2.0]), opt.init(w))
    >>> w, state["step"]
    (tensor([0.9]), array(1.))
    """
    _check(lr, "adam")
    beta1, beta2 = betas
    if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
        raise ValueError(f"adam: betas must be in [0, 1), got {betas}")

    def init(params):
        return {"step": np.zeros((), dtype=np.float64), "exp_avg": tree_map(_zeros_like, params),
                "exp_avg_sq": tree_map(_zeros_like, params)}

    def update(params, grads, state):
        t = state["step"] + 1
        if not isinstance(t, Tensor):
            t = np.asarray(t, dtype=np.float64)  # stays a 0-d array: same jit signature every step
        c1 = 1 - beta1 ** t
        c2 = sqrt(1 - beta2 ** t)

        def step(p, g, m, v):
            if weight_decay and decoupled:
                p = p * (1 - lr * weight_decay)
            elif weight_decay:
                g = g + weight_decay * p
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            return p - (lr / c1) * m / (sqrt(v) / c2 + eps), m, v

        new_params, ms, vs = _map3(step, params, grads, state["exp_avg"], state["exp_avg_sq"])
        return new_params, {"step": t, "exp_avg": ms, "exp_avg_sq": vs}

    return GradientTransformation(init, update)
