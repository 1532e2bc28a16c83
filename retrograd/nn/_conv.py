"""Convolution, pooling and resizing (re-exported by :mod:`retrograd.nn.functional`).

Every function here is composed from primitives: the windows come from
:func:`retrograd.ops.conv.im2col` and a convolution is then one ``linear``
(matrix product plus bias) over them, so values, gradients and higher
derivatives all follow from the primitives' rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import functions as _f
from ..errors import ShapeError
from ..functions_shape import pad as _pad
from ..ops import conv as _conv
from ..tensor import Tensor, tensor

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "interpolate",
    "max_pool1d",
    "max_pool2d",
    "max_unpool1d",
    "max_unpool2d",
]


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


def _pair(v: int | tuple[int, ...] | list[int], name: str) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {v!r}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _batched(x, nd, name):
    """Add a batch axis to an unbatched input (PyTorch accepts (C, H, W) as well as (N, C, H, W))."""
    x = _as_tensor(x)
    if x.ndim == nd:
        return _f.unsqueeze(x, 0), True
    if x.ndim != nd + 1:
        raise ShapeError(f"{name}: expected a {nd + 1}-D input (N, C, {'H, W' if nd == 3 else 'L'}) "
                         f"or a {nd}-D one without the batch axis, got shape {x.shape}")
    return x, False


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int | tuple[int, ...] = 1,
           padding: int | tuple[int, ...] | str = 0, dilation: int | tuple[int, ...] = 1,
           groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as PyTorch) of (N, C, H, W) with a weight (O, C/groups, kh, kw).

    ``padding`` may be an int, a pair, ``"valid"`` or ``"same"`` (stride 1). One matrix
    product over the input's windows (im2col), plus the bias.

    >>> import retrograd as rg
    >>> x = rg.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d(x, rg.ones(1, 1, 2, 2), stride=2)
    tensor([[[[10., 18.],
              [42., 50.]]]])
    """
    x, unbatched = _batched(input, 3, "conv2d")
    w = _as_tensor(weight)
    if w.ndim != 4:
        raise ShapeError(f"conv2d: weight must be 4-D (out_channels, in_channels/groups, kh, kw), got {w.shape}")
    c = x.shape[1]
    o, cg, kh, kw = w.shape
    groups = int(groups)
    if groups < 1 or c % groups or o % groups:
        raise ValueError(f"conv2d: groups={groups} must divide both the input channels ({c}) "
                         f"and the output channels ({o})")
    if cg * groups != c:
        raise ShapeError(f"conv2d: the input has {c} channels but the weight {tuple(w.shape)} expects "
                         f"{cg * groups} (in_channels/groups = {cg}, groups = {groups})")
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError("conv2d: padding='same' needs stride 1")
            tot = (dilation[0] * (kh - 1), dilation[1] * (kw - 1))
            if tot[0] % 2 or tot[1] % 2:  # uneven: pad the far side one more, as PyTorch
                x = _pad(x, (tot[1] // 2, tot[1] - tot[1] // 2, tot[0] // 2, tot[0] - tot[0] // 2))
                padding = (0, 0)
            else:
                padding = (tot[0] // 2, tot[1] // 2)
        else:
            raise ValueError(f"conv2d: padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    padding = _pair(padding, "padding")
    h, wd = x.shape[-2:]
    ho = _conv.out_size(h, kh, stride[0], padding[0], dilation[0])
    wo = _conv.out_size(wd, kw, stride[1], padding[1], dilation[1])
    if ho < 1 or wo < 1:
        raise ShapeError(f"conv2d: the kernel {(kh, kw)} (dilation {dilation}) is larger than the padded "
                         f"input {(h + 2 * padding[0], wd + 2 * padding[1])}")
    b = None if bias is None else _as_tensor(bias)
    out = _conv.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    return out[0] if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int | tuple[int, ...] = 1,
           padding: int | tuple[int, ...] | str = 0, dilation: int | tuple[int, ...] = 1,
           groups: int = 1) -> Tensor:
    """1-D convolution of (N, C, L) with a weight (O, C/groups, k): ``conv2d`` with a height of 1.

    >>> import retrograd as rg
    >>> conv1d(rg.tensor([[[1.0, 2.0, 3.0]]]), rg.tensor([[[1.0, -1.0]]]))
    tensor([[[-1., -1.]]])
    """
    x, unbatched = _batched(input, 2, "conv1d")
    w = _as_tensor(weight)
    if w.ndim != 3:
        raise ShapeError(f"conv1d: weight must be 3-D (out_channels, in_channels/groups, k), got {w.shape}")
    one = lambda v: (1, v[0] if isinstance(v, (tuple, list)) else v)  # noqa: E731
    pad = padding if isinstance(padding, str) else (0, padding[0] if isinstance(padding, (tuple, list)) else padding)
    out = conv2d(_f.unsqueeze(x, 2), _f.unsqueeze(w, 2), bias, stride=one(stride), padding=pad,
                 dilation=one(dilation), groups=groups)
    out = _f.squeeze(out, 2)
    return out[0] if unbatched else out


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: int | tuple[int, ...] = 1, padding: int | tuple[int, ...] = 0,
                     output_padding: int | tuple[int, ...] = 0, groups: int = 1,
                     dilation: int | tuple[int, ...] = 1) -> Tensor:
    """Transposed 2-D convolution (the gradient of ``conv2d`` with respect to its input) of
    (N, C_in, H, W) with a weight (C_in, C_out/groups, kh, kw): one matrix product per group, then
    ``col2im`` adds the windows into the output.

    >>> import retrograd as rg
    >>> conv_transpose2d(rg.ones(1, 1, 2, 2), rg.ones(1, 1, 2, 2), stride=2).shape
    (1, 1, 4, 4)
    """
    x, unbatched = _batched(input, 3, "conv_transpose2d")
    w = _as_tensor(weight)
    groups = int(groups)
    if groups < 1 or x.shape[1] % groups:
        raise ValueError(f"conv_transpose2d: groups={groups} must divide the input channels ({x.shape[1]})")
    if w.ndim != 4 or w.shape[0] != x.shape[1]:
        raise ShapeError(f"conv_transpose2d: weight must be (in_channels={x.shape[1]}, out_channels/groups, kh, kw), "
                         f"got {w.shape}")
    n, cin, h, wd = x.shape
    _, cg, kh, kw = w.shape
    cout = cg * groups
    stride, padding = _pair(stride, "stride"), _pair(padding, "padding")
    dilation, op = _pair(dilation, "dilation"), _pair(output_padding, "output_padding")
    if op[0] >= max(stride[0], dilation[0]) or op[1] >= max(stride[1], dilation[1]):
        raise ValueError(f"conv_transpose2d: output_padding {op} must be smaller than the stride or the dilation")
    ho = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + op[0] + 1
    wo = (wd - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + op[1] + 1
    if ho < 1 or wo < 1:
        raise ShapeError(f"conv_transpose2d: the output would be {(ho, wo)}; reduce the padding")
    # per group: (C_out/groups * kh * kw, C_in/groups) @ (C_in/groups, N*H*W), then col2im adds the windows
    rows = _f.reshape(_f.transpose(x, (1, 0, 2, 3)), (groups, cin // groups, n * h * wd))
    w3 = _f.transpose(_f.reshape(w, (groups, cin // groups, cg * kh * kw)), (0, 2, 1))
    cols = _f.reshape(_f.matmul(w3, rows), (cout, kh, kw, n, h, wd))
    out = _conv.col2im(cols, (cout, ho, wo), (kh, kw), stride, padding, dilation)
    if bias is not None:
        out = out + _f.reshape(bias, (cout, 1, 1))
    return out[0] if unbatched else out


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: int | tuple[int, ...] = 1, padding: int | tuple[int, ...] = 0,
                     output_padding: int | tuple[int, ...] = 0, groups: int = 1,
                     dilation: int | tuple[int, ...] = 1) -> Tensor:
    """Transposed 1-D convolution of (N, C_in, L) with a weight (C_in, C_out/groups, k):
    :func:`conv_transpose2d` with a height of 1.

    >>> import retrograd as rg
    >>> conv_transpose1d(rg.tensor([[[1.0, 2.0]]]), rg.tensor([[[1.0, 1.0]]]))
    tensor([[[1., 3., 2.]]])
    """
    x, unbatched = _batched(input, 2, "conv_transpose1d")
    w = _as_tensor(weight)
    if w.ndim != 3:
        raise ShapeError(f"conv_transpose1d: weight must be 3-D (in_channels, out_channels/groups, k), got {w.shape}")
    out = conv_transpose2d(_f.unsqueeze(x, 2), _f.unsqueeze(w, 2), bias, (1, _first(stride)), (0, _first(padding)),
                           (0, _first(output_padding)), groups, (1, _first(dilation)))
    out = _f.squeeze(out, 2)
    return out[0] if unbatched else out


def _pool_args(kernel_size, stride, padding, dilation):
    k = _pair(kernel_size, "kernel_size")
    s = k if stride is None or (isinstance(stride, (tuple, list)) and not stride) else _pair(stride, "stride")
    p = _pair(padding, "padding")
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"pool: padding {p} should be at most half of the kernel size {k}")
    return k, s, p, _pair(dilation, "dilation")


def _ceil_extra(n, k, s, p, d, ceil_mode):
    """Extra padding at the far end that ceil mode's last window needs (0 in floor mode).

    PyTorch's rule: the output has ceil((n + 2p - d(k-1) - 1) / s) + 1 windows, less the last one
    if it would start past the input and its near padding.
    """
    if not ceil_mode:
        return 0
    span = d * (k - 1) + 1
    out = -(-(n + 2 * p - span) // s) + 1
    if (out - 1) * s >= n + p:
        out -= 1
    return max(0, (out - 1) * s + span - (n + 2 * p))


def _lowest(dtype):
    return -np.inf if np.dtype(dtype).kind == "f" else np.iinfo(dtype).min


def _check_windows(name, shape, k, s, p, d, extra):
    for n, kk, ss, pp, dd, ee in zip(shape, k, s, p, d, extra):
        if _conv.out_size(n + ee, kk, ss, pp, dd) < 1:
            raise ShapeError(f"{name}: the window {tuple(k)} (dilation {tuple(d)}) is larger than the padded "
                             f"input {tuple(n + 2 * pp for n, pp in zip(shape, p))}")


def max_pool2d(input: Tensor, kernel_size: int | tuple[int, ...],
               stride: int | tuple[int, ...] | None = None, padding: int | tuple[int, ...] = 0,
               dilation: int | tuple[int, ...] = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """Maximum over each window of (N, C, H, W). The gradient goes to the first maximum of a
    window (PyTorch's choice), padding never wins. ``ceil_mode`` keeps a last partial window;
    ``return_indices`` also returns where each maximum is (flat indices into H * W, int64), as
    :func:`max_unpool2d` takes them.

    >>> import retrograd as rg
    >>> max_pool2d(rg.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    >>> max_pool2d(rg.arange(9.0).reshape(1, 3, 3), 2, ceil_mode=True, return_indices=True)[1]
    tensor([[[4, 5],
             [7, 8]]])
    """
    x, unbatched = _batched(input, 3, "max_pool2d")
    k, s, p, d = _pool_args(kernel_size, stride, padding, dilation)
    h, w = x.shape[-2:]
    eh, ew = (_ceil_extra(n, *a, ceil_mode) for n, a in zip((h, w), zip(k, s, p, d)))
    _check_windows("max_pool2d", (h, w), k, s, p, d, (eh, ew))
    xin = _pad(x, (0, ew, 0, eh), value=_lowest(x.dtype)) if eh or ew else x
    out = _conv.max_pool(xin, kernel=k, stride=s, padding=p, dilation=d)
    if return_indices:
        idx = tensor(_conv.max_pool_indices(xin.data, out.data, k, s, p, d, w))
        return (out[0], idx[0]) if unbatched else (out, idx)
    return out[0] if unbatched else out


def avg_pool2d(input: Tensor, kernel_size: int | tuple[int, ...],
               stride: int | tuple[int, ...] | None = None, padding: int | tuple[int, ...] = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over each window of (N, C, H, W), with PyTorch's divisors: zero padding counts
    (``count_include_pad``, the default) but ceil mode's overhang never does; ``divisor_override``
    replaces the count.

    >>> import retrograd as rg
    >>> avg_pool2d(rg.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5,  4.5],
              [10.5, 12.5]]]])
    """
    x, unbatched = _batched(input, 3, "avg_pool2d")
    k, s, p, d = _pool_args(kernel_size, stride, padding, 1)
    h, w = x.shape[-2:]
    eh, ew = (_ceil_extra(n, *a, ceil_mode) for n, a in zip((h, w), zip(k, s, p, d)))
    _check_windows("avg_pool2d", (h, w), k, s, p, d, (eh, ew))
    if divisor_override is not None and int(divisor_override) == 0:
        raise ValueError("avg_pool2d: divisor_override must not be zero")
    xin = _pad(x, (0, ew, 0, eh)) if eh or ew else x
    cols = _conv.im2col(xin, kernel=k, stride=s, padding=p, dilation=d)   # (C, kh, kw, N, Ho, Wo)
    total = _f.sum(cols, axis=(1, 2))
    if divisor_override:
        out = total / float(divisor_override)
    elif (count_include_pad or p == (0, 0)) and not (eh or ew):
        out = total / float(k[0] * k[1])
    else:   # count the cells of each window inside the input (and its padding, if they count)
        ones = np.ones((1, 1, h + 2 * p[0], w + 2 * p[1]) if count_include_pad else (1, 1, h, w), dtype=x.dtype)
        q = (0, 0) if count_include_pad else p
        ones = np.pad(ones, ((0, 0), (0, 0), (q[0], q[0] + eh), (q[1], q[1] + ew)))
        counts = _conv.im2col(ones, kernel=k, stride=s, padding=(0, 0), dilation=d).sum(axis=(1, 2))
        out = total / counts
    out = _f.transpose(out, (1, 0, 2, 3))
    return out[0] if unbatched else out


def _first(v):
    return v[0] if isinstance(v, (tuple, list)) else v


def max_pool1d(input: Tensor, kernel_size: int | tuple[int, ...],
               stride: int | tuple[int, ...] | None = None, padding: int | tuple[int, ...] = 0,
               dilation: int | tuple[int, ...] = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """Maximum over each window of (N, C, L) (options as :func:`max_pool2d`; indices into L).

    >>> import retrograd as rg
    >>> max_pool1d(rg.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[3., 2.]]])
    """
    out = max_pool2d(_f.unsqueeze(_as_tensor(input), -2), (1, _first(kernel_size)),
                     None if stride is None else (1, _first(stride)), (0, _first(padding)),
                     (1, _first(dilation)), ceil_mode, return_indices)
    if return_indices:
        return _f.squeeze(out[0], -2), _f.squeeze(out[1], -2)
    return _f.squeeze(out, -2)


def avg_pool1d(input: Tensor, kernel_size: int | tuple[int, ...],
               stride: int | tuple[int, ...] | None = None, padding: int | tuple[int, ...] = 0,
               ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over each window of (N, C, L).

    >>> import retrograd as rg
    >>> avg_pool1d(rg.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[2., 1.]]])
    """
    out = avg_pool2d(_f.unsqueeze(_as_tensor(input), -2), (1, _first(kernel_size)),
                     None if stride is None else (1, _first(stride)), (0, _first(padding)), ceil_mode,
                     count_include_pad)
    return _f.squeeze(out, -2)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: int | tuple[int, ...],
                 stride: int | tuple[int, ...] | None = None, padding: int | tuple[int, ...] = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """The partial inverse of :func:`max_pool2d`: each value of (N, C, H, W) goes back to the place
    ``indices`` (from ``max_pool2d(..., return_indices=True)``) names, zeros elsewhere. The output is
    ``(H - 1) * stride - 2 * padding + kernel_size`` high unless ``output_size`` says otherwise.

    >>> import retrograd as rg
    >>> y, i = max_pool2d(rg.tensor([[[1.0, 4.0], [3.0, 2.0]]]), 2, return_indices=True)
    >>> max_unpool2d(y, i, 2)
    tensor([[[0., 4.],
             [0., 0.]]])
    """
    x, unbatched = _batched(input, 3, "max_unpool2d")
    idx = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
    if unbatched:
        idx = idx[None]
    if idx.shape != x.shape:
        raise ShapeError(f"max_unpool2d: indices have shape {idx.shape[1:] if unbatched else idx.shape} "
                         f"but the input has {tuple(input.shape)}; pass the indices max_pool2d returned")
    k, s, p, _ = _pool_args(kernel_size, stride, padding, 1)
    n, c, h, w = x.shape
    if output_size is None:
        oh, ow = (h - 1) * s[0] - 2 * p[0] + k[0], (w - 1) * s[1] - 2 * p[1] + k[1]
    else:
        oh, ow = (int(v) for v in tuple(output_size)[-2:])
    if idx.size and (idx.min() < 0 or idx.max() >= oh * ow):
        raise IndexError(f"max_unpool2d: an index is outside the output of {oh}x{ow}; give output_size=")
    flat = _conv.max_unpool(_f.reshape(x, (n, c, h * w)), idx.reshape(n, c, -1), oh * ow)
    out = _f.reshape(flat, (n, c, oh, ow))
    return out[0] if unbatched else out


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: int | tuple[int, ...],
                 stride: int | tuple[int, ...] | None = None, padding: int | tuple[int, ...] = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """The partial inverse of :func:`max_pool1d` (see :func:`max_unpool2d`).

    >>> import retrograd as rg
    >>> y, i = max_pool1d(rg.tensor([[[1.0, 4.0, 3.0, 2.0]]]), 2, return_indices=True)
    >>> max_unpool1d(y, i, 2)
    tensor([[[0., 4., 3., 0.]]])
    """
    x = _as_tensor(input)
    idx = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
    size = None if output_size is None else (1, tuple(output_size)[-1])
    out = max_unpool2d(_f.unsqueeze(x, -2), idx[..., None, :], (1, _first(kernel_size)),
                       None if stride is None else (1, _first(stride)), (0, _first(padding)), size)
    return _f.squeeze(out, -2)


def _adaptive_matrix(n_in, n_out, dtype):
    """Averaging matrix (n_out, n_in): row i averages [floor(i*n/m), ceil((i+1)*n/m)), as PyTorch."""
    m = np.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        a, b = (i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)
        m[i, a:b] = 1.0 / (b - a)
    return m


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]) -> Tensor:
    """Average (N, C, H, W) down to ``output_size`` with PyTorch's window bounds
    (two matrix products with constant averaging matrices). ``None`` keeps a size.

    >>> import retrograd as rg
    >>> adaptive_avg_pool2d(rg.arange(16.0).reshape(1, 1, 4, 4), 1)
    tensor([[[[7.5]]]])
    """
    x = _as_tensor(input)
    if x.ndim not in (3, 4):
        raise ShapeError(f"adaptive_avg_pool2d: expected (N, C, H, W) or (C, H, W), got shape {x.shape}")
    oh, ow = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    h, w = x.shape[-2:]
    oh, ow = h if oh is None else int(oh), w if ow is None else int(ow)
    mh, mw = _adaptive_matrix(h, oh, x.dtype), _adaptive_matrix(w, ow, x.dtype)
    return _f.matmul(_f.matmul(mh, x), mw.T)


def _nearest_index(n_in, n_out, scale):
    s = (1.0 / scale) if scale else n_in / n_out
    return np.minimum(np.floor(np.arange(n_out) * s).astype(np.int64), n_in - 1)


def _linear_matrix(n_in, n_out, scale, align_corners, dtype):
    """(n_out, n_in) matrix of 1-D linear interpolation weights, PyTorch's source-index rule."""
    m = np.zeros((n_out, n_in), dtype=np.float64)
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        s = (1.0 / scale) if scale else n_in / n_out
        src = np.maximum((dst + 0.5) * s - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    np.add.at(m, (np.arange(n_out), i0), 1 - lam)
    np.add.at(m, (np.arange(n_out), i1), lam)
    return m.astype(dtype)


def interpolate(input: Tensor, size: int | tuple[int, ...] | None = None,
                scale_factor: float | tuple[float, ...] | None = None, mode: str = "nearest",
                align_corners: bool | None = None) -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) by ``size`` or ``scale_factor``: ``mode`` is
    ``"nearest"``, ``"linear"`` (3-D) or ``"bilinear"`` (4-D), with PyTorch's index rules.

    >>> import retrograd as rg
    >>> interpolate(rg.tensor([[[1.0, 2.0]]]), scale_factor=2)
    tensor([[[1., 1., 2., 2.]]])
    """
    x = _as_tensor(input)
    nsp = x.ndim - 2
    if nsp not in (1, 2):
        raise ShapeError(f"interpolate: expected (N, C, L) or (N, C, H, W), got shape {x.shape}")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    sizes_in = x.shape[2:]
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nsp
        scales = (None,) * nsp
    else:
        scales = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * nsp
        sizes = tuple(int(math.floor(n * s)) for n, s in zip(sizes_in, scales))
    if len(sizes) != nsp:
        raise ValueError(f"interpolate: size must have {nsp} entries for a {x.ndim}-D input, got {size!r}")
    if mode == "nearest":
        if align_corners is not None:
            raise ValueError("interpolate: align_corners only applies to the linear modes")
        out = x
        for ax, (n, m, s) in enumerate(zip(sizes_in, sizes, scales)):
            idx = _nearest_index(n, m, s)
            out = out[(Ellipsis, idx) + (slice(None),) * (nsp - 1 - ax)]
        return out
    if mode not in ("linear", "bilinear") or (mode == "linear") != (nsp == 1):
        raise ValueError(f"interpolate: mode {mode!r} does not fit a {x.ndim}-D input "
                         "(use 'nearest', 'linear' for (N, C, L) or 'bilinear' for (N, C, H, W))")
    mats = [_linear_matrix(n, m, s, bool(align_corners), x.dtype) for n, m, s in zip(sizes_in, sizes, scales)]
    if nsp == 1:
        return _f.matmul(x, mats[0].T)
    return _f.matmul(_f.matmul(mats[0], x), mats[1].T)
