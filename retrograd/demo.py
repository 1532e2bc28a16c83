"""The main job: the course's computation graphs, explained: forward values, every local derivative,
the chain rule, every gradient, each checked by finite differences (and SymPy when installed)."""

from __future__ import annotations

import retrograd as rg


def coursera_network0():
    """J = (2 + 3w)**2 at w = 3 (the Coursera lab's first graph).

    >>> values, grads = coursera_network0()
    >>> values["J"], grads["w"]
    (121.0, 66.0)
    """
    w = rg.tensor(3.0, requires_grad=True, name="w")
    a = (2 + 3 * w).named("a").retain_grad()
    J = (a ** 2).named("J")
    J.backward()
    return {"w": 3.0, "a": a.item(), "J": J.item()}, {"a": a.grad.item(), "w": w.grad.item()}


def coursera_network1():
    """J = (w*x + b - y)**2 / 2 at x=2, w=-2, b=8, y=1 (the lab's neural network graph).

    >>> values, grads = coursera_network1()
    >>> values["J"], grads["w"], grads["b"]
    (4.5, 6.0, 3.0)
    """
    x, y = rg.tensor(2.0, name="x"), rg.tensor(1.0, name="y")
    w = rg.tensor(-2.0, requires_grad=True, name="w")
    b = rg.tensor(8.0, requires_grad=True, name="b")
    c = (w * x).named("c").retain_grad()
    a = (c + b).named("a").retain_grad()
    d = (a - y).named("d").retain_grad()
    J = (d ** 2 / 2).named("J")
    J.backward()
    values = {n: t.item() for n, t in dict(x=x, w=w, b=b, y=y, c=c, a=a, d=d, J=J).items()}
    grads = {n: t.grad.item() for n, t in dict(d=d, a=a, c=c, b=b, w=w).items()}
    return values, grads


def main_job(lang: str = "en") -> int:
    """Run the explained lessons: every forward value, local derivative, chain-rule product and check.

    Works with NumPy alone; without SymPy each explanation says that symbolic
    checks need ``pip install 'retrograd[learn]'``.
    """
    from .learn import explain, lessons
    for i, les in enumerate(lessons()):
        if i:
            print("\n" + "#" * 78 + "\n")
        print(explain(les.program(lang), lang=lang))
    return 0
