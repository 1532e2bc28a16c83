"""SymPy side of the learning layer: symbols for graph nodes, formulas for primitives.

SymPy is optional (``pip install 'retrograd[learn]'``). Without it
:data:`AVAILABLE` is False and every function here returns None, so the
explanations still run and say that symbolic checks need SymPy.

>>> from retrograd.learn import symbolic
>>> if symbolic.AVAILABLE:
...     a = symbolic.symbol("a")
...     print(symbolic.diff(symbolic.from_primitive("pow", [a, 2]), "a"))
... else:
...     print("2*a")
2*a
"""

from __future__ import annotations

import importlib.util
import math
import threading
from typing import Any

AVAILABLE = importlib.util.find_spec("sympy") is not None


class _LazySympy:
    """Stands for the sympy module until first used: ``import retrograd`` must not pay for SymPy."""

    def __getattr__(self, name):
        import sympy as real
        globals()["sympy"] = real
        return getattr(real, name)


sympy: Any = _LazySympy() if AVAILABLE else None  # the module (untyped) or its stand-in

#: The one-line note shown where a symbolic check would be.
MISSING_NOTE = "symbolic checks need SymPy: pip install 'retrograd[learn]'"

_sigmoid_cls = None
_SIGMOID_LOCK = threading.Lock()


def _sigmoid():
    """sigmoid as a SymPy function whose derivative prints as sigmoid(z)*(1 - sigmoid(z))."""
    global _sigmoid_cls
    if _sigmoid_cls is None:
        class sigmoid(sympy.Function):  # noqa: N801 (the name printed)
            """The logistic function 1/(1 + exp(-z))."""

            @classmethod
            def eval(cls, z):
                if z.is_Number:
                    return 1 / (1 + sympy.exp(-z))
                return None

            def fdiff(self, argindex=1):
                s = sigmoid(self.args[0])
                return s * (1 - s)

            def _eval_rewrite_as_exp(self, z, **kwargs):
                return 1 / (1 + sympy.exp(-z))

        with _SIGMOID_LOCK:  # graphs are built on several threads: the first class made wins
            if _sigmoid_cls is None:
                _sigmoid_cls = sigmoid
    return _sigmoid_cls


_relu_cls = None


def _relu():
    """relu as a SymPy function whose derivative is step(z): 1 for z > 0, else 0 (relu'(0) = 0, as the engine)."""
    global _relu_cls
    if _relu_cls is None:
        class step(sympy.Function):  # noqa: N801 (the name printed)
            """1 for z > 0, 0 otherwise (the engine's relu'(z), with relu'(0) = 0)."""

            @classmethod
            def eval(cls, z):
                if z.is_Number:
                    return sympy.Integer(1) if z > 0 else sympy.Integer(0)
                return None

            def fdiff(self, argindex=1):
                return sympy.Integer(0)

        class relu(sympy.Function):  # noqa: N801 (the name printed)
            """max(z, 0)."""

            @classmethod
            def eval(cls, z):
                if z.is_Number:
                    return z if z > 0 else sympy.Integer(0)
                return None

            def fdiff(self, argindex=1):
                return step(self.args[0])

        _relu_cls = relu
    return _relu_cls


def symbol(name: str):
    """The (real) SymPy symbol of a graph node, or None without SymPy.

    >>> from retrograd.learn import symbolic
    >>> str(symbolic.symbol("w")) if symbolic.AVAILABLE else "w"
    'w'
    """
    if not AVAILABLE:
        return None
    return sympy.Symbol(name, real=True)


def number(v):
    """A constant as SymPy sees it: an Integer when the value is integral, else a Float.

    >>> from retrograd.learn import symbolic
    >>> str(symbolic.number(2.0)) if symbolic.AVAILABLE else "2"
    '2'
    """
    if not AVAILABLE:
        return None
    v = float(v)
    if math.isfinite(v) and v == int(v) and abs(v) < 2 ** 53:
        return sympy.Integer(int(v))
    return sympy.Float(v)


def _safe(fn):
    """Return None instead of failing when SymPy recurses too deep on a huge expression."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RecursionError:
            return None
    return wrapper


@_safe
def from_primitive(op: str, args: list, params=None):
    """The SymPy expression of primitive ``op`` applied to ``args`` (SymPy expressions or numbers).

    Returns None for primitives without a scalar formula (sums, matmul, ...).

    >>> from retrograd.learn import symbolic
    >>> str(symbolic.from_primitive("mul", [3, symbolic.symbol("w")])) if symbolic.AVAILABLE else "3*w"
    '3*w'
    """
    if not AVAILABLE:
        return None
    a = [number(x) if isinstance(x, (int, float)) else x for x in args]
    s = sympy
    if op == "add":
        return a[0] + a[1]
    if op == "sub":
        return a[0] - a[1]
    if op == "mul":
        return a[0] * a[1]
    if op == "div":
        return a[0] / a[1]
    if op == "pow":
        return a[0] ** a[1]
    if op == "neg":
        return -a[0]
    simple = {"exp": s.exp, "log": s.log, "sqrt": s.sqrt, "sin": s.sin, "cos": s.cos, "tan": s.tan,
              "tanh": s.tanh, "abs": s.Abs}
    if op in simple:
        return simple[op](a[0])
    if op == "sigmoid":
        return _sigmoid()(a[0])
    if op == "relu":
        # relu'(0) = 0, as the engine: relu'(z) prints as step(z), not Max's Heaviside(0) = 1/2
        return _relu()(a[0])
    if op == "maximum":
        return s.Max(a[0], a[1])
    if op == "minimum":
        return s.Min(a[0], a[1])
    return None


@_safe
def diff(expr, name: str):
    """d(expr)/d(name), or None when ``expr`` is None.

    >>> from retrograd.learn import symbolic
    >>> str(symbolic.diff(symbolic.symbol("d") ** 2 / 2, "d")) if symbolic.AVAILABLE else "d"
    'd'
    """
    if expr is None or not AVAILABLE:
        return None
    return sympy.diff(expr, symbol(name))


@_safe
def value(expr, values: dict):
    """The float value of ``expr`` with node values substituted (None if it cannot be evaluated).

    >>> from retrograd.learn import symbolic
    >>> symbolic.value(symbolic.symbol("a") * 2, {"a": 11.0}) if symbolic.AVAILABLE else 22.0
    22.0
    """
    if expr is None or not AVAILABLE:
        return None
    try:
        subs = {s: sympy.Float(values[s.name], 30) for s in expr.free_symbols
                if isinstance(values.get(s.name), float)}
        out = complex(expr.xreplace(subs).evalf(30))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if abs(out.imag) > 1e-12 * max(1.0, abs(out.real)):
        return None
    return float(out.real)


@_safe
def text(expr):
    """The formula as a string (SymPy's printing), or None.

    >>> from retrograd.learn import symbolic
    >>> symbolic.text(symbolic.number(3)) if symbolic.AVAILABLE else "3"
    '3'
    """
    if expr is None or not AVAILABLE:
        return None
    return str(expr)
