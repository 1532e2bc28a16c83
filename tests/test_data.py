"""rg.data: the course's datasets, digits, IDX files written here, the DataLoader."""

import gzip
import struct

import numpy as np
import pytest

import retrograd as rg
from retrograd.data import (
    DataLoader,
    Dataset,
    TensorDataset,
    load_digits,
    load_mnist,
    make_circles,
    make_moons,
    make_xor,
    read_idx,
    train_test_split,
)


def write_idx(path, array, gz=False):
    """An IDX file as the MNIST distribution has them (big-endian header)."""
    codes = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B,
             np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}
    arr = np.asarray(array)
    arr = arr.astype(arr.dtype.newbyteorder(">")) if arr.dtype.itemsize > 1 else arr
    head = bytes([0, 0, codes[arr.dtype], arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    raw = head + arr.tobytes()
    (gzip.open if gz else open)(path, "wb").write(raw)


def make_mnist_folder(folder, n_train=40, n_test=12, gz=False, seed=0):
    rng = np.random.default_rng(seed)
    sets = {}
    for split, n, img, lab in [("train", n_train, "train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                               ("test", n_test, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")]:
        y = rng.integers(0, 10, n).astype(np.uint8)
        # images that carry their label: a bright column at position 2*label
        X = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        X[np.arange(n), :, 2 * y.astype(int) + 4] = 255
        sfx = ".gz" if gz else ""
        write_idx(folder / (img + sfx), X, gz)
        write_idx(folder / (lab + sfx), y, gz)
        sets[split] = (X, y)
    return sets


def test_circles_follow_seed_001():
    X, y = make_circles(2000, seed=1)
    r = np.hypot(X[:, 0], X[:, 1])
    assert X.shape == (2000, 2) and y.dtype == np.int64 and (y == 0).sum() == 1000
    assert r[y == 0].max() <= 0.5 and r[y == 1].min() >= 0.6 and r[y == 1].max() <= 1.0
    # radius uniform on each interval: its mean is the midpoint
    assert abs(r[y == 0].mean() - 0.25) < 0.02 and abs(r[y == 1].mean() - 0.8) < 0.02
    angle = np.arctan2(X[:, 1], X[:, 0])
    assert abs(angle.mean()) < 0.15
    X2, _ = make_circles(2000, seed=1)
    np.testing.assert_array_equal(X, X2)


def test_xor_four_blobs():
    X, y = make_xor(4000, seed=2)
    centres = [(0, 0), (1, 1), (0, 1), (1, 0)]
    for i, (c, label) in enumerate(zip(centres, [0, 0, 1, 1])):
        blob = X[i * 1000:(i + 1) * 1000]
        assert (y[i * 1000:(i + 1) * 1000] == label).all()
        np.testing.assert_allclose(blob.mean(0), c, atol=0.02)
        np.testing.assert_allclose(blob.std(0), [0.15, 0.15], rtol=0.08)
    assert make_xor(10, seed=0)[0].shape == (10, 2)


def test_moons_and_seeding_through_manual_seed():
    X, y = make_moons(200, noise=0.0, seed=0)
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    rg.manual_seed(3)
    a = make_moons(50)[0]
    rg.manual_seed(3)
    np.testing.assert_array_equal(a, make_moons(50)[0])


def test_digits_bundled():
    X, y = load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0 and X.max() == 1 and set(np.unique(y)) == set(range(10))


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_roundtrip(tmp_path, gz):
    for arr in [np.arange(24, dtype=np.uint8).reshape(2, 3, 4), np.array([-1, 2, -3], np.int8),
                np.array([[1.5, -2.0]], np.float32), np.array([70000, -5], np.int32),
                np.array([1e300, -2.5]), np.array([300, -300], np.int16)]:
        p = tmp_path / ("a.idx" + (".gz" if gz else ""))
        write_idx(p, arr, gz)
        back = read_idx(p)
        np.testing.assert_array_equal(back, arr)
        assert back.dtype.isnative


def test_read_idx_errors(tmp_path):
    p = tmp_path / "bad"
    p.write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x01\x05")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(p)
    p.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]))
    with pytest.raises(ValueError, match="truncated"):
        read_idx(p)
    p.write_bytes(bytes([0, 0, 0x42, 1, 0, 0, 0, 1, 1]))
    with pytest.raises(ValueError, match="data type"):
        read_idx(p)


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_from_idx_files(tmp_path, gz):
    sets = make_mnist_folder(tmp_path, gz=gz)
    X, y = load_mnist(tmp_path, "train")
    assert X.shape == (40, 784) and y.dtype == np.int64
    np.testing.assert_allclose(X, sets["train"][0].reshape(40, -1) / 255.0)
    np.testing.assert_array_equal(y, sets["train"][1])
    Xt, _yt = load_mnist(tmp_path, "test", dtype=np.float32)
    assert Xt.shape == (12, 784) and Xt.dtype == np.float32
    with pytest.raises(ValueError, match="split"):
        load_mnist(tmp_path, "valid")
    with pytest.raises(FileNotFoundError, match="does not download"):
        load_mnist(tmp_path / "nothing")


def test_load_mnist_mismatched_counts(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(2, np.uint8))
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        load_mnist(tmp_path)


def test_dataloader_batches_and_covers_everything():
    X = np.arange(23 * 2, dtype=np.float64).reshape(23, 2)
    y = np.arange(23)
    dl = DataLoader((X, y), batch_size=5)
    batches = list(dl)
    assert len(dl) == len(batches) == 5 and [len(b[1]) for b in batches] == [5, 5, 5, 5, 3]
    assert isinstance(batches[0][0], rg.Tensor) and not batches[0][0].requires_grad
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), y)
    dl = DataLoader(TensorDataset(X, y), batch_size=5, drop_last=True, shuffle=True, seed=0)
    assert len(dl) == 4 and all(len(b[1]) == 5 for b in dl)


def test_dataloader_seeded_shuffle():
    X, y = np.arange(50.0)[:, None], np.arange(50)
    a = DataLoader((X, y), batch_size=8, shuffle=True, seed=4)
    b = DataLoader((X, y), batch_size=8, shuffle=True, seed=4)
    e1a, e1b = [np.concatenate([t.numpy() for _, t in d]) for d in (a, b)]
    np.testing.assert_array_equal(e1a, e1b)
    assert sorted(e1a.tolist()) == list(range(50)) and not np.array_equal(e1a, y)
    e2a = np.concatenate([t.numpy() for _, t in a])
    assert not np.array_equal(e1a, e2a)  # a new order every epoch
    c = DataLoader((X, y), batch_size=8, shuffle=True, seed=4)
    c.epoch = 1  # a resumed run gets the same order as epoch 2 of an uninterrupted one
    np.testing.assert_array_equal(np.concatenate([t.numpy() for _, t in c]), e2a)
    for xb, yb in a:
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy())  # rows stay together


def test_dataloader_generic_dataset_and_errors():
    class Squares(Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, i):
            return np.array([i, i * i], dtype=np.float64), i % 2

    xb, yb = next(iter(DataLoader(Squares(), batch_size=4)))
    assert xb.shape == (4, 2) and yb.numpy().tolist() == [0, 1, 0, 1]
    with pytest.raises(ValueError, match="different lengths"):
        TensorDataset(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader((np.zeros(3),), batch_size=0)


def test_train_test_split():
    X, y = np.arange(100)[:, None], np.arange(100)
    Xtr, Xte, ytr, yte = train_test_split(X, y, 0.25, seed=0)
    assert len(Xte) == 25 and len(Xtr) == 75
    assert sorted(np.concatenate([ytr, yte]).tolist()) == list(range(100))
    np.testing.assert_array_equal(Xtr[:, 0], ytr)
    with pytest.raises(ValueError):
        train_test_split(X, y, 1.5)
