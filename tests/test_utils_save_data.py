"""nn.utils (clipping, flat vectors), rg.save/rg.load without pickle, random_split/Subset/collate_fn."""

import io
import math
import zipfile

import numpy as np
import pytest
import torch

import retrograd as rg


def _grads_pair(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) * 3 for s in [(3, 4), (4,), (2, 2, 2)]]
    ps = [rg.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    for p, t in zip(ps, ts):
        p.grad = rg.tensor(p.numpy() ** 3)
        t.grad = t.detach() ** 3
    return ps, ts


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ps, ts = _grads_pair()
    total = rg.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(ts, max_norm, norm_type=norm_type)
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-12)
    for p, t in zip(ps, ts):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_float32_single_tensor_no_grads_and_nonfinite():
    ps, ts = _grads_pair(dtype=np.float32)
    rg.nn.utils.clip_grad_norm_(ps[0], 1.0)
    torch.nn.utils.clip_grad_norm_(ts[0], 1.0)
    assert ps[0].grad.dtype == np.float32
    np.testing.assert_allclose(ps[0].grad.numpy(), ts[0].grad.numpy(), rtol=1e-6)
    assert rg.nn.utils.clip_grad_norm_([rg.tensor([1.0], requires_grad=True)], 1.0).item() == 0.0
    w = rg.tensor([1.0], requires_grad=True)
    w.grad = rg.tensor([np.inf])
    with pytest.raises(RuntimeError, match="non-finite"):
        rg.nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_and_vectors_match_torch():
    ps, ts = _grads_pair(1)
    rg.nn.utils.clip_grad_value_(ps, 2.0)
    torch.nn.utils.clip_grad_value_(ts, 2.0)
    for p, t in zip(ps, ts):  # cubes differ in the last bit between NumPy and torch
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-15)
        assert np.abs(p.grad.numpy()).max() <= 2.0
    v = rg.nn.utils.parameters_to_vector(ps)
    np.testing.assert_array_equal(v.numpy(), torch.nn.utils.parameters_to_vector(ts).detach().numpy())
    (v * v).sum().backward()  # differentiable, as in PyTorch
    for p in ps:
        np.testing.assert_allclose(p.grad.numpy(), np.clip(p.numpy() ** 3, -2, 2) + 2 * p.numpy())
    rg.nn.utils.vector_to_parameters(v * 2, ps)
    np.testing.assert_array_equal(rg.nn.utils.parameters_to_vector(ps).numpy(), 2 * v.numpy())
    with pytest.raises(ValueError, match="has 3 elements"):
        rg.nn.utils.vector_to_parameters(rg.zeros(3), ps)


# ----- save / load -------------------------------------------------------------------------
def test_save_load_roundtrip_of_a_training_checkpoint(tmp_path):
    rg.manual_seed(0)
    net = rg.nn.Sequential(rg.nn.Linear(3, 4), rg.nn.ReLU(), rg.nn.Linear(4, 2))
    opt = rg.optim.Adam(net.parameters(), lr=0.01)
    sched = rg.optim.lr_scheduler.MultiStepLR(opt, [2, 4])
    x, y = rg.randn(5, 3), rg.tensor([0, 1, 0, 1, 1])
    for _ in range(3):
        opt.zero_grad(); rg.nn.functional.cross_entropy(net(x), y).backward(); opt.step(); sched.step()
    path = tmp_path / "ckpt.pt"
    rg.save({"model": net.state_dict(), "optim": opt.state_dict(), "sched": sched.state_dict(),
             "epoch": 3, "name": "mlp", "hist": [0.5, float("nan")], "shape": (3, 4),
             "flag": True, "none": None, "n": np.int32(7), "t": rg.tensor([1.0], requires_grad=True)}, path)
    assert path.exists() and not (tmp_path / "ckpt.pt.npz").exists()  # the name is used as given
    with np.load(path, allow_pickle=False) as z:  # a plain npz, no pickle inside
        assert "__retrograd__" in z.files
    ck = rg.load(path)
    assert ck["epoch"] == 3 and ck["name"] == "mlp" and ck["shape"] == (3, 4) and ck["flag"] is True
    assert ck["none"] is None and ck["hist"][0] == 0.5 and math.isnan(ck["hist"][1])
    assert ck["n"] == 7 and ck["n"].dtype == np.int32
    assert isinstance(ck["t"], rg.Tensor) and ck["t"].requires_grad
    assert list(ck["model"]) == list(net.state_dict())
    rg.manual_seed(1)
    net2 = rg.nn.Sequential(rg.nn.Linear(3, 4), rg.nn.ReLU(), rg.nn.Linear(4, 2))
    opt2 = rg.optim.Adam(net2.parameters(), lr=0.01)
    sched2 = rg.optim.lr_scheduler.MultiStepLR(opt2, [2, 4])
    net2.load_state_dict(ck["model"]); opt2.load_state_dict(ck["optim"]); sched2.load_state_dict(ck["sched"])
    for _ in range(3):
        for n, o, s in ((net, opt, sched), (net2, opt2, sched2)):
            o.zero_grad(); rg.nn.functional.cross_entropy(n(x), y).backward(); o.step(); s.step()
    for a, b in zip(net.parameters(), net2.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert sched2.get_last_lr() == sched.get_last_lr()


def test_save_load_file_objects_and_errors(tmp_path):
    buf = io.BytesIO()
    rg.save({1: rg.ones(2, dtype=rg.float32), "k": [np.arange(3)]}, buf)
    buf.seek(0)
    out = rg.load(buf, map_location="cpu")
    assert set(out) == {1, "k"} and out[1].dtype == np.float32 and out["k"][0].dtype == np.int64
    with pytest.raises(TypeError, match="without pickle"):
        rg.save({"f": lambda: 1}, io.BytesIO())
    with pytest.raises(TypeError, match="object arrays"):
        rg.save(np.array([None]), io.BytesIO())
    with pytest.raises(ValueError, match="map_location"):
        rg.load(io.BytesIO(), map_location="cuda")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"not a file written by rg.save"):
        rg.load(bad)
    np.savez(tmp_path / "other.npz", x=np.ones(2))
    with pytest.raises(ValueError, match=r"not a file written by rg.save"):
        rg.load(tmp_path / "other.npz")
    assert zipfile.is_zipfile(io.BytesIO(buf.getvalue()))


# ----- data ----------------------------------------------------------------------------------
def test_random_split_subset_and_utils_data_alias():
    import retrograd.utils.data as tud
    from retrograd.utils.data import random_split as rs
    assert tud is rg.data and rs is rg.data.random_split
    ds = rg.data.TensorDataset(np.arange(10.0), np.arange(10))
    a, b, c = rg.data.random_split(ds, [0.5, 0.3, 0.2], generator=np.random.default_rng(0))
    assert (len(a), len(b), len(c)) == (5, 3, 2)
    assert sorted(a.indices + b.indices + c.indices) == list(range(10))
    assert float(a[0][0]) == a.indices[0]
    assert [len(s) for s in rg.data.random_split(ds, [0.34, 0.33, 0.33], generator=1)] == [4, 3, 3]  # torch's
    rg.manual_seed(3); s1 = rg.data.random_split(ds, [7, 3])
    rg.manual_seed(3); s2 = rg.data.random_split(ds, [7, 3])
    assert s1[0].indices == s2[0].indices
    with pytest.raises(ValueError, match="add up"):
        rg.data.random_split(ds, [5, 4])
    xb, yb = next(iter(rg.data.DataLoader(a, batch_size=5)))
    np.testing.assert_array_equal(xb.numpy(), np.array(a.indices, dtype=float))
    assert yb.dtype == np.int64


def test_dataloader_collate_fn_and_default_collate_match_torch_structure():
    class Dicts(rg.data.Dataset):
        def __len__(self): return 4
        def __getitem__(self, i): return {"x": np.full(2, i, np.float32), "y": i, "w": 0.5, "s": f"s{i}"}
    b = next(iter(rg.data.DataLoader(Dicts(), batch_size=3)))
    tb = next(iter(torch.utils.data.DataLoader(_TorchDicts(), batch_size=3)))
    assert set(b) == set(tb)
    for k in ("x", "y", "w"):
        np.testing.assert_array_equal(b[k].numpy(), tb[k].numpy())
        assert b[k].dtype == tb[k].numpy().dtype, k
    assert b["s"] == tb["s"]
    calls = []

    def collate(samples):
        calls.append(len(samples))
        return np.stack([s[0] for s in samples]).sum()
    out = list(rg.data.DataLoader((np.arange(6.0),), batch_size=4, collate_fn=collate))
    assert calls == [4, 2] and out == [6.0, 9.0]
    single = next(iter(rg.data.DataLoader(_Plain(), batch_size=2)))  # bare samples: a bare batch
    assert isinstance(single, rg.Tensor) and single.shape == (2, 3)


class _TorchDicts(torch.utils.data.Dataset):
    def __len__(self): return 4
    def __getitem__(self, i): return {"x": np.full(2, i, np.float32), "y": i, "w": 0.5, "s": f"s{i}"}


class _Plain(rg.data.Dataset):
    def __len__(self): return 4
    def __getitem__(self, i): return np.ones(3)
