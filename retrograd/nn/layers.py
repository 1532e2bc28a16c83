"""Convolution, pooling, normalisation, embedding and container modules (PyTorch's names,
arguments, initialisation and ``state_dict`` keys).

>>> import retrograd as rg
>>> rg.manual_seed(0)
>>> net = rg.nn.Sequential(rg.nn.Conv2d(1, 4, 3, padding=1), rg.nn.BatchNorm2d(4), rg.nn.ReLU(),
...                        rg.nn.MaxPool2d(2), rg.nn.Flatten(), rg.nn.Linear(4 * 4 * 4, 10))
>>> net(rg.randn(2, 1, 8, 8)).shape
(2, 10)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Self

import numpy as np

from ..backend import get_default_dtype
from ..hints import ArrayLike, DTypeLike
from ..tensor import Tensor
from . import functional as F, init
from .modules import Dropout, Module, Parameter

__all__ = [
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "Dropout2d",
    "Embedding",
    "GroupNorm",
    "LayerNorm",
    "MaxPool1d",
    "MaxPool2d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "ModuleDict",
    "ParameterList",
    "Unflatten",
    "Upsample",
]


def _tuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _dtype(dtype):
    return np.dtype(dtype) if dtype is not None else get_default_dtype()


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    _nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, ...],
                 stride: int | tuple[int, ...] = 1, padding: int | tuple[int, ...] | str = 0,
                 dilation: int | tuple[int, ...] = 1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", dtype: DTypeLike = None) -> None:
        super().__init__()
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{type(self).__name__}: padding_mode must be one of {_PADDING_MODES}, "
                             f"got {padding_mode!r}")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"{type(self).__name__}: padding must be 'same', 'valid', an int or a tuple, "
                             f"got {padding!r}")
        if padding == "same" and any(v != 1 for v in _tuple(stride, self._nd)):
            raise ValueError(f"{type(self).__name__}: padding='same' is not supported for strided convolutions")
        self.padding_mode = padding_mode
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{type(self).__name__}: groups={groups} must divide in_channels={in_channels} "
                             f"and out_channels={out_channels}")
        n = self._nd
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size, self.stride = _tuple(kernel_size, n), _tuple(stride, n)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, n)
        self.dilation, self.groups = _tuple(dilation, n), int(groups)
        dt = _dtype(dtype)
        self.weight = Parameter(np.empty((out_channels, in_channels // groups) + self.kernel_size, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _padded_input(self, x):
        """``x`` padded by ``padding_mode`` (reflect, replicate, circular): the convolution then pads
        nothing. With ``'zeros'`` the convolution pads, and ``x`` is returned as it is."""
        if self.padding_mode == "zeros":
            return x, self.padding
        pads = []   # F.pad's order: last dimension first, (before, after) each
        for k, d, p in reversed(list(zip(self.kernel_size, self.dilation, _tuple(self.padding, self._nd)))):
            if p == "same":
                total = d * (k - 1)
                pads += [total // 2, total - total // 2]
            else:
                p = 0 if p == "valid" else p
                pads += [p, p]
        return F.pad(x, tuple(pads), mode=self.padding_mode), 0

    def reset_parameters(self) -> None:
        """Draw fresh weights as PyTorch does (Kaiming-uniform with a=sqrt(5), bias U(±1/sqrt(fan_in)))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.data[0].size
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution over (N, C, H, W): weight (out, in/groups, kh, kw), bias (out,).

    >>> import retrograd as rg
    >>> conv = rg.nn.Conv2d(3, 8, 5, stride=2, padding=2)
    >>> conv(rg.zeros(1, 3, 28, 28)).shape
    (1, 8, 14, 14)
    """

    def forward(self, x: Tensor) -> Tensor:
        x, padding = self._padded_input(x)
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-D convolution over (N, C, L): weight (out, in/groups, k), bias (out,).

    >>> import retrograd as rg
    >>> rg.nn.Conv1d(2, 4, 3)(rg.zeros(1, 2, 10)).shape
    (1, 4, 8)
    """

    _nd = 1

    def forward(self, x: Tensor) -> Tensor:
        x, padding = self._padded_input(x)
        return F.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution ("deconvolution"): weight (in, out, kh, kw), bias (out,);
    the output is ``(H - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1`` high.

    >>> import retrograd as rg
    >>> rg.nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1)(rg.zeros(1, 8, 7, 7)).shape
    (1, 4, 14, 14)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, ...],
                 stride: int | tuple[int, ...] = 1, padding: int | tuple[int, ...] = 0,
                 output_padding: int | tuple[int, ...] = 0, groups: int = 1, bias: bool = True,
                 dilation: int | tuple[int, ...] = 1, padding_mode: str = "zeros", dtype: DTypeLike = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}, '
                             f"got {padding_mode!r}")
        super().__init__(out_channels, in_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype)
        self.output_padding = _tuple(output_padding, self._nd)
        # _ConvNd made a (in, out/groups, ...) weight under swapped names: put the names right
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=self.weight.data.dtype))
            fan_in = self.weight.data[0].size  # PyTorch's fan_in for the transposed weight
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride,
                                  self.padding,  # type: ignore[arg-type]  # never a string here (__init__ takes none)
                                  self.output_padding, self.groups, self.dilation)


class ConvTranspose1d(ConvTranspose2d):
    """Transposed 1-D convolution over (N, C, L): weight (in, out/groups, k), bias (out,).

    >>> import retrograd as rg
    >>> rg.nn.ConvTranspose1d(8, 4, 4, stride=2, padding=1)(rg.zeros(1, 8, 7)).shape
    (1, 4, 14)
    """

    _nd = 1

    def forward(self, x: Tensor) -> Tensor:
        return F.conv_transpose1d(x, self.weight, self.bias, self.stride,
                                  self.padding,  # type: ignore[arg-type]  # never a string here (__init__ takes none)
                                  self.output_padding, self.groups, self.dilation)


class _Pool(Module):
    def __init__(self, kernel_size: int | tuple[int, ...], stride: int | tuple[int, ...] | None = None,
                 padding: int | tuple[int, ...] = 0, **kw: Any) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        for k, v in kw.items():
            setattr(self, k, v)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool):
    """Maximum over windows of (N, C, H, W); ``stride`` defaults to ``kernel_size``.

    >>> import retrograd as rg
    >>> rg.nn.MaxPool2d(2)(rg.zeros(1, 3, 8, 8)).shape
    (1, 3, 4, 4)
    """

    def __init__(self, kernel_size: int | tuple[int, ...], stride: int | tuple[int, ...] | None = None,
                 padding: int | tuple[int, ...] = 0, dilation: int | tuple[int, ...] = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, dilation=dilation, return_indices=return_indices,
                         ceil_mode=ceil_mode)

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)


class AvgPool2d(_Pool):
    """Mean over windows of (N, C, H, W); ``stride`` defaults to ``kernel_size``.

    >>> import retrograd as rg
    >>> rg.nn.AvgPool2d(2)(rg.ones(1, 1, 2, 2))
    tensor([[[[1.]]]])
    """

    def __init__(self, kernel_size: int | tuple[int, ...], stride: int | tuple[int, ...] | None = None,
                 padding: int | tuple[int, ...] = 0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode=ceil_mode,
                         count_include_pad=count_include_pad, divisor_override=divisor_override)

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class MaxPool1d(_Pool):
    """Maximum over windows of (N, C, L).

    >>> import retrograd as rg
    >>> rg.nn.MaxPool1d(2)(rg.zeros(1, 3, 8)).shape
    (1, 3, 4)
    """

    def __init__(self, kernel_size: int | tuple[int, ...], stride: int | tuple[int, ...] | None = None,
                 padding: int | tuple[int, ...] = 0, dilation: int | tuple[int, ...] = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, dilation=dilation, return_indices=return_indices,
                         ceil_mode=ceil_mode)

    def forward(self, x: Tensor) -> Any:
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)


class MaxUnpool2d(_Pool):
    """The partial inverse of :class:`MaxPool2d`: ``unpool(y, indices, output_size=None)`` puts each
    value back where the pooling found it, zeros elsewhere.

    >>> import retrograd as rg
    >>> y, i = rg.nn.MaxPool2d(2, return_indices=True)(rg.arange(16.0).reshape(1, 1, 4, 4))
    >>> rg.nn.MaxUnpool2d(2)(y, i).shape
    (1, 1, 4, 4)
    """

    def forward(self, x: Tensor, indices: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        return F.max_unpool2d(x, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool1d(_Pool):
    """The partial inverse of :class:`MaxPool1d` (see :class:`MaxUnpool2d`).

    >>> import retrograd as rg
    >>> y, i = rg.nn.MaxPool1d(2, return_indices=True)(rg.arange(6.0).reshape(1, 1, 6))
    >>> rg.nn.MaxUnpool1d(2)(y, i)
    tensor([[[0., 1., 0., 3., 0., 5.]]])
    """

    def forward(self, x: Tensor, indices: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        return F.max_unpool1d(x, indices, self.kernel_size, self.stride, self.padding, output_size)


class AvgPool1d(_Pool):
    """Mean over windows of (N, C, L).

    >>> import retrograd as rg
    >>> rg.nn.AvgPool1d(2)(rg.ones(1, 1, 4))
    tensor([[[1., 1.]]])
    """

    def __init__(self, kernel_size: int | tuple[int, ...], stride: int | tuple[int, ...] | None = None,
                 padding: int | tuple[int, ...] = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad)

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class AdaptiveAvgPool2d(Module):
    """Average (N, C, H, W) down to ``output_size`` (PyTorch's window bounds).

    >>> import retrograd as rg
    >>> rg.nn.AdaptiveAvgPool2d((1, 1))(rg.ones(2, 3, 5, 7)).shape
    (2, 3, 1, 1)
    """

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _BatchNorm(Module):
    _dims: tuple[int, ...] = (2, 3)
    # Buffers (arrays), or None without track_running_stats.
    running_mean: Any
    running_var: Any
    num_batches_tracked: Any

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dt = _dtype(dtype)
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dt))
            self.bias = Parameter(np.zeros(num_features, dtype=dt))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=dt))
            self.register_buffer("running_var", np.ones(num_features, dtype=dt))
            self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def reset_running_stats(self) -> None:
        """Running mean 0, variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean[...] = 0
            self.running_var[...] = 1
            self.num_batches_tracked[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self._dims:
            raise ValueError(f"{type(self).__name__}: expected a {' or '.join(map(str, self._dims))}-D input, "
                             f"got shape {tuple(x.shape)}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): the input has {x.shape[1]} "
                             "channels (axis 1)")
        momentum = self.momentum
        use_batch = self.training or not self.track_running_stats
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
            if momentum is None:  # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked)
        update = self.training and self.track_running_stats
        return F.batch_norm(x, self.running_mean if update or not use_batch else None,
                            self.running_var if update or not use_batch else None,
                            self.weight, self.bias, use_batch, momentum or 0.0, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) per channel, with running statistics for ``eval()``.

    >>> import retrograd as rg
    >>> bn = rg.nn.BatchNorm1d(2)
    >>> bn(rg.tensor([[1.0, 2.0], [3.0, 6.0]])).detach()
    tensor([[-0.999995  , -0.99999875],
            [ 0.999995  ,  0.99999875]])
    >>> bn.running_mean
    array([0.2, 0.4])
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) per channel, with running statistics for ``eval()``.

    >>> import retrograd as rg
    >>> bn = rg.nn.BatchNorm2d(3).eval()
    >>> bn(rg.zeros(1, 3, 2, 2)).shape
    (1, 3, 2, 2)
    """

    _dims = (4,)


class LayerNorm(Module):
    """Normalise over the last axes (``normalized_shape``), then a learned scale and shift.

    >>> import retrograd as rg
    >>> rg.nn.LayerNorm(2, eps=0.0)(rg.tensor([[1.0, 3.0]])).detach()
    tensor([[-1.,  1.]])
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, dtype: DTypeLike = None) -> None:
        super().__init__()
        self.normalized_shape = _tuple(normalized_shape, 1)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        dt = _dtype(dtype)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dt))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    """Normalise groups of channels of each sample, then a per-channel scale and shift.

    >>> import retrograd as rg
    >>> rg.nn.GroupNorm(2, 4)(rg.randn(3, 4, 5)).shape
    (3, 4, 5)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels={num_channels} must be divisible by num_groups={num_groups}")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        dt = _dtype(dtype)
        if affine:
            self.weight = Parameter(np.ones(num_channels, dtype=dt))
            self.bias = Parameter(np.zeros(num_channels, dtype=dt))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class Embedding(Module):
    """A lookup table: integer indices of any shape to rows of ``weight`` (num_embeddings, dim),
    initialised N(0, 1). The row at ``padding_idx`` starts at zero and gets no gradient.

    >>> import retrograd as rg
    >>> emb = rg.nn.Embedding(10, 3, padding_idx=0)
    >>> emb(rg.tensor([[0, 4], [2, 0]], dtype=rg.int64)).shape, float(emb.weight[0].abs().sum())
    ((2, 2, 3), 0.0)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 _weight: ArrayLike | None = None, dtype: DTypeLike = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx={padding_idx} is out of range for "
                                 f"{num_embeddings} embeddings")
            padding_idx = padding_idx % num_embeddings
        self.padding_idx = padding_idx
        if _weight is not None:
            self.weight = Parameter(np.array(_weight.data if isinstance(_weight, Tensor) else _weight))
        else:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=_dtype(dtype)))
            init.normal_(self.weight)
            if padding_idx is not None:
                self.weight.data[padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings: ArrayLike, freeze: bool = True,
                        padding_idx: int | None = None) -> Embedding:
        """An Embedding whose weight is ``embeddings`` (frozen unless ``freeze=False``).

        >>> import retrograd as rg
        >>> rg.nn.Embedding.from_pretrained(rg.eye(2)).weight.requires_grad
        False
        """
        w = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        m = cls(w.shape[0], w.shape[1], padding_idx=padding_idx, _weight=w)
        m.weight.requires_grad = not freeze
        return m

    def forward(self, idx: ArrayLike) -> Tensor:
        return F.embedding(idx, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")


class Dropout2d(Dropout):
    """Zero whole channels with probability ``p`` in training (identity in ``eval()``).

    >>> import retrograd as rg
    >>> rg.nn.Dropout2d().eval()(rg.ones(1, 2, 2, 2)).shape
    (1, 2, 2, 2)
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout2d(x, self.p, self.training)


class Unflatten(Module):
    """Split axis ``dim`` into ``unflattened_size``.

    >>> import retrograd as rg
    >>> rg.nn.Unflatten(1, (2, 3))(rg.zeros(4, 6)).shape
    (4, 2, 3)
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x: Tensor) -> Tensor:
        s = tuple(x.shape)
        d = self.dim % len(s)
        return x.reshape(s[:d] + self.unflattened_size + s[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Upsample(Module):
    """Resize with :func:`retrograd.nn.functional.interpolate`.

    >>> import retrograd as rg
    >>> rg.nn.Upsample(scale_factor=2)(rg.zeros(1, 1, 2, 2)).shape
    (1, 1, 4, 4)
    """

    def __init__(self, size: int | tuple[int, ...] | None = None,
                 scale_factor: float | tuple[float, ...] | None = None, mode: str = "nearest",
                 align_corners: bool | None = None) -> None:
        super().__init__()
        self.size, self.scale_factor, self.mode, self.align_corners = size, scale_factor, mode, align_corners

    def forward(self, x: Tensor) -> Tensor:
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners)


class ModuleDict(Module):
    """Sub-modules by name (registered, so their parameters are found).

    >>> import retrograd as rg
    >>> d = rg.nn.ModuleDict({"enc": rg.nn.Linear(2, 2), "act": rg.nn.ReLU()})
    >>> list(d.keys()), len(list(d.parameters()))
    (['enc', 'act'], 2)
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        """The names."""
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        """The modules."""
        return self._modules.values()

    def items(self) -> Iterable[tuple[str, Module]]:
        """(name, module) pairs."""
        return self._modules.items()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (name, module) pairs from a dict or an iterable of pairs."""
        items = modules.items() if isinstance(modules, (Mapping, ModuleDict)) else modules
        for k, m in items:
            self.add_module(k, m)

    def pop(self, key: str) -> Module:
        """Remove and return the module ``key``."""
        return self._modules.pop(key)


class ParameterList(Module):
    """A list of Parameters (registered, so ``parameters()`` and optimizers find them).

    >>> import retrograd as rg
    >>> pl = rg.nn.ParameterList([rg.nn.Parameter(rg.zeros(2)) for _ in range(3)])
    >>> len(pl), len(list(pl.parameters()))
    (3, 3)
    """

    def __init__(self, values: Iterable[Tensor] | None = None) -> None:
        super().__init__()
        for v in values or ():
            self.append(v)

    def append(self, value: Tensor) -> Self:
        """Add a parameter (a Tensor is wrapped in a Parameter); returns self."""
        self.register_parameter(str(len(self._parameters)), value)
        return self

    def extend(self, values: Iterable[Tensor]) -> Self:
        """Append every parameter of ``values``; returns self."""
        for v in values:
            self.append(v)
        return self

    def __getitem__(self, idx: int) -> Parameter:
        return list(self._parameters.values())[idx]

    def __setitem__(self, idx: int, value: Tensor) -> None:
        self._parameters[str(idx % len(self))] = value if isinstance(value, Parameter) else Parameter(value)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())
