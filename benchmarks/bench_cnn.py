"""One training step of a LeNet-5-sized CNN on 28x28 inputs (forward, cross-entropy,
backward, SGD update), batch 64, float32: retrograd against PyTorch (CPU).

conv(1->6, 5x5, pad 2) - ReLU - maxpool 2 - conv(6->16, 5x5) - ReLU - maxpool 2 -
linear 400->120 - ReLU - linear 120->84 - ReLU - linear 84->10.

Each variant runs in its own fresh Python process with the same random data and
initial weights, the processes interleaved; the script prints, per library, the best
step, the median over processes of each process's median step, and the median CPU
time of a step (the steadiest number on a shared machine), with the ratios. Not a
test: run it by hand::

    python benchmarks/bench_cnn.py [--steps 100] [--threads 1] [--rounds 5] [--baseline DIR]

``--baseline DIR`` also times another retrograd checkout (e.g. ``git worktree add`` of an
older commit) in the same interleaved run, for before/after ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import textwrap

from fresh_process import run_code

SETUP = """
import numpy as np, time, gc
DT = np.dtype({dtype!r})
B = {batch}
rng = np.random.default_rng(0)
X = rng.standard_normal((B, 1, 28, 28)).astype(DT)
Y = rng.integers(0, 10, B)
SHAPES = {{'0.weight': (6, 1, 5, 5), '0.bias': (6,), '3.weight': (16, 6, 5, 5), '3.bias': (16,),
          '7.weight': (120, 400), '7.bias': (120,), '9.weight': (84, 120), '9.bias': (84,),
          '11.weight': (10, 84), '11.bias': (10,)}}
W = {{k: rng.uniform(-0.1, 0.1, s).astype(DT) for k, s in SHAPES.items()}}
LR = 0.01
"""

MODEL = """
net = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                    nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
"""

VARIANTS = {
    "retrograd": """
import retrograd as rg
from retrograd import nn
rg.set_default_dtype(DT)
""" + MODEL + """
net.load_state_dict(W)
opt = rg.optim.SGD(net.parameters(), lr=LR)
loss_fn = nn.CrossEntropyLoss()
xt, yt = rg.tensor(X), rg.tensor(Y)
""",
    "torch": """
import torch
from torch import nn
if {threads}: torch.set_num_threads({threads})
torch.set_default_dtype(torch.float32 if DT == np.float32 else torch.float64)
""" + MODEL + """
net.load_state_dict({{k: torch.from_numpy(v) for k, v in W.items()}})
opt = torch.optim.SGD(net.parameters(), lr=LR)
loss_fn = nn.CrossEntropyLoss()
xt, yt = torch.from_numpy(X), torch.from_numpy(Y)
""",
}

STEP = """
def step():
    opt.zero_grad()
    loss = loss_fn(net(xt), yt)
    loss.backward()
    opt.step()
    return float(loss)
first = [step() for _ in range(3)]
for _ in range(10): step()
gc.collect()
times, cpu = [], []
for _ in range({steps}):
    t, c = time.perf_counter(), time.process_time()
    step()
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
times.sort()
cpu.sort()
print(repr(first))
print(times[0], times[len(times) // 2], cpu[len(cpu) // 2])
"""


def run_variant(name: str, dtype: str, batch: int, steps: int, threads: int, source: str | None = None):
    code = textwrap.dedent(SETUP.format(dtype=dtype, batch=batch)) + \
        textwrap.dedent(VARIANTS[name].format(threads=threads)) + textwrap.dedent(STEP.format(steps=steps))
    lines = run_code(name, code, threads, source)  # source: another retrograd checkout (--baseline)
    best, median, cpu = map(float, lines[-1].split())
    return best, median, cpu, eval(lines[-2])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100, help="timed steps per variant and process")
    ap.add_argument("--threads", type=int, default=1, help="threads for every library (0: defaults)")
    ap.add_argument("--rounds", type=int, default=5, help="fresh processes per variant, interleaved")
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--baseline", metavar="DIR", help="also time the retrograd checkout in DIR (before/after)")
    args = ap.parse_args(argv)
    print(f"LeNet-5-sized CNN training step, 28x28, batch {args.batch}, {args.dtype}, {args.steps} steps x "
          f"{args.rounds} fresh processes per library, threads="
          f"{'default' if not args.threads else args.threads}, cpus={os.cpu_count()}")
    plan = [(name, name, None) for name in VARIANTS]
    if args.baseline:
        plan.append(("baseline", "retrograd", os.path.abspath(args.baseline)))
    runs: dict = {label: [] for label, _, _ in plan}
    losses = {}
    for _ in range(args.rounds):  # interleaved, so a busy moment hits all alike
        for label, name, source in plan:
            best, median, cpu, first = run_variant(name, args.dtype, args.batch, args.steps, args.threads, source)
            runs[label].append((best, median, cpu))
            losses[label] = first
    stats = {name: dict(best=min(r[0] for r in rs), median=statistics.median(r[1] for r in rs),
                        cpu=statistics.median(r[2] for r in rs)) for name, rs in runs.items()}
    ratio = {k: stats["retrograd"][k] / stats["torch"][k] for k in ("best", "median", "cpu")}
    base = f"{'baseline':>10} {'base/torch':>10}" if args.baseline else ""
    print(f"{'':28} {'torch':>9} {'retrograd':>10} {'rg/torch':>9} {base}")
    for k, label in [("best", "best step (wall)"), ("median", "median of process medians"),
                     ("cpu", "median CPU time per step")]:
        line = f"{label:28} {stats['torch'][k] * 1e3:7.3f}ms {stats['retrograd'][k] * 1e3:8.3f}ms {ratio[k]:9.2f}"
        if args.baseline:
            line += f" {stats['baseline'][k] * 1e3:8.3f}ms {stats['baseline'][k] / stats['torch'][k]:10.2f}"
        print(line)
    print(f"first three losses: torch {[round(v, 6) for v in losses['torch']]}, "
          f"retrograd {[round(v, 6) for v in losses['retrograd']]}")
    print("ratios below 1 mean retrograd is faster")
    if args.json:
        print(json.dumps(dict(torch=stats["torch"], retrograd=stats["retrograd"], rg_over_torch=ratio)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
