"""Module hooks: forward pre-hooks, forward hooks and full backward hooks.

A full backward hook sees the gradients with respect to a module's outputs and inputs.
Each output and each input that requires grad passes through an identity primitive
whose vjp rule records (outputs) or reports (inputs) the gradient flowing through it;
the engine's topological walk reaches every output before any input.
"""

from __future__ import annotations

import itertools

from ..core import Tensor, wrap as _wrap
from ..ops.primitive import Primitive

_ids = itertools.count()


class RemovableHandle:
    """What ``register_*_hook`` returns: ``remove()`` unregisters the hook.

    >>> from collections import OrderedDict
    >>> hooks = OrderedDict(); h = RemovableHandle(hooks, print); len(hooks)
    1
    >>> h.remove(); len(hooks)
    0
    """

    def __init__(self, hooks, hook):
        self.hooks, self.id = hooks, next(_ids)
        hooks[self.id] = hook

    def remove(self) -> None:
        """Unregister the hook (again is harmless)."""
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _State:
    def __init__(self, module, n_in, n_out):
        self.module, self.n_out = module, n_out
        self.grad_inputs = [None] * n_in
        self.grad_outputs = [None] * n_out
        self.pending_in = 0
        self.outputs_seen = 0

    def call(self):
        gi, go = tuple(self.grad_inputs), tuple(self.grad_outputs)
        for hook in list(self.module.__dict__.get("_backward_hooks", {}).values()):
            r = hook(self.module, gi, go)
            if r is not None:
                gi = tuple(r)
        return gi


def _as_tensor(g):
    return g if isinstance(g, Tensor) else _wrap(g, None)


def _like(new, g):
    if new is None:
        return g * 0
    if isinstance(g, Tensor):
        return new if isinstance(new, Tensor) else _wrap(new, None)
    return new.data if isinstance(new, Tensor) else new


def _out_vjp(g, out, x, state, i):
    state.grad_outputs[i] = _as_tensor(g)
    state.outputs_seen += 1
    if state.outputs_seen == state.n_out and state.pending_in == 0:
        state.call()  # no input needs a gradient: the hook still runs, with grad_input None
    return g


def _in_vjp(g, out, x, state, i):
    state.grad_inputs[i] = _as_tensor(g)
    state.pending_in -= 1
    if state.pending_in == 0:
        new = state.call()
        if new is not None and new[i] is not state.grad_inputs[i]:
            others = [j for j, v in enumerate(state.grad_inputs) if v is not None and j != i]
            if any(new[j] is not state.grad_inputs[j] for j in others):
                raise NotImplementedError("a full backward hook may replace grad_input only for "
                                          "modules with one input that requires grad")
            return _like(new[i], g)
    return g


_hook_out = Primitive("backward_hook_output", lambda x, state, i: x,
                      vjp=[_out_vjp], jvp=[lambda t, out, x, state, i: t],
                      doc="Identity that records the gradient of a module's output for its backward hooks.")
_hook_in = Primitive("backward_hook_input", lambda x, state, i: x,
                     vjp=[_in_vjp], jvp=[lambda t, out, x, state, i: t],
                     doc="Identity that runs a module's backward hooks with the gradient of its input.")


def call_with_hooks(module, args, kwargs):
    """Run ``module.forward`` with its pre-hooks, forward hooks and backward hooks."""
    d = module.__dict__
    for hook in list(d.get("_forward_pre_hooks", {}).values()):
        r = hook(module, args)
        if r is not None:
            args = r if isinstance(r, tuple) else (r,)
    backward = bool(d.get("_backward_hooks"))
    state = None
    if backward:
        state = _State(module, len(args), 0)
        new_args = []
        for i, a in enumerate(args):
            if isinstance(a, Tensor) and a.requires_grad:
                state.pending_in += 1
                a = _hook_in(a, state=state, i=i)
            new_args.append(a)
        args = tuple(new_args)
    out = module.forward(*args, **kwargs)
    for hook in list(d.get("_forward_hooks", {}).values()):
        r = hook(module, args, out)
        if r is not None:
            out = r
    if backward:
        outs = out if isinstance(out, tuple) else (out,)
        wrapped, n = [], 0
        for o in outs:
            if isinstance(o, Tensor) and o.requires_grad:
                o = _hook_out(o, state=state, i=n)
                n += 1
            wrapped.append(o)
        state.n_out = n
        state.grad_outputs = [None] * n
        out = tuple(wrapped) if isinstance(out, tuple) else wrapped[0]
    return out
