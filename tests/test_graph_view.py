"""The read-only public view of a recorded graph, and ``run_backward(stop=...)``."""

from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg
from retrograd.autograd import run_backward


def test_a_transform_leaves_the_shared_graph_as_it_is_while_it_walks():
    # Regression: the transforms cut `node.parents = ()` on the outer graph during the inner
    # walk, so another reader (a hook here, another thread in general) saw a broken graph.
    seen = []

    def f(u):
        v = u * 3
        v.register_hook(lambda g: seen.append(u.grad_fn.parents))
        return rg.sin(v)

    out = rg.grad(rg.grad(f))(rg.tensor(2.0))
    assert float(out) == pytest.approx(-9 * np.sin(6.0))
    assert seen and all(len(parents) == 1 for parents in seen)


def test_stop_ends_the_walk_at_a_node_and_captures_its_gradient():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    y = (h * 3).sum()
    got = {h.grad_fn: None, x: None}
    run_backward([y], [np.array(1.0)], capture=got, stop=[h])
    np.testing.assert_array_equal(got[h.grad_fn], [3.0, 3.0])
    assert got[x] is None                          # nothing went past the stop node
    assert not h.grad_fn.freed and h.grad_fn.parents  # a stop node is never freed nor cut
    y2 = (h * 1).sum()
    y2.backward()                                  # the graph below the stop is whole
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_stop_accepts_nodes_and_accumulates_nothing_below():
    x = rg.tensor(3.0, requires_grad=True)
    h = x * 2
    run_backward([h * h], [np.array(1.0)], retain_graph=True, stop={h.grad_fn})
    assert x.grad is None
    run_backward([h * h], [np.array(1.0)])
    assert float(x.grad) == 24.0


def test_node_view_names_inputs_params_and_evaluates_without_recording():
    x = rg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    s = x.sum(axis=0)
    node = s.grad_fn
    assert node.name == "sum" and node.inputs[0] is x and node.params == {"keepdims": False}
    value = node.evaluate(np.ones((2, 3)), *node.inputs[1:])   # the axis is an input here
    assert type(value) is np.ndarray
    np.testing.assert_array_equal(value, [2.0, 2.0, 2.0])
    assert not node.freed
    s.backward(rg.ones(2))
    assert node.freed


@pytest.mark.parametrize("field", ["inputs", "params", "name", "freed"])
def test_node_view_is_read_only(field):
    node = (rg.tensor(1.0, requires_grad=True) * 2).grad_fn
    with pytest.raises(AttributeError):
        setattr(node, field, None)
