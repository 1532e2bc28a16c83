"""Seed 001 (romaintha's backpropagation notebook): a 2-3-1 sigmoid network learns the circles.

Half the points lie in a disc of radius 0.5 (class 0), half in the ring 0.6 <= r <= 1
(class 1). The network is Linear(2, 3) -> Sigmoid -> Linear(3, 1) -> Sigmoid, trained on
the mean binary cross entropy by full-batch gradient descent (lr 1, 2000 epochs).

The same training is then done by hand in NumPy (forward pass, the chain rule written
out, the update) from the same initial weights: both reach the same loss.

    python examples/circles_231.py [--epochs 2000] [--plot circles.png]
"""

from __future__ import annotations

import argparse

import numpy as np

import retrograd as rg


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def numpy_gd(X, y, W1, b1, W2, b2, lr=1.0, epochs=2000):
    """Hand-written backpropagation for the 2-3-1 sigmoid network with mean BCE."""
    W1, b1, W2, b2 = (a.copy() for a in (W1, b1, W2, b2))
    n = len(X)
    y = y.reshape(-1, 1)
    for _ in range(epochs):
        h = sigmoid(X @ W1.T + b1)                 # hidden layer (n, 3)
        p = sigmoid(h @ W2.T + b2)                 # output probability (n, 1)
        dz2 = (p - y) / n                          # dL/dz2 for sigmoid + mean BCE
        dW2, db2 = dz2.T @ h, dz2.sum(0)
        dz1 = (dz2 @ W2) * h * (1 - h)             # back through W2 and the hidden sigmoid
        dW1, db1 = dz1.T @ X, dz1.sum(0)
        W1 -= lr * dW1; b1 -= lr * db1; W2 -= lr * dW2; b2 -= lr * db2
    h = sigmoid(X @ W1.T + b1)
    p = sigmoid(h @ W2.T + b2)
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return loss, (W1, b1, W2, b2)


def main(argv=None):
    ap = argparse.ArgumentParser(description="2-3-1 sigmoid network on the circles (seed 001)")
    ap.add_argument("--epochs", type=int, default=2000)
    ap.add_argument("--n", type=int, default=1000, help="number of points")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--plot", help="save a decision-boundary PNG here (needs matplotlib)")
    args = ap.parse_args(argv)

    X, y = rg.data.make_circles(args.n, seed=args.seed)
    rg.manual_seed(args.seed)
    model = rg.nn.Sequential(rg.nn.Linear(2, 3), rg.nn.Sigmoid(), rg.nn.Linear(3, 1), rg.nn.Sigmoid())
    initial = model.state_dict()
    loss_fn = rg.nn.BCELoss()
    opt = rg.optim.SGD(model.parameters(), lr=1.0)
    xt, yt = rg.tensor(X), rg.tensor(y.reshape(-1, 1).astype(np.float64))

    for epoch in range(args.epochs):
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        if epoch % 500 == 0:
            print(f"epoch {epoch:5d}  loss {loss.item():.6f}")
    with rg.no_grad():
        p = model(xt)
        final = loss_fn(p, yt).item()
    accuracy = float(((p.numpy() > 0.5).ravel() == y).mean())
    print(f"retrograd: final loss {final:.8f}, accuracy {accuracy:.3f}")

    ref, _ = numpy_gd(X, y.astype(np.float64), initial["0.weight"], initial["0.bias"],
                      initial["2.weight"], initial["2.bias"], lr=1.0, epochs=args.epochs)
    print(f"numpy by hand: final loss {ref:.8f}")
    print(f"difference {abs(final - ref):.2e}")

    if args.plot:
        import retrograd.train as tr
        two_class = rg.nn.Sequential(*list(model)[:-1])  # logit of class 1 ...

        class TwoLogits(rg.nn.Module):  # ... as two logits (0, z) for the plotting helper
            def __init__(self):
                super().__init__()
                self.net = two_class

            def forward(self, x):
                z = self.net(x)
                return rg.cat([z * 0, z], axis=1)

        tr.plot_decision_boundary(TwoLogits(), X, y, args.plot)
        print(f"wrote {args.plot}")
    return final, ref, accuracy


if __name__ == "__main__":
    main()
