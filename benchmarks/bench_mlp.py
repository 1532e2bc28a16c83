"""One training step of a 784-256-10 ReLU MLP (forward, cross-entropy, backward, SGD update).

Batches of 64 and 512, float32 and float64; retrograd (eager, and ``rg.jit`` of a functional
training step with ``rg.optim.functional.sgd``) against PyTorch (CPU) and a hand-written NumPy
version. Each variant runs in its own fresh Python process
with the same random data and initial weights; the script prints the median
time per step and the ratios. Not a test: run it by hand::

    python benchmarks/bench_mlp.py [--steps 200] [--threads N]

``--threads`` sets the thread count of every library alike (OpenBLAS via
environment variables, PyTorch via ``torch.set_num_threads``); by default each
library uses its own default (all cores).
"""

from __future__ import annotations

import argparse
import json
import os
import textwrap

from fresh_process import run_code

SETUP = """
import numpy as np, time, gc, os, sys
DT = np.dtype({dtype!r})
B = {batch}
rng = np.random.default_rng(0)
X = rng.standard_normal((B, 784)).astype(DT)
Y = rng.integers(0, 10, B)
b1 = 1 / 784 ** 0.5; b2 = 1 / 256 ** 0.5
W1 = rng.uniform(-b1, b1, (256, 784)).astype(DT); c1 = rng.uniform(-b1, b1, 256).astype(DT)
W2 = rng.uniform(-b2, b2, (10, 256)).astype(DT); c2 = rng.uniform(-b2, b2, 10).astype(DT)
LR = 0.01
"""

VARIANTS = {
    "numpy": """
P = [W1.copy(), c1.copy(), W2.copy(), c2.copy()]
TMP = [np.empty_like(p) for p in P]
rows = np.arange(B)
def step():
    W1, c1, W2, c2 = P
    h = X @ W1.T; h += c1
    a = np.maximum(h, 0)
    z = a @ W2.T; z += c2
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z); e /= e.sum(axis=1, keepdims=True)
    loss = -np.log(e[rows, Y]).mean()
    e[rows, Y] -= 1; e /= B                      # dL/dz
    gW2 = e.T @ a; gc2 = e.sum(0)
    ga = e @ W2; ga *= (h > 0)
    gW1 = ga.T @ X; gc1 = ga.sum(0)
    for p, g, t in zip(P, (gW1, gc1, gW2, gc2), TMP):
        np.multiply(g, LR, out=t); p -= t          # in place: no temporaries
    return loss
""",
    "retrograd": """
import retrograd as rg
net = rg.nn.Sequential(rg.nn.Linear(784, 256, dtype=DT), rg.nn.ReLU(), rg.nn.Linear(256, 10, dtype=DT))
net.load_state_dict({'0.weight': W1, '0.bias': c1, '2.weight': W2, '2.bias': c2})
opt = rg.optim.SGD(net.parameters(), lr=LR)
loss_fn = rg.nn.CrossEntropyLoss()
xt, yt = rg.tensor(X), rg.tensor(Y)
def step():
    opt.zero_grad()
    loss = loss_fn(net(xt), yt)
    loss.backward()
    opt.step()
    return loss
""",
    "retrograd jit": """
import retrograd as rg
F = rg.nn.functional
opt = rg.optim.functional.sgd(lr=LR)
def loss_fn(p, x, y):
    return F.cross_entropy(F.linear(F.relu(F.linear(x, p["W1"], p["c1"])), p["W2"], p["c2"]), y)
@rg.jit
def train_step(params, opt_state, x, y):
    loss, grads = rg.value_and_grad(loss_fn)(params, x, y)
    params, opt_state = opt.update(params, grads, opt_state)
    return loss, params, opt_state
state = [dict(W1=W1.copy(), c1=c1.copy(), W2=W2.copy(), c2=c2.copy())]
state.append(opt.init(state[0]))
def step():
    loss, state[0], state[1] = train_step(state[0], state[1], X, Y)
    return loss
""",
    "torch": """
import torch
if {threads}: torch.set_num_threads({threads})
net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)).to(
    torch.float32 if DT == np.float32 else torch.float64)
with torch.no_grad():
    for p, v in zip(net.parameters(), (W1, c1, W2, c2)): p.copy_(torch.from_numpy(v))
opt = torch.optim.SGD(net.parameters(), lr=LR)
loss_fn = torch.nn.CrossEntropyLoss()
xt, yt = torch.from_numpy(X), torch.from_numpy(Y)
def step():
    opt.zero_grad()
    loss = loss_fn(net(xt), yt)
    loss.backward()
    opt.step()
    return loss
""",
}

TIMER = """
for _ in range(20): step()
gc.collect()
times = []
for _ in range({steps}):
    t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
times.sort()
print(times[0], times[len(times) // 2])
"""


def run_variant(name: str, dtype: str, batch: int, steps: int, threads: int) -> tuple:
    code = textwrap.dedent(SETUP.format(dtype=dtype, batch=batch)) + \
        textwrap.dedent(VARIANTS[name].replace("{threads}", str(threads))) + \
        textwrap.dedent(TIMER.format(steps=steps))
    best, median = map(float, run_code(name, code, threads)[-1].split())
    return best, median


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200, help="timed steps per variant and process")
    ap.add_argument("--threads", type=int, default=0, help="threads for every library (0: defaults)")
    ap.add_argument("--rounds", type=int, default=2,
                    help="fresh processes per variant, interleaved; the best time is kept")
    ap.add_argument("--cases", default="float32:64,float32:512,float64:64,float64:512",
                    help="dtype:batch pairs to run, comma-separated")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    results = []
    print(f"784-256-10 MLP training step, best of {args.steps} steps x {args.rounds} processes, "
          f"threads={'default' if not args.threads else args.threads}, cpus={os.cpu_count()}")
    print(f"{'dtype':8} {'batch':>5} {'numpy':>10} {'torch':>10} {'retrograd':>10} {'rg jit':>10} "
          f"{'rg/torch':>9} {'rg/numpy':>9} {'jit/torch':>9}")
    for case in args.cases.split(","):
        dtype, batch = case.split(":")[0], int(case.split(":")[1])
        if True:
            steps = args.steps if batch == 64 else max(20, args.steps // 4)
            t, med = {}, {}
            for _ in range(args.rounds):  # interleaved, so a busy moment hits every variant alike
                for name in VARIANTS:
                    best, median = run_variant(name, dtype, batch, steps, args.threads)
                    t[name] = min(t.get(name, best), best)
                    med[name] = min(med.get(name, median), median)
            row = dict(dtype=dtype, batch=batch, **{f"{k}_s": v for k, v in t.items()},
                       **{f"{k}_median_s": v for k, v in med.items()},
                       rg_over_torch=t["retrograd"] / t["torch"], rg_over_numpy=t["retrograd"] / t["numpy"],
                       jit_over_torch=t["retrograd jit"] / t["torch"])
            results.append(row)
            print(f"{dtype:8} {batch:5d} {t['numpy'] * 1e3:8.3f}ms {t['torch'] * 1e3:8.3f}ms "
                  f"{t['retrograd'] * 1e3:8.3f}ms {t['retrograd jit'] * 1e3:8.3f}ms {row['rg_over_torch']:9.2f} "
                  f"{row['rg_over_numpy']:9.2f} {row['jit_over_torch']:9.2f}",
                  flush=True)
    print("ratios below 1 mean retrograd is faster; --json adds the medians")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
