"""The primitive: one forward, its vector-Jacobian rules and its Jacobian-vector rule.

A primitive is declared once, in one place::

    tanh = Primitive("tanh", np.tanh,
                     vjp=[lambda g, out, x: g * (1 - out * out)],
                     jvp=lambda t, out, x: t * (1 - out * out))

* ``impl(*raw_args, **params)`` computes the forward value on plain arrays.
* ``vjp[i](g, out, *args, **params)`` returns the gradient for argument ``i``
  (``None`` in the list marks an argument that is never differentiated).
  Variadic primitives give ``vjp_n(i, g, out, *args, **params)`` instead.
* ``reads_inputs`` / ``reads_out`` (default True) say whether the vjp rules
  read the values of the arguments / of the output, not only their shapes: the
  version counters guard exactly those (an in-place write to a value a rule
  reads makes backward raise instead of returning a wrong gradient).
  ``reads_inputs`` may also map an argument to the arguments its rule reads
  (``{0: (1,), 1: (0,)}`` for ``x * y``), so only the rules that run are guarded.
* ``jvp(tangents, out, *args, **params)`` returns the output tangent, where
  ``tangents`` holds one tangent per argument (``None`` for a constant).
  Rules for elementwise primitives may be given per argument as a list.

Rules are written with retrograd's own functions (the primitives below are
callables). With plain arrays those run as plain NumPy; with Tensors they are
recorded, which is what gives higher-order derivatives with
``create_graph=True``, from the same rule.

Calling a primitive with no Tensor among its arguments returns a plain array;
with at least one Tensor it returns a Tensor and records the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: A rule or forward implementation: plain callables over arrays (or Tensors, when recording).
Rule = Callable[..., Any]
#: ``apply(prim, args, params)``: what a primitive call with a Box argument becomes.
Apply = Callable[["Primitive", tuple[Any, ...], dict[str, Any]], Any]


class Box:
    """The base class of the values a primitive hands to the recording ``apply`` (retrograd's Tensor).

    The ops know nothing of Tensor: ``retrograd.core`` subclasses Box and installs its
    ``apply`` with :func:`set_apply`. A primitive called with a Box among its arguments returns
    ``apply(prim, args, params)``; with none, the plain result of its ``impl``.
    """

    __slots__ = ()
    data: Any  # the plain array inside (a slot of the subclass)


def _no_apply(prim: Primitive, args: tuple[Any, ...], params: dict[str, Any]) -> Any:
    raise RuntimeError(f"primitive {prim.name} got a Tensor before retrograd.core installed its apply; "
                       "import retrograd first")


_apply: Apply = _no_apply  # set by retrograd.core (and swapped by rg.jit's tracer while it traces)
#: Set while rg.jit traces: a call on plain arrays may hide traced values in index tuples.
_plain_apply: Apply | None = None


def set_apply(apply: Apply, plain_apply: Apply | None = None) -> None:
    """Make ``apply(prim, args, params)`` the handler of primitive calls that have a Box argument
    (and ``plain_apply``, if given, the handler of calls on plain arrays: rg.jit's tracer).

    >>> import retrograd.core as core
    >>> set_apply(core.apply)
    """
    global _apply, _plain_apply
    _apply, _plain_apply = apply, plain_apply


class Primitive:
    """One differentiable operation; see the module docstring.

    >>> import numpy as np
    >>> double = Primitive("double", lambda x: 2 * x, vjp=[lambda g, out, x: 2 * g])
    >>> double(np.array([1.0, 2.0]))
    array([2., 4.])
    """

    __slots__ = (
        "_variadic_rules",
        "doc",
        "impl",
        "jvp",
        "name",
        "reads_inputs",
        "reads_out",
        "vjp_n",
        "vjps",
    )

    def __init__(self, name: str, impl: Rule, vjp: Sequence[Rule | None] | None = None,
                 jvp: Rule | Sequence[Rule | None] | None = None, vjp_n: Rule | None = None,
                 doc: str | None = None, reads_inputs: bool | dict[int, tuple[int, ...]] = True,
                 reads_out: bool = True) -> None:
        self.name = name
        self.impl = impl
        self.vjps = tuple(vjp) if vjp is not None else None
        self.vjp_n = vjp_n
        self.jvp = jvp
        self.doc = doc
        # Whether the vjp rules read the *values* of the inputs / of the output (not only
        # their shapes). Backward refuses to run a rule whose values were written in place
        # since the forward pass; a rule that reads neither (add, reshape, ...) is never refused.
        self.reads_inputs = reads_inputs
        self.reads_out = reads_out
        self._variadic_rules: dict[int, Rule] = {}

    def vjp_for(self, argnum: int) -> Rule | None:
        """The vector-Jacobian rule for argument ``argnum``, or None if not differentiable."""
        if self.vjps is not None:
            return self.vjps[argnum] if argnum < len(self.vjps) else None
        if self.vjp_n is None:
            return None
        rule = self._variadic_rules.get(argnum)
        if rule is None:
            n_rule = self.vjp_n
            rule = self._variadic_rules[argnum] = (
                lambda g, out, *args, **params: n_rule(argnum, g, out, *args, **params))
        return rule

    def __call__(self, *args: Any, **params: Any) -> Any:
        box = Box
        for a in args:
            if isinstance(a, box):
                return _apply(self, args, params)
        if _plain_apply is not None:
            return _plain_apply(self, args, params)
        return self.impl(*args, **params)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def raw(x: Any) -> Any:
    """The plain array behind a Tensor (or ``x`` itself).

    Used in rules for masks and shapes, which are constants for differentiation.

    >>> import numpy as np
    >>> raw(np.ones(2))
    array([1., 1.])
    """
    return x.data if isinstance(x, Box) else x


def values_of(x: Any) -> Any:
    """The values of ``x`` as an array, for code that reads them (indices, masks, orders).

    A traced value (``rg.jit``) stays a traced array, on which NumPy functions are recorded,
    where ``np.asarray(raw(x))`` would stop the trace.

    >>> values_of([1.0, 2.0])
    array([1., 2.])
    """
    d = raw(x)
    if isinstance(d, Box):
        return d
    return np.asarray(d)
