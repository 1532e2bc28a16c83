"""Shape ops: reshape/view/flatten, transpose/permute/swapaxes/T/mT, squeeze/unsqueeze,
broadcast_to/expand, concatenate/cat, stack."""

from __future__ import annotations

import torch

import retrograd as rg

from .core import OpInfo, SampleInput, make, register


def _x(dtype, shape, seed=0):
    return make(shape, dtype, seed=seed)


# ----- reshape -----------------------------------------------------------------------------------
RESHAPES = [((2, 3), (3, 2)), ((6,), (-1,)), ((), (1,)), ((1,), ()), ((0, 3), (3, 0)), ((2, 3), (2, 1, 3)),
            ((2, 3, 2), (-1, 2)), ((1, 1), (1,))]


def _reshape_samples(dtype):
    return [SampleInput(_x(dtype, a, i), b, desc=f"{a} to {b}") for i, (a, b) in enumerate(RESHAPES)]


register(OpInfo("reshape", op=rg.reshape, ref=torch.reshape, method="reshape", samples=_reshape_samples))
register(OpInfo("view", op=lambda x, shape: x.view(*shape), ref=torch.reshape,
                method=lambda x, shape: x.view(shape), samples=_reshape_samples, covers=("Tensor.view",)))
def _flatten_samples(dtype):
    out = [SampleInput(_x(dtype, s, i), desc=str(s)) for i, s in enumerate([(), (3,), (2, 3), (2, 0, 2)])]
    out += [SampleInput(_x(dtype, (2, 3, 4), 5), 1, desc="from axis 1"),
            SampleInput(_x(dtype, (2, 3, 4), 6), kwargs=dict(start_dim=0, end_dim=1), desc="axes 0 to 1"),
            SampleInput(_x(dtype, (2, 3, 4, 1), 7), kwargs=dict(start_dim=-3, end_dim=-2), desc="negative"),
            SampleInput(_x(dtype, (2, 3), 8), kwargs=dict(start_dim=1, end_dim=1), desc="one axis"),
            SampleInput(_x(dtype, (), 9), kwargs=dict(start_dim=0, end_dim=-1), desc="0-d with axes")]
    return out


register(OpInfo("flatten", op=rg.flatten, ref=torch.flatten, method="flatten", samples=_flatten_samples,
                axis_kwargs=(1, "start_dim", "end_dim")))


# ----- transposes --------------------------------------------------------------------------------
def _transpose_samples(dtype):
    cases = [((2, 3), 0, 1), ((2, 3), -2, -1), ((2, 3), 1, 0), ((2, 3, 4), 0, 2), ((2, 3, 4), -1, 1),
             ((2, 3), 1, 1), ((3,), 0, -1), ((), 0, -1), ((0, 2), 0, 1)]
    return [SampleInput(_x(dtype, s, i), a, b, desc=f"{s}, axes {a} and {b}") for i, (s, a, b) in enumerate(cases)]


register(OpInfo("transpose", op=rg.transpose, ref=torch.transpose, method="transpose",
                samples=_transpose_samples, axis_kwargs=(1, 2)))
register(OpInfo("swapaxes", op=rg.swapaxes, ref=torch.swapaxes, samples=_transpose_samples, axis_kwargs=(1, 2)))


def _perm_samples(dtype):
    cases = [((2, 3), (1, 0)), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (-1, 0, -2)), ((3,), (0,)), ((), ()),
             ((2, 0, 1), (1, 2, 0)), ((2, 3), (0, 1))]
    return [SampleInput(_x(dtype, s, i), p, desc=f"{s} by {p}") for i, (s, p) in enumerate(cases)]


register(OpInfo("permute", op=rg.permute, ref=torch.permute, method="permute", samples=_perm_samples,
                axis_kwargs=(1,)))
def _perm_keyword_samples(dtype):
    return _perm_samples(dtype) + [SampleInput(_x(dtype, (2, 3, 4), 9), kwargs=dict(axes=(1, 2, 0)),
                                               desc="axes= keyword (NumPy's)")]


def _one_perm(p=None, axes=None):
    return p if axes is None else axes


register(OpInfo("transpose_numpy_axes", op=rg.transpose, ref=lambda x, *p, **k: torch.permute(x, _one_perm(*p, **k)),
                method=lambda x, *p, **k: x.transpose(_one_perm(*p, **k)), samples=_perm_keyword_samples,
                axis_kwargs=(1, "axes")))


def _reverse_ref(x):
    return x.permute(tuple(range(x.ndim))[::-1])


_ANY_SHAPE = [(), (3,), (2, 3), (2, 3, 4), (1, 0)]
register(OpInfo("transpose_reverse", op=rg.transpose, ref=_reverse_ref, method=lambda x: x.T, covers=("Tensor.T",),
                samples=lambda dtype: [SampleInput(_x(dtype, s, i), desc=str(s)) for i, s in enumerate(_ANY_SHAPE)]))
register(OpInfo("mT", op=lambda x: x.mT, ref=lambda x: x.mT, covers=("Tensor.mT",),
                samples=lambda dtype: [SampleInput(_x(dtype, s, i), desc=str(s))
                                       for i, s in enumerate([(2, 3), (4, 2, 3), (1, 0, 2)])]))


# ----- squeeze / unsqueeze -----------------------------------------------------------------------
def _squeeze_samples(dtype):
    cases = [((1, 3), {}), ((1, 3, 1), {}), ((), {}), ((1, 3), dict(axis=0)), ((3, 1), dict(axis=-1)),
             ((1, 3, 1), dict(axis=(0, 2))), ((), dict(axis=0)), ((), dict(axis=-1)), ((1,), dict(dim=0)),
             ((0, 1), dict(axis=1))]
    return [SampleInput(_x(dtype, s, i), kwargs=k, desc=f"{s} {k}") for i, (s, k) in enumerate(cases)]


def _squeeze_ref(x, axis=None, *, dim=None):
    d = axis if dim is None else dim
    return torch.squeeze(x) if d is None else torch.squeeze(x, d)


register(OpInfo("squeeze", op=rg.squeeze, ref=_squeeze_ref,
                method=lambda x, axis=None, dim=None: x.squeeze(axis, dim=dim),
                samples=_squeeze_samples, axis_kwargs=("axis", "dim"), covers=("Tensor.squeeze",)))


def _unsqueeze_samples(dtype):
    cases = [((), 0), ((), -1), ((3,), 0), ((3,), 1), ((2, 3), -1), ((2, 3), -3), ((0, 2), 1)]
    return [SampleInput(_x(dtype, s, i), a, desc=f"{s} at {a}") for i, (s, a) in enumerate(cases)] + [
        SampleInput(_x(dtype, (2, 3), 9), kwargs=dict(dim=1), desc="dim=")]


register(OpInfo("unsqueeze", op=rg.unsqueeze, ref=torch.unsqueeze, method="unsqueeze",
                samples=_unsqueeze_samples, axis_kwargs=(1, "dim"), aliases=(rg.expand_dims,)))


# ----- broadcast_to / expand ---------------------------------------------------------------------
def _broadcast_samples(dtype):
    cases = [((), (2, 3)), ((3,), (2, 3)), ((2, 1), (2, 4)), ((1, 3), (0, 3)), ((2, 3), (2, 3)),
             ((1,), (1,)), ((2, 1, 1), (3, 2, 2, 2))]
    return [SampleInput(_x(dtype, a, i), b, desc=f"{a} to {b}") for i, (a, b) in enumerate(cases)]


def _expand_samples(dtype):
    return _broadcast_samples(dtype) + [SampleInput(_x(dtype, (2, 1), 9), (-1, 3), desc="-1 keeps an axis"),
                                        SampleInput(_x(dtype, (2, 1), 10), (4, -1, 3), desc="new axis and -1")]


register(OpInfo("broadcast_to", op=rg.broadcast_to, ref=torch.broadcast_to, method="broadcast_to",
                samples=_broadcast_samples))
register(OpInfo("expand", op=lambda x, shape: x.expand(*shape), ref=lambda x, shape: x.expand(*shape),
                method=lambda x, shape: x.expand(shape), samples=_expand_samples, covers=("Tensor.expand",)))


# ----- joining -----------------------------------------------------------------------------------
def _cat_samples(dtype):
    out = []
    for i, (shapes, axis) in enumerate([(((2, 3), (1, 3)), 0), (((2, 3), (2, 1), (2, 2)), 1),
                                        (((2, 3), (2, 2)), -1), (((3,),), 0), (((0, 2), (2, 2)), 0),
                                        (((2, 1, 2), (2, 3, 2)), -2)]):
        xs = [_x(dtype, s, 10 * i + j) for j, s in enumerate(shapes)]
        out.append(SampleInput(*xs, kwargs=dict(axis=axis), desc=f"{shapes} along {axis}"))
    out.append(SampleInput(_x(dtype, (2,), 1), _x(dtype, (3,), 2), desc="default axis"))
    out.append(SampleInput(_x(dtype, (2, 1), 3), _x(dtype, (2, 2), 4), kwargs=dict(dim=1), desc="dim="))
    return out


def _cat(*xs, **axis):
    return rg.concatenate(xs, **axis)


def _torch_axis(axis=0, dim=None):
    return axis if dim is None else dim


register(OpInfo("concatenate", op=_cat, ref=lambda *xs, **k: torch.cat(xs, dim=_torch_axis(**k)),
                samples=_cat_samples, aliases=(lambda *xs, **k: rg.cat(list(xs), **k),), axis_kwargs=("axis", "dim"),
                covers=("rg.concatenate", "rg.cat")))


def _stack_samples(dtype):
    out = []
    for i, (shape, n, axis) in enumerate([((), 2, 0), ((3,), 2, 1), ((2, 3), 3, -1), ((2, 3), 2, -3),
                                          ((0, 2), 2, 1), ((2,), 1, 0)]):
        xs = [_x(dtype, shape, 10 * i + j) for j in range(n)]
        out.append(SampleInput(*xs, kwargs=dict(axis=axis), desc=f"{n} of {shape} along {axis}"))
    out.append(SampleInput(_x(dtype, (2,), 1), _x(dtype, (2,), 2), kwargs=dict(dim=-1), desc="dim="))
    return out


register(OpInfo("stack", op=lambda *xs, **k: rg.stack(xs, **k),
                ref=lambda *xs, **k: torch.stack(xs, dim=_torch_axis(**k)), samples=_stack_samples,
                axis_kwargs=("axis", "dim"),
                covers=("rg.stack",)))
