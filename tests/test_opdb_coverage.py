"""The op database covers every public op: the array functions and creation functions of ``rg``,
``rg.nn.functional``, and the Tensor methods and operators. A new op fails here until it has an
entry (see "How to add an op" in tests/opdb/core.py)."""

from __future__ import annotations

import inspect
import operator

import retrograd as rg
import retrograd.nn.functional as F

from opdb import OPS

# Public callables that are not ops, or whose values are random: tested elsewhere.
NOT_OPS = {
    "rg.rand": "random values (tests/test_tensor.py)", "rg.randn": "random values (tests/test_tensor.py)",
    "rg.generator": "the random generator", "rg.manual_seed": "seeds the generator",
    "rg.randint": "random values (tests/test_breadth_tensors.py)", "rg.randperm": "random values (same)",
    "rg.normal": "random values (same)", "rg.rand_like": "random values (same)",
    "rg.randn_like": "random values (same)", "rg.empty_like": "unspecified values (same)",
}
TENSOR_NOT_OPS = {"backward", "detach", "item", "numpy", "tolist", "size", "numel", "retain_grad",
                  "requires_grad_", "named", "register_hook", "data", "grad", "grad_fn", "is_leaf", "name",
                  "requires_grad", "shape", "ndim", "dtype", "version", "_version",
                  # attributes and Python-bool answers (tests/test_breadth_tensors.py)
                  "dim", "ndimension", "device", "is_cuda", "is_contiguous", "allclose",
                  # the same, added for PyTorch ports (tests/test_breadth_torch_port.py)
                  "equal", "is_floating_point", "element_size", "itemsize", "nbytes", "cuda"}
TENSOR_OPERATORS = ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
                    "__rtruediv__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__", "__pos__",
                    "__abs__", "__getitem__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"]


def public_ops():
    names = set()
    for name in dir(rg):
        obj = getattr(rg, name)
        if (inspect.isfunction(obj) and not name.startswith("_")
                and obj.__module__ in ("retrograd.functions", "retrograd.creation")):
            names.add(f"rg.{name}")
    names |= {f"F.{n}" for n in F.__all__}
    for name, _obj in vars(rg.Tensor).items():
        if name.startswith("_") or name in TENSOR_NOT_OPS or name.endswith("_"):
            continue  # in-place methods (name_) are tested with the engine's in-place rules
        names.add(f"Tensor.{name}")
    names |= {f"Tensor.{n}" for n in TENSOR_OPERATORS if n in vars(rg.Tensor)}
    return names


# An entry whose method form is one of these operators covers the dunder methods listed.
OPERATOR_DUNDERS = {
    operator.add: ("__add__", "__radd__"), operator.sub: ("__sub__", "__rsub__"),
    operator.mul: ("__mul__", "__rmul__"), operator.truediv: ("__truediv__", "__rtruediv__"),
    operator.pow: ("__pow__", "__rpow__"), operator.matmul: ("__matmul__", "__rmatmul__"),
    operator.neg: ("__neg__",), operator.pos: ("__pos__",), abs: ("__abs__",),
    operator.lt: ("__lt__",), operator.le: ("__le__",), operator.gt: ("__gt__",), operator.ge: ("__ge__",),
    operator.eq: ("__eq__",), operator.ne: ("__ne__",),
}


def covered():
    by_id = {}
    for prefix, ns in (("rg", rg), ("F", F)):
        for name in dir(ns):
            by_id.setdefault(id(getattr(ns, name)), []).append(f"{prefix}.{name}")
    names = set()
    for info in OPS:
        for fn in (info.op, *info.aliases):
            names.update(by_id.get(id(fn), []))
        if isinstance(info.method, str):
            names.add(f"Tensor.{info.method}")
        for fn in (info.method, info.op):
            if callable(fn) and not isinstance(fn, type) and fn in OPERATOR_DUNDERS:
                names.update(f"Tensor.{d}" for d in OPERATOR_DUNDERS[fn])
        names.update(info.covers)
    return names


def test_every_public_op_has_an_entry():
    missing = sorted(public_ops() - covered() - set(NOT_OPS))
    assert not missing, (f"no op database entry for {missing}: add one to tests/opdb/<family>.py "
                         "(see 'How to add an op' in tests/opdb/core.py)")


def test_covers_and_exclusions_name_only_real_ops():
    unknown = sorted(n for info in OPS for n in info.covers if n not in public_ops())
    assert not unknown, f"entries claim to cover names that are not public ops: {unknown}"
    stale = sorted(set(NOT_OPS) - public_ops())
    assert not stale, f"NOT_OPS lists names that are not public ops any more: {stale}"
