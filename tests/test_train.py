"""retrograd train: the loop, the CLI, checkpoints, resume, Ctrl-C, and the accuracy targets."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from test_data import make_mnist_folder

import retrograd as rg
import retrograd.train as tr
from retrograd.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"


def _weights(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files if k != "meta"}, json.loads(str(z["meta"]))


def test_cli_end_to_end_on_circles(tmp_path, capsys):
    out = tmp_path / "run"
    rc = cli_main(["train", "--data", "circles", "--hidden", "8,8", "--act", "tanh", "--opt", "sgd",
                   "--lr", "0.1", "--momentum", "0.9", "--epochs", "3", "--batch", "32",
                   "--n-samples", "300", "--out", str(out)])
    assert rc == 0
    cap = capsys.readouterr()
    lines = [ln for ln in cap.out.splitlines() if ln.startswith("epoch")]
    assert len(lines) == 3 and "loss" in lines[0] and "test acc" in lines[0]
    assert "final test accuracy" in cap.out
    assert "epoch 1/3" in cap.err and "batch" in cap.err  # the tqdm bars
    metrics = json.loads((out / "metrics.json").read_text())
    assert [h["epoch"] for h in metrics["history"]] == [1, 2, 3]
    assert set(metrics["history"][0]) >= {"train_loss", "train_accuracy", "test_loss", "test_accuracy"}
    assert metrics["config"]["hidden"] == [8, 8] and metrics["config"]["opt"] == "sgd"
    assert 0 <= metrics["final"]["test_accuracy"] <= 1
    for png in ("loss.png", "decision_boundary.png"):
        assert (out / png).read_bytes()[:8] == PNG
    arrays, meta = _weights(out / "checkpoint.npz")  # no pickle needed
    assert meta["epoch"] == 3 and "optim/0/momentum_buffer" in arrays
    assert arrays["model/1.weight"].shape == (8, 2) and arrays["model/1.weight"].dtype == np.float32
    # the checkpoint holds the final model: reloading reproduces the final test accuracy
    model_state, _, _ = tr.load_checkpoint(out / "checkpoint.npz")
    data = tr.load_dataset("circles", seed=0, n_samples=300)
    model = tr.build_mlp(2, [8, 8], 2, "tanh")
    model = rg.nn.Sequential(tr.Standardize.fit(data["X_train"]), *model)
    model.load_state_dict(model_state)
    assert tr.evaluate(model, data["X_test"], data["y_test"])[1] == metrics["final"]["test_accuracy"]
    assert not list(out.glob(".*tmp*"))


def test_digits_reaches_097_test_accuracy():
    start = time.perf_counter()
    m = tr.fit(data="digits", hidden=[64, 64], act="relu", opt="adam", lr=1e-3, epochs=20, batch=64,
               seed=0, progress=False, plots=False, log=None)
    print(f"digits: test accuracy {m['final']['test_accuracy']:.4f} in {time.perf_counter() - start:.1f}s")
    assert m["final"]["test_accuracy"] >= 0.97


def test_mnist_from_idx_files(tmp_path, capsys):
    (tmp_path / "mnist").mkdir()
    make_mnist_folder(tmp_path / "mnist", n_train=200, n_test=50, gz=True)
    out = tmp_path / "run"
    rc = cli_main(["train", "--data", f"mnist:{tmp_path / 'mnist'}", "--hidden", "32", "--epochs", "8",
                   "--lr", "1e-2", "--batch", "32", "--out", str(out), "--no-progress"])
    assert rc == 0
    assert "200 train / 50 test samples, 784 features, 10 classes" in capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["final"]["test_accuracy"] >= 0.9  # the label is written into the image
    assert (out / "loss.png").exists() and not (out / "decision_boundary.png").exists()


def _run(out, epochs, **kw):
    return tr.fit(out=out, data="xor", hidden=[16], epochs=epochs, batch=16, n_samples=200, lr=1e-2,
                  dropout=0.1, progress=False, plots=False, log=None, **kw)


def test_resume_continues_exactly(tmp_path):
    full = _run(tmp_path / "full", 4)
    _run(tmp_path / "part", 2)
    resumed = tr.fit(out=tmp_path / "part", resume=True, epochs=4, progress=False, plots=False, log=None)
    assert [h["epoch"] for h in resumed["history"]] == [1, 2, 3, 4]
    for a, b in zip(full["history"], resumed["history"]):
        assert a["train_loss"] == b["train_loss"] and a["test_accuracy"] == b["test_accuracy"]
    wa, _ = _weights(tmp_path / "full" / "checkpoint.npz")
    wb, _ = _weights(tmp_path / "part" / "checkpoint.npz")
    assert wa.keys() == wb.keys()
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k])


class _InterruptingLoader(tr.DataLoader):
    """Raises KeyboardInterrupt (what Ctrl-C does) in the middle of the third epoch."""

    def __iter__(self):
        for i, batch in enumerate(super().__iter__()):
            if self.epoch == 3 and i == 2:
                raise KeyboardInterrupt
            yield batch


def test_ctrl_c_keeps_the_last_checkpoint_and_resume_finishes(tmp_path, monkeypatch, capsys):
    args = ["train", "--data", "xor", "--hidden", "16", "--epochs", "4", "--batch", "16", "--n-samples", "200",
            "--lr", "1e-2", "--dropout", "0.1", "--no-progress", "--no-plots"]
    assert cli_main(args + ["--out", str(tmp_path / "full")]) == 0
    monkeypatch.setattr(tr, "DataLoader", _InterruptingLoader)
    rc = cli_main(args + ["--out", str(tmp_path / "cut")])
    assert rc == 130
    err = capsys.readouterr().err
    assert "checkpoint of epoch 2" in err and "--resume" in err
    _, meta = _weights(tmp_path / "cut" / "checkpoint.npz")
    assert meta["epoch"] == 2
    monkeypatch.undo()
    assert cli_main(["train", "--out", str(tmp_path / "cut"), "--resume", "--no-progress", "--no-plots"]) == 0
    wa, _ = _weights(tmp_path / "full" / "checkpoint.npz")
    wb, mb = _weights(tmp_path / "cut" / "checkpoint.npz")
    assert mb["epoch"] == 4
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k])


def test_interrupted_checkpoint_write_leaves_the_old_file(tmp_path, monkeypatch):
    _run(tmp_path, 1)
    before = (tmp_path / "checkpoint.npz").read_bytes()

    def half_written(f, **arrays):
        f.write(b"PK partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", half_written)
    with pytest.raises(KeyboardInterrupt):
        tr.fit(out=tmp_path, resume=True, epochs=2, progress=False, plots=False, log=None)
    assert (tmp_path / "checkpoint.npz").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "tmp" in p.name] == []


def test_sigint_in_a_real_process(tmp_path):
    out = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "retrograd", "train", "--data", "moons", "--n-samples",
                             "20000", "--hidden", "64,64", "--epochs", "1000", "--batch", "32",
                             "--no-plots", "--no-progress", "--out", str(out)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 90
        while not (out / "checkpoint.npz").exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert (out / "checkpoint.npz").exists()
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "is intact" in stderr
    arrays, meta = _weights(out / "checkpoint.npz")
    assert meta["epoch"] >= 1 and "model/1.weight" in arrays


def test_errors_are_reported_with_exit_status_2(tmp_path, capsys):
    assert cli_main(["train", "--data", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown dataset" in capsys.readouterr().err
    assert cli_main(["train", "--hidden", "a,b", "--out", str(tmp_path)]) == 2
    assert "--hidden" in capsys.readouterr().err
    assert cli_main(["train", "--resume", "--out", str(tmp_path / "none")]) == 2
    assert "no checkpoint" in capsys.readouterr().err


def test_missing_optional_dependency_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    rc = cli_main(["train", "--data", "xor", "--epochs", "1", "--out", str(tmp_path)])
    assert rc == 2
    assert "pip install 'retrograd[train]'" in capsys.readouterr().err
    # without progress bars and plots it trains with numpy alone
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert cli_main(["train", "--data", "xor", "--epochs", "1", "--n-samples", "40", "--no-progress",
                     "--no-plots", "--out", str(tmp_path)]) == 0


def test_core_import_needs_only_numpy():
    code = ("import sys\n"
            "for m in ('tqdm', 'matplotlib', 'sklearn', 'torch', 'scipy'): sys.modules[m] = None\n"
            "import retrograd as rg\n"
            "m = rg.nn.Sequential(rg.nn.Linear(2, 2)); opt = rg.optim.Adam(m.parameters())\n"
            "rg.nn.CrossEntropyLoss()(m(rg.ones(3, 2)), rg.tensor([0, 1, 1])).backward(); opt.step()\n"
            "X, y = rg.data.make_circles(10, seed=0)\n"
            "try:\n    rg.data.load_digits()\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stderr
    assert "pip install 'retrograd[train]'" in out.stdout


# ----- seed 001: the 2-3-1 sigmoid network on the circles, against NumPy by hand ---------------
def _numpy_circles(X, y, W1, b1, W2, b2, lr, epochs):
    """Written independently of retrograd: forward, the chain rule by hand, the update."""
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))
    W1, b1, W2, b2 = W1.copy(), b1.copy(), W2.copy(), b2.copy()
    t = y[:, None].astype(float)
    n = len(X)
    for _ in range(epochs):
        a1 = sig(X @ W1.T + b1)
        a2 = sig(a1 @ W2.T + b2)
        d2 = (a2 - t) / n
        d1 = (d2 @ W2) * a1 * (1 - a1)
        W2 = W2 - lr * d2.T @ a1
        b2 = b2 - lr * d2.sum(0)
        W1 = W1 - lr * d1.T @ X
        b1 = b1 - lr * d1.sum(0)
    a2 = sig(sig(X @ W1.T + b1) @ W2.T + b2)
    return float(-np.mean(t * np.log(a2) + (1 - t) * np.log(1 - a2)))


@pytest.mark.parametrize("seed", [0, 1])
def test_circles_231_reaches_the_numpy_loss(seed):
    X, y = rg.data.make_circles(500, seed=seed)
    rg.manual_seed(seed)
    model = rg.nn.Sequential(rg.nn.Linear(2, 3), rg.nn.Sigmoid(), rg.nn.Linear(3, 1), rg.nn.Sigmoid())
    init = model.state_dict()
    opt = rg.optim.SGD(model.parameters(), lr=1.0)
    loss_fn = rg.nn.BCELoss()
    xt, yt = rg.tensor(X), rg.tensor(y[:, None].astype(np.float64))
    for _ in range(2000):
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
    with rg.no_grad():
        final = loss_fn(model(xt), yt).item()
    ref = _numpy_circles(X, y, init["0.weight"], init["0.bias"], init["2.weight"], init["2.bias"], 1.0, 2000)
    assert abs(final - ref) < 1e-6
    assert final < 0.3  # it did learn
