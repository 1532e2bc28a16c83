"""Chain of 100 elementwise ops (mul, add, tanh) on 10 float64 elements, forward + backward.

Each variant runs in its own fresh Python process; the script prints the time
per chain and the ratios. Not a test: run it by hand::

    python benchmarks/bench_chain.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

N_OPS, N_ELEM = 100, 10

SETUP = f"""
import numpy as np, time, gc
rng = np.random.default_rng(0)
x0 = rng.standard_normal({N_ELEM}) * 0.1
consts = rng.standard_normal({N_OPS}) * 0.5 + 1.0
kinds = [i % 3 for i in range({N_OPS})]   # 0: mul, 1: add, 2: tanh
"""

VARIANTS = {
    "numpy": """
def step():
    # Hand-written: forward keeps what backward needs, backward walks right to left.
    xs = [x0]
    x = x0
    for k, c in zip(kinds, consts):
        if k == 0: x = x * c
        elif k == 1: x = x + c
        else: x = np.tanh(x)
        xs.append(x)
    g = np.ones_like(x)
    for i in range(len(kinds) - 1, -1, -1):
        k = kinds[i]
        if k == 0: g = g * consts[i]
        elif k == 2: g = g * (1 - xs[i + 1] * xs[i + 1])
    return g
""",
    "retrograd": """
import retrograd as rg
cs = [float(c) for c in consts]
def step():
    x = rg.tensor(x0, requires_grad=True)
    y = x
    for k, c in zip(kinds, cs):
        if k == 0: y = y * c
        elif k == 1: y = y + c
        else: y = y.tanh()
    y.sum().backward()
    return x.grad
""",
    "retrograd jit": """
import retrograd as rg
cs = [float(c) for c in consts]
def chain(x):
    y = x
    for k, c in zip(kinds, cs):
        if k == 0: y = y * c
        elif k == 1: y = y + c
        else: y = y.tanh()
    return y.sum()
grad = rg.jit(rg.grad(chain))
import time as _t
_t0 = _t.perf_counter(); grad(x0); first = _t.perf_counter() - _t0
def step():
    return grad(x0)
""",
    "torch": """
import torch
torch.set_num_threads(1)
cs = [float(c) for c in consts]
xt = torch.tensor(x0, dtype=torch.float64)
def step():
    x = xt.clone().requires_grad_(True)
    y = x
    for k, c in zip(kinds, cs):
        if k == 0: y = y * c
        elif k == 1: y = y + c
        else: y = y.tanh()
    y.sum().backward()
    return x.grad
""",
}

TIMER = """
for _ in range(20): step()
best = float('inf')
for _ in range({repeat}):
    t = time.perf_counter(); step(); best = min(best, time.perf_counter() - t)
print(best)
"""


def run_variant(name: str, repeat: int) -> float:
    code = SETUP + textwrap.dedent(VARIANTS[name]) + TIMER.format(repeat=repeat)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    times = {}
    for name in VARIANTS:
        try:
            times[name] = run_variant(name, args.repeat)
        except subprocess.CalledProcessError as exc:
            print(f"{name}: failed ({exc.stderr.strip().splitlines()[-1]})", file=sys.stderr)
    if args.json:
        print(json.dumps(times))
        return 0
    print(f"chain of {N_OPS} ops on {N_ELEM} float64 elements, forward + backward (best of {args.repeat}):")
    for name, t in times.items():
        print(f"  {name:14s} {t * 1e6:9.1f} us   ({t / N_OPS * 1e6:.2f} us per op)")
    if "retrograd" in times and "numpy" in times:
        print(f"  retrograd (eager) / numpy = {times['retrograd'] / times['numpy']:.2f}x  (target <= 1.3x)")
    if "retrograd jit" in times and "numpy" in times:
        print(f"  retrograd jit / numpy     = {times['retrograd jit'] / times['numpy']:.2f}x  (target <= 1.1x)")
    if "retrograd" in times and "torch" in times:
        print(f"  torch / retrograd = {times['torch'] / times['retrograd']:.2f}x  (target >= 4x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
