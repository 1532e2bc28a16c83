"""From a trace to straight-line Python source: one line per primitive, forward then backward.

Passes, in order:

1. *simplify*: ``identity``/``stop_gradient`` and shape no-ops (a reshape to the same shape,
   ...) become aliases; an equation whose arguments are all constants is folded to its
   value; two equations with the same function and arguments are merged (common
   subexpressions);
2. *dead code*: only equations the outputs need are kept;
3. *names*: the argument names, the names given with ``.named()``, ``dJ_dw`` for the
   gradient of ``J`` with respect to ``w``, ``tanh1``/``g2`` for other values;
4. *emit*: NumPy calls (or, when every value is a 0-d float64, Python's ``math`` on
   floats), a comment before the lines of each backward rule, and ``del`` of every array
   after its last use so memory stays at what the eager backward pass needs; an elementwise
   step writes into an array that dies there (``out=``). Float programs of more than
   ``_FUSE_MIN_STEPS`` steps, which nobody reads line by line, write each value used once into
   its use instead of a line of its own: Python compiles them faster.
"""

from __future__ import annotations

import keyword
import math
import re

import numpy as np

from .. import ops
from ..tensor import Tensor
from ..tracing import Tracer, identity, stop_gradient
from ..transforms import _Diagonal

# ----- templates ------------------------------------------------------------------------------
_ARRAY = {
    "add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}", "div": "{0} / {1}", "pow": "{0} ** {1}",
    "neg": "-{0}", "matmul": "{0} @ {1}", "exp": "np.exp({0})", "log": "np.log({0})",
    "sqrt": "np.sqrt({0})", "sin": "np.sin({0})", "cos": "np.cos({0})", "tan": "np.tan({0})",
    "tanh": "np.tanh({0})", "abs": "np.abs({0})", "relu": "np.maximum({0}, 0)",
    "maximum": "np.maximum({0}, {1})", "minimum": "np.minimum({0}, {1})",
    "where": "np.where({0}, {1}, {2})",
}
_SCALAR = {
    "add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}", "div": "{0} / {1}", "neg": "-{0}",
    "exp": "math.exp({0})", "log": "math.log({0})", "sqrt": "math.sqrt({0})", "sin": "math.sin({0})",
    "cos": "math.cos({0})", "tan": "math.tan({0})", "tanh": "math.tanh({0})", "abs": "abs({0})",
    "relu": "max({0}, 0.0)", "sigmoid": "sigmoid({0})", "where": "({1} if {0} else {2})",
}
_OPERATORS = {np.greater: ">", np.greater_equal: ">=", np.less: "<", np.less_equal: "<=",
              np.equal: "==", np.not_equal: "!=", np.add: "+", np.subtract: "-", np.multiply: "*",
              np.true_divide: "/"}
_SCALAR_NP = {np.sign: "(1.0 if {0} > 0 else -1.0 if {0} < 0 else {0} * 0.0)",
              np.logical_and: "({0} and {1})", np.logical_or: "({0} or {1})", np.logical_not: "(not {0})"}

# What each backward rule computes, for the comment above its lines (g: the incoming gradient).
_FORMULAS = {
    "add": ("g", "g"), "sub": ("g", "-g"), "mul": ("g * y", "g * x"), "div": ("g / y", "-g * out / y"),
    "pow": ("g * y * x**(y-1)", "g * out * log(x)"), "neg": ("-g",), "exp": ("g * out",),
    "log": ("g / x",), "sqrt": ("g / (2 * out)",), "sin": ("g * cos(x)",), "cos": ("-g * sin(x)",),
    "tan": ("g * (1 + out**2)",), "tanh": ("g * (1 - out**2)",), "sigmoid": ("g * out * (1 - out)",),
    "relu": ("g * (x > 0)",), "abs": ("g * sign(x)",), "matmul": ("g @ y.T", "x.T @ g"),
    "sum": ("g broadcast to x's shape",), "mean": ("g broadcast to x's shape / n",),
    "linear": ("g @ W", "g.T @ x", "g summed over rows"), "cross_entropy": ("(softmax(z) - onehot(y)) * g / n",),
    "reshape": ("g reshaped to x's shape",), "broadcast_to": ("g summed to x's shape",),
    "getitem": ("g scattered into zeros of x's shape",), "transpose": ("g transposed back",),
    "maximum": ("g where x wins (half at ties)", "g where y wins (half at ties)"),
    "minimum": ("g where x wins (half at ties)", "g where y wins (half at ties)"),
    "where": (None, "g where cond", "g where not cond"),
}

_RESERVED = set(keyword.kwlist) | {"np", "math", "max", "min", "abs", "float", "bool", "int", "sum",
                                   "range", "len", "slice", "None", "True", "False"}


def _is_alias(eqn, args):
    """The argument an equation merely passes on (no computation), or None."""
    fn, name = eqn.fn, eqn.name
    if eqn.kind == "prim":
        if fn is identity or fn is stop_gradient:
            return args[0]
        if name not in _ALIAS_CANDIDATES:
            return None
        a = args[0] if args else None
        same = (name != "mul" and type(a) is Tracer and a.val.shape == eqn.out.val.shape
                and a.val.dtype == eqn.out.val.dtype)
        if same and name in ("reshape", "broadcast_to", "sum_to"):
            return a
        if same and name == "transpose" and tuple(_extra(args, eqn.params, "axes")) == tuple(range(a.ndim)):
            return a
        if same and name in ("sum", "mean", "max", "min") and not _extra(args, eqn.params, "axes"):
            return a
        if name == "pow" and same and isinstance(args[1], (int, float)) and args[1] == 1:
            return a
        if name == "matmul" and len(args) == 2:  # identity @ B, A @ identity
            for x, c in ((args[1], args[0]), (args[0], args[1])):
                if (isinstance(x, Tracer) and _identity_seed(c) and x.val.shape == eqn.out.val.shape
                        and x.val.dtype == eqn.out.val.dtype):
                    return x
        if name == "mul" and a is not None:
            # g * 1 where g already has the result's shape and dtype: just g (seeds of backward)
            for x, y in ((args[0], args[1]), (args[1], args[0])):
                if (type(x) is Tracer and type(y) is not Tracer and _all_ones(y)
                        and x.val.shape == eqn.out.val.shape and x.val.dtype == eqn.out.val.dtype):
                    return x
    elif eqn.kind == "method" and name == "astype":
        a = args[0]
        if isinstance(a, Tracer) and a.val.dtype == eqn.out.val.dtype:
            return a
    return None


_ALIAS_CANDIDATES = {"reshape", "broadcast_to", "sum_to", "transpose", "sum", "mean", "max", "min", "pow",
                     "matmul", "mul"}


def _extra(args, params, name, i=1):
    """A primitive's second argument, given positionally or by keyword (axes, shape, idx)."""
    return args[i] if len(args) > i else params[name]


def _all_ones(c):
    if isinstance(c, (int, float)) and not isinstance(c, bool):
        return c == 1
    if isinstance(c, (np.ndarray, np.generic)) and c.dtype.kind == "f":
        if c.size == 1:
            return c.item() == 1.0
        return c.size <= 1 << 16 and bool(np.all(c == 1))
    return False


def _key(x):
    """A hashable key for an argument, for merging common subexpressions."""
    if isinstance(x, Tracer):
        return ("v", id(x))
    if isinstance(x, (tuple, list)):
        return (type(x).__name__,) + tuple(_key(e) for e in x)
    if isinstance(x, slice):
        return ("s", _key(x.start), _key(x.stop), _key(x.step))
    if isinstance(x, dict):
        return ("d",) + tuple((k, _key(v)) for k, v in sorted(x.items()))
    if isinstance(x, (np.ndarray, Tensor)) or callable(x):
        return ("o", id(x))
    if isinstance(x, np.generic):
        return ("g", x.dtype.str, x.item())
    try:
        hash(x)
    except TypeError:
        return ("o", id(x))
    return ("n", type(x).__name__, x)


def _subst(x, rep):
    if isinstance(x, Tracer):
        return rep.get(x, x)
    if type(x) is tuple or type(x) is list:
        return type(x)(_subst(e, rep) for e in x)
    if isinstance(x, slice):
        return slice(_subst(x.start, rep), _subst(x.stop, rep), _subst(x.step, rep))
    return x


def _has_tracer(x):
    if isinstance(x, Tracer):
        return True
    if isinstance(x, (tuple, list)):
        return any(_has_tracer(e) for e in x)
    if isinstance(x, slice):
        return any(_has_tracer(e) for e in (x.start, x.stop, x.step))
    return False


class _Step:
    """An equation kept for the code: resolved arguments and parameters, the Tracers among them."""
    __slots__ = ("args", "eqn", "out", "params", "rename", "tracers")

    def __init__(self, eqn, args, params, rename=False, tracers=None):
        self.eqn, self.args, self.params, self.out = eqn, args, params, eqn.out
        self.rename = rename
        ts = tracers
        if ts is None:
            ts = [a for a in args if type(a) is Tracer]
            if params or (len(ts) != len(args) and any(isinstance(a, (tuple, list, slice)) for a in args)):
                ts = list(_tracers_in((args, tuple(params.values()))))
        self.tracers = ts


def simplify(trace, outputs):
    """Passes 1 and 2: the kept steps (in order) and the outputs after aliasing and folding.

    ``rep`` (the replacement of every aliased, folded or merged value) is keyed by the Tracers
    themselves, as the sets below: their hash spreads better than id()'s aligned addresses, and
    a Tracer's ``__eq__`` is never called (distinct live objects have distinct hashes).
    """
    rep, seen, steps = {}, {}, []
    rep_get, seen_get, add_step = rep.get, seen.get, steps.append
    alias_names = _ALIAS_CANDIDATES
    for eqn in trace.eqns:
        # the arguments after aliasing; the Tracers among them (None: nested, see _Step); the CSE key
        args, ts, key = [], [], []
        for a in eqn.args:
            ta = type(a)
            if ta is Tracer:
                a = rep_get(a, a)
                if type(a) is Tracer:
                    if ts is not None:
                        ts.append(a)
                    key.append(id(a))
                else:
                    key.append(_key(a))
            elif ta is float or ta is int:
                key.append((ta, a))
            else:
                a = _subst(a, rep)
                if ts is not None and _has_tracer(a):
                    ts = None
                key.append(_key(a))
            args.append(a)
        args = tuple(args)
        params = eqn.params
        if params:
            params = {k: _subst(v, rep) for k, v in params.items()}
            ts = None
        kind, fn, out = eqn.kind, eqn.fn, eqn.out
        alias = (_is_alias(eqn, args) if kind != "prim" or eqn.name in alias_names
                 or fn is identity or fn is stop_gradient else None)
        if alias is not None:
            if (isinstance(alias, Tracer) and out.grad_of is not None
                    and (alias.grad_of is None or alias.grad_of[1] is not out.grad_of[1])):
                # a gradient equal to another value (dJ_dd = d): one line that names it, no copy
                add_step(_Step(eqn, (alias,), {}, rename=True))
                continue
            rep[out] = alias
            continue
        if not ts and (ts is not None or not (_has_tracer(args) or (
                params and _has_tracer(tuple(params.values()))))):
            rep[out] = out.val   # constant folding
            continue
        key = (kind, id(fn) if kind != "method" else fn, tuple(key), _key(params) if params else None)
        prev = seen_get(key)
        if prev is not None:
            rep[out] = prev
            continue
        seen[key] = out
        add_step(_Step(eqn, args, params, tracers=ts))
    outs = [_subst(o, rep) for o in outputs]
    # dead code: keep what the outputs need
    needed = {o for o in outs if isinstance(o, Tracer)}
    need = needed.add
    kept = []
    for st in reversed(steps):
        if st.out in needed:
            kept.append(st)
            for t in st.tracers:
                need(t)
    kept.reverse()
    return kept, outs, rep


def _tracers_in(x):
    if isinstance(x, Tracer):
        yield x
    elif isinstance(x, (tuple, list)):
        for e in x:
            yield from _tracers_in(e)
    elif isinstance(x, slice):
        yield from _tracers_in((x.start, x.stop, x.step))


def scalar_ok(steps, inputs, outs, captured=()) -> bool:
    """Whether every value is a 0-d float64 (or bool) and every step has a ``math`` form."""
    f64, b = np.dtype(np.float64), np.dtype(np.bool_)

    def ok(t):
        v = t.val
        return v.ndim == 0 and (v.dtype == f64 or v.dtype == b)
    if not all(ok(t) for t in inputs) or not all(ok(o) for o in outs if isinstance(o, Tracer)):
        return False
    if not all(ok(t) for _, t in captured):
        return False
    # a step's arguments are inputs, captured values or outputs of earlier steps: checking
    # the outputs of all steps covers them
    for st in steps:
        v = st.out.val
        if v.ndim or (v.dtype != f64 and v.dtype != b):
            return False
        if st.rename:
            continue
        e = st.eqn
        if e.kind == "prim":
            if e.name == "pow":
                continue
            if e.name not in _SCALAR:
                return False
        elif e.kind == "np":
            if (e.fn not in _OPERATORS and e.fn not in _SCALAR_NP) or st.params:
                return False
        elif e.kind == "method" and (e.name != "astype" or st.args[1] not in (np.float64, np.bool_)):
            return False
        for a in st.args:
            if isinstance(a, (np.ndarray, np.generic)) and (a.ndim or a.dtype not in (np.float64, np.bool_)):
                return False
    return True


# ----- names ------------------------------------------------------------------------------------
def _ident(name: str) -> str:
    s = re.sub(r"\W", "_", str(name))
    if not s or s[0].isdigit():
        s = "v_" + s
    return s


class _Names:
    def __init__(self, reserved):
        self.used = set(reserved)
        self.of = {}
        self.counters = {}

    def fresh(self, base):
        base = _ident(base)
        if base not in self.used and base not in _RESERVED:
            self.used.add(base)
            return base
        k = self.counters.get(base, 1)
        while f"{base}{k}" in self.used:
            k += 1
        self.counters[base] = k + 1
        self.used.add(f"{base}{k}")
        return f"{base}{k}"

    def temp(self, base):
        k = self.counters.get(base, 1)
        while f"{base}{k}" in self.used:
            k += 1
        self.counters[base] = k + 1
        self.used.add(f"{base}{k}")
        return f"{base}{k}"


_SHORT = {"getitem": "item", "broadcast_to": "bcast", "concatenate": "cat", "cross_entropy": "loss",
          "logical_and": "both", "greater": "gt", "greater_equal": "ge", "less": "lt",
          "less_equal": "le", "equal": "eq", "not_equal": "ne", "astype": "cast"}


def _short(eqn) -> str:
    n = eqn.name
    return _SHORT.get(n, n)


def assign_names(steps, inputs, in_names, captured, outs, rep, reserved, unnamed=()):
    """Variable names: ``of`` (id of a value -> name) and ``name_of(value)``; the values in
    ``unnamed`` (values written into their use, the Tracers themselves) get none."""
    if unnamed:
        steps = [st for st in steps if st.out not in unnamed]
    names = _Names(reserved)
    of = names.of
    for t, n in zip(inputs, in_names):
        of[id(t)] = names.fresh(n)
    for _tensor, t in captured:
        of[id(t)] = names.fresh(t.name or "param")
    for st in steps:  # names given with .named(), forward values
        if st.out.name:
            of[id(st.out)] = names.fresh(st.out.name)
    for st in steps:
        if id(st.out) not in of and st.eqn.ctx is None and st.out.grad_of is None:
            of[id(st.out)] = names.temp(_short(st.eqn))

    def name_of(t):
        t = _subst(t, rep)
        if not isinstance(t, Tracer):
            return None
        if id(t) not in of:  # a value the code does not compute (the loss, for a gradient alone)
            of[id(t)] = t.name or (t.eqn.name if t.eqn is not None else "out")
        return of[id(t)]

    for st in steps:  # gradients: dJ_dw
        g = st.out.grad_of
        if id(st.out) not in of and g is not None:
            y = g[0].name or (name_of(g[0]) if id(_subst(g[0], rep)) in of else "out")
            x = name_of(g[1])
            if x:
                of[id(st.out)] = names.fresh(f"d{y}_d{x}")
    for st in steps:
        if id(st.out) not in of:
            of[id(st.out)] = names.temp("g")
    return of, name_of


# ----- emitting ---------------------------------------------------------------------------------
class _Emitter:
    def __init__(self, names, scalar, used):
        self.of = names
        self.used = used
        self.scalar = scalar
        self.consts = {}        # name -> value
        self._const_ids = {}
        self.inline = {}        # id(value) -> expression text, for values written into their one use

    def const(self, value, base="c"):
        key = id(value)
        name = self._const_ids.get(key)
        if name is None:
            k = len(self.consts) + 1
            while f"{base}{k}" in self.used or f"{base}{k}" in self.consts:
                k += 1
            name = f"{base}{k}"
            self.consts[name] = value
            self._const_ids[key] = name
        return name

    def arg(self, x, sub=False):
        t = type(x)
        if t is Tracer:
            if self.inline:
                text = self.inline.pop(id(x), None)
                if text is not None:
                    return text
            return self.of[id(x)]
        if t is float:
            return self.number(x)
        if isinstance(x, Tracer):
            text = self.inline.pop(id(x), None) if self.inline else None
            return text if text is not None else self.of[id(x)]
        if x is None or isinstance(x, (bool, np.bool_)):
            return repr(bool(x)) if x is not None else "None"
        if isinstance(x, (int, float)) and not isinstance(x, np.generic):
            return self.number(x)
        if x is Ellipsis:
            return "..."
        if isinstance(x, slice):
            parts = ["" if v is None else self.arg(v) for v in (x.start, x.stop, x.step)]
            text = ":".join(parts[:2]) + (":" + parts[2] if parts[2] else "")
            return text if sub else f"slice({', '.join(self.arg(v) for v in (x.start, x.stop, x.step))})"
        if type(x) is list:
            return "[" + ", ".join(self.arg(e) for e in x) + "]"
        if isinstance(x, tuple):
            inner = [self.arg(e, sub) for e in x]
            if sub and inner:
                return ", ".join(inner)
            return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
        if isinstance(x, np.dtype) or (isinstance(x, type) and issubclass(x, np.generic)):
            return f"np.{np.dtype(x).name}"
        if isinstance(x, str):
            return repr(x)
        if isinstance(x, (np.ndarray, np.generic)) and np.ndim(x) == 0 and x.dtype.kind in "fiub":
            v = x.item()
            if self.scalar and x.dtype in (np.float64, np.bool_):
                return self.number(v) if x.dtype == np.float64 else repr(bool(v))
            return f"np.{x.dtype.name}({self.number(v) if x.dtype.kind == 'f' else repr(v)})"
        return self.const(x)

    def number(self, v):
        if isinstance(v, float):
            if math.isnan(v):
                return "math.nan" if self.scalar else "np.nan"
            if math.isinf(v):
                pre = "math" if self.scalar else "np"
                return f"{pre}.inf" if v > 0 else f"-{pre}.inf"
        return repr(v)

    def float_expr(self, st, helpers):
        """``expr`` for a program on Python floats (see ``scalar_ok``), the short way."""
        e, a = st.eqn, st.args
        if st.rename:
            return self.arg(a[0])
        kind = e.kind
        arg, A = self.arg, []
        of, inline = self.of, self.inline
        paren = kind == "np" or (kind == "prim" and e.name in _ARRAY)  # -x as an operand: (-x)
        for x in a:
            tx = type(x)
            if tx is Tracer:  # (self.arg's first case, inlined: the hot path)
                t = inline.pop(id(x), None) if inline else None
                if t is None:
                    t = of[id(x)]
            elif tx is float:
                t = self.number(x)
            else:
                t = arg(x)
            A.append(f"({t})" if paren and t[:1] == "-" else t)
        if kind == "prim":
            n = e.name
            if n != "pow" and n != "sigmoid":
                return _SCALAR[n].format(*A)
            return _scalar_prim(n, a, A, helpers)
        if kind == "method":
            return f"{'float' if a[1] == np.float64 else 'bool'}({A[0]})"
        op = _OPERATORS.get(e.fn)
        if op is not None and len(A) == 2 and not st.params:
            return f"{A[0]} {op} {A[1]}"
        return _SCALAR_NP[e.fn].format(*A)

    def expr(self, st, helpers):
        e, a = st.eqn, st.args
        p = st.params
        if st.rename:
            return self.arg(a[0])
        if not self.scalar and e.kind == "prim" and e.name in _ELEMENTWISE_BINARY and any(
                isinstance(x, Tracer) and x.val.shape == st.out.val.shape and x.val.dtype == st.out.val.dtype
                for x in a):
            a = tuple(_uniform(x, st.out) for x in a)
        A = [self.arg(x) for x in a]
        if (e.kind == "prim" and e.name in _ARRAY) or e.kind == "np":
            A = [f"({t})" if t.startswith("-") else t for t in A]
        if e.kind == "prim":
            n = e.name
            if self.scalar:
                return _scalar_prim(n, a, A, helpers)
            if n in _ARRAY:
                return _ARRAY[n].format(*A)
            if n in ("sum", "mean", "max", "min"):
                kd = ", keepdims=True" if p.get("keepdims") else ""
                return f"np.{n}({A[0]}, axis={self.arg(tuple(_extra(a, p, 'axes')))}{kd})"
            if n == "reshape":
                return f"np.reshape({A[0]}, {self.arg(tuple(_extra(a, p, 'shape')))})"
            if n == "broadcast_to":
                return f"np.broadcast_to({A[0]}, {self.arg(tuple(_extra(a, p, 'shape')))})"
            if n == "transpose":
                return f"np.transpose({A[0]}, {self.arg(tuple(_extra(a, p, 'axes')))})"
            if n == "getitem":
                idx = _extra(a, p, "idx")
                return f"{A[0]}[{self.arg(idx, sub=True) if idx else '()'}]"
            if n in ("concatenate", "stack"):
                return f"np.{n}([{', '.join(A)}], axis={p['axis']})"
            fname = _helper_name(e.fn, helpers)
            kw = "".join(f", {k}={self.arg(v)}" for k, v in p.items())
            return f"{fname}({', '.join(A)}{kw})" if A else f"{fname}({kw[2:]})"
        if e.kind == "method":
            if self.scalar:
                return f"{'float' if a[1] == np.float64 else 'bool'}({A[0]})"
            return f"{A[0]}.astype({A[1]})"
        op = _OPERATORS.get(e.fn)
        if op is not None and len(A) == 2 and not p:
            return f"{A[0]} {op} {A[1]}"
        if self.scalar:
            return _SCALAR_NP[e.fn].format(*A)
        fname = e.fn.__name__
        owner = getattr(e.fn, "__self__", None)
        if isinstance(owner, np.ufunc) and getattr(np, owner.__name__, None) is owner:
            fname = f"np.{owner.__name__}.{fname}"  # np.maximum.accumulate
        elif getattr(np, fname, None) is e.fn:
            fname = "np." + fname
        else:
            fname = _helper_name(e.fn, helpers, fname)
        kw = "".join(f", {k}={self.arg(v)}" for k, v in p.items())
        return f"{fname}({', '.join(A)}{kw})"


_ELEMENTWISE_BINARY = {"add", "sub", "mul", "div", "pow", "maximum", "minimum"}


def _uniform(x, out):
    """A constant array whose elements are all equal, as a Python number, when that changes nothing
    (the caller checked that a traced operand already has the result's shape and dtype; a Python
    number adapts to that operand's dtype)."""
    if (isinstance(x, np.ndarray) and 0 < x.size <= 1 << 20 and x.dtype.kind == "f"
            and x.ndim <= out.val.ndim and x.dtype == out.val.dtype):
        v = x.flat[0]
        if np.all(x == v) and not np.isnan(v):
            return float(v)
    return x


# Primitives that are one NumPy ufunc: with ``out=`` they can write into a dead array.
_UFUNCS = {"add": "np.add", "sub": "np.subtract", "mul": "np.multiply", "div": "np.true_divide",
           "pow": "np.power", "neg": "np.negative", "exp": "np.exp", "log": "np.log", "sqrt": "np.sqrt",
           "sin": "np.sin", "cos": "np.cos", "tan": "np.tan", "tanh": "np.tanh", "abs": "np.absolute",
           "maximum": "np.maximum", "minimum": "np.minimum", "relu": "np.maximum"}
# Primitives whose result is a new array (not a view of an argument or a constant).
_FRESH = set(_UFUNCS) | {"matmul", "linear", "sigmoid", "softmax", "log_softmax", "logsumexp", "where",
                         "sum", "mean", "max", "min", "concatenate", "stack", "index_add",
                         "cross_entropy", "clip"}
_INPLACE_MIN_SIZE = 1024
# Float programs longer than this are written with every value used once inlined into its use
# (Python compiles fewer, longer lines faster); nesting stays below Python's parser limit.
_FUSE_MIN_STEPS = 3000
_FUSE_DEPTH = 40   # below this, out= costs more than the allocation it saves


def _reusable(st, i, last, out_ids, owned):
    """An argument of this elementwise step whose array dies here and can hold the result, or None."""
    e = st.eqn
    if e.kind != "prim" or e.name not in _UFUNCS or st.params:
        return None
    ov = st.out.val
    if ov.ndim == 0 or ov.size < _INPLACE_MIN_SIZE:
        return None
    for a in st.args:
        if (type(a) is Tracer and id(a) in owned and last.get(id(a)) == i and id(a) not in out_ids
                and a.val.shape == ov.shape and a.val.dtype == ov.dtype):
            return a
    return None


def _inplace_expr(st, em, target):
    args = list(st.args)
    if st.eqn.name == "relu":
        args.append(0)
    a = tuple(_uniform(x, st.out) for x in args) if st.eqn.name in _ELEMENTWISE_BINARY else args
    return f"{_UFUNCS[st.eqn.name]}({', '.join(em.arg(x) for x in a)}, out={target})"


def _emit_dels(body, st, i, last, out_ids, of, on, skip=()):
    if not on:
        return
    dead = []
    for t in st.tracers:
        if last.get(id(t)) == i and id(t) not in out_ids and id(t) not in skip and of[id(t)] not in dead:
            dead.append(of[id(t)])
    if dead:
        body.append("del " + ", ".join(dead))


def _identity_seed(c):
    """The structured identity that seeds a whole Jacobian (see ``transforms._Diagonal``)."""
    return isinstance(c, _Diagonal) and c.d is not None and bool(np.all(c.d == 1))


def _diagonals(steps, out_ids, last):
    """Steps ``identity * v`` (v a vector) whose every use is a matrix product: id(out) -> v.

    Such a diagonal matrix is never formed: ``diag(v) @ B`` is written ``v[:, None] * B`` and
    ``A @ diag(v)`` is ``A * v``. The vector is then kept alive until the last product.
    """
    found = {}
    for st in steps:
        e = st.eqn
        if e.kind == "prim" and e.name == "mul" and not st.rename and id(st.out) not in out_ids:
            a, b = st.args
            c, v = (a, b) if _identity_seed(a) else (b, a) if _identity_seed(b) else (None, None)
            if (c is not None and type(v) is Tracer and v.ndim == 1 and c.shape == (v.shape[0],) * 2
                    and v.dtype == st.out.dtype):
                found[id(st.out)] = v
    if not found:
        return found
    for st in steps:  # every use must be an operand of a 2-d matrix product
        for _k, t in enumerate(st.tracers):
            if id(t) in found:
                ok = (st.eqn.name == "matmul" and not st.rename and len(st.args) == 2
                      and all(type(x) is not Tracer or x.ndim in (1, 2) for x in st.args)
                      and (st.args[0] is t or st.args[1].ndim == 2))
                if not ok:
                    found.pop(id(t))
    for i, st in enumerate(steps):
        if id(st.out) in found:
            v = found[id(st.out)]
            last[id(v)] = max(last.get(id(v), i), last.get(id(st.out), i))
    return found


def _helper_name(fn, helpers, base=None):
    impl = fn.impl if hasattr(fn, "impl") else fn
    base = _ident(base or getattr(fn, "name", None) or getattr(fn, "__name__", "f"))
    name = base
    k = 2
    while name in helpers and helpers[name] is not impl:
        name = f"{base}_{k}"
        k += 1
    helpers[name] = impl
    return name


_SIGMOID_SOURCE = '''def sigmoid(x):
    """1 / (1 + e**-x) on a float, without overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)
'''


def _sigmoid_float(x):
    """1 / (1 + e**-x) on a float, without overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _scalar_prim(name, args, texts, helpers):
    """The Python-float expression of primitive ``name`` on the operand texts ``texts``.

    >>> _scalar_prim("pow", ("x", 2.0), ["x", "2.0"], {})
    'x ** 2'
    """
    if name == "pow":
        y = args[1]
        if isinstance(y, (int, float)) and float(y).is_integer() and abs(y) < 64:
            return f"{texts[0]} ** {int(y)}"
        return f"math.pow({texts[0]}, {texts[1]})"
    if name == "sigmoid":
        helpers["sigmoid"] = _sigmoid_float
    return _SCALAR[name].format(*texts)


def _helper_names():
    """Names the generated code may use for helpers (reserved so no variable takes them)."""
    names = {"sigmoid", "sum_to", "index_add"}
    for p in ops.ALL:
        names.add(_ident(p.name))
    return names


# The letters of the formulas above that stand for an operand, by position (x, y by default).
_OPERAND_LETTERS = {"linear": ("x", "W", "b"), "cross_entropy": ("z", "y"), "where": ("cond", "x", "y")}


def _operand_text(a, name_of):
    name = name_of(a)
    if name:
        return name
    if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, float, np.integer, np.floating)):
        return None
    return repr(int(a)) if float(a).is_integer() else repr(float(a))


def _instantiate(formula, letters, texts, out):
    """``formula`` with its operand letters replaced by the code's names (a program's own ``x`` and
    ``y`` must not be confused with the rule's), and ``x**(y-1)`` worked out for a number ``y``.

    >>> _instantiate("g * y * x**(y-1)", ("x", "y"), ["d", "2"], "pow1")
    'g * 2 * d**1'
    >>> _instantiate("g * y", ("x", "y"), ["w", "x"], "c")
    'g * x'
    """
    names = {"out": out}
    for letter, text in zip(letters, texts):
        if text is not None:
            names[letter] = text
    y = names.get("y", "")
    if "x**(y-1)" in formula and y.lstrip("-").isdigit():
        formula = formula.replace("x**(y-1)", f"x**{int(y) - 1}")
    return re.sub(r"\b(x|y|z|W|b|cond|out)\b", lambda m: names.get(m.group(1), m.group(1)), formula)


def _describe(st, name_of):
    eqn, i = st.eqn.ctx
    prim = eqn.fn
    formulas = _FORMULAS.get(prim.name, ())
    formula = formulas[i] if i < len(formulas) and formulas[i] else None
    out, arg = name_of(eqn.out), name_of(eqn.args[i])
    head = f"# d {out} / d {arg}" if arg else f"# d {out}"
    if not formula:
        return head + f": {prim.name} rule"
    texts = [_operand_text(a, name_of) for a in eqn.args]
    formula = _instantiate(formula, _OPERAND_LETTERS.get(prim.name, ("x", "y")), texts, out or "out")
    return head + f": {prim.name} rule, {formula}"


def generate(trace, inputs, in_names, outputs, fname="f", scalar=None, dels=True):
    """Source and namespace of a function computing ``outputs`` from ``inputs`` (see module doc)."""
    steps, outs, rep = simplify(trace, outputs)
    captured = list(trace.captured.values())
    if scalar is None:
        scalar = scalar_ok(steps, inputs, outs, captured)
    reserved = _helper_names() | {"np", "math"}
    out_ids = {id(o) for o in outs if isinstance(o, Tracer)}
    inline = _inline_plan(steps, out_ids) if scalar and len(steps) > _FUSE_MIN_STEPS else set()
    of, name_of = assign_names(steps, inputs, in_names, captured, outs, rep, reserved, inline)
    em = _Emitter(of, scalar, set(of.values()))
    helpers: dict = {}
    # last use of every value, for del
    last = {}
    if not scalar:  # (float code has no del: a float is small)
        for i, st in enumerate(steps):
            for t in st.tracers:
                last[id(t)] = i
    diag = {} if scalar else _diagonals(steps, out_ids, last)
    body = []
    if captured:
        body.append("# parameters read when the code runs (closed-over Tensors)")
        for tensor, t in captured:
            body.append(f"{of[id(t)]} = {em.const(tensor, 'tensor')}.data")
    body.append("# forward")
    if scalar:
        _float_body(body, steps, em, helpers, inline, name_of)
    else:
        _array_body(body, steps, em, helpers, out_ids, name_of, last, diag, dels)
    ret = [em.arg(o) if isinstance(o, Tracer) or (isinstance(o, (np.ndarray, np.generic)) and o.ndim == 0)
           else em.const(o, "out") for o in outs]
    body.append("return (" + ", ".join(ret) + ("," if len(ret) == 1 else "") + ")")
    params = ", ".join(of[id(t)] for t in inputs)
    header = [f"def {fname}({params}):"]
    # small constants are written out (the code then runs on its own); big ones are described
    doc = [f"{n} = {t}" if t.startswith(("np.array(", "np.zeros(")) else f"# {n}: {t}"
           for n, t in ((n, _const_text(v)) for n, v in em.consts.items())]
    lines = header + ["    " + line for line in body]
    text = "\n".join(lines)
    pre = [f"import {m}" for m, used in (("math", "math." in text),
                                          ("numpy as np", "np." in text or any("np." in d for d in doc))) if used]
    if scalar and "sigmoid" in helpers:
        pre += _SIGMOID_SOURCE.splitlines()
    src = "\n".join(pre + doc + lines) + "\n"
    ns = {"np": np, "math": math}
    ns.update(helpers)
    ns.update(em.consts)
    return src, ns, scalar


def _inline_plan(steps, out_ids):
    """The values (Tracers) of a long float program written into their one use instead of a line of
    their own (nesting kept below ``_FUSE_DEPTH``)."""
    # keyed by the Tracers themselves: their hash spreads better than id()'s aligned addresses
    # (a Tracer's __eq__ is never called: distinct live objects have distinct hashes)
    uses = {}
    get = uses.get
    sign = np.sign
    for st in steps:
        k = 3 if st.eqn.fn is sign else 1
        for t in st.tracers:
            uses[t] = get(t, 0) + k
    depth = {}
    plan = set()
    dget = depth.get
    limit = _FUSE_DEPTH - 1
    for st in steps:
        out = st.out
        if get(out) == 1 and not st.rename and id(out) not in out_ids:
            d = 0
            for t in st.tracers:
                dt = dget(t, 0)
                if dt > d:
                    d = dt
            if d < limit:
                depth[out] = d + 1
                plan.add(out)
    return plan


def _float_body(body, steps, em, helpers, plan, name_of):
    """The lines of a program on Python floats: no del (a float is small), no out=; the values in
    ``plan`` are written into their use."""
    fuse = bool(plan)
    of, inline = em.of, em.inline
    ctx = None
    in_backward = False
    for st in steps:
        c = st.eqn.ctx
        if c is not None and c != ctx:
            if not in_backward:
                body.append("# backward")
                in_backward = True
            if not fuse:  # (fused code is not read line by line)
                body.append(_describe(st, name_of))
        ctx = c
        if st.out in plan:  # big float programs: a value used once is written into its use
            inline[id(st.out)] = f"({em.float_expr(st, helpers)})"
            continue
        body.append(f"{of[id(st.out)]} = {em.float_expr(st, helpers)}")


def _array_body(body, steps, em, helpers, out_ids, name_of, last, diag, dels):
    """The lines of a program on NumPy arrays: del after the last use, out= into dead arrays."""
    of = em.of
    owned = set()   # values held in arrays this code allocated (it may write into them)
    ctx = None
    in_backward = False
    for i, st in enumerate(steps):
        c = st.eqn.ctx
        if c is not None and not in_backward:
            body.append("# backward")
            in_backward = True
        if c is not None and c != ctx:
            body.append(_describe(st, name_of))
        ctx = c
        if id(st.out) in diag:
            continue  # identity * v: never formed, its products are written as scalings below
        if st.eqn.name == "matmul" and any(id(a) in diag for a in st.args[:2]):
            a, b = st.args[:2]
            if id(a) in diag:
                text = f"{em.arg(diag[id(a)])}[:, None] * {em.arg(b)}" if b.ndim == 2 else \
                    f"{em.arg(diag[id(a)])} * {em.arg(b)}"
            else:
                text = f"{em.arg(a)} * {em.arg(diag[id(b)])}"
            body.append(f"{of[id(st.out)]} = {text}")
            owned.add(id(st.out))
            _emit_dels(body, st, i, last, out_ids, of, dels, diag)
            continue
        target = _reusable(st, i, last, out_ids, owned) if dels else None
        if target is not None:  # write into an array that dies here: no new allocation
            body.append(f"{of[id(st.out)]} = {_inplace_expr(st, em, of[id(target)])}")
        else:
            body.append(f"{of[id(st.out)]} = {em.expr(st, helpers)}")
        if st.eqn.kind == "prim" and st.eqn.name in _FRESH and not st.rename:
            owned.add(id(st.out))
        _emit_dels(body, st, i, last, out_ids, of, dels, diag)


def _const_text(v):
    if isinstance(v, Tensor):
        return f"a Tensor of shape {v.shape} and dtype {v.dtype}" + (f" named {v.name!r}" if v.name else "")
    if isinstance(v, np.ndarray):
        if v.size == 0:  # tolist() would lose the shape: (0, 3) -> []
            return f"np.zeros({v.shape!r}, dtype=np.{v.dtype.name})"
        if v.size <= 6:  # repr(inf) is no Python: np.inf
            values = re.sub(r"\b(inf|nan)\b", r"np.\1", repr(v.tolist()))
            return f"np.array({values}, dtype=np.{v.dtype.name})"
        return f"a constant array of shape {v.shape} and dtype {v.dtype}"
    return f"{type(v).__name__} {v!r:.60}"
