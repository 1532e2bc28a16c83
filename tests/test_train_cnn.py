"""retrograd train --model cnn: digits, MNIST-format IDX folders, resume with BatchNorm statistics."""

import json

import numpy as np
from test_data import make_mnist_folder

import retrograd.train as tr
from retrograd.cli import main as cli_main


def test_cnn_on_digits_learns_and_resumes_exactly(tmp_path, capsys):
    out = tmp_path / "full"
    rc = cli_main(["train", "--data", "digits", "--model", "cnn", "--hidden", "64", "--epochs", "2",
                   "--out", str(out), "--no-progress", "--no-plots"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "cnn 64-64-10" in text
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["model"] == "cnn"
    assert metrics["final"]["test_accuracy"] >= 0.85
    state, _, _ = tr.load_checkpoint(out / "checkpoint.npz")
    assert state["3.running_var"].shape == (16,) and int(state["3.num_batches_tracked"]) == 2 * 23
    part = tmp_path / "part"
    tr.fit(out=part, data="digits", model="cnn", hidden=[64], epochs=1, progress=False, plots=False, log=None)
    resumed = tr.fit(out=part, resume=True, epochs=2, progress=False, plots=False, log=None)
    for a, b in zip(metrics["history"], resumed["history"]):
        assert a["train_loss"] == b["train_loss"] and a["test_accuracy"] == b["test_accuracy"]
    resumed_state, _, _ = tr.load_checkpoint(part / "checkpoint.npz")
    for k in state:
        np.testing.assert_array_equal(state[k], resumed_state[k], err_msg=k)


def test_cnn_on_mnist_idx_files(tmp_path, capsys):
    (tmp_path / "mnist").mkdir()
    make_mnist_folder(tmp_path / "mnist", n_train=200, n_test=50, gz=False)
    out = tmp_path / "run"
    rc = cli_main(["train", "--data", f"fashion-mnist:{tmp_path / 'mnist'}", "--model", "cnn", "--hidden", "32",
                   "--epochs", "4", "--lr", "3e-3", "--batch", "32", "--out", str(out), "--no-progress",
                   "--no-plots"])
    assert rc == 0
    assert "784 features, 10 classes; cnn" in capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["final"]["test_accuracy"] >= 0.9  # the label is written into the image


def test_cnn_needs_square_images(tmp_path, capsys):
    rc = cli_main(["train", "--data", "circles", "--model", "cnn", "--epochs", "1", "--out", str(tmp_path / "r"),
                   "--no-progress", "--no-plots"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "square images" in err and "Traceback" not in err


def test_build_cnn_shapes():
    net = tr.build_cnn(784, [128], 10)
    x = np.zeros((2, 784), np.float32)
    from retrograd import tensor
    assert net(tensor(x)).shape == (2, 10)
    assert [type(m).__name__ for m in net][:5] == ["Unflatten", "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"]
    assert net[1].kernel_size == (5, 5) and tr.build_cnn(64, [], 3)[1].kernel_size == (3, 3)
