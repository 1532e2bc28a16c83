"""Gradient clipping and flat parameter vectors (PyTorch's ``torch.nn.utils``).

>>> import retrograd as rg
>>> w = rg.tensor([3.0, 4.0], requires_grad=True)
>>> (w * w).sum().backward()          # grad = [6, 8], norm 10
>>> rg.nn.utils.clip_grad_norm_([w], max_norm=1.0)
tensor(10.)
>>> w.grad
tensor([0.59999994, 0.79999992])
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .. import functions as _f
from ..tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "parameters_to_vector",
           "vector_to_parameters"]


def _params(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _norm(a, norm_type):
    if norm_type == math.inf:
        return np.abs(a).max(initial=0.0)
    if norm_type == -math.inf:
        return np.abs(a).min(initial=np.inf)
    if norm_type == 0:
        return np.count_nonzero(a).astype(a.dtype)
    return (np.abs(a) ** norm_type).sum() ** (1.0 / norm_type) if norm_type != 2 else np.sqrt((a * a).sum())


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0,
                   error_if_nonfinite: bool = False) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` together (as if concatenated into one vector).

    >>> import retrograd as rg
    >>> rg.nn.utils.get_total_norm([rg.tensor([3.0]), rg.tensor([4.0])])
    tensor(5.)
    """
    arrays = [t.data if isinstance(t, Tensor) else np.asarray(t) for t in _params(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return Tensor(np.asarray(0.0))
    per = np.stack([np.asarray(_norm(a, norm_type), dtype=a.dtype) for a in arrays])
    total = np.asarray(_norm(per, norm_type), dtype=per.dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"the total norm of order {norm_type} of the gradients is non-finite "
                           "(nan or inf), so it cannot be clipped; pass error_if_nonfinite=False to "
                           "clip anyway")
    return Tensor(total)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale the gradients in place so that their total norm is at most ``max_norm``.

    As PyTorch: every gradient is multiplied by ``min(1, max_norm / (total_norm + 1e-6))``;
    returns the total norm before clipping. Parameters without ``.grad`` are skipped.

    >>> import retrograd as rg
    >>> w = rg.tensor([1.0], requires_grad=True); (2 * w).sum().backward()
    >>> rg.nn.utils.clip_grad_norm_([w], 10.0), w.grad
    (tensor(2.), tensor([2.]))
    """
    grads = [p.grad for p in _params(parameters) if p.grad is not None]
    if not grads:
        return Tensor(np.asarray(0.0))
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    coef = min(float(max_norm) / (float(total.data) + 1e-6), 1.0)
    for g in grads:
        g.data *= np.asarray(coef, dtype=g.data.dtype)
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place.

    >>> import retrograd as rg
    >>> w = rg.tensor([1.0, 1.0], requires_grad=True); (w * rg.tensor([-5.0, 0.5])).sum().backward()
    >>> rg.nn.utils.clip_grad_value_([w], 1.0); w.grad
    tensor([-1. ,  0.5])
    """
    c = float(clip_value)
    for p in _params(parameters):
        if p.grad is not None:
            np.clip(p.grad.data, -c, c, out=p.grad.data)


def parameters_to_vector(parameters: Tensor | Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one vector (differentiable).

    >>> import retrograd as rg
    >>> rg.nn.utils.parameters_to_vector(rg.nn.Linear(2, 3).parameters()).shape
    (9,)
    """
    return _f.concatenate([_f.reshape(p, (-1,)) for p in _params(parameters)], 0)


def vector_to_parameters(vec: Tensor, parameters: Tensor | Iterable[Tensor]) -> None:
    """Copy slices of ``vec`` into the parameters, in order (the inverse of ``parameters_to_vector``).

    >>> import retrograd as rg
    >>> lin = rg.nn.Linear(1, 1)
    >>> rg.nn.utils.vector_to_parameters(rg.tensor([2.0, 3.0]), lin.parameters()); lin.bias
    Parameter containing:
    tensor([3.], requires_grad=True)
    """
    v = vec.data if isinstance(vec, Tensor) else np.asarray(vec)
    if v.ndim != 1:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector, got shape {v.shape}")
    params = _params(parameters)
    need = sum(p.data.size for p in params)
    if v.size != need:
        raise ValueError(f"vector_to_parameters: the vector has {v.size} elements, the parameters {need}")
    start = 0
    for p in params:
        n = p.data.size
        p.data = v[start:start + n].reshape(p.data.shape).astype(p.data.dtype, copy=True)
        start += n
