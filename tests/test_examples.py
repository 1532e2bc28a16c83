"""The example scripts run, print what they promise, and agree with PyTorch / NumPy."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _run(script, *args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    out = subprocess.run([sys.executable, str(EXAMPLES / script), *args], capture_output=True, text=True,
                         env=env, cwd=cwd, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_circles_231_example(tmp_path):
    out = _run("circles_231.py", "--plot", str(tmp_path / "b.png"))
    lines = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    rg_loss = float(lines["retrograd"].split("final loss")[1].split(",")[0])
    np_loss = float(lines["numpy by hand"].split("final loss")[1])
    assert abs(rg_loss - np_loss) < 1e-6
    assert rg_loss < 0.3
    assert (tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"


def test_autograd_walkthrough_example_prints_the_story():
    out = _run("autograd_walkthrough.py")
    assert "grad before backward:        None" in out
    assert "accumulated == old + 5 * new: True" in out
    assert "grad after zero_grad():      None" in out
    assert "zero_grad(set_to_none=False): [0. 0. 0." in out


def test_autograd_walkthrough_matches_torch():
    rec = runpy.run_path(str(EXAMPLES / "autograd_walkthrough.py"))["main"](seed=3)
    init = rec["initial"]
    net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)).double()
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(torch.from_numpy(init[name]))
    x, target = torch.from_numpy(rec["input"]), torch.from_numpy(rec["target"])
    opt = torch.optim.SGD(net.parameters(), lr=0.001)
    loss = (target - net(x)).pow(2).sum()
    np.testing.assert_allclose(rec["loss"], loss.item(), rtol=1e-12)
    loss.backward()
    np.testing.assert_allclose(rec["grad"], net[2].weight.grad.numpy(), rtol=1e-9, atol=1e-12)
    opt.step()
    for name, p in net.named_parameters():
        np.testing.assert_allclose(rec["after_step"][name], p.detach().numpy(), rtol=1e-12, atol=1e-14)
    for _ in range(5):
        (target - net(x)).pow(2).sum().backward()
    np.testing.assert_allclose(rec["accumulated"], net[2].weight.grad.numpy(), rtol=1e-9, atol=1e-10)
