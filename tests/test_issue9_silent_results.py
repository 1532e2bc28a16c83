"""Issue 9, "silently wrong results found by running a peer library's op test suite": each line
printed something different from PyTorch. Differential against PyTorch where PyTorch has it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import retrograd as rg
import retrograd.nn.functional as F


@pytest.mark.parametrize("dims", [(0, 1), (-2, -1), (1, 0), (-1, 0)])
def test_transpose_of_two_axes_on_2d_swaps_them(dims):
    assert rg.zeros(2, 3).transpose(*dims).shape == torch.zeros(2, 3).transpose(*dims).shape == (3, 2)
    assert rg.transpose(rg.zeros(2, 3), *dims).shape == (3, 2)
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(rg.tensor(x).transpose(*dims).numpy(), torch.tensor(x).transpose(*dims).numpy())


def test_permute_must_name_every_axis():
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3, 4).permute(0, 2)
    with pytest.raises(rg.ShapeError, match=r"3 dimension.*2 axes"):
        rg.zeros(2, 3, 4).permute(0, 2)
    with pytest.raises(rg.ShapeError, match="repeat"):
        rg.zeros(2, 3, 4).permute(0, 0, 1)
    assert rg.zeros(2, 3, 4).permute(2, 0, 1).shape == torch.zeros(2, 3, 4).permute(2, 0, 1).shape


@pytest.mark.parametrize("call,axis,ndim", [
    (lambda: rg.zeros(4, 3, 1, 6).squeeze(50), 50, 4),
    (lambda: rg.swapaxes(rg.zeros(2, 3), 0, 5), 5, 2),
    (lambda: rg.zeros(2, 3).transpose(0, -3), -3, 2),
    (lambda: rg.zeros(2, 3).sum(2), 2, 2),
    (lambda: rg.zeros(2, 3).unsqueeze(3), 3, 3),
    (lambda: rg.stack([rg.zeros(2)], axis=-3), -3, 2),
    (lambda: rg.zeros(2, 3).softmax(2), 2, 2),
    (lambda: rg.zeros(2, 3).argmax(-3), -3, 2),
    (lambda: rg.tensor(2.0).sum(1), 1, 0),
    (lambda: rg.zeros(2, 3).size(2), 2, 2),
    (lambda: rg.tensor(2.0).size(0), 0, 0),
    (lambda: rg.cat([rg.zeros(2, 3)], dim=2), 2, 2),
])
def test_out_of_range_axes_raise_index_error_naming_axis_and_ndim(call, axis, ndim):
    with pytest.raises(IndexError, match=rf"axis {axis} is out of range for a tensor with {ndim} dimension"):
        call()


def test_torch_raises_index_error_for_the_same_axes():
    with pytest.raises(IndexError):
        torch.zeros(4, 3, 1, 6).squeeze(50)
    with pytest.raises(IndexError):
        torch.swapaxes(torch.zeros(2, 3), 0, 5)


@pytest.mark.parametrize("name,args", [
    ("squeeze", (0,)), ("squeeze", (-1,)), ("sum", (-1,)), ("sum", (0,)), ("mean", (0,)),
    ("logsumexp", (-1,)), ("logsumexp", (0,)), ("softmax", (0,)), ("log_softmax", (-1,)),
    ("unsqueeze", (0,)), ("unsqueeze", (-1,)), ("argmax", (0,)), ("amax_like_max", (0,)),
])
def test_0d_tensors_accept_dim_0_and_minus_1_as_pytorch(name, args):
    method = "max" if name == "amax_like_max" else name
    ours = getattr(rg.tensor(2.0), method)(*args)
    theirs = getattr(torch.tensor(2.0, dtype=torch.float64), "amax" if method == "max" else method)(*args)
    ours = ours.values if isinstance(ours, tuple) else ours
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_vjp_of_the_identity_is_the_cotangent():
    assert rg.vjp(lambda x: x, 2.0)[1](1.0) == (1.0,)
    _out, fn = rg.vjp(lambda x, y: y, 2.0, rg.tensor([1.0, 3.0]))
    ct = fn(rg.tensor([5.0, 7.0]))
    assert float(ct[0]) == 0.0
    np.testing.assert_array_equal(ct[1].numpy(), [5.0, 7.0])


def test_other_transforms_of_identity_and_constant_functions():
    x = rg.tensor([1.0, 2.0])
    assert float(rg.grad(lambda x: x)(2.0)) == 1.0
    assert float(rg.grad(rg.grad(lambda x: x))(2.0)) == 0.0
    assert float(rg.grad(lambda x: 3.0)(2.0)) == 0.0
    assert rg.jvp(lambda x: x, (2.0,), (5.0,))[1].item() == 5.0
    for mode in ("rev", "fwd"):
        np.testing.assert_array_equal(rg.jacobian(lambda x: x, mode=mode)(x).numpy(), np.eye(2))
        np.testing.assert_array_equal(rg.jacobian(lambda x: rg.tensor([1.0, 2.0]), mode=mode)(x).numpy(),
                                      np.zeros((2, 2)))
    np.testing.assert_array_equal(rg.hessian(lambda x: x.sum())(x).numpy(), np.zeros((2, 2)))
    np.testing.assert_array_equal(rg.hessian(lambda x: rg.tensor(3.0))(x).numpy(), np.zeros((2, 2)))
    assert float(rg.hessian(lambda x: x)(2.0)) == 0.0


def test_variance_with_correction_beyond_n_is_inf_and_over_an_empty_axis_nan():
    assert float(rg.tensor([1.0, 2.0]).var(correction=3)) == float(torch.tensor([1.0, 2.0]).var(correction=3))
    assert np.isinf(float(rg.tensor([1.0, 2.0]).var(correction=3)))
    ours = rg.zeros(0, 2).var(axis=0, correction=1).numpy()
    theirs = torch.zeros(0, 2).var(dim=0, correction=1).numpy()
    assert np.isnan(ours).all() and np.isnan(theirs).all()


@pytest.mark.parametrize("exponent", [0.0, 0])
def test_x_to_the_zero_has_gradient_zero_at_infinity(exponent):
    data = [np.inf, -np.inf, 0.0, 2.0]
    x = rg.tensor(data, requires_grad=True)
    (x ** exponent).sum().backward()
    t = torch.tensor(data, requires_grad=True)
    (t ** exponent).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0, 0.0])


def test_x_to_a_recorded_zero_exponent_has_gradient_zero_at_infinity():
    x = rg.tensor([np.inf, -np.inf, 2.0], requires_grad=True)
    y = rg.tensor([0.0, 0.0, 0.0], requires_grad=True)
    (x ** y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


def test_cross_entropy_with_class_probabilities_uses_class_axis_1():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((2, 3, 4))
    p = rng.random((2, 3, 4))
    p /= p.sum(axis=1, keepdims=True)
    for kw in ({}, {"label_smoothing": 0.2}, {"reduction": "none"}):
        zr = rg.tensor(z, requires_grad=True)
        ours = F.cross_entropy(zr, rg.tensor(p), **kw)
        zt = torch.tensor(z, requires_grad=True)
        theirs = torch.nn.functional.cross_entropy(zt, torch.tensor(p), **kw)
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12)
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(zr.grad.numpy(), zt.grad.numpy(), rtol=1e-12)


def test_a_tuple_inside_an_index_is_an_index_array_forward_and_backward():
    x = rg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[((0, 0),)]
    t = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    yt = t[((0, 0),)]
    assert y.shape == tuple(yt.shape) == (2,)
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    assert x.grad.numpy()[0] == 2.0


@pytest.mark.parametrize("call", [
    lambda: rg.zeros(2, 3).reshape(4, 2),
    lambda: rg.reshape(rg.zeros(2, 3), (4,)),
    lambda: rg.zeros(2, 3).expand(4, 2),
    lambda: rg.broadcast_to(rg.zeros(2, 3), (4,)),
])
def test_shape_errors_name_the_target_shape(call):
    with pytest.raises(rg.ShapeError) as info:
        call()
    assert "None" not in str(info.value)
    assert "(4, 2)" in str(info.value) or "(4,)" in str(info.value)


# ----- found by the op database (tests/opdb), beyond the list -----------------------------
def _grads(fn_rg, fn_torch, *arrays):
    xs = [rg.tensor(a, requires_grad=True) for a in arrays]
    fn_rg(*xs).sum().backward()
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    fn_torch(*ts).sum().backward()
    return [x.grad.numpy() for x in xs], [t.grad.numpy() for t in ts]


@pytest.mark.parametrize("name", ["relu", "abs"])
def test_relu_and_abs_gradients_at_nan_as_pytorch(name):
    ours, theirs = _grads(getattr(rg, name), getattr(torch, name), np.array([np.nan, -1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(ours[0], theirs[0])


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_pass_the_gradient_to_both_sides_of_a_nan(name):
    a, b = np.array([np.nan, 1.0, 2.0]), np.array([0.0, np.nan, 2.0])
    ours, theirs = _grads(getattr(rg, name), getattr(torch, name), a, b)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o, t)


def test_bce_with_logits_gradient_at_logit_zero():
    z, y = np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.5, 1.0])
    ours, theirs = _grads(lambda a: F.binary_cross_entropy_with_logits(a, rg.tensor(y), reduction="none"),
                          lambda a: torch.nn.functional.binary_cross_entropy_with_logits(
                              a, torch.tensor(y), reduction="none"), z)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[0], 1 / (1 + np.exp(-z)) - y, rtol=1e-12)  # sigmoid(z) - y


def test_bce_gradient_at_probabilities_0_and_1_is_finite_as_pytorch():
    p, y = np.array([0.0, 1.0, 0.0, 0.3]), np.array([0.0, 1.0, 0.5, 1.0])
    ours, theirs = _grads(lambda a, b: F.binary_cross_entropy(a, b, reduction="none"),
                          lambda a, b: torch.nn.functional.binary_cross_entropy(a, b, reduction="none"), p, y)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t, rtol=1e-8)
    assert np.isfinite(ours[0]).all()


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_an_empty_axis_is_empty(name):
    assert getattr(rg, name)(rg.zeros(2, 0), axis=1).shape == tuple(getattr(torch, name)(torch.zeros(2, 0), 1).shape)


def test_clip_with_tensor_bounds_differentiates_the_bounds_as_torch_clamp():
    data = [-2.0, 0.5, 2.0, -1.0]
    x, lo, hi = rg.tensor(data, requires_grad=True), rg.tensor([-1.0] * 4, requires_grad=True), \
        rg.tensor(1.0, requires_grad=True)
    rg.clip(x, lo, hi).sum().backward()
    xt, lot, hit = torch.tensor(data, requires_grad=True), torch.tensor([-1.0] * 4, requires_grad=True), \
        torch.tensor(1.0, requires_grad=True)
    torch.clamp(xt, lot, hit).sum().backward()
    for ours, theirs in [(x, xt), (lo, lot), (hi, hit)]:
        np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


@pytest.mark.parametrize("idx", [(0, slice(None), [0, 2, 2]), (-1, None, [1, 1]), (-1, Ellipsis, [[1], [0]])],
                         ids=repr)
def test_an_integer_next_to_index_arrays_selects_first_as_pytorch(idx):
    x = np.arange(60.0).reshape(3, 4, 5)
    ours = rg.tensor(x)[tuple(np.array(i) if isinstance(i, list) else i for i in idx)]
    theirs = torch.tensor(x)[tuple(torch.tensor(i) if isinstance(i, list) else i for i in idx)]
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
