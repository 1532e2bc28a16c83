"""The optimizer base class: parameter groups, per-parameter state, ``zero_grad``, state dicts."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd import bump_version, no_grad
from ..hints import Params
from ..tensor import Tensor


class Optimizer:
    """Base class of optimizers (PyTorch's ``torch.optim.Optimizer``).

    ``params`` is an iterable of Tensors, or of dicts (parameter groups) with a
    ``"params"`` list and per-group hyperparameters that override ``defaults``.
    Subclasses implement ``_update(group, p, grad, state)``: it changes ``p.data``
    in place (updates never touch the graph).

    >>> import retrograd as rg
    >>> w = rg.tensor([1.0], requires_grad=True)
    >>> opt = rg.optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.8], requires_grad=True)
    """

    def __init__(self, params: Params, defaults: dict) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict] = []
        self.state: dict = {}
        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of Tensors (e.g. model.parameters()), "
                            "not a single Tensor; wrap it in a list")
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, group: dict) -> None:
        """Add a group of parameters with its own hyperparameters."""
        group = dict(group)
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, got {type(p).__name__}")
            if not p.requires_grad:
                raise ValueError("optimizing a tensor that does not require grad; "
                                 "create it with requires_grad=True (or use rg.nn.Parameter)")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        group["params"] = params
        for k, v in self.defaults.items():
            group.setdefault(k, v)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``.grad = None`` (PyTorch's default) or zeros.

        >>> import retrograd as rg
        >>> w = rg.tensor([1.0], requires_grad=True); opt = rg.optim.SGD([w], lr=0.1)
        >>> (2 * w).sum().backward(); opt.zero_grad(set_to_none=False); w.grad
        tensor([0.])
        """
        for g in self.param_groups:
            for p in g["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                elif grad._node is None and grad.data.flags.writeable:
                    grad.data[...] = 0  # in place, as PyTorch: a write that the version counts
                    bump_version(grad)
                else:
                    p.grad = Tensor(np.zeros_like(p.data))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            from ..autograd import enable_grad
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    g = p.grad.data
                    if group.get("maximize", False):
                        g = -g
                    state = self.state.get(p)
                    if state is None:
                        state = self.state[p] = {}
                    self._update(group, p, g, state)
                    bump_version(p)  # graphs that saved the old values must not backward silently
        return loss

    def _update(self, group, p, grad, state):  # pragma: no cover - abstract
        raise NotImplementedError

    def _scratch(self, p, k: int):
        """A reusable work array shaped like ``p`` (not part of the state).

        Updates write their temporaries here instead of allocating fresh arrays each step:
        large short-lived allocations are what makes NumPy code slow (the allocator hands the
        memory back to the system and every new array page-faults again).
        """
        cache = self.__dict__.setdefault("_scratch_bufs", {})
        bufs = cache.get(p)
        data = p.data
        if bufs is None or bufs[0].shape != data.shape or bufs[0].dtype != data.dtype:
            bufs = cache[p] = [np.empty_like(data), np.empty_like(data)]
        return bufs[k]

    # ----- state dicts --------------------------------------------------------------
    def state_dict(self) -> dict:
        """``{"state": {index: {name: array or number}}, "param_groups": [...]}``, parameters by index.

        >>> import retrograd as rg
        >>> w = rg.tensor([1.0], requires_grad=True)
        >>> rg.optim.Adam([w]).state_dict()["param_groups"][0]["params"]
        [0]
        """
        index: dict[int, int] = {}
        groups = []
        for g in self.param_groups:
            entry = {k: v for k, v in g.items() if k != "params"}
            ids = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            entry["params"] = ids
            groups.append(entry)
        state = {}
        for g in self.param_groups:
            for p in g["params"]:
                if p in self.state:
                    state[index[id(p)]] = {k: (v.copy() if isinstance(v, np.ndarray) else v)
                                           for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyperparameters and state saved by ``state_dict`` (same parameter order)."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(f"load_state_dict: {len(groups)} parameter groups saved, "
                             f"this optimizer has {len(self.param_groups)}")
        params: list[Any] = []
        for saved, own in zip(groups, self.param_groups):
            if len(saved["params"]) != len(own["params"]):
                raise ValueError("load_state_dict: a parameter group has a different number of parameters")
            params.extend(zip(saved["params"], own["params"]))
            for k, v in saved.items():
                if k != "params":
                    own[k] = copy.deepcopy(v)
        self.state = {}
        saved_state = {int(k): v for k, v in state_dict["state"].items()}
        for i, p in params:
            if i in saved_state:
                st = {}
                for k, v in saved_state[i].items():
                    if isinstance(v, np.ndarray) and v.ndim > 0:
                        if v.shape != p.data.shape:
                            raise ValueError(f"load_state_dict: state {k!r} has shape {v.shape}, "
                                             f"the parameter has shape {p.data.shape}")
                        v = v.astype(p.data.dtype, copy=True)
                    elif isinstance(v, np.ndarray):
                        v = v.item()
                    st[k] = v
                self.state[p] = st

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(g):
                if k != "params":
                    lines.append(f"    {k}: {g[k]}")
        lines.append(")")
        return "\n".join(lines)
