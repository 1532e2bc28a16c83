"""Check analytic gradients against central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autograd import grad as _grad
from .errors import GradcheckError
from .tensor import Tensor


def _as_outputs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _differentiable_inputs(inputs: Any, who: str) -> tuple[list[Any], list[int]]:
    """``inputs`` as a list, and the positions of those that require grad (at least one)."""
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff_idx:
        raise ValueError(f"{who}: no input requires grad, so there is nothing to check")
    return inputs, diff_idx


def _numeric_jacobian(fn, inputs, k, eps, n_out):
    """Columns d(outputs)/d(inputs[k][j]) by central differences, one per element j."""
    x = inputs[k].data
    cols = []
    # Perturb the input's own array element by element (reshape(-1) could be a copy for a view).
    for idx in np.ndindex(x.shape):
        orig = x[idx]
        x[idx] = orig + eps
        plus = [np.array(o.data if isinstance(o, Tensor) else o, dtype=np.float64).ravel()
                for o in _as_outputs(fn(*inputs))]
        x[idx] = orig - eps
        minus = [np.array(o.data if isinstance(o, Tensor) else o, dtype=np.float64).ravel()
                 for o in _as_outputs(fn(*inputs))]
        x[idx] = orig
        cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    return cols  # cols[j][output] -> flat array over output elements


def gradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Compare the engine's gradients of ``fn(*inputs)`` with central finite differences.

    Every input that requires grad is perturbed element by element; every
    output element is differentiated. Use float64 inputs. Raises
    ``rg.GradcheckError`` naming the input, the element and both values on
    the first mismatch; returns True when all agree within
    ``atol + rtol * |numeric|``.

    >>> import retrograd as rg
    >>> x = rg.tensor([0.5, 1.5], requires_grad=True)
    >>> rg.gradcheck(lambda x: rg.sin(x) * x, [x])
    True
    """
    inputs, diff_idx = _differentiable_inputs(inputs, "gradcheck")
    outputs = _as_outputs(fn(*inputs))
    for k in diff_idx:
        numeric = _numeric_jacobian(fn, inputs, k, eps, len(outputs))
        for o_i, out in enumerate(outputs):
            if not isinstance(out, Tensor) or not out.requires_grad:
                analytic_rows = np.zeros((out.data.size if isinstance(out, Tensor) else np.size(out),
                                          inputs[k].data.size))
            else:
                analytic_rows = _analytic_rows(out, inputs[k])
            for j in range(inputs[k].data.size):
                num = numeric[j][o_i]
                ana = analytic_rows[:, j]
                bad = np.abs(ana - num) > atol + rtol * np.abs(num)
                if bad.any():
                    e = int(np.argmax(bad))
                    name = f" ({inputs[k].name})" if inputs[k].name else ""
                    where = np.unravel_index(j, inputs[k].shape) if inputs[k].ndim else ()
                    msg = (f"gradcheck: gradient of output {o_i} element {e} with respect to input {k}{name} "
                           f"element {tuple(int(w) for w in where)} disagrees: analytic {float(ana[e])!r} vs "
                           f"numeric {float(num[e])!r} (atol={atol}, rtol={rtol})")
                    if raise_exception:
                        raise GradcheckError(msg)
                    return False
    return True


def _analytic_rows(out, x):
    """The Jacobian d(out)/d(x) as an (out.size, x.size) array, one backward per output element."""
    rows = np.zeros((out.data.size, x.data.size))
    for e in range(out.data.size):
        seed = np.zeros(out.data.size, dtype=out.data.dtype)
        seed[e] = 1
        (g,) = _grad(out, [x], grad_outputs=[seed.reshape(out.shape)], retain_graph=True, allow_unused=True)
        if g is not None:
            rows[e] = g.data.ravel()
    return rows


def gradgradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any], grad_outputs: Sequence[Any] | None = None,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, seed: int = 0) -> bool:
    """Check second derivatives: gradcheck of the (recorded) backward pass of ``fn``.

    Builds ``g(inputs, v) = v @ d fn(inputs) / d inputs`` with
    ``create_graph=True`` and runs :func:`gradcheck` on it, perturbing both
    the inputs and the cotangents ``v`` (``grad_outputs``; random float64
    values from ``seed`` when not given). This is PyTorch's
    ``gradgradcheck``: it catches vjp rules whose own derivatives are wrong.

    >>> import retrograd as rg
    >>> x = rg.tensor([0.5, 1.5], requires_grad=True)
    >>> rg.gradgradcheck(lambda x: rg.tanh(x) * x, [x])
    True
    """
    inputs, diff_idx = _differentiable_inputs(inputs, "gradgradcheck")
    outputs = _as_outputs(fn(*inputs))
    for o in outputs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradgradcheck: fn must return Tensors, got {type(o).__name__}")
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [Tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outputs]
    else:
        grad_outputs = [Tensor(np.array(g.data if isinstance(g, Tensor) else g, dtype=np.float64),
                               requires_grad=True) for g in _as_outputs(grad_outputs)]
        if len(grad_outputs) != len(outputs):
            raise ValueError(f"gradgradcheck: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
        for g, o in zip(grad_outputs, outputs):
            if g.shape != o.shape:
                raise ValueError(f"gradgradcheck: a grad_output has shape {g.shape} but its output has "
                                 f"shape {o.shape}")
    n = len(inputs)

    def first_derivatives(*args):
        ins, gos = args[:n], args[n:]
        outs = _as_outputs(fn(*ins))
        pairs = [(o, g) for o, g in zip(outs, gos) if isinstance(o, Tensor) and o.requires_grad]
        wrt = [ins[i] for i in diff_idx]
        if not pairs:
            return tuple(Tensor(np.zeros(x.shape)) for x in wrt)
        grads = _grad([o for o, _ in pairs], wrt, grad_outputs=[g for _, g in pairs],
                      create_graph=True, allow_unused=True)
        return tuple(Tensor(np.zeros(x.shape)) if g is None else g for g, x in zip(grads, wrt))

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
