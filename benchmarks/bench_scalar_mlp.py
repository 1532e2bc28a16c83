"""micrograd's demo written scalar by scalar: moons(100), MLP 2-16-16-1, SVM loss + L2, one SGD step.

One step is forward + backward + update over the full batch of 100 points, about 65,000 scalar
operations, exactly as in micrograd's ``demo.ipynb`` (without its accuracy line, which reads values
in the middle of the computation). Variants, each in its own fresh Python process, on the same data
and initial weights:

* ``micrograd``: Karpathy's engine (PyPI package ``micrograd``), ``Value`` per scalar;
* ``torch 0-d``: PyTorch with one 0-d tensor per scalar;
* ``retrograd eager``: retrograd with one 0-d tensor per scalar;
* ``retrograd jit``: the same scalar code in functional form, ``rg.jit`` of the whole training step
  (``value_and_grad`` and the SGD update); its first call (trace + compile) is reported separately.

Not a test: run it by hand::

    python benchmarks/bench_scalar_mlp.py [--steps 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

SETUP = """
import numpy as np, time, random
from retrograd.data import make_moons
X, y = make_moons(100, noise=0.1, seed=1)
X = X.tolist(); y = [1.0 if v else -1.0 for v in np.asarray(y).tolist()]   # labels -1 / +1
rng = np.random.default_rng(0)
SIZES = [2, 16, 16, 1]
INIT = []   # per layer: (weights[out][in], biases[out])
for a, b in zip(SIZES[:-1], SIZES[1:]):
    INIT.append((rng.uniform(-1, 1, (b, a)).tolist(), [0.0] * b))
ALPHA = 1e-4
def lr_at(k): return 1.0 - 0.9 * k / 100

def forward(layers, x, relu):
    # layers: [(W[out][in], b[out])]; every number a scalar object of the library
    for li, (W, b) in enumerate(layers):
        last = li == len(layers) - 1
        out = []
        for wrow, bi in zip(W, b):
            act = sum((wi * xi for wi, xi in zip(wrow, x)), bi)
            out.append(act if last else relu(act))
        x = out
    return x[0]

def loss_of(layers, relu):
    scores = [forward(layers, xrow, relu) for xrow in X]
    losses = [relu(1 + -yi * si) for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    params = [p for W, b in layers for row in W for p in row] + [p for W, b in layers for p in b]
    reg_loss = ALPHA * sum((p * p for p in params))
    return data_loss + reg_loss
"""

VARIANTS = {
    "micrograd": """
from micrograd.engine import Value
layers = [([[Value(w) for w in row] for row in W], [Value(v) for v in b]) for W, b in INIT]
params = [p for W, b in layers for row in W for p in row] + [p for W, b in layers for p in b]
k = 0
def step():
    global k
    loss = loss_of(layers, lambda v: v.relu())
    for p in params: p.grad = 0
    loss.backward()
    for p in params: p.data -= lr_at(k) * p.grad
    k += 1
    return loss.data
""",
    "torch 0-d": """
import torch
torch.set_num_threads(1)
layers = [([[torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in row] for row in W],
           [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in b]) for W, b in INIT]
params = [p for W, b in layers for row in W for p in row] + [p for W, b in layers for p in b]
k = 0
def step():
    global k
    loss = loss_of(layers, torch.relu)
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr_at(k) * p.grad
            p.grad = None
    k += 1
    return float(loss)
""",
    "retrograd eager": """
import retrograd as rg
layers = [([[rg.tensor(w, requires_grad=True) for w in row] for row in W],
           [rg.tensor(v, requires_grad=True) for v in b]) for W, b in INIT]
params = [p for W, b in layers for row in W for p in row] + [p for W, b in layers for p in b]
k = 0
def step():
    global k
    loss = loss_of(layers, rg.relu)
    loss.backward()
    for p in params:
        p.data -= lr_at(k) * p.grad.data
        p.grad = None
    k += 1
    return float(loss)
""",
    "retrograd jit": """
import retrograd as rg
def train_step(layers, lr):
    loss, grads = rg.value_and_grad(lambda l: loss_of(l, rg.relu))(layers)
    new = rg.tree_map(lambda p, g: p - lr * g, layers, grads)
    return loss, new
step_fn = rg.jit(train_step)
layers = rg.tree_map(float, INIT)
k = 0
def step():
    global k, layers
    loss, layers = step_fn(layers, lr_at(k))
    k += 1
    return float(loss)
t0 = time.perf_counter(); step(); FIRST = time.perf_counter() - t0
layers, k = rg.tree_map(float, INIT), 0   # start again: every variant takes the same steps
""",
}

TIMER = """
FIRST = globals().get("FIRST")
step()
times = []
for _ in range({steps}):
    t = time.perf_counter(); last = step(); times.append(time.perf_counter() - t)
print(json.dumps({{"step": min(times), "first": FIRST, "loss": last}}))
"""


def run_variant(name: str, steps: int) -> dict:
    code = "import json\n" + SETUP + textwrap.dedent(VARIANTS[name]) + TIMER.format(steps=steps)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="run only these variants")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    res = {}
    for name in VARIANTS:
        if args.only and name not in args.only:
            continue
        try:
            res[name] = run_variant(name, args.steps)
        except subprocess.CalledProcessError as exc:
            print(f"{name}: failed ({exc.stderr.strip().splitlines()[-1]})", file=sys.stderr)
    if args.json:
        print(json.dumps(res))
        return 0
    print(f"micrograd demo scalar by scalar, one full-batch step (best of {args.steps}):")
    for name, r in res.items():
        first = f"   first call (trace + compile) {r['first']:.2f} s" if r.get("first") else ""
        print(f"  {name:16s} {r['step'] * 1e3:9.1f} ms   loss after {args.steps + 1} steps {r['loss']:.6f}{first}")
    if "retrograd jit" in res:
        t = res["retrograd jit"]["step"]
        for peer, target in (("micrograd", 25), ("torch 0-d", 10), ("retrograd eager", None)):
            if peer in res:
                want = f"  (target > {target}x)" if target else ""
                print(f"  {peer} / retrograd jit = {res[peer]['step'] / t:.1f}x{want}")
        print("  retrograd jit step: target <= 50 ms; first call target < 3 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
