"""Issue 10: `retrograd train` never loses a run, never trains on nonsense silently, never traces back."""

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from test_data import make_mnist_folder, write_idx

import retrograd.train as tr
from retrograd.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--data", "xor", "--n-samples", "80", "--hidden", "4", "--epochs", "2", "--batch", "16",
        "--no-progress", "--no-plots"]


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")


def train_many(cases, cwd):
    """Run ``retrograd train`` once per argument list, a few processes at a time."""
    results, running = [], []
    for args in cases:
        running.append(subprocess.Popen([sys.executable, "-m", "retrograd", "train", *args], cwd=cwd,
                                        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for proc in running:
        out, err = proc.communicate(timeout=300)
        results.append((proc.returncode, out, err))
    return results


def _weights(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files if k != "meta"}, json.loads(str(z["meta"]))


def test_a_folder_holding_a_run_is_not_overwritten_without_resume_or_force(tmp_path):
    out = tmp_path / "run"
    assert cli_main(["train", *TINY, "--epochs", "3", "--out", str(out)]) == 0
    before = (out / "checkpoint.npz").read_bytes()
    (rc, _, err), = train_many([[*TINY, "--out", str(out)]], tmp_path)
    assert rc == 2 and "Traceback" not in err
    assert "--resume" in err and "--force" in err and len(err.strip().splitlines()) == 1
    assert (out / "checkpoint.npz").read_bytes() == before
    assert cli_main(["train", *TINY, "--out", str(out), "--force"]) == 0
    assert _weights(out / "checkpoint.npz")[1]["epoch"] == 2


def test_resume_says_which_options_it_ignored(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli_main(["train", *TINY, "--out", str(out)]) == 0
    capsys.readouterr()
    assert cli_main(["train", "--out", str(out), "--resume", "--lr", "0.5", "--hidden", "9", "--epochs", "3",
                     "--no-progress", "--no-plots"]) == 0
    said = capsys.readouterr().out
    assert "--lr 0.5 (the run has 0.001)" in said and "--hidden 9 (the run has 4)" in said
    assert "--epochs" not in said.split("ignored")[1].splitlines()[0]


BAD_OPTIONS = [
    (["--out", ""], "--out"),
    (["--lr", "nan"], "--lr"), (["--lr", "inf"], "--lr"), (["--lr", "-1"], "--lr"),
    (["--weight-decay", "nan"], "--weight-decay"), (["--momentum", "inf"], "--momentum"),
    (["--dropout", "1"], "--dropout"),
    (["--epochs", "-3"], "--epochs"), (["--batch", "0"], "--batch"), (["--hidden", ""], "--hidden"),
    (["--hidden", "1000000000000"], "parameters"),
    (["--test-fraction", "0.999"], "split"), (["--n-samples", "0"], "--n-samples"),
]


@pytest.mark.parametrize("args, says", BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_bad_options_are_one_line_and_status_2(tmp_path, capsys, args, says):
    out = tmp_path / "r"
    assert cli_main(["train", *TINY, "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and says in err and len(err.strip().splitlines()) == 1, err
    assert not (out / "checkpoint.npz").exists()


def test_bad_options_through_the_command_line(tmp_path):
    picked = [BAD_OPTIONS[0], BAD_OPTIONS[1], BAD_OPTIONS[10]]
    cases = [[*TINY, "--out", str(tmp_path / f"r{i}"), *args] for i, (args, _) in enumerate(picked)]
    for (_args, says), (rc, _, err) in zip(picked, train_many(cases, tmp_path)):
        assert rc == 2 and "Traceback" not in err and says in err and len(err.strip().splitlines()) == 1, err


def test_bad_run_folders_are_one_line_and_status_2(tmp_path):
    (tmp_path / "afile").write_text("x")
    outs = [str(tmp_path / "afile"), "/dev/null", str(tmp_path / "afile" / "sub")]
    for out, (rc, _, err) in zip(outs, train_many([[*TINY, "--out", o] for o in outs], tmp_path)):
        assert rc == 2 and "Traceback" not in err and out in err and len(err.strip().splitlines()) == 1, err
    assert (tmp_path / "afile").read_text() == "x"


def test_a_folder_it_cannot_write_is_one_line(tmp_path, monkeypatch, capsys):
    # (a read-only folder does not stop root, so the refusal of the system is simulated)
    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(tr.tempfile, "TemporaryFile", refuse)
    assert cli_main(["train", *TINY, "--out", str(tmp_path / "ro")]) == 2
    err = capsys.readouterr().err
    assert "cannot write there (Permission denied)" in err and "Traceback" not in err


def test_out_of_memory_is_one_line(tmp_path, monkeypatch, capsys):
    def no_memory(*a, **k):
        raise MemoryError
    monkeypatch.setattr(tr, "build_mlp", no_memory)
    monkeypatch.setitem(tr.MODELS, "mlp", no_memory)  # --model picks its builder from MODELS
    assert cli_main(["train", *TINY, "--out", str(tmp_path / "r")]) == 2
    assert "not enough memory" in capsys.readouterr().err


# ---------------------------------------------------------------- NaN and divergence

class _PoisonedLoader(tr.DataLoader):
    """Yields NaN inputs from the second epoch on (what a diverging run produces)."""

    def __iter__(self):
        for xb, yb in super().__iter__():
            if self.epoch >= 2:  # (the loader counts epochs from 1 while it iterates)
                xb = xb * float("nan")
            yield xb, yb


def test_a_diverging_run_stops_with_status_3_and_keeps_the_last_finite_checkpoint(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    monkeypatch.setattr(tr, "DataLoader", _PoisonedLoader)
    assert cli_main(["train", *TINY, "--epochs", "3", "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "nan in epoch 2" in err and "checkpoint of epoch 1" in err and "--resume" in err
    arrays, meta = _weights(out / "checkpoint.npz")
    assert meta["epoch"] == 1 and all(np.all(np.isfinite(v)) for v in arrays.values())
    assert not (out / "metrics.json").exists()


def test_a_diverging_learning_rate_through_the_command_line(tmp_path):
    out = tmp_path / "run"
    (rc, _, err), = train_many([["--data", "digits", "--hidden", "16", "--opt", "sgd", "--lr", "1e6",
                                 "--epochs", "2", "--no-progress", "--no-plots", "--out", str(out)]], tmp_path)
    assert rc == 3, err
    assert "Traceback" not in err and "Warning" not in err and len(err.strip().splitlines()) == 1, err
    assert "stopped" in err and "--lr" in err
    assert not (out / "checkpoint.npz").exists() or all(
        np.all(np.isfinite(v)) for v in _weights(out / "checkpoint.npz")[0].values())


def test_nan_in_the_data_is_refused(tmp_path, capsys):
    folder = tmp_path / "mnist"
    folder.mkdir()
    make_mnist_folder(folder, n_train=40, n_test=12)
    X = np.full((40, 28, 28), np.nan, dtype=">f4")
    write_idx(folder / "train-images-idx3-ubyte", X)
    assert cli_main(["train", "--data", f"mnist:{folder}", *TINY[2:], "--out", str(tmp_path / "r")]) == 2
    assert "NaN" in capsys.readouterr().err


# ---------------------------------------------------------------- IDX files and labels

def _mnist(tmp_path, **change):
    folder = tmp_path / "mnist"
    folder.mkdir()
    make_mnist_folder(folder, n_train=40, n_test=12)
    for name, content in change.items():
        path = folder / name.replace("_", "-")
        if isinstance(content, str):
            path.unlink()
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            write_idx(path, content)
    return folder


LABELS = np.arange(40) % 10
BAD_IDX = {
    "truncated-header": ({"train_labels_idx1_ubyte": bytes([0, 0, 8, 3, 0, 0])}, "truncated IDX header"),
    "folder": ({"train_images_idx3_ubyte": "folder"}, "is a folder"),
    "negative-labels": ({"train_labels_idx1_ubyte": (LABELS - 1).astype(np.int8)}, "0 or more"),
    "label-200": ({"train_labels_idx1_ubyte": np.where(LABELS == 3, 200, LABELS).astype(np.uint8)},
                  "every class present"),
    "float-labels": ({"train_labels_idx1_ubyte": LABELS.astype(">f4")}, "integers"),
}


@pytest.mark.parametrize("case", sorted(BAD_IDX))
def test_bad_idx_files_are_one_line_naming_the_file(tmp_path, capsys, case):
    change, says = BAD_IDX[case]
    folder = _mnist(tmp_path, **change)
    assert cli_main(["train", "--data", f"mnist:{folder}", *TINY[2:], "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert says in err and str(folder) in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_idx_file_through_the_command_line(tmp_path):
    folder = _mnist(tmp_path, train_labels_idx1_ubyte=bytes([0, 0, 8]))
    (rc, _, err), = train_many([["--data", f"mnist:{folder}", *TINY[2:], "--out", str(tmp_path / "r")]], tmp_path)
    assert rc == 2 and "Traceback" not in err and "train-labels-idx1-ubyte" in err


# ---------------------------------------------------------------- damaged checkpoints

def _damage(path, how):
    raw = path.read_bytes()
    if how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "bit-flipped":
        flipped = bytearray(raw)
        for i in range(200, len(raw) - 200, 97):
            flipped[i] ^= 0x10
        path.write_bytes(bytes(flipped))
    elif how == "folder":
        path.unlink()
        path.mkdir()
    elif how == "pickle":
        with open(path, "wb") as f:
            np.save(f, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    else:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(str(arrays["meta"]))
        if how in ("no-meta",):
            del arrays["meta"]
        elif how in ("no-config", "no-history"):
            del meta[how[3:]]
        elif how == "missing-array":
            del arrays["model/1.weight"]
        elif how == "extra-array":
            arrays["model/9.weight"] = np.zeros(3, np.float32)
        elif how == "wrong-shape":
            arrays["model/1.weight"] = np.zeros((3, 3), np.float32)
        elif how == "stray-array":
            arrays["junk"] = np.zeros(1)
        if "meta" in arrays:
            arrays["meta"] = np.array(json.dumps(meta))
        with open(path, "wb") as f:
            np.savez(f, **arrays)


DAMAGES = ["empty", "truncated", "bit-flipped", "folder", "pickle", "no-meta", "no-config", "no-history",
           "missing-array", "extra-array", "wrong-shape", "stray-array"]


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("good") / "run"
    assert cli_main(["train", *TINY, "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("how", DAMAGES)
def test_damaged_checkpoints_are_one_line_naming_the_file(good_run, tmp_path, capsys, how):
    out = tmp_path / "run"
    out.mkdir()
    (out / "checkpoint.npz").write_bytes((good_run / "checkpoint.npz").read_bytes())
    _damage(out / "checkpoint.npz", how)
    capsys.readouterr()
    assert cli_main(["train", "--out", str(out), "--resume", "--epochs", "3", "--no-progress", "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert str(out / "checkpoint.npz") in err and "Traceback" not in err, err
    assert "allow_pickle" not in err and len(err.strip().splitlines()) == 1, err


def test_a_damaged_checkpoint_through_the_command_line(good_run, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "checkpoint.npz").write_bytes((good_run / "checkpoint.npz").read_bytes()[:100])
    (rc, _, err), = train_many([["--out", str(out), "--resume", "--no-progress", "--no-plots"]], tmp_path)
    assert rc == 2 and "Traceback" not in err and "checkpoint.npz" in err


# ---------------------------------------------------------------- SIGKILL at random moments

KILL_ARGS = ["--data", "xor", "--n-samples", "160", "--hidden", "8", "--epochs", "25", "--batch", "8",
             "--lr", "0.01", "--dropout", "0.1", "--no-progress", "--no-plots"]


def test_sigkill_at_random_moments_never_loses_the_run(tmp_path, capsys):
    assert cli_main(["train", *KILL_ARGS, "--out", str(tmp_path / "ref")]) == 0
    reference, _ = _weights(tmp_path / "ref" / "checkpoint.npz")
    rng = random.Random(10)
    epochs_at_kill = []
    for k in range(10):
        out = tmp_path / f"killed{k}"
        proc = subprocess.Popen([sys.executable, "-m", "retrograd", "train", *KILL_ARGS, "--out", str(out)],
                                cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if k % 3:  # most kills land while it trains and writes checkpoints, some while it starts
            proc.stdout.readline()
            time.sleep(rng.uniform(0.0, 0.25))
        else:
            time.sleep(rng.uniform(0.2, 1.5))
        proc.kill()
        proc.communicate(timeout=60)
        ckpt = out / "checkpoint.npz"
        epochs_at_kill.append(tr.load_checkpoint(ckpt)[2]["epoch"] if ckpt.exists() else 0)  # always loads
        args = ["--resume", "--no-progress", "--no-plots"] if ckpt.exists() else KILL_ARGS
        assert cli_main(["train", *args, "--out", str(out)]) == 0
        resumed, meta = _weights(ckpt)
        assert meta["epoch"] == 25 and resumed.keys() == reference.keys()
        for name in reference:
            np.testing.assert_array_equal(resumed[name], reference[name], err_msg=name)
        assert not list(out.glob(".*tmp*"))
    capsys.readouterr()
    print("epochs saved when killed:", epochs_at_kill)
