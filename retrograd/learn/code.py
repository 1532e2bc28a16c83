"""A program's forward and backward pass as the Python code ``rg.jit`` generates for it.

``program_code(p)`` turns a :class:`~retrograd.learn.program.Program` into a function of its
inputs, takes ``rg.value_and_grad`` with respect to its parameters (the inputs that are not
data), and returns the straight-line source ``rg.jit`` emits: the forward pass with the
program's own names, then the backward pass, one line per chain-rule step (``dJ_dw = ...``),
a comment above the lines of each rule. It is what ``retrograd explain ... --code`` prints.

>>> from retrograd.learn import program
>>> print(program_code(program("c = w*x\\nJ = c**2", w=2.0, x=3.0)), end="")
def forward_backward(w, x):
    # forward
    c = w * x
    J = c ** 2
    # backward
    # d J / d c: pow rule, g * y * x**(y-1)
    dJ_dc = 2.0 * c
    # d c / d w: mul rule, g * y
    dJ_dw = dJ_dc * x
    # d c / d x: mul rule, g * x
    dJ_dx = dJ_dc * w
    return (J, dJ_dw, dJ_dx)
"""

from __future__ import annotations

from ..jit import jit
from ..tensor import Tensor
from ..transforms import value_and_grad
from .program import evaluate

__all__ = ["program_code"]


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


def program_code(prog) -> str:
    """The generated source of ``prog``'s value and gradients with respect to its parameters."""
    parsed = prog.parsed
    f = _as_function(parsed)
    params = tuple(i for i, n in enumerate(parsed.inputs) if n not in prog.data) or (0,)
    vg = value_and_grad(f, argnums=params)
    args = [prog.inputs[n] for n in parsed.inputs]
    return _named_jit(vg, parsed.inputs).source(*args)


def _named_jit(fn, names):
    """``jit(fn)`` whose generated function takes the program's input names as arguments."""
    src = f"def forward_backward({', '.join(names)}):\n    return fn({', '.join(names)})\n"
    ns = {"fn": fn}
    exec(compile(src, "<program>", "exec"), ns)  # a signature with the input names, nothing else
    return jit(ns["forward_backward"])
