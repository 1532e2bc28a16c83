"""The CNN and the character-level attention examples are PyTorch scripts with the import renamed:
the same file with ``retrograd`` swapped for ``torch`` on its ``# framework`` lines runs on PyTorch,
and from the same initial weights both give the same losses step for step."""

import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import torch
from test_data import make_mnist_folder

import retrograd as rg

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _variant(name, framework):
    src = (EXAMPLES / name).read_text()
    if framework == "torch":
        lines = src.splitlines()
        assert any("# framework" in ln for ln in lines)
        src = "\n".join(ln.replace("retrograd", "torch") if ln.rstrip().endswith("# framework") else ln
                        for ln in lines)
        assert "import retrograd" not in src and "from retrograd" not in src
    mod = types.ModuleType(f"{framework}_{name[:-3]}")
    exec(compile(src, str(EXAMPLES / name), "exec"), mod.__dict__)
    return mod


def _twins(name, build):
    """The example's model built by retrograd (float32) and a PyTorch twin with the same weights."""
    ours, theirs = _variant(name, "retrograd"), _variant(name, "torch")
    rg.manual_seed(0)
    m = build(ours).float()
    tm = build(theirs).float()  # whatever torch's default dtype is at this point of the run
    tm.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in m.state_dict().items()})
    return ours, theirs, m, tm


def test_mnist_cnn_example_matches_torch_step_for_step(capsys):
    args = ["--epochs", "2", "--n-train", "256", "--batch-size", "64", "--no-shuffle", "--dropout", "0", "0",
            "--log-interval", "2"]
    ours, theirs, m, tm = _twins("mnist_cnn.py", lambda mod: mod.Net(8, 0.0, 0.0))
    a, b = ours.main(args, model=m), theirs.main(args, model=tm)
    assert len(a["losses"]) == len(b["losses"]) == 8
    np.testing.assert_allclose(a["losses"], b["losses"], rtol=2e-4)
    np.testing.assert_allclose([r[0] for r in a["results"]], [r[0] for r in b["results"]], rtol=2e-4)
    assert a["losses"][-1] < 0.7 * a["losses"][0]
    for k, v in tm.state_dict().items():  # BatchNorm's running statistics too
        np.testing.assert_allclose(np.asarray(m.state_dict()[k], dtype=np.float64), v.double().numpy(),
                                   rtol=2e-3, atol=2e-4, err_msg=k)
    assert "Test set: Average loss" in capsys.readouterr().out


def test_char_attention_example_matches_torch_step_for_step():
    args = ["--steps", "12", "--batch", "4", "--generate", "0"]
    ours, theirs, m, tm = _twins("char_attention.py", lambda mod: mod.CharModel(len(set(mod.TEXT)), 32))
    a, b = ours.main(args, model=m), theirs.main(args, model=tm)
    np.testing.assert_allclose(a["losses"], b["losses"], rtol=2e-4)
    assert a["losses"][-1] < a["losses"][0]


@pytest.mark.parametrize("script,args", [
    ("mnist_cnn.py", ["--epochs", "1", "--dry-run", "--save-model", "model.pt"]),
    ("char_attention.py", ["--steps", "3", "--generate", "5"]),
])
def test_examples_run_as_scripts(tmp_path, script, args):
    mnist = tmp_path / "mnist"
    mnist.mkdir()
    make_mnist_folder(mnist, n_train=64, n_test=20, gz=True)
    if script == "mnist_cnn.py":
        args = args + ["--data", str(mnist)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, str(EXAMPLES / script), *args], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    if script == "mnist_cnn.py":
        assert "Train Epoch: 1 [0/64" in out.stdout and "Test set" in out.stdout
        state = rg.load(tmp_path / "model.pt")
        net = _variant("mnist_cnn.py", "retrograd").Net(28)
        net.load_state_dict(state)
    else:
        assert "sample: the chain rule" in out.stdout
