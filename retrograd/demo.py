"""The main job: the course's computation graphs, forward values and every gradient."""

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


def main_job() -> int:
    """Print both Coursera graphs: forward values, then every gradient."""
    for title, (values, grads) in [("J = (2 + 3*w)**2", coursera_network0()),
                                   ("J = (w*x + b - y)**2 / 2", coursera_network1())]:
        print(title)
        print("  forward:  " + ", ".join(f"{k} = {v:g}" for k, v in values.items()))
        print("  backward: " + ", ".join(f"dJ/d{k} = {v:g}" for k, v in grads.items()))
    return 0
