"""Pytrees (nested tuples, lists, dicts, None) through every transform, against torch.func and loops."""

from collections import namedtuple

import numpy as np
import pytest
import torch
from torch import func as tf

import retrograd as rg

rng = np.random.default_rng(0)


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def _close_trees(a, b):
    la, ta = rg.tree_flatten(a)
    lb, _ = rg.tree_flatten(b, is_leaf=lambda x: isinstance(x, torch.Tensor))
    assert len(la) == len(lb), (ta, b)
    for x, y in zip(la, lb):
        np.testing.assert_allclose(np.asarray(x), _np(y), rtol=1e-10, atol=1e-12)


def test_flatten_unflatten_roundtrip_and_structure():
    Point = namedtuple("Point", "x y")
    tree = {"b": [1.0, (2.0, None)], "a": Point(3.0, {"z": 4.0}), "c": None}
    leaves, td = rg.tree_flatten(tree)
    assert leaves == [3.0, 4.0, 1.0, 2.0]          # keys sorted: a, b, c
    back = rg.tree_unflatten(td, leaves)
    assert back == tree and isinstance(back["a"], Point)
    assert rg.tree_structure({"a": 1, "b": 2}) == rg.tree_structure({"b": 0, "a": 9})
    assert rg.tree_structure([1, 2]) != rg.tree_structure((1, 2))
    assert hash(rg.tree_structure([1, (2,)])) == hash(rg.tree_structure([5, (6,)]))
    with pytest.raises(ValueError, match="has 2 leaves, got 3"):
        rg.tree_unflatten(rg.tree_structure((1, 2)), [1, 2, 3])
    with pytest.raises(ValueError, match="different structures"):
        rg.tree_map(lambda a, b: a + b, (1, 2), [1, 2])
    assert rg.tree_map(lambda a, b: a * b, {"w": (2, 3)}, {"w": (4, 5)}) == {"w": (8, 15)}


def _params():
    return {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(3), "extra": None,
            "layers": [rng.standard_normal(3), (rng.standard_normal(()),)]}


def _loss(p, x, lib):
    h = lib.tanh(p["W"] @ x + p["b"])
    h = h * p["layers"][0] + p["layers"][1][0]
    return (h * h).sum()


def _torch_tree(p):
    # torch.func has no None leaves: drop them (they carry no values on our side either).
    if isinstance(p, dict):
        return {k: _torch_tree(v) for k, v in p.items() if v is not None}
    return rg.tree_map(lambda a: torch.tensor(a), p)


def test_grad_and_value_and_grad_of_a_dict_match_torch_func():
    p, x = _params(), rng.standard_normal(4)
    g = rg.grad(lambda p, x: _loss(p, x, rg))(p, x)
    tp, tx = _torch_tree(p), torch.tensor(x)
    tg = tf.grad(lambda p, x: _loss(p, x, torch))(tp, tx)
    assert rg.tree_structure(g) == rg.tree_structure(p)
    assert g["extra"] is None
    _close_trees(g, tg)
    (v, (gp, gx)) = rg.value_and_grad(lambda p, x: _loss(p, x, rg), argnums=(0, 1))(p, x)
    tv, (tgp, tgx) = tf.grad_and_value(lambda p, x: _loss(p, x, torch), argnums=(0, 1))(tp, tx)[::-1]
    _close_trees(v, tv)
    _close_trees(gp, tgp)
    _close_trees(gx, tgx)


def test_vjp_and_jvp_with_pytree_inputs_and_outputs_match_torch_func():
    p, x = _params(), rng.standard_normal(4)

    def f(p, x, lib):
        z = p["W"] @ x
        return {"pair": (z * p["b"], (p["layers"][0] ** 2).sum()), "z": lib.sin(z)}

    out, vjp_fn = rg.vjp(lambda p, x: f(p, x, rg), p, x)
    ct = rg.tree_map(lambda o: rng.standard_normal(o.shape), out)
    tp, tx = _torch_tree(p), torch.tensor(x)
    tout, tvjp = tf.vjp(lambda p, x: f(p, x, torch), tp, tx)
    _close_trees(out, tout)
    _close_trees(vjp_fn(ct), tvjp(_torch_tree(ct)))

    tangents = (rg.tree_map(lambda a: rng.standard_normal(np.shape(a)), p), rng.standard_normal(4))
    o, t = rg.jvp(lambda p, x: f(p, x, rg), (p, x), tangents)
    to, tt = tf.jvp(lambda p, x: f(p, x, torch), (tp, tx), (_torch_tree(tangents[0]), torch.tensor(tangents[1])))
    _close_trees(o, to)
    _close_trees(t, tt)


def test_jacobian_and_hessian_of_pytrees_match_torch_func():
    p = {"a": rng.standard_normal(3), "b": rng.standard_normal(2)}

    def f(p, lib):
        return (lib.sin(p["a"]).sum() * (p["b"] ** 2).sum(), p["a"] * 2.0)

    for mode, tjac in (("rev", tf.jacrev), ("fwd", tf.jacfwd)):
        j = rg.jacobian(lambda p: f(p, rg), mode=mode)(p)
        tj = tjac(lambda p: f(p, torch))(_torch_tree(p))
        assert rg.tree_structure(j) == rg.tree_structure((p, p))
        _close_trees(j, tj)
    h = rg.hessian(lambda p: f(p, rg)[0])(p)
    th = tf.hessian(lambda p: f(p, torch)[0])(_torch_tree(p))
    _close_trees(h, th)


def test_a_list_argument_is_a_pytree_not_an_array():
    g = rg.grad(lambda xs: xs[0] * xs[1] ** 2)([3.0, 2.0])
    assert isinstance(g, list) and [float(v) for v in g] == [4.0, 12.0]
    with pytest.raises(TypeError, match="no leaves"):
        rg.grad(lambda d: 1.0)({})


def test_structure_mismatch_of_cotangent_and_tangent_is_an_error():
    _out, vjp_fn = rg.vjp(lambda x: (x, x * 2), np.ones(2))
    with pytest.raises(rg.ShapeError, match="structure"):
        vjp_fn([np.ones(2), np.ones(2)])
    with pytest.raises(rg.ShapeError, match="structure"):
        rg.jvp(lambda p: p["a"], ({"a": np.ones(2)},), ([np.ones(2)],))
