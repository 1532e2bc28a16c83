"""Modules: layers that own their parameters (PyTorch's ``torch.nn.Module`` family).

>>> import retrograd as rg
>>> rg.manual_seed(0)
>>> net = rg.nn.Sequential(rg.nn.Linear(2, 3), rg.nn.ReLU(), rg.nn.Linear(3, 1))
>>> [tuple(p.shape) for p in net.parameters()]
[(3, 2), (3,), (1, 3), (1,)]
>>> net(rg.ones(4, 2)).shape
(4, 1)
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple, Self

import numpy as np

from ..backend import check_device, device as device_, get_default_dtype
from ..core import Tensor, apply_unary as _unary
from ..hints import ArrayLike, DTypeLike
from ..ops.elementwise import relu as _relu
from ..ops.nn import linear as _linear
from . import _hooks, functional as F, init

__all__ = [
    "Dropout",
    "Flatten",
    "Identity",
    "Linear",
    "LogSoftmax",
    "Module",
    "ModuleList",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
]


_DEVICE_NAMES = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "tpu")


class Parameter(Tensor):
    """A Tensor that is a module's learnable weight: it requires grad, and assigning it to a
    Module attribute registers it (``module.parameters()`` finds it).

    >>> import retrograd as rg
    >>> p = rg.nn.Parameter(rg.zeros(2))
    >>> p.requires_grad, p.is_leaf
    (True, True)
    """

    __slots__ = ()

    def __init__(self, data: ArrayLike | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.zeros(0, dtype=get_default_dtype())
        if isinstance(data, Tensor):
            data = data.data
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` did not match (PyTorch's ``_IncompatibleKeys``)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


_IncompatibleKeys = IncompatibleKeys


class Module:
    """Base class of all layers and models.

    Subclasses set parameters and sub-modules as attributes in ``__init__`` (after
    ``super().__init__()``) and define ``forward``; calling the module calls ``forward``.

    >>> import retrograd as rg
    >>> class Affine(rg.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.a = rg.nn.Parameter(rg.ones(1))
    ...     def forward(self, x):
    ...         return self.a * x
    >>> m = Affine()
    >>> m(rg.tensor([2.0])), [n for n, _ in m.named_parameters()]
    (tensor([2.], grad_fn=<mul>), ['a'])
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ----- attribute registration ---------------------------------------------------
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {name!r} before Module.__init__() is called; "
                                 "call super().__init__() first in your __init__")
        params, modules, buffers = self._parameters, self._modules, self._buffers
        for d in (params, modules, buffers):
            if name in d and not (d is buffers and not isinstance(value, (Parameter, Module))):
                del d[name]
        if isinstance(value, Parameter):
            params[name] = value
        elif isinstance(value, Module):
            modules[name] = value
        elif name in buffers:
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        d = self.__dict__
        for key in ("_parameters", "_modules", "_buffers"):
            if key in d and name in d[key]:
                return d[key][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name):
        for key in ("_parameters", "_modules", "_buffers"):
            if name in self.__dict__[key]:
                del self.__dict__[key][name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Tensor | None) -> None:
        """Add a parameter (or None) under ``name``."""
        if param is None:
            self._parameters[name] = None
        else:
            setattr(self, name, param if isinstance(param, Parameter) else Parameter(param))

    def register_buffer(self, name: str, value: ArrayLike | None) -> None:
        """Add a non-learnable array that belongs in the ``state_dict`` (e.g. running statistics)."""
        self._buffers[name] = value

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a sub-module under ``name``."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"add_module: {type(module).__name__} is not a Module")
        self._modules[name] = module

    # ----- forward ----------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        if not (d.get("_forward_pre_hooks") or d.get("_forward_hooks") or d.get("_backward_hooks")):
            return self.forward(*args, **kwargs)
        return _hooks.call_with_hooks(self, args, kwargs)

    # ----- hooks ------------------------------------------------------------------------
    def _hook_dict(self, name):
        hooks = self.__dict__.get(name)
        if hooks is None:
            hooks = OrderedDict()
            object.__setattr__(self, name, hooks)
        return hooks

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> _hooks.RemovableHandle:
        """Call ``hook(module, args)`` before ``forward``; a non-None result replaces the args.
        Returns a handle whose ``remove()`` unregisters it.

        >>> import retrograd as rg
        >>> lin = rg.nn.Linear(2, 1)
        >>> h = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
        >>> float(lin(rg.ones(1, 2)).item()) == float(lin.bias.item()); h.remove()
        True
        """
        return _hooks.RemovableHandle(self._hook_dict("_forward_pre_hooks"), hook)

    def register_forward_hook(self, hook: Callable[..., Any]) -> _hooks.RemovableHandle:
        """Call ``hook(module, args, output)`` after ``forward``; a non-None result replaces the
        output. Returns a handle whose ``remove()`` unregisters it.

        >>> import retrograd as rg
        >>> seen = []
        >>> net = rg.nn.Sequential(rg.nn.Linear(2, 3), rg.nn.ReLU())
        >>> h = net[0].register_forward_hook(lambda m, args, out: seen.append(out.shape))
        >>> _ = net(rg.ones(4, 2)); h.remove(); _ = net(rg.ones(4, 2)); seen
        [(4, 3)]
        """
        return _hooks.RemovableHandle(self._hook_dict("_forward_hooks"), hook)

    def register_full_backward_hook(self, hook: Callable[..., Any]) -> _hooks.RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients with respect to the
        module's inputs are known (tuples of Tensors, None for inputs that need no gradient); a
        non-None result replaces ``grad_input``. Returns a handle with ``remove()``.

        >>> import retrograd as rg
        >>> grads = []
        >>> lin = rg.nn.Linear(2, 1)
        >>> h = lin.register_full_backward_hook(lambda m, gi, go: grads.append(go[0].shape))
        >>> lin(rg.ones(3, 2, requires_grad=True)).sum().backward(); grads
        [(3, 1)]
        """
        return _hooks.RemovableHandle(self._hook_dict("_backward_hooks"), hook)

    # ----- traversal ------------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the direct sub-modules, each module once (as PyTorch)."""
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        """The direct sub-modules.

        >>> import retrograd as rg
        >>> len(list(rg.nn.Sequential(rg.nn.ReLU(), rg.nn.Tanh()).children()))
        2
        """
        for _, m in self.named_children():
            yield m

    def named_modules(self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True,
                      _seen: set[int] | None = None) -> Iterator[tuple[str, Module]]:
        """(qualified name, module) for this module and every module below it, each once
        (every occurrence with ``remove_duplicate=False``).

        >>> import retrograd as rg
        >>> [n for n, _ in rg.nn.Sequential(rg.nn.Linear(2, 2), rg.nn.ReLU()).named_modules()]
        ['', '0', '1']
        """
        if isinstance(memo, str):  # named_modules("prefix"), the old positional form
            memo, prefix = None, memo
        seen = (memo if memo is not None else set()) if _seen is None else _seen
        if remove_duplicate:
            if id(self) in seen:
                return
            seen.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is None:
                continue
            yield from m.named_modules(prefix=prefix + ("." if prefix else "") + name,
                                       remove_duplicate=remove_duplicate, _seen=seen)

    def modules(self) -> Iterator[Module]:
        """This module and every module below it."""
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(qualified name, Parameter) pairs, each parameter once, in registration order.

        >>> import retrograd as rg
        >>> [n for n, _ in rg.nn.Sequential(rg.nn.Linear(2, 2)).named_parameters()]
        ['0.weight', '0.bias']
        """
        seen = set()
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mname, m in mods:
            for name, p in m._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield mname + ("." if mname else "") + name, p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The Parameters (the list an optimizer takes).

        >>> import retrograd as rg
        >>> sum(p.numel() for p in rg.nn.Linear(3, 2).parameters())
        8
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Any]]:
        """(qualified name, buffer) pairs."""
        for mname, m in self.named_modules(prefix=prefix):
            for name, b in m._buffers.items():
                if b is not None:
                    yield mname + ("." if mname else "") + name, b

    # ----- modes and gradients ------------------------------------------------------
    def train(self, mode: bool = True) -> Self:
        """Training mode (dropout active) for this module and all below it; returns self."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Self:
        """Evaluation mode (dropout off); returns self.

        >>> import retrograd as rg
        >>> rg.nn.Dropout().eval().training
        False
        """
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Freeze (False) or unfreeze the parameters; returns self."""
        for p in self.parameters():
            p.requires_grad = bool(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the accumulated gradients: ``.grad = None`` (or zeros with ``set_to_none=False``).

        >>> import retrograd as rg
        >>> lin = rg.nn.Linear(2, 1); lin(rg.ones(1, 2)).sum().backward()
        >>> lin.zero_grad(); lin.weight.grad is None
        True
        """
        for p in self.parameters():
            _zero_grad(p, set_to_none)

    def apply(self, fn: Callable[[Module], Any]) -> Self:
        """Call ``fn(module)`` on every sub-module and then on self; returns self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, *args: Any, dtype: DTypeLike = None, device: Any = None, non_blocking: bool = False) -> Self:
        """PyTorch's ``Module.to``: ``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or
        ``to(tensor)``. Parameters and floating buffers are converted in place; returns self.
        The device can only be the CPU (anything else is a clear error).

        >>> import retrograd as rg
        >>> rg.nn.Linear(2, 1).to(rg.float32).weight.dtype
        dtype('float32')
        >>> rg.nn.Linear(2, 1).to(rg.device("cpu")).weight.device
        device(type='cpu')
        """
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, device_) or (isinstance(a, str) and a.split(":")[0] in _DEVICE_NAMES):
                device = a
            else:
                dtype = a
        check_device(device)
        if dtype is None:
            return self
        dt = np.dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"Module.to only accepts floating point dtypes, got {dt}")
        for m in self.modules():
            for p in m._parameters.values():
                if p is not None and p.data.dtype != dt:
                    p.data = p.data.astype(dt)
                    if p.grad is not None:
                        p.grad = None
            for name, b in list(m._buffers.items()):
                if isinstance(b, np.ndarray) and b.dtype.kind == "f":
                    m._buffers[name] = b.astype(dt)
                elif isinstance(b, Tensor) and b.data.dtype.kind == "f":
                    b.data = b.data.astype(dt)
        return self

    def float(self) -> Self:
        """Convert to float32; returns self."""
        return self.to(np.float32)

    def double(self) -> Self:
        """Convert to float64; returns self."""
        return self.to(np.float64)

    # ----- state ----------------------------------------------------------------------
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Parameters and buffers by qualified name, as NumPy arrays (copies).

        Arrays save with ``np.savez`` and load without pickle.

        >>> import retrograd as rg
        >>> list(rg.nn.Linear(2, 1).state_dict())
        ['weight', 'bias']
        """
        out = OrderedDict()
        for name, p in self.named_parameters():
            out[name] = p.data.copy()
        for name, b in self.named_buffers():
            out[name] = np.array(b.data if isinstance(b, Tensor) else b, copy=True)
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values (arrays or Tensors) into the parameters and buffers, in place.

        With ``strict`` (the default) missing or unexpected keys raise KeyError; shapes must
        always match. Returns ``(missing_keys, unexpected_keys)``.

        >>> import retrograd as rg
        >>> a, b = rg.nn.Linear(2, 1), rg.nn.Linear(2, 1)
        >>> b.load_state_dict(a.state_dict())
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        >>> bool((a.weight.numpy() == b.weight.numpy()).all())
        True
        """
        own = OrderedDict(self.named_parameters())
        buffers = OrderedDict(self.named_buffers())
        keys = set(state_dict)
        missing = [k for k in list(own) + list(buffers) if k not in keys]
        unexpected = [k for k in state_dict if k not in own and k not in buffers]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}")
        for name, p in own.items():
            if name not in keys:
                continue
            value = np.asarray(state_dict[name].data if isinstance(state_dict[name], Tensor)
                               else state_dict[name])
            if value.shape != p.data.shape:
                raise ValueError(f"load_state_dict: {name} has shape {p.data.shape} in the model but "
                                 f"{value.shape} in the state dict")
            np.copyto(p.data, value, casting="unsafe")
        for name, b in buffers.items():
            if name in keys:
                value = np.asarray(state_dict[name])
                target = b.data if isinstance(b, Tensor) else b
                np.copyto(target, value, casting="unsafe")
        return _IncompatibleKeys(missing, unexpected)

    # ----- display --------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, m in self.named_children():
            sub = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {sub}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n" + "\n".join(lines) + "\n)"


def _zero_grad(p, set_to_none):
    if p.grad is None:
        return
    if set_to_none:
        p.grad = None
    else:
        p.grad = Tensor(np.zeros_like(p.data))


class Linear(Module):
    """``y = x @ weight.T + bias`` with ``weight`` of shape (out_features, in_features).

    Initialised as ``torch.nn.Linear``: weight and bias uniform in
    ±1/sqrt(in_features) (Kaiming-uniform with a=sqrt(5)), drawn from the seeded generator.

    >>> import retrograd as rg
    >>> lin = rg.nn.Linear(3, 2)
    >>> lin
    Linear(in_features=3, out_features=2, bias=True)
    >>> lin(rg.ones(5, 3)).shape
    (5, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dt = np.dtype(dtype) if dtype is not None else get_default_dtype()
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights as ``torch.nn.Linear`` does."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        p = self._parameters
        w = p["weight"]
        if isinstance(x, Tensor) and x.data.ndim and x.data.shape[-1] == w.data.shape[1]:
            b = p["bias"]  # the common case, checked: straight to the fused primitive
            return _linear(x, w, b) if b is not None else _linear(x, w)
        return F.linear(x, w, p["bias"])

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class ReLU(Module):
    """max(x, 0), elementwise.

    >>> import retrograd as rg
    >>> rg.nn.ReLU()(rg.tensor([-1.0, 1.0]))
    tensor([0., 1.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return _unary(_relu, x) if isinstance(x, Tensor) else F.relu(x)


class Sigmoid(Module):
    """1 / (1 + exp(-x)), elementwise.

    >>> import retrograd as rg
    >>> rg.nn.Sigmoid()(rg.tensor([0.0]))
    tensor([0.5])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x), elementwise.

    >>> import retrograd as rg
    >>> rg.nn.Tanh()(rg.tensor([0.0]))
    tensor([0.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class Identity(Module):
    """Returns its input.

    >>> import retrograd as rg
    >>> rg.nn.Identity()(rg.tensor([1.0]))
    tensor([1.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return x


class Flatten(Module):
    """Flatten the axes ``start_dim`` to ``end_dim`` (inclusive) into one (images to vectors).

    >>> import retrograd as rg
    >>> rg.nn.Flatten()(rg.zeros(2, 3, 4)).shape
    (2, 12)
    >>> rg.nn.Flatten(0, 1)(rg.zeros(2, 3, 4)).shape
    (6, 4)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        s = tuple(x.shape)
        if not s:
            return x.reshape(1)
        for d in (self.start_dim, self.end_dim):
            if not -len(s) <= d < len(s):
                raise IndexError(f"Flatten: dimension {d} is out of range for a tensor with {len(s)} "
                                 "dimension(s)")
        a, b = self.start_dim % len(s), self.end_dim % len(s)
        if a > b:
            raise ValueError(f"Flatten: start_dim {self.start_dim} comes after end_dim {self.end_dim} "
                             f"for a {len(s)}-D input")
        return x.reshape(s[:a] + (int(np.prod(s[a:b + 1])),) + s[b + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Softmax(Module):
    """softmax along ``dim``.

    >>> import retrograd as rg
    >>> rg.nn.Softmax(dim=-1)(rg.tensor([0.0, 0.0]))
    tensor([0.5, 0.5])
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.dim)


class LogSoftmax(Module):
    """log_softmax along ``dim``.

    >>> import retrograd as rg
    >>> rg.nn.LogSoftmax(dim=-1)(rg.tensor([0.0, 0.0]))
    tensor([-0.69314718, -0.69314718])
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.dim)


class Dropout(Module):
    """In training mode, zero each element with probability ``p`` and scale the rest by 1/(1-p);
    in evaluation mode, the identity. Uses the seeded generator.

    >>> import retrograd as rg
    >>> rg.nn.Dropout(0.5).eval()(rg.ones(2))
    tensor([1., 1.])
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Sequential(Module):
    """Modules applied one after the other; indexable like a list.

    >>> import retrograd as rg
    >>> net = rg.nn.Sequential(rg.nn.Linear(2, 2), rg.nn.Tanh())
    >>> len(net), type(net[1]).__name__
    (2, 'Tanh')
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def __getitem__(self, idx):
        mods = list(self._modules.values())
        if isinstance(idx, slice):
            return Sequential(*mods[idx])
        return mods[idx]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module: Module) -> Self:
        """Add a module at the end; returns self."""
        self.add_module(str(len(self._modules)), module)
        return self

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x


class ModuleList(Module):
    """A list of modules whose parameters are registered.

    >>> import retrograd as rg
    >>> layers = rg.nn.ModuleList([rg.nn.Linear(2, 2) for _ in range(3)])
    >>> len(list(layers.parameters()))
    6
    """

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> Self:
        """Add a module at the end; returns self."""
        self.add_module(str(len(self._modules)), module)
        return self

    def __getitem__(self, idx):
        return list(self._modules.values())[idx]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())
