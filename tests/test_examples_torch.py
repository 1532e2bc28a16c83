"""The CNN and the character-level attention examples are PyTorch scripts with the import renamed:
(examples/mnist_cnn.py is PyTorch's examples/mnist/main.py itself, line for line)
the same file with ``retrograd`` swapped for ``torch`` on its ``# framework`` lines runs on PyTorch,
and from the same initial weights both give the same losses step for step."""

import os
import random
import re
import subprocess
import sys
import types
import warnings
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


def test_mnist_cnn_bn_example_matches_torch_step_for_step(capsys):
    args = ["--epochs", "2", "--n-train", "256", "--batch-size", "64", "--no-shuffle", "--dropout", "0", "0",
            "--log-interval", "2"]
    ours, theirs, m, tm = _twins("mnist_cnn_bn.py", lambda mod: mod.Net(8, 0.0, 0.0))
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
    ("mnist_cnn_bn.py", ["--epochs", "1", "--dry-run", "--save-model", "model.pt"]),
    ("char_attention.py", ["--steps", "3", "--generate", "5"]),
])
def test_examples_run_as_scripts(tmp_path, script, args):
    mnist = tmp_path / "mnist"
    mnist.mkdir()
    make_mnist_folder(mnist, n_train=64, n_test=20, gz=True)
    if script == "mnist_cnn_bn.py":
        args = args + ["--data", str(mnist)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, str(EXAMPLES / script), *args], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    if script == "mnist_cnn_bn.py":
        assert "Train Epoch: 1 [0/64" in out.stdout and "Test set" in out.stdout
        state = rg.load(tmp_path / "model.pt")
        net = _variant("mnist_cnn_bn.py", "retrograd").Net(28)
        net.load_state_dict(state)
    else:
        assert "sample: the chain rule" in out.stdout


def _mnist_run(mod, model, argv, monkeypatch, capsys):
    """Run the verbatim script's main() on ``model`` (its ``Net()`` replaced by the prepared one)."""
    monkeypatch.setattr(mod, "Net", lambda: model)
    monkeypatch.setattr(sys, "argv", ["mnist_cnn.py", *argv])
    mod.main()
    out = capsys.readouterr().out
    losses = [float(line.rsplit("Loss:", 1)[1]) for line in out.splitlines() if "Loss:" in line]
    test = [line for line in out.splitlines() if line.startswith("Test set")]
    return out, losses, test


def test_mnist_example_is_pytorchs_script_and_matches_torch(tmp_path, monkeypatch, capsys):
    """PyTorch's examples/mnist/main.py (Adadelta, StepLR, torch.flatten, .to(device), .eq/.view_as,
    nll_loss(reduction='sum'), torch.save) gives PyTorch's numbers from the same initial weights."""
    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    make_mnist_folder(raw, n_train=96, n_test=40, gz=True)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")  # the script reads '../data', as torchvision's MNIST would
    ours, theirs, m, tm = _twins("mnist_cnn.py", lambda mod: mod.Net())
    for net in (m, tm):  # dropout masks come from each library's own generator: switch them off
        net.dropout1.p = net.dropout2.p = 0.0
    argv = ["--epochs", "2", "--batch-size", "32", "--test-batch-size", "25", "--log-interval", "1"]
    out, losses, test = _mnist_run(ours, m, argv + ["--save-model"], monkeypatch, capsys)
    _, tlosses, ttest = _mnist_run(theirs, tm, argv, monkeypatch, capsys)
    assert len(losses) == len(tlosses) == 6 and "Train Epoch: 2 [64/96 (67%)]" in out
    np.testing.assert_allclose(losses, tlosses, rtol=1e-4, atol=2e-6)
    assert losses[-1] < 0.7 * losses[0]
    assert test == ttest  # average loss to 4 digits and the accuracy
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(np.asarray(m.state_dict()[k]), v.numpy(), rtol=1e-3, atol=1e-5, err_msg=k)
    saved = rg.load("mnist_cnn.pt")  # torch.save(model.state_dict(), "mnist_cnn.pt") in our format
    assert set(saved) == set(tm.state_dict())
    np.testing.assert_array_equal(np.asarray(saved["fc2.bias"]), np.asarray(m.state_dict()["fc2.bias"]))


def test_mnist_example_runs_as_a_script_without_the_data(tmp_path):
    """Without MNIST files it says so and trains on the 8x8 digits scaled up to 28x28."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, str(EXAMPLES / "mnist_cnn.py"), "--epochs", "1", "--dry-run"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "using the 8x8 digits scaled up to 28x28" in out.stdout
    assert "Train Epoch: 1 [0/1500 (0%)]" in out.stdout and "Test set: Average loss" in out.stdout


# ----- "Learning PyTorch with Examples": the tutorial's programs, line for line ------------------------
TUTORIAL = EXAMPLES / "pytorch_tutorial"
TUTORIAL_PROGRAMS = sorted(p.name for p in TUTORIAL.glob("*.py"))
DRAWS = np.random.default_rng(0).standard_normal(64)


class _SameStart:
    """The library as a tutorial program sees it, except that ``randn(())`` and ``nn.Linear`` take
    their initial values from DRAWS, so that both libraries start from the same weights."""

    def __init__(self, lib):
        self._lib, self._draws = lib, iter(DRAWS)
        self.nn = types.SimpleNamespace(**{k: getattr(lib.nn, k) for k in dir(lib.nn) if not k.startswith("__")})
        self.nn.Linear = self._linear

    def __getattr__(self, name):
        return getattr(self._lib, name)

    def randn(self, *size, dtype=None, device=None, requires_grad=False):
        assert size in ((), ((),)), size
        return self._lib.tensor(next(self._draws), dtype=dtype, requires_grad=requires_grad)

    def _linear(self, n_in, n_out):
        layer = self._lib.nn.Linear(n_in, n_out)
        w = [next(self._draws) for _ in range(n_out * (n_in + 1))]
        with self._lib.no_grad():
            layer.weight.copy_(self._lib.tensor(np.reshape(w[n_out:], (n_out, n_in)), dtype=layer.weight.dtype))
            layer.bias.copy_(self._lib.tensor(w[:n_out], dtype=layer.bias.dtype))
        return layer


def _run_tutorial(name, lib, capsys):
    src = (TUTORIAL / name).read_text()
    lines = src.splitlines()
    assert sum("# framework" in ln for ln in lines) == 1 and "import retrograd as torch  # framework" in lines
    src = "\n".join("" if ln.endswith("# framework") else ln for ln in lines)
    src = src.replace("range(30000)", "range(6000)")  # dynamic_net: a shortened schedule
    random.seed(0)  # dynamic_net draws its polynomial's order with Python's random
    ns = {"__name__": "__main__", "torch": _SameStart(lib)}
    with warnings.catch_warnings():  # the tutorial's docstrings hold LaTeX: "\\sin" is an invalid escape
        warnings.simplefilter("ignore", DeprecationWarning)
        code = compile(src, str(TUTORIAL / name), "exec")
    exec(code, ns)
    out = capsys.readouterr().out
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?|-?\d+e-?\d+", out)]
    assert "Result: y = " in out and len(numbers) >= 8
    return out, numbers


@pytest.mark.parametrize("name", TUTORIAL_PROGRAMS)
def test_tutorial_program_prints_pytorchs_numbers(name, capsys):
    """Each program, with the import renamed, prints PyTorch's losses and fitted polynomial."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # retrograd's default dtype; `torch.float` stays float32
    try:
        theirs, expected = _run_tutorial(name, torch, capsys)
    finally:
        torch.set_default_dtype(old)
    ours, got = _run_tutorial(name, rg, capsys)
    float32 = "dtype = torch.float\n" in (TUTORIAL / name).read_text()
    np.testing.assert_allclose(got, expected, rtol=1e-4 if float32 else 1e-9, atol=1e-7 if float32 else 1e-12,
                               err_msg=f"ours:\n{ours}\ntheirs:\n{theirs}")
    losses = [float(ln.split()[1]) for ln in ours.splitlines() if ln[:1].isdigit()]
    assert losses[-1] < losses[0], "the program must have trained"
