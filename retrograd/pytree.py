"""Pytrees: nested tuples, lists, dicts and ``None`` with arrays, Tensors or numbers at the leaves.

The transforms (``grad``, ``vjp``, ``jacobian``, ``jit``, ``vmap``, ...) accept and return
pytrees, as JAX's do: a gradient with respect to a dict of parameters is a dict of the same
keys. ``tree_flatten`` turns a pytree into its list of leaves and a ``TreeDef`` (the
structure, hashable, so it can key a cache); ``tree_unflatten`` puts leaves back; ``tree_map``
applies a function leaf by leaf.

Containers are ``tuple`` (and named tuples), ``list`` and ``dict``; ``None`` is an empty
container (it has no leaves), as in JAX. Dict keys are visited in sorted order (insertion
order when the keys cannot be sorted), so two dicts with the same keys have the same
structure. Everything else is a leaf.

>>> leaves, tree = tree_flatten({"w": [1.0, 2.0], "b": None, "c": (3.0,)})
>>> leaves
[3.0, 1.0, 2.0]
>>> tree_unflatten(tree, [30, 10, 20])
{'b': None, 'c': (30,), 'w': [10, 20]}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["TreeDef", "tree_flatten", "tree_leaves", "tree_map", "tree_structure", "tree_unflatten"]


def _sorted_keys(d: dict[Any, Any]) -> tuple[Any, ...]:
    try:
        return tuple(sorted(d))
    except TypeError:
        return tuple(d)


class TreeDef:
    """The structure of a pytree without its leaves: hashable and comparable.

    ``kind`` is ``"leaf"``, ``"none"``, ``"tuple"``, ``"list"``, ``"dict"`` or ``"namedtuple"``;
    ``meta`` holds the dict keys or the named tuple's class; ``children`` the sub-structures.

    >>> tree_structure((1.0, [2.0, None]))
    TreeDef((*, [*, None]))
    """

    __slots__ = ("_hash", "children", "kind", "meta", "num_leaves")

    def __init__(self, kind: str, meta: Any, children: Iterable[TreeDef]) -> None:
        self.kind, self.meta = kind, meta
        self.children: tuple[TreeDef, ...] = tuple(children)
        self.num_leaves: int = 1 if kind == "leaf" else sum(c.num_leaves for c in self.children)
        self._hash = hash((kind, meta, self.children))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TreeDef) and self._hash == other._hash and self.kind == other.kind
                and self.meta == other.meta and self.children == other.children)

    def __hash__(self) -> int:
        return self._hash

    def _text(self) -> str:
        if self.kind == "leaf":
            return "*"
        if self.kind == "none":
            return "None"
        inner = [c._text() for c in self.children]
        if self.kind == "list":
            return "[" + ", ".join(inner) + "]"
        if self.kind == "dict":
            return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(self.meta, inner)) + "}"
        if self.kind == "namedtuple":
            return f"{self.meta.__name__}(" + ", ".join(inner) + ")"
        return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"

    def __repr__(self) -> str:
        return f"TreeDef({self._text()})"


_LEAF = TreeDef("leaf", None, ())
_NONE = TreeDef("none", None, ())


def _flatten(x: Any, leaves: list[Any], is_leaf: Callable[[Any], bool] | None) -> TreeDef:
    if is_leaf is not None and is_leaf(x):
        leaves.append(x)
        return _LEAF
    if x is None:
        return _NONE
    t = type(x)
    if t is tuple or t is list:
        return TreeDef(t.__name__, None, [_flatten(c, leaves, is_leaf) for c in x])
    if t is dict:
        keys = _sorted_keys(x)
        return TreeDef("dict", keys, [_flatten(x[k], leaves, is_leaf) for k in keys])
    if isinstance(x, tuple) and hasattr(t, "_fields"):
        return TreeDef("namedtuple", t, [_flatten(c, leaves, is_leaf) for c in x])
    leaves.append(x)
    return _LEAF


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> tuple[list[Any], TreeDef]:
    """The leaves of ``tree`` (left to right, dict keys sorted) and its structure.

    ``is_leaf(x)`` may stop the descent at a container and treat it as a leaf.

    >>> tree_flatten([1.0, (2.0, 3.0)])
    ([1.0, 2.0, 3.0], TreeDef([*, (*, *)]))
    """
    leaves: list[Any] = []
    treedef = _flatten(tree, leaves, is_leaf)
    return leaves, treedef


def _unflatten(treedef: TreeDef, it: Iterator[Any]) -> Any:
    kind = treedef.kind
    if kind == "leaf":
        return next(it)
    if kind == "none":
        return None
    children = [_unflatten(c, it) for c in treedef.children]
    if kind == "tuple":
        return tuple(children)
    if kind == "list":
        return children
    if kind == "dict":
        return dict(zip(treedef.meta, children))
    return treedef.meta(*children)


def tree_unflatten(treedef: TreeDef, leaves: Iterable[Any]) -> Any:
    """The pytree of structure ``treedef`` with ``leaves`` put back in order.

    >>> _, tree = tree_flatten({"a": 1, "b": (2, 3)})
    >>> tree_unflatten(tree, ["x", "y", "z"])
    {'a': 'x', 'b': ('y', 'z')}
    """
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(f"tree_unflatten: the structure {treedef} has {treedef.num_leaves} leaves, "
                         f"got {len(leaves)}")
    return _unflatten(treedef, iter(leaves))


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list[Any]:
    """Just the leaves of ``tree``.

    >>> tree_leaves({"b": 2, "a": [1, None]})
    [1, 2]
    """
    return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> TreeDef:
    """Just the structure of ``tree``.

    >>> tree_structure({"a": 1.0}) == tree_structure({"a": 5.0})
    True
    """
    return tree_flatten(tree, is_leaf)[1]


def tree_map(f: Callable[..., Any], tree: Any, *rest: Any,
             is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """``f`` applied leaf by leaf; with several trees (of the same structure) ``f`` gets one leaf of each.

    >>> tree_map(lambda x: x * 10, {"w": [1, 2], "b": 3})
    {'b': 30, 'w': [10, 20]}
    >>> tree_map(lambda a, b: a + b, (1, 2), (10, 20))
    (11, 22)
    """
    leaves, treedef = tree_flatten(tree, is_leaf)
    others = []
    for r in rest:
        rl, rd = tree_flatten(r, is_leaf)
        if rd != treedef:
            raise ValueError(f"tree_map: the trees have different structures: {treedef} and {rd}")
        others.append(rl)
    return tree_unflatten(treedef, [f(*xs) for xs in zip(leaves, *others)])
