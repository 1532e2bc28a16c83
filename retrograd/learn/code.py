"""A program's forward and backward pass as the Python code ``rg.jit`` generates for it.

``program_code(p)`` turns a :class:`~retrograd.learn.program.Program` into a function of its
inputs, takes ``rg.value_and_grad`` with respect to its parameters (the inputs that are not
data), and returns the straight-line source ``rg.jit`` emits: the forward pass with the
program's own names, then the backward pass, one line per chain-rule step (``dJ_dw = ...``),
a comment above the lines of each rule. It is what ``retrograd explain ... --code`` prints.
:func:`lab_code` adds the call with the program's values and what it returns: the text of the
web lab's "code" tab.

>>> from retrograd.learn import program
>>> print(program_code(program("c = w*x\\nJ = c**2", w=2.0, x=3.0)), end="")
def forward_backward(w, x):
    # forward
    c = w * x
    J = c ** 2
    # backward
    # d J / d c: pow rule, g * 2 * c**1
    dJ_dc = 2.0 * c
    # d c / d w: mul rule, g * x
    dJ_dw = dJ_dc * x
    # d c / d x: mul rule, g * w
    dJ_dx = dJ_dc * w
    return (J, dJ_dw, dJ_dx)
"""

from __future__ import annotations

import ast

import numpy as np

from ..jit import jit
from ..pytree import tree_flatten
from ..tensor import Tensor
from ..transforms import value_and_grad
from .numfmt import fmt
from .program import evaluate

__all__ = ["lab_code", "program_code", "with_call"]


def _as_function(parsed):
    def forward_backward(*args):
        env = dict(zip(parsed.inputs, args))
        for s in parsed.statements:
            v = evaluate(s.expr, env)
            if isinstance(v, Tensor):
                if any(v is e for e in env.values()):
                    v = v + 0.0  # an alias (a = w) gets its own name
                v = v.named(s.target)
            env[s.target] = v
        return env[parsed.output]
    return forward_backward


def _program_jit(prog):
    parsed = prog.parsed
    f = _as_function(parsed)
    params = tuple(i for i, n in enumerate(parsed.inputs) if n not in prog.data) or (0,)
    vg = value_and_grad(f, argnums=params)
    return _named_jit(vg, parsed.inputs), list(parsed.inputs), [prog.inputs[n] for n in parsed.inputs]


def program_code(prog) -> str:
    """The generated source of ``prog``'s value and gradients with respect to its parameters."""
    fn, _, args = _program_jit(prog)
    return fn.source(*args)


def lab_code(prog) -> str:
    """:func:`program_code`, then the call with the program's values and, as a comment, what it
    returns (the lab's "code" tab).

    >>> from retrograd.learn import program
    >>> print(lab_code(program("J = w*x", w=2.0, x=3.0)).splitlines()[-2:])
    ['J, dJ_dw, dJ_dx = forward_backward(w=2.0, x=3.0)', '# J = 6, dJ_dw = 3, dJ_dx = 2']
    """
    fn, names, args = _program_jit(prog)
    return with_call(fn, names, args)


def with_call(fn, names, args) -> str:
    """``fn.source(*args)`` (``fn`` a jitted function) followed by the call ``outs = f(name=value,
    ...)`` and a comment with the values it returns; helpers the code calls are defined in it, so
    the text runs on its own.

    >>> import retrograd as rg
    >>> print(with_call(rg.jit(lambda x: x * 2), ["x"], [1.5]).splitlines()[-2:])
    ['mul1 = f(x=1.5)', '# mul1 = 3']
    """
    src = _standalone(fn.source(*args))
    func = ast.parse(src).body[-1]
    ret = func.body[-1].value if func.body and isinstance(func.body[-1], ast.Return) else None
    elts = ret.elts if isinstance(ret, ast.Tuple) else []
    outs = [e.id if isinstance(e, ast.Name) else f"out{i + 1}" for i, e in enumerate(elts)]
    res = tree_flatten(fn(*args))[0]  # (value, (grads...)) -> the code's flat return tuple
    if len(outs) != len(res):
        outs = [f"out{i + 1}" for i in range(len(res))]
    call = ", ".join(f"{n}={_literal(a)}" for n, a in zip(names, args))
    got = ", ".join(f"{o} = {fmt(np.asarray(getattr(v, 'data', v)).tolist())}" for o, v in zip(outs, res))
    return f"{src}\n{', '.join(outs)} = {func.name}({call})\n# {got}\n"


def _literal(v):
    a = np.asarray(getattr(v, "data", v), dtype=np.float64)
    return repr(float(a)) if a.ndim == 0 else f"np.array({a.tolist()!r})"


_SIGMOID_NP = "def sigmoid(x):\n    return 1.0 / (1.0 + np.exp(-x))\n"


def _standalone(src):
    """Array code calls ``sigmoid`` without defining it (the jitted function gets it from its
    namespace); define it after the imports so the text runs on its own."""
    if "sigmoid(" not in src or "def sigmoid" in src:
        return src
    head, sep, rest = src.partition("\ndef ")
    return f"{head}\n{_SIGMOID_NP}{sep.lstrip()}{rest}" if sep else src


def _named_jit(fn, names):
    """``jit(fn)`` whose generated function takes the program's input names as arguments."""
    src = f"def forward_backward({', '.join(names)}):\n    return fn({', '.join(names)})\n"
    ns = {"fn": fn}
    exec(compile(src, "<program>", "exec"), ns)  # a signature with the input names, nothing else
    return jit(ns["forward_backward"])
