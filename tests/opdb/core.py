"""The op database: every public op, its sample inputs, and how PyTorch (or NumPy) computes it.

In the spirit of PyTorch's OpInfo (``torch/testing/_internal/opinfo/core.py``): one entry per
op; the generic tests in ``tests/test_opdb_*.py`` run every entry x sample x dtype:

* forward value (and dtype, shape) against PyTorch, or NumPy where the op is NumPy's;
* the method form (``x.sum(...)``) against the function form (``rg.sum(x, ...)``);
* the vjp (``backward`` with a random cotangent) against PyTorch's gradients;
* the jvp (``rg.jvp``) against central finite differences;
* second derivatives with ``rg.gradgradcheck`` (float64);
* out-of-range axes raise ``IndexError`` naming the axis and the ndim (as PyTorch raises).

How to add an op
----------------
Append one entry to the family file it belongs to (``elementwise.py``, ``reduction.py``,
``shape.py``, ``indexing.py``, ``linalg.py``, ``nn.py``, ``creation.py``; a new family is a new
file listed in ``FAMILIES`` in ``tests/opdb/__init__.py``)::

    register(OpInfo(
        "sinh",
        op=rg.sinh,                       # retrograd's function form
        ref=torch.sinh,                   # PyTorch's, called with the same arguments as torch tensors
        method="sinh",                    # the Tensor method (None when there is none)
        samples=unary_samples(),          # dtype -> list of SampleInput
    ))

* ``op`` and ``ref`` receive the sample's positional arguments (ndarrays become retrograd /
  torch tensors; anything else is passed as is) and its keyword arguments. Where PyTorch
  spells the call differently, give ``ref`` as a small lambda.
* An op PyTorch does not have gets ``ref_numpy`` (NumPy on the plain arrays) instead; its
  gradients are then checked against finite differences only.
* Samples are plain: ``SampleInput(x, 1, kwargs=dict(keepdims=True), desc="rows")``. Float
  ndarrays among the positional arguments are differentiated (``grad_args=`` picks some); keyword
  arrays never are. Cover 0-d, size-0 and size-1 axes, negative axes, broadcasting, every keyword,
  and +-inf/nan where meaningful; keep arrays small (gradgradcheck is element by element).
* Mark samples with kinks, ties, infinities or nans ``smooth=False``: they are compared with
  PyTorch (values and vjp) but not with finite differences. ``check_grad=False`` (with the reason
  in ``desc``) compares a sample's values only.
* ``differentiable=False`` for ops without derivatives (argmax, comparisons, creation);
  ``supports_jvp`` / ``supports_gradgrad`` likewise.
* Name the arguments that take axes in ``axis_kwargs`` (keyword names, or positions of
  positional arguments): the error test rewrites them out of range on every sample and expects
  an IndexError naming the axis and the number of dimensions (and checks PyTorch raises too).
* The coverage test finds the public names an entry tests from ``op``, ``aliases`` and a string
  ``method``; name any other (operators, method-only forms) in ``covers``, e.g.
  ``covers=("Tensor.__add__", "Tensor.__radd__")``.
* A known divergence is listed in ``skips={"vjp": "why"}`` (test kinds: ``forward``, ``method``,
  ``vjp``, ``jvp``, ``gradgrad``, ``axis_errors``), always with the reason; never to hide a bug.
* Then run ``pytest tests/test_opdb_*.py -k sinh``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

import retrograd as rg

DTYPES = (np.float32, np.float64)
TEST_KINDS = ("forward", "method", "vjp", "jvp", "gradgrad", "axis_errors")

# (rtol, atol) for comparing with PyTorch / NumPy, and for derivatives against finite differences.
TOL = {np.float32: (1e-4, 1e-5), np.float64: (1e-7, 1e-10)}
FD_TOL = {np.float32: (2e-3, 1e-3), np.float64: (1e-4, 1e-6)}


class SampleInput:
    """One call of an op: positional ``args`` and keyword ``kwargs``.

    ``args`` holding float ndarrays are the differentiable inputs (all of them, unless
    ``grad_args`` lists the positions); integer or boolean ndarrays are passed as tensors that
    do not require grad; every other value (numbers, tuples, None) is passed unchanged.
    ``smooth=False`` marks a sample where finite differences mean nothing (kinks, ties, inf, nan).
    ``check_grad=False`` compares only forward values (say why in ``desc``).
    """

    def __init__(self, *args, kwargs=None, desc="", smooth=True, grad_args=None, check_grad=True):
        self.args = args
        self.kwargs = dict(kwargs or {})
        self.desc = desc
        self.smooth = smooth
        self.check_grad = check_grad
        if grad_args is None:
            grad_args = tuple(i for i, a in enumerate(args)
                              if isinstance(a, np.ndarray) and a.dtype.kind == "f")
        self.grad_args = tuple(grad_args)

    def __repr__(self):
        parts = [_short(a) for a in self.args] + [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        return f"{self.desc + ': ' if self.desc else ''}({', '.join(parts)})"

    # ----- the same call in retrograd and in PyTorch -------------------------------------------
    def rg_args(self, requires_grad=True):
        """The positional arguments as retrograd values (float arrays require grad)."""
        return [rg.tensor(a, requires_grad=requires_grad and i in self.grad_args)
                if isinstance(a, np.ndarray) else a for i, a in enumerate(self.args)]

    def torch_args(self, requires_grad=True):
        """The positional arguments as torch values."""
        return [torch.tensor(a, requires_grad=requires_grad and i in self.grad_args)
                if isinstance(a, np.ndarray) else a for i, a in enumerate(self.args)]

    def rg_kwargs(self):
        """The keyword arguments, arrays as retrograd tensors (never differentiated)."""
        return {k: rg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in self.kwargs.items()}

    def torch_kwargs(self):
        """The keyword arguments, arrays as torch tensors."""
        return {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in self.kwargs.items()}

    def with_arg(self, key, value):
        """A copy with one argument replaced: ``key`` is a keyword name or a position."""
        args, kwargs = list(self.args), dict(self.kwargs)
        if isinstance(key, int):
            args[key] = value
        else:
            kwargs[key] = value
        return SampleInput(*args, kwargs=kwargs, desc=self.desc, smooth=self.smooth,
                           grad_args=self.grad_args, check_grad=self.check_grad)

    def get(self, key):
        """The argument at position ``key`` or keyword ``key`` (None when absent)."""
        if isinstance(key, int):
            return self.args[key] if key < len(self.args) else None
        return self.kwargs.get(key)


def _short(a):
    if isinstance(a, np.ndarray):
        return f"array{a.shape}:{a.dtype}" if a.size > 4 or a.ndim != 1 else f"array({a.tolist()}):{a.dtype}"
    return repr(a)


@dataclass
class OpInfo:
    """One public op: how to call it in retrograd, in PyTorch (or NumPy), and on what inputs.

    See the module docstring ("How to add an op").
    """

    name: str
    op: Callable
    samples: Callable[[type], list]
    ref: Callable | None = None
    ref_numpy: Callable | None = None
    method: str | Callable | None = None
    differentiable: bool = True
    supports_jvp: bool = True
    supports_gradgrad: bool = True
    axis_kwargs: tuple = ()
    aliases: tuple = ()
    covers: tuple = ()
    skips: dict = field(default_factory=dict)
    tol: dict = field(default_factory=dict)

    def __post_init__(self):
        unknown = set(self.skips) - set(TEST_KINDS)
        if unknown:
            raise ValueError(f"{self.name}: unknown test kinds in skips: {unknown}; use {TEST_KINDS}")
        if self.ref is None and self.ref_numpy is None:
            raise ValueError(f"{self.name}: give ref (PyTorch) or ref_numpy")

    def __repr__(self):
        return self.name

    def call_method(self, args, kwargs):
        """The Tensor-method form of the op on retrograd arguments."""
        if callable(self.method):
            return self.method(*args, **kwargs)
        return getattr(args[0], self.method)(*args[1:], **kwargs)

    def tolerance(self, dtype):
        """(rtol, atol) for this op at ``dtype``."""
        return self.tol.get(dtype, TOL[dtype])

    def sample_inputs(self, dtype):
        """The samples at ``dtype`` (deterministic)."""
        return list(self.samples(dtype))


OPS: list[OpInfo] = []


def register(info: OpInfo) -> OpInfo:
    """Add an entry to the database (names are unique)."""
    if any(o.name == info.name for o in OPS):
        raise ValueError(f"op database: {info.name!r} is registered twice")
    OPS.append(info)
    return info


# ----- making sample arrays ----------------------------------------------------------------------
def rng_for(*key) -> np.random.Generator:
    """A generator seeded from ``key`` (so every sample list is the same on every run)."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def make(shape, dtype, low=-2.0, high=2.0, seed=0, avoid=(), distinct=False):
    """Uniform values in [low, high] of ``shape`` and ``dtype``.

    ``avoid``: points (kinks, poles) kept at least 0.1 away. ``distinct=True`` gives evenly
    spaced values in a random order instead: no ties for max/min.
    """
    r = rng_for(shape, low, high, seed)
    n = int(np.prod(shape))
    if distinct:
        a = r.permutation(np.linspace(low, high, n) if n > 1 else np.full(n, (low + high) / 2))
        a = a.reshape(shape)
    else:
        a = r.uniform(low, high, size=shape)
    for v in avoid:
        a = np.where(np.abs(a - v) < 0.1, v + np.where(a >= v, 0.1, -0.1) + 0.05 * np.tanh(a - v), a)
    return np.asarray(a, dtype=dtype)


def special(dtype, values=(np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -1.5)):
    """A 1-D array of special values (infinities, nan, signed zeros)."""
    return np.array(values, dtype=dtype)


SHAPES = [(), (1,), (3,), (2, 3), (2, 1, 3), (0,), (2, 0)]
"""Shapes every elementwise op is tried on: 0-d, size-1 and size-0 axes."""

BROADCAST_PAIRS = [((), ()), ((3,), ()), ((), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                   ((1,), (2, 1, 1)), ((2, 3), (2, 3)), ((0, 3), (3,)), ((2, 0), (1,))]
"""Pairs of shapes binary ops are tried on: equal, broadcast both ways, 0-d and size-0 operands."""


def unary_samples(low=-2.0, high=2.0, avoid=(), extremes=True, shapes=SHAPES):
    """Samples for an elementwise unary op: every shape of ``SHAPES``, plus inf/nan/±0."""
    def samples(dtype):
        out = [SampleInput(make(s, dtype, low, high, seed=i, avoid=avoid), desc=f"shape {s}")
               for i, s in enumerate(shapes)]
        if extremes:
            out.append(SampleInput(special(dtype), desc="inf, nan, signed zeros", smooth=False))
        return out
    return samples


def binary_samples(low=-2.0, high=2.0, low_b=None, high_b=None, avoid_b=(), scalars=True,
                   no_ties=False, extremes=True):
    """Samples for an elementwise binary op: broadcasting pairs, a Python number on either side."""
    low_b = low if low_b is None else low_b
    high_b = high if high_b is None else high_b

    def samples(dtype):
        out = []
        for i, (sa, sb) in enumerate(BROADCAST_PAIRS):
            a = make(sa, dtype, low, high, seed=i)
            b = make(sb, dtype, low_b, high_b, seed=100 + i, avoid=avoid_b)
            if no_ties:  # a on a grid of halves, b between them: never equal
                a = np.asarray(np.round(a * 2) / 2, dtype)
                b = np.asarray(np.round(b * 2) / 2 + 0.25, dtype)
            out.append(SampleInput(a, b, desc=f"{sa} with {sb}"))
        if scalars:
            a = make((2, 2), dtype, low, high, seed=7)
            sb = float(make((), np.float64, low_b, high_b, seed=8, avoid=avoid_b))
            sa = float(make((), np.float64, low, high, seed=9))
            if no_ties:
                a, sb = np.asarray(np.round(a * 2) / 2, dtype), round(sb * 2) / 2 + 0.25
            out.append(SampleInput(a, sb, desc="tensor with a Python number"))
            out.append(SampleInput(sa, make((2, 2), dtype, low_b, high_b, seed=10, avoid=avoid_b),
                                   desc="Python number with a tensor"))
        if extremes:
            x = special(dtype)
            out.append(SampleInput(x, x[::-1].copy(), desc="inf, nan, signed zeros", smooth=False))
        return out
    return samples


# ----- running one sample ------------------------------------------------------------------------
def first(out):
    """The tensor an op returns (the values of a (values, indices) pair)."""
    if isinstance(out, tuple) and hasattr(out, "values") and not callable(out.values):
        return out.values
    return out


def to_numpy(out):
    """A retrograd or torch result as an ndarray."""
    out = first(out)
    if isinstance(out, rg.Tensor):
        return out.numpy()
    if isinstance(out, torch.Tensor):
        return out.detach().numpy()
    return np.asarray(out)


def run_rg(info, sample, requires_grad=True):
    """(args, output) of the function form of ``info`` on ``sample``."""
    args = sample.rg_args(requires_grad)
    return args, info.op(*args, **sample.rg_kwargs())


def run_ref(info, sample, requires_grad=True):
    """(args, output) of the reference (PyTorch, else NumPy) on ``sample``."""
    if info.ref is not None:
        args = sample.torch_args(requires_grad)
        return args, info.ref(*args, **sample.torch_kwargs())
    return list(sample.args), info.ref_numpy(*sample.args, **sample.kwargs)


def assert_close(actual, expected, dtype, tol=None, what=""):
    """Values, shape and dtype equal up to ``tol`` (nan matches nan, inf matches inf)."""
    rtol, atol = tol or TOL[dtype]
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    if expected.dtype.kind == "f":
        assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, expected {expected.dtype}"
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


def differentiable_function(info, sample, dtype=None):
    """``f(*diff_inputs)`` calling the op with the other arguments fixed; and the diff inputs."""
    base = sample.rg_args(requires_grad=False)
    pos = sample.grad_args

    def f(*xs):
        args = list(base)
        for p, x in zip(pos, xs):
            args[p] = x
        return first(info.op(*args, **kwargs))
    kwargs = sample.rg_kwargs()
    inputs = [sample.args[p] if dtype is None else sample.args[p].astype(dtype) for p in pos]
    return f, inputs


def applies(info, kind) -> bool:
    """Whether the generic test ``kind`` applies to ``info`` at all (no parameter otherwise)."""
    if kind == "method":
        return info.method is not None or bool(info.aliases)
    if kind == "axis_errors":
        return bool(info.axis_kwargs)
    if kind in ("vjp", "jvp", "gradgrad") and not info.differentiable:
        return False
    if kind == "jvp":
        return info.supports_jvp
    if kind == "gradgrad":
        return info.supports_gradgrad
    return True


def cases(kind, dtypes=DTYPES):
    """pytest parameters (op, dtype) for every entry the test ``kind`` applies to, and every dtype.

    An entry that lists ``kind`` in its ``skips`` is reported as skipped, with its reason.
    """
    import pytest
    params = []
    for info in OPS:
        if not applies(info, kind):
            continue
        for dtype in dtypes:
            marks = []
            if kind in info.skips:
                marks.append(pytest.mark.skip(reason=f"{info.name}: {info.skips[kind]}"))
            params.append(pytest.param(info, dtype, id=f"{info.name}-{np.dtype(dtype).name}", marks=marks))
    return params
