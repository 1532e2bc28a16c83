"""Seed 003 (the PyTorch "autograd during training" walkthrough), with retrograd.

A 784-256-10 network, random inputs and targets, a summed squared error and SGD:

1. before any backward, the weights have no gradient (``grad`` is None);
2. ``loss.backward()`` fills ``.grad`` but leaves the weights alone;
3. ``optimizer.step()`` changes the weights (the gradient stays);
4. five more backward calls *accumulate* into ``.grad``: it is the old gradient plus
   five times the new one;
5. ``optimizer.zero_grad()`` clears it (None, PyTorch 2's default; ``set_to_none=False``
   gives zeros, as the notebook's older PyTorch printed).

    python examples/autograd_walkthrough.py
"""

from __future__ import annotations

import numpy as np

import retrograd as rg

BATCH_SIZE, DIM_IN, HIDDEN_SIZE, DIM_OUT = 16, 784, 256, 10


def show(label, t):
    print(f"{label:<28}", "None" if t is None else np.array2string(t.numpy()[0][:10], precision=4, max_line_width=200))


def main(seed: int = 0) -> dict:
    rg.manual_seed(seed)
    model = rg.nn.Sequential(rg.nn.Linear(DIM_IN, HIDDEN_SIZE), rg.nn.ReLU(),
                             rg.nn.Linear(HIDDEN_SIZE, DIM_OUT))
    some_input = rg.randn(BATCH_SIZE, DIM_IN)      # random features
    ideal_output = rg.randn(BATCH_SIZE, DIM_OUT)   # random labels
    record = {"initial": model.state_dict(), "input": some_input.numpy().copy(),
              "target": ideal_output.numpy().copy()}

    show("weights:", model[2].weight)
    show("grad before backward:", model[2].weight.grad)
    assert model[2].weight.grad is None

    optimizer = rg.optim.SGD(model.parameters(), lr=0.001)
    prediction = model(some_input)
    loss = (ideal_output - prediction).pow(2).sum()
    print("loss:", loss)
    record["loss"] = loss.item()

    loss.backward()
    show("weights after backward:", model[2].weight)
    show("grad after backward:", model[2].weight.grad)
    g1 = model[2].weight.grad.numpy().copy()
    record["grad"] = g1

    optimizer.step()
    show("weights after step:", model[2].weight)
    show("grad after step:", model[2].weight.grad)
    record["after_step"] = model.state_dict()

    for _ in range(5):
        prediction = model(some_input)
        loss = (ideal_output - prediction).pow(2).sum()
        loss.backward()
    show("grad after 5 backward:", model[2].weight.grad)
    g6 = model[2].weight.grad.numpy().copy()
    record["accumulated"] = g6

    # the same five losses, gradient taken once: accumulation is old + 5 * new
    fresh = rg.autograd.grad((ideal_output - model(some_input)).pow(2).sum(), model[2].weight)[0]
    assert np.allclose(g6, g1 + 5 * fresh.numpy(), rtol=1e-9, atol=1e-9)
    print("accumulated == old + 5 * new:", True)

    optimizer.zero_grad()
    show("grad after zero_grad():", model[2].weight.grad)
    assert model[2].weight.grad is None
    model(some_input).sum().backward()
    optimizer.zero_grad(set_to_none=False)
    show("zero_grad(set_to_none=False):", model[2].weight.grad)
    assert not model[2].weight.grad.numpy().any()
    return record


if __name__ == "__main__":
    main()
