"""Layers as matrices: seed 001's 2-3-1 sigmoid network, one example, written as layers.

A layer is one node ``z = W a + b`` followed by ``a' = sigmoid(z)``. Its local derivatives are
the matrices and vectors they are (``∂z/∂a = W``, ``∂z/∂W_ij = a_j``, ``∂a'/∂z = diag(σ'(z))``),
and the backward step is the delta rule::

    dL/dz2 = (y - t) * σ'(z2)          dL/dW2 = dL/dz2 a1ᵀ      dL/db2 = dL/dz2
    dL/dz1 = (W2ᵀ dL/dz2) * σ'(z1)     dL/dW1 = dL/dz1 xᵀ       dL/db1 = dL/dz1

with ``*`` elementwise and ``σ'(z) = σ(z)(1 - σ(z))``. Every gradient is checked against the
engine's backward pass and by centred finite differences, entry by entry. The values are ours
(seed 001 trains this network on the circles; a single example keeps the numbers readable).

>>> lesson = layers_lesson()
>>> lesson.shapes["W1"], lesson.shapes["W2"]
((3, 2), (1, 3))
>>> lesson.max_error() < 1e-8
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import sigmoid
from ..tensor import tensor
from ..transforms import value_and_grad
from .code import _named_jit, with_call
from .explain import Explanation
from .extract import build_graph
from .i18n import tr
from .numfmt import fmt

#: The example: input x, target t, and the network's parameters (ours, documented above).
VALUES = {"x": [0.5, -1.0], "t": [1.0],
          "W1": [[0.2, -0.4], [0.7, 0.1], [-0.3, 0.6]], "b1": [0.1, -0.2, 0.05],
          "W2": [[0.5, -0.6, 0.3]], "b2": [0.1]}
PARAMS = ("W1", "b1", "W2", "b2")
NAME = "layers-2-3-1"
#: The network as the lab shows it in its program box (the lesson is built from tensors: this
#: text names the lesson, it is not read by the scalar program parser).
SOURCE = ("# layers-2-3-1: built from tensors, one node per layer value\n"
          "z1 = W1 @ x + b1\na1 = sigmoid(z1)\nz2 = W2 @ a1 + b2\ny = sigmoid(z2)\nL = sum((y - t)**2)/2")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _m(a, digits):
    """A vector or matrix for display: [0.5, -1] or [[0.2, -0.4], [0.7, 0.1]]."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return fmt(float(a), digits)
    if a.ndim == 1:
        return "[" + ", ".join(fmt(float(v), digits) for v in a) + "]"
    return "[" + ", ".join(_m(row, digits) for row in a) + "]"


def _network(W1, b1, W2, b2, x, t):
    """The loss of the network, written with retrograd's functions (for ``rg.jit``)."""
    z1 = (W1 @ x + b1).named("z1")
    a1 = sigmoid(z1).named("a1")
    z2 = (W2 @ a1 + b2).named("z2")
    y = sigmoid(z2).named("y")
    return (((y - t) ** 2).sum() / 2).named("L")


class LayerLesson:
    """The 2-3-1 network in matrix form: values, delta-rule gradients, engine gradients, checks.

    ``explain(lang, digits)`` gives the explanation (text, Markdown, HTML like
    :class:`~retrograd.learn.explain.Explanation`).
    """

    def __init__(self, values=None, eps: float = 1e-6):
        v = {k: np.array(val, dtype=np.float64) for k, val in {**VALUES, **(values or {})}.items()}
        self.values, self.eps = v, eps
        self.shapes = {k: v[k].shape for k in PARAMS}
        x, t, W1, b1, W2, b2 = (v[k] for k in ("x", "t", "W1", "b1", "W2", "b2"))
        f: dict[str, Any] = {}
        self.forward = f
        f["z1"] = W1 @ x + b1
        f["a1"] = _sigmoid(f["z1"])
        f["z2"] = W2 @ f["a1"] + b2
        f["y"] = _sigmoid(f["z2"])
        f["L"] = float(np.sum((f["y"] - t) ** 2) / 2)
        d: dict[str, Any] = {}  # the delta rule, written out
        self.delta = d
        d["y"] = f["y"] - t
        d["s2"] = f["y"] * (1 - f["y"])
        d["z2"] = d["y"] * d["s2"]
        d["W2"], d["b2"] = np.outer(d["z2"], f["a1"]), d["z2"]
        d["a1"] = W2.T @ d["z2"]
        d["s1"] = f["a1"] * (1 - f["a1"])
        d["z1"] = d["a1"] * d["s1"]
        d["W1"], d["b1"] = np.outer(d["z1"], x), d["z1"]
        self.engine = self._engine()
        self.numeric = {k: self._central(k) for k in PARAMS}

    def _loss(self, v):
        a1 = _sigmoid(v["W1"] @ v["x"] + v["b1"])
        y = _sigmoid(v["W2"] @ a1 + v["b2"])
        return float(np.sum((y - v["t"]) ** 2) / 2)

    def _central(self, name):
        grad = np.zeros_like(self.values[name])
        for idx in np.ndindex(grad.shape):
            v = {k: a.copy() for k, a in self.values.items()}
            v[name][idx] += self.eps
            plus = self._loss(v)
            v[name][idx] -= 2 * self.eps
            grad[idx] = (plus - self._loss(v)) / (2 * self.eps)
        return grad

    def _engine(self):
        p = {k: tensor(self.values[k], requires_grad=True, name=k) for k in PARAMS}
        x, t = tensor(self.values["x"]), tensor(self.values["t"])
        a1 = sigmoid(p["W1"] @ x + p["b1"])
        y = sigmoid(p["W2"] @ a1 + p["b2"])
        loss = ((y - t) ** 2).sum() / 2
        loss.backward()
        return {k: p[k].grad.numpy() for k in PARAMS}

    def graph(self, level: str = "assignment"):
        """The network as a learning-layer Graph (one node per layer value), for the SVG and the lab:
        ``rg.learn.lab(layers_lesson().graph())`` lets a learner fill in the matrices entry by entry.

        >>> g = layers_lesson().graph()
        >>> g.node("W1")["value"][2], g.output
        ([-0.3, 0.6], 'L')
        """
        p = {k: tensor(self.values[k], requires_grad=True, name=k) for k in PARAMS}
        x, t = tensor(self.values["x"], name="x"), tensor(self.values["t"], name="t")
        z1 = (p["W1"] @ x + p["b1"]).named("z1")
        a1 = sigmoid(z1).named("a1")
        z2 = (p["W2"] @ a1 + p["b2"]).named("z2")
        y = sigmoid(z2).named("y")
        g = build_graph((((y - t) ** 2).sum() / 2).named("L"), level)
        g.extra["title"] = NAME
        return g

    def code(self) -> str:
        """The forward and backward pass as the NumPy code ``rg.jit`` generates for this network,
        then the call with the lesson's values (the lab's "code" tab).

        >>> text = layers_lesson().code()
        >>> "dL_dW1 = " in text and "def forward_backward(W1, b1, W2, b2, x, t):" in text
        True
        """
        names = [*PARAMS, "x", "t"]
        fn = _named_jit(value_and_grad(_network, argnums=tuple(range(len(PARAMS)))), names)
        return with_call(fn, names, [self.values[k] for k in names])

    def max_error(self) -> float:
        """Largest difference between the delta rule, the engine and the finite differences.

        >>> layers_lesson().max_error() < 1e-8
        True
        """
        return max(max(float(np.max(np.abs(self.delta[k] - self.engine[k]))),
                       float(np.max(np.abs(self.engine[k] - self.numeric[k])))) for k in PARAMS)

    def explain(self, lang: str = "en", digits=None):
        """The explanation in ``lang``: forward pass by layers, the delta rule, the checks.

        >>> "W2ᵀ" in str(layers_lesson().explain())
        True
        """
        return Explanation(None, lang, verbose=True, digits=digits, blocks=self._blocks(lang, digits))

    def _blocks(self, lang, digits):
        T = lambda key, **kw: tr(lang, key, **kw)  # noqa: E731
        M = lambda a: _m(a, digits)  # noqa: E731
        v, f, d = self.values, self.forward, self.delta
        rows = [["x", T("data"), M(v["x"])], ["t", T("data"), M(v["t"])]]
        for k in PARAMS:
            rows.append([k, T("layers_param", shape="×".join(map(str, v[k].shape))), M(v[k])])
        rows += [["z1", "W1 x + b1", M(f["z1"])], ["a1", "sigmoid(z1)", M(f["a1"])],
                 ["z2", "W2 a1 + b2", M(f["z2"])], ["y", "sigmoid(z2)", M(f["y"])],
                 ["L", "sum((y - t)**2)/2", fmt(f["L"], digits)]]
        back = [
            (0, T("layers_notation")),
            (0, f"dL/dy = y - t = {M(d['y'])}"),
            (0, T("layers_delta_out", s=M(d["s2"]), v=M(d["z2"]), dy=M(d["y"]))),
            (0, f"dL/dW2 = dL/dz2 a1ᵀ = {M(d['W2'])}   ({T('layers_shape', shape='1×3')})"),
            (0, f"dL/db2 = dL/dz2 = {M(d['b2'])}"),
            (0, f"dL/da1 = W2ᵀ dL/dz2 = {M(d['a1'])}"),
            (0, T("layers_delta", da=M(d["a1"]), s=M(d["s1"]), v=M(d["z1"]))),
            (0, f"dL/dW1 = dL/dz1 xᵀ = {M(d['W1'])}   ({T('layers_shape', shape='3×2')})"),
            (0, f"dL/db1 = dL/dz1 = {M(d['b1'])}"),
        ]
        e_engine = max(float(np.max(np.abs(d[k] - self.engine[k]))) for k in PARAMS)
        e_fd = max(float(np.max(np.abs(self.engine[k] - self.numeric[k]))) for k in PARAMS)
        n = sum(v[k].size for k in PARAMS)
        ok = e_engine < 1e-10 and e_fd < 1e-6
        check = T("layers_checks", n=n, e1=f"{e_engine:.1e}", e2=f"{e_fd:.1e}", eps=fmt(self.eps))
        return [("title", T("layers_title")), ("heading", T("notes")), ("list", [(0, T("layers_note"))]),
                ("heading", T("layers_forward")), ("table", [T("node"), T("formula"), T("value")], rows),
                ("heading", T("layers_backward")), ("list", back),
                ("para", ("✓ " if ok else "✗ ") + check)]


def layers_lesson(values=None) -> LayerLesson:
    """The 2-3-1 network of seed 001 as layers (see the module docstring).

    >>> print(str(layers_lesson().explain()).splitlines()[0])
    Layers as matrices: a 2-3-1 sigmoid network
    """
    return LayerLesson(values)
