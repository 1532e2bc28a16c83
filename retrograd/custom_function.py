"""Custom differentiable functions with PyTorch's surface: ``rg.autograd.Function``.

Subclass it, write ``forward`` and ``backward`` as static methods, call ``.apply``::

    class Exp(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = rg.exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            y, = ctx.saved_tensors
            return grad_output * y

``forward`` runs without recording; ``backward`` gets one gradient per output and
returns one per input (None for an input that needs none). Written with retrograd's
functions, the backward is itself recorded under ``create_graph=True``, so second
derivatives of a custom function work. An optional ``jvp(ctx, *tangents)`` serves
forward mode (``rg.jvp``, ``jacfwd``).

Each ``apply`` becomes one node of the graph, declared as a one-off
:class:`~retrograd.ops.primitive.Primitive` whose rules call your methods: the
same machinery as retrograd's own operations.
"""

from __future__ import annotations

import numpy as np

from . import autograd
from .autograd import Node, is_grad_enabled, no_grad
from .core import Tensor, wrap as _wrap
from .ops.primitive import Primitive, raw


class FunctionCtx:
    """The ``ctx`` handed to ``forward``, ``backward`` and ``jvp``: what the forward leaves for the rest.

    Any attribute may be set on it (``ctx.constant = 3``).

    >>> ctx = FunctionCtx(); ctx.save_for_backward(1.0); ctx.saved_tensors
    (1.0,)
    """

    def __init__(self):
        self.needs_input_grad: tuple = ()
        self.materialize_grads = True
        self._saved: tuple = ()
        self._saved_epoch = 0
        self._non_differentiable = False

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (inputs, outputs or intermediates) for ``backward``; read them with ``saved_tensors``."""
        self._saved = tensors
        self._saved_epoch = autograd.current_epoch()

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``; raises if one was changed in place since."""
        for i, t in enumerate(self._saved):
            vc = getattr(t, "_vc", None) if isinstance(t, Tensor) else None
            if vc is not None and vc.last > self._saved_epoch:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: saved tensor {i} of a custom Function is at version "
                    f"{vc.version}; it was saved before that write")
        return tuple(self._saved)

    def mark_non_differentiable(self, *outputs) -> None:
        """Declare the output not differentiable (it will not require grad)."""
        self._non_differentiable = True

    def set_materialize_grads(self, value: bool) -> None:
        """Whether missing gradients reach ``backward`` as zeros (True, default) or None."""
        self.materialize_grads = bool(value)


class Function:
    """Base class of custom differentiable functions (PyTorch's ``torch.autograd.Function``).

    >>> import retrograd as rg
    >>> class Cube(rg.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         x, = ctx.saved_tensors
    ...         return g * 3 * x ** 2
    >>> x = rg.tensor(2.0, requires_grad=True)
    >>> Cube.apply(x).backward(); x.grad
    tensor(12.)
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """Compute the output from the inputs (runs without recording)."""
        raise NotImplementedError("a custom Function must define a static forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """Return the gradient of each input (None for inputs that need none)."""
        raise NotImplementedError("a custom Function must define a static backward(ctx, *grad_outputs) "
                                  "to be differentiated")

    vjp = backward

    @staticmethod
    def jvp(ctx, *tangents):
        """Optional: the output tangent from the input tangents (forward mode)."""
        raise NotImplementedError("this custom Function defines no jvp(ctx, *tangents), so forward "
                                  "mode cannot go through it")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the function on ``args`` and record it as one node of the graph."""
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            if _overrides(cls, "setup_context"):
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        if isinstance(out, (tuple, list)):
            raise NotImplementedError(
                f"{cls.__name__}.forward returned {len(out)} outputs; retrograd's custom Functions "
                "have one output for now: return one tensor (stack several into it)")
        data = np.asarray(raw(out))
        parents = tuple((i, a) for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad)
        if not (parents and is_grad_enabled()) or ctx._non_differentiable:
            return _wrap(data, None)
        prim = _function_primitive(cls, ctx, args)
        saved = [a.data if isinstance(a, Tensor) else a for a in args]
        return _wrap(data, Node(prim, args, parents, saved, {}, data))

    @staticmethod
    def setup_context(ctx, inputs, output):  # pragma: no cover - overridden or unused
        """PyTorch 2 style: fill ``ctx`` from the inputs and output (``forward`` then takes no ctx)."""
        raise NotImplementedError


def _overrides(cls, name: str) -> bool:
    return getattr(cls, name) is not getattr(Function, name)


def _function_primitive(cls, ctx, args) -> Primitive:
    """A one-off primitive whose rules call ``cls.backward`` (once per gradient) and ``cls.jvp``."""
    n = len(args)
    cache: dict = {}

    def grads(g):
        if cache.get("g") is not g:
            gt = g if isinstance(g, Tensor) else _wrap(np.asarray(g), None)
            result = cls.backward(ctx, gt)
            if not isinstance(result, tuple):
                result = (result,)
            if len(result) != n:
                raise RuntimeError(
                    f"function {cls.__name__}Backward returned an incorrect number of gradients "
                    f"(expected {n}, got {len(result)})")
            cache["g"], cache["result"] = g, result
        return cache["result"]

    def rule(i):
        def vjp(g, out, *a):
            gi = grads(g)[i]
            if gi is None:
                return np.zeros(np.shape(raw(a[i])), dtype=raw(g).dtype)
            return gi if isinstance(g, Tensor) else raw(gi)
        return vjp

    jvp = None
    if _overrides(cls, "jvp"):
        def jvp(tangents, out, *a):
            given = [t for t in tangents if t is not None]
            nb = raw(given[0]).ndim - np.ndim(raw(a[tangents.index(given[0])])) if given else 0
            batch = raw(given[0]).shape[:nb] if given else ()
            ts = []
            for t, x in zip(tangents, a):
                if t is None and isinstance(x, (Tensor, np.ndarray)):
                    t = np.zeros(batch + np.shape(raw(x)), dtype=np.asarray(raw(x)).dtype)
                ts.append(t if t is None or isinstance(t, Tensor) else _wrap(np.asarray(t), None))
            result = cls.jvp(ctx, *ts)
            return result if any(isinstance(t, Tensor) and t.requires_grad for t in tangents) else raw(result)

    return Primitive(cls.__name__, lambda *a: None, vjp=[rule(i) for i in range(n)], jvp=jvp,
                     doc=cls.__doc__)



# PyTorch's path, torch.autograd.Function: installed by this module, which sits above autograd.
autograd.Function = Function  # type: ignore[attr-defined]
autograd.FunctionCtx = FunctionCtx  # type: ignore[attr-defined]
