"""Per-example gradients of the digits MLP (64-32-10, tanh, cross-entropy): loop vs rg.vmap vs torch.func.vmap.

``rg.vmap(rg.grad(loss), in_axes=(None, 0, 0))(params, X, y)`` runs the loss once on one
example's shapes and its primitives once on the whole batch (batching rules); the loop
calls ``rg.grad(loss)`` once per example, as ``rg.vmap`` did before it had batching rules.
Variants: retrograd loop, retrograd vmap, ``rg.jit`` of the vmap (steady state), PyTorch's
loop and ``torch.func.vmap(torch.func.grad(...))``. Each variant runs in its own fresh
Python process on the same data (scikit-learn's digits, scaled); the script prints the best
time per call and the ratios. Not a test: run it by hand::

    python benchmarks/bench_vmap.py [--batch 128] [--calls 30] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap

from fresh_process import run_code

SETUP = """
import numpy as np, time, gc
from retrograd.data import load_digits
X, y = load_digits()[:2]
B = {batch}
X, y = np.ascontiguousarray(X[:B], dtype=np.float64), np.asarray(y[:B])
rng = np.random.default_rng(0)
P = {{"W1": rng.standard_normal((32, 64)) / 8, "b1": np.zeros(32),
     "W2": rng.standard_normal((10, 32)) / 32 ** 0.5, "b2": np.zeros(10)}}
"""

RG_LOSS = """
import retrograd as rg
import retrograd.nn.functional as F
def loss(p, x, t):
    h = rg.tanh(F.linear(x[None], p["W1"], p["b1"]))
    return F.cross_entropy(F.linear(h, p["W2"], p["b2"]), t[None])
"""

TORCH_LOSS = """
import torch
import torch.nn.functional as F
from torch import func as tf
torch.set_num_threads({threads})
def loss(p, x, t):
    h = torch.tanh(F.linear(x[None], p["W1"], p["b1"]))
    return F.cross_entropy(F.linear(h, p["W2"], p["b2"]), t[None])
Pt = {{k: torch.tensor(v) for k, v in P.items()}}
Xt, yt = torch.tensor(X), torch.tensor(y)
"""

VARIANTS = {
    "rg loop": RG_LOSS + """
g = rg.grad(loss)
def call():
    gs = [g(P, X[i], y[i]) for i in range(B)]
    return {k: np.stack([d[k].data for d in gs]) for k in P}
""",
    "rg vmap": RG_LOSS + """
per = rg.vmap(rg.grad(loss), in_axes=(None, 0, 0))
def call():
    return per(P, X, y)
""",
    "rg jit(vmap)": RG_LOSS + """
per = rg.jit(rg.vmap(rg.grad(loss), in_axes=(None, 0, 0)))
def call():
    return per(P, X, y)
""",
    "torch loop": TORCH_LOSS + """
def call():
    out = {k: [] for k in Pt}
    for i in range(B):
        ps = {k: v.detach().requires_grad_() for k, v in Pt.items()}
        gs = torch.autograd.grad(loss(ps, Xt[i], yt[i]), list(ps.values()))
        for k, gk in zip(ps, gs):
            out[k].append(gk)
    return {k: torch.stack(v) for k, v in out.items()}
""",
    "torch.func.vmap": TORCH_LOSS + """
per = tf.vmap(tf.grad(loss), in_dims=(None, 0, 0))
def call():
    return per(Pt, Xt, yt)
""",
}

TIMER = """
for _ in range(3): call()
gc.collect()
times = []
for _ in range({calls}):
    t = time.perf_counter(); call(); times.append(time.perf_counter() - t)
times.sort()
print(times[0], times[len(times) // 2])
"""


def run_variant(name: str, batch: int, calls: int, threads: int) -> tuple:
    code = textwrap.dedent(SETUP.format(batch=batch)) + textwrap.dedent(
        VARIANTS[name].replace("{threads}", str(threads or os.cpu_count())).replace("{{", "{").replace("}}", "}")
    ) + textwrap.dedent(TIMER.format(calls=calls))
    best, median = map(float, run_code(name, code, threads)[-1].split())
    return best, median


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=128, help="examples per call")
    ap.add_argument("--calls", type=int, default=30, help="timed calls per variant and process")
    ap.add_argument("--rounds", type=int, default=2, help="fresh processes per variant, interleaved")
    ap.add_argument("--threads", type=int, default=1, help="threads for every library (0: defaults)")
    args = ap.parse_args(argv)
    print(f"per-example gradients, digits MLP 64-32-10, batch {args.batch}, best of {args.calls} calls x "
          f"{args.rounds} processes, threads={args.threads or 'default'}")
    best = {}
    for _ in range(args.rounds):  # interleaved, so a busy moment hits every variant alike
        for name in VARIANTS:
            t, _med = run_variant(name, args.batch, args.calls, args.threads)
            best[name] = min(best.get(name, t), t)
    ref = best["torch.func.vmap"]
    for name, t in best.items():
        print(f"{name:16} {t * 1e3:9.3f} ms   {t / ref:7.2f}x torch.func.vmap   "
              f"{best['rg loop'] / t:7.2f}x faster than the rg loop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
