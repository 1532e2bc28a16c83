"""Issue 13, tensors: creation (dtype aliases, device=, new factories), conversion, and the int64
default for integer data, each against PyTorch's behaviour."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import retrograd as rg


def test_dtype_aliases_are_pytorchs():
    pairs = [(rg.float, torch.float), (rg.double, torch.double), (rg.long, torch.long), (rg.int, torch.int),
             (rg.bool, torch.bool), (rg.half, torch.half)]
    for ours, theirs in pairs:
        assert np.dtype(ours) == torch.empty(0, dtype=theirs).numpy().dtype
    assert rg.zeros(2, dtype=rg.float).dtype == np.float32


def test_integer_data_gives_int64_as_pytorch():
    for data in (3, [1, 2], [[1], [2]], True, [True, False]):
        assert rg.tensor(data).dtype == torch.tensor(data).numpy().dtype, data
    for data in (2.5, [1, 2.5]):  # floats: the default dtype (float64 here, float32 in PyTorch)
        assert rg.tensor(data).dtype == rg.get_default_dtype()
    with pytest.raises(TypeError, match="floating point"):
        rg.tensor([1, 2], requires_grad=True)
    assert rg.tensor([1, 2], dtype=rg.float64, requires_grad=True).requires_grad


def test_device_cpu_is_accepted_and_others_are_clear_errors():
    t = rg.zeros(2, device="cpu")
    assert t.device == "cpu" and t.device == rg.device("cpu") and str(t.device) == "cpu"
    assert repr(t.device) == "device(type='cpu')" and not t.is_cuda
    for f in (lambda: rg.zeros(2, device="cuda"), lambda: rg.tensor([1.0], device="cuda:0"),
              lambda: rg.randn(2, device="mps"), lambda: t.to("cuda"), lambda: rg.ones_like(t, device="cuda")):
        with pytest.raises(RuntimeError, match="CPU"):
            f()
    assert t.to("cpu") is t and t.cpu() is t and t.to(rg.device("cpu")) is t


def test_new_factories():
    rg.manual_seed(0)
    a = rg.randint(0, 5, (100,))
    assert a.dtype == np.int64 and a.shape == (100,) and int(a.numpy().min()) >= 0 and int(a.numpy().max()) <= 4
    assert rg.randint(3, (2, 2)).shape == (2, 2)
    p = rg.randperm(10)
    assert p.dtype == np.int64 and sorted(p.tolist()) == list(range(10))
    n = rg.normal(2.0, 0.5, size=(4000,))
    assert n.dtype == np.float64 and abs(float(n.mean()) - 2.0) < 0.05
    assert rg.normal(rg.zeros(3, dtype=rg.float32), 1.0).dtype == np.float32
    x = rg.ones(2, 3, dtype=rg.float32)
    for f in (rg.rand_like, rg.randn_like, rg.empty_like):
        y = f(x)
        assert y.shape == (2, 3) and y.dtype == np.float32
    assert rg.full_like(x, 7).tolist() == [[7.0] * 3] * 2 and rg.full_like(rg.tensor([1, 2]), 7).dtype == np.int64
    assert rg.empty(2, 3).shape == (2, 3) and rg.empty((4,), dtype=rg.long).dtype == np.int64
    rg.manual_seed(1); first = rg.randint(0, 100, (5,)).tolist()
    rg.manual_seed(1); assert rg.randint(0, 100, (5,)).tolist() == first
    with pytest.raises(TypeError, match="floating point"):
        rg.randn_like(rg.tensor([1, 2]))
    with pytest.raises(ValueError, match="low < high"):
        rg.randint(3, 3, (2,))


def test_conversions_match_pytorch():
    data = [[1.7, -2.5], [0.0, 3.2]]
    t, r = torch.tensor(data, dtype=torch.float32), rg.tensor(np.array(data, np.float32))
    for name in ("float", "double", "half", "long", "int", "bool"):
        got, want = getattr(r, name)(), getattr(t, name)()
        assert got.dtype == want.numpy().dtype, name
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert r.to(rg.float64).dtype == np.float64 and r.to("cpu", rg.int64).dtype == np.int64
    assert r.to(dtype=rg.float16).dtype == np.float16 and r.to(rg.tensor([1])).dtype == np.int64
    assert r.type_as(rg.tensor([1.0])).dtype == np.float64
    assert r.dim() == 2 == r.ndimension() and r.numel() == 4
    assert r.float() is r and r.to(rg.float32) is r  # no change, no copy (as PyTorch)


def test_float_conversions_are_differentiable_and_integer_ones_are_not():
    x = rg.tensor([1.5, -2.0], dtype=rg.float32, requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, -4.0]
    assert not x.long().requires_grad and x.long().tolist() == [1, -2]
    assert rg.gradgradcheck(lambda v: (v.float() ** 3).double(), [rg.tensor([0.5, 1.5], requires_grad=True)],
                            eps=1e-3, atol=1e-3, rtol=1e-2)  # float32 in the middle: a coarse step


def test_clone_copies_and_passes_gradients():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.numpy() is not x.numpy() and not np.shares_memory(c.numpy(), x.numpy())
    (c * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    i = rg.tensor([1, 2])
    assert rg.clone(i).dtype == np.int64 and not np.shares_memory(rg.clone(i).numpy(), i.numpy())


def test_contiguous():
    x = rg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    t = x.T
    assert not t.is_contiguous()
    c = t.contiguous()
    assert c.is_contiguous() and c.tolist() == t.tolist() and c.requires_grad
    assert x.contiguous() is x
    c.sum().backward()
    assert x.grad.tolist() == [[1.0] * 3] * 2


def test_sum_dtype_and_argmax_keepdim_as_pytorch():
    x = np.array([[1, 5, 2], [7, 0, 7]])
    assert rg.tensor(x).sum(dtype=rg.float32).dtype == np.float32
    assert rg.tensor(x).sum(dim=1, dtype=rg.float64).tolist() == torch.tensor(x).sum(1, dtype=torch.float64).tolist()
    for kw in (dict(dim=1, keepdim=True), dict(dim=0), dict(dim=-1, keepdim=False)):
        assert rg.tensor(x).argmax(**kw).tolist() == torch.tensor(x).argmax(**kw).tolist()
        assert rg.argmin(rg.tensor(x), **kw).tolist() == torch.argmin(torch.tensor(x), **kw).tolist()


def test_allclose_answers_a_python_bool_as_pytorch():
    a, b = np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-6])
    for kw in ({}, dict(rtol=0, atol=1e-9), dict(atol=1e-5)):
        got = rg.tensor(a).allclose(rg.tensor(b), **kw)
        assert got is torch.tensor(a).allclose(torch.tensor(b), **kw) is rg.allclose(rg.tensor(a), rg.tensor(b), **kw)
    nan = np.array([np.nan])
    assert rg.allclose(rg.tensor(nan), rg.tensor(nan), equal_nan=True) and not rg.tensor(nan).allclose(rg.tensor(nan))


def test_full_takes_its_dtype_from_the_value_as_pytorch():
    for value in (7, True, -3):
        assert rg.full((2,), value).dtype == torch.full((2,), value).numpy().dtype
        assert rg.full((2,), value).tolist() == torch.full((2,), value).tolist()
    assert rg.full((2,), 7.5).dtype == rg.get_default_dtype() and rg.full((2,), 7, dtype=rg.float32).dtype == np.float32
