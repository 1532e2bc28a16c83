"""Issue 13's convolution and pooling options as modules, against PyTorch: ``padding_mode``,
``padding='same'/'valid'``, transposed convolutions with groups, max-pooling's indices and unpooling."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import retrograd as rg


def _same_weights(ours, theirs):
    theirs.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in ours.state_dict().items()})


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same", "valid"])
def test_conv2d_padding_modes_match_torch(mode, padding):
    k = (3, 4) if padding == "same" else 3
    ours = rg.nn.Conv2d(3, 4, k, padding=padding, padding_mode=mode).double()
    theirs = torch.nn.Conv2d(3, 4, k, padding=padding, padding_mode=mode).double()
    _same_weights(ours, theirs)
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 7))
    xr, xt = rg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = ours(xr), theirs(xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=1e-10)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), atol=1e-9)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), atol=1e-9)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("mode", ["reflect", "circular"])
def test_conv1d_padding_modes_match_torch(mode):
    ours = rg.nn.Conv1d(3, 4, 3, padding="same", padding_mode=mode, dilation=2).double()
    theirs = torch.nn.Conv1d(3, 4, 3, padding="same", padding_mode=mode, dilation=2).double()
    _same_weights(ours, theirs)
    x = np.random.default_rng(1).standard_normal((2, 3, 8))
    np.testing.assert_allclose(ours(rg.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), atol=1e-10)


@pytest.mark.parametrize("cls, shape", [("ConvTranspose2d", (2, 4, 5, 3)), ("ConvTranspose1d", (2, 4, 5))])
def test_transposed_convolutions_with_groups_match_torch(cls, shape):
    ours = getattr(rg.nn, cls)(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2).double()
    theirs = getattr(torch.nn, cls)(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2).double()
    _same_weights(ours, theirs)
    x = np.random.default_rng(2).standard_normal(shape)
    xr, xt = rg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = ours(xr), theirs(xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=1e-10)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), atol=1e-10)


def test_max_pool_indices_feed_max_unpool_as_in_torch():
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 6))
    pool, unpool = rg.nn.MaxPool2d(3, stride=2, ceil_mode=True, return_indices=True), rg.nn.MaxUnpool2d(3, 2)
    tpool, tunpool = torch.nn.MaxPool2d(3, stride=2, ceil_mode=True, return_indices=True), torch.nn.MaxUnpool2d(3, 2)
    xr, xt = rg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (y, i), (ty, ti) = pool(xr), tpool(xt)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert i.dtype == np.int64
    out, tout = unpool(y, i, output_size=(7, 6)), tunpool(ty, ti, output_size=(7, 6))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy())
    w = np.random.default_rng(4).standard_normal(out.shape)
    (out * rg.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), atol=1e-12)


def test_max_pool1d_module_returns_indices():
    x = rg.tensor([[[1.0, 5.0, 2.0, 2.0, 7.0]]])
    y, i = rg.nn.MaxPool1d(2, ceil_mode=True, return_indices=True)(x)
    assert y.tolist() == [[[5.0, 2.0, 7.0]]]
    assert i.tolist() == [[[1, 2, 4]]]
    assert rg.nn.MaxUnpool1d(2)(y, i, output_size=(5,)).tolist() == [[[0.0, 5.0, 2.0, 0.0, 7.0]]]
