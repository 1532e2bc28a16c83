"""Full 100x100 Jacobian of tanh(W @ x) with respect to x.

Variants: the NumPy closed form ``(1 - tanh(W x)**2)[:, None] * W`` (the reference),
retrograd's ``rg.jacobian`` in reverse and forward mode (one batched pass each), the reverse pass
seeded with a plain dense identity (what the structured seed saves), retrograd with one vjp per
output row (the loop the transforms avoid), and PyTorch's
``torch.func.jacrev`` / ``torch.func.jacfwd``. Each variant runs in its own fresh Python process
with one BLAS/torch thread, checks its Jacobian against the closed form, and reports the
smallest median over many short rounds (robust to other load on the machine); the script prints
ratios against the closed form. Not a test::

    python benchmarks/bench_jacobian.py [--n 100] [--rounds 30] [--reps 50]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap

SETUP = """
import numpy as np, time, statistics
rng = np.random.default_rng(0)
W = rng.standard_normal(({n}, {n})) / np.sqrt({n})
x0 = rng.standard_normal({n})
h = np.tanh(W @ x0)
J_ref = (1 - h * h)[:, None] * W
"""

VARIANTS = {
    "numpy closed form": """
def step():
    h = np.tanh(W @ x0)
    return (1 - h * h)[:, None] * W
""",
    "retrograd jacobian rev": """
import retrograd as rg
jac = rg.jacobian(lambda x: rg.tanh(W @ x), mode="rev")
def step():
    return jac(x0).data
""",
    "retrograd jacobian fwd": """
import retrograd as rg
jac = rg.jacobian(lambda x: rg.tanh(W @ x), mode="fwd")
def step():
    return jac(x0).data
""",
    "retrograd jit jacobian rev": """
import retrograd as rg
jac = rg.jit(rg.jacobian(lambda x, W: rg.tanh(W @ x), mode="rev"))
def step():
    return jac(x0, W).data
""",
    "retrograd jit jacobian fwd": """
import retrograd as rg
jac = rg.jit(rg.jacobian(lambda x, W: rg.tanh(W @ x), mode="fwd"))
def step():
    return jac(x0, W).data
""",
    "retrograd rev, dense seed": """
import retrograd as rg
from retrograd import transforms
# The same single batched backward, seeded with a plain np.eye (no structured diagonal): this
# variant shows what the structured seed saves (a 100x100x100 matrix product).
transforms._unit_seed = lambda shape, dtype, structured=False: np.eye(
    int(np.prod(shape)), dtype=dtype).reshape(tuple(shape) * 2)
jac = rg.jacobian(lambda x: rg.tanh(W @ x), mode="rev")
def step():
    return jac(x0).data
""",
    "retrograd vjp per row (loop)": """
import retrograd as rg
def step():
    out, vjp_fn = rg.vjp(lambda x: rg.tanh(W @ x), x0)
    eye = np.eye(out.shape[0])
    return np.stack([vjp_fn(e)[0].data for e in eye])
""",
    "torch.func.jacrev": """
import torch
torch.set_num_threads(1)
Wt, xt = torch.from_numpy(W), torch.from_numpy(x0)
jac = torch.func.jacrev(lambda x: torch.tanh(Wt @ x))
def step():
    return jac(xt).numpy()
""",
    "torch.func.jacfwd": """
import torch
torch.set_num_threads(1)
Wt, xt = torch.from_numpy(W), torch.from_numpy(x0)
jac = torch.func.jacfwd(lambda x: torch.tanh(Wt @ x))
def step():
    return jac(xt).numpy()
""",
}

MEASURE = """
err = float(np.max(np.abs(step() - J_ref)))
for _ in range(20):
    step()
medians = []
for _ in range({rounds}):
    times = []
    for _ in range({reps}):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    medians.append(statistics.median(times))
print(json.dumps({{"seconds": min(medians), "max_abs_err": err}}))
"""


def run_variant(body: str, n: int, rounds: int, reps: int) -> dict:
    code = "import json\n" + SETUP.format(n=n) + textwrap.dedent(body) + MEASURE.format(rounds=rounds, reps=reps)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="size of x and of tanh(W @ x)")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--skip-loop", action="store_true", help="leave out the one-vjp-per-row variant")
    args = ap.parse_args(argv)
    results = {}
    for name, body in VARIANTS.items():
        if args.skip_loop and "loop" in name:
            continue
        reps = max(3, args.reps // 20) if "loop" in name else args.reps
        results[name] = run_variant(body, args.n, args.rounds, reps)
    base = results["numpy closed form"].get("seconds")
    print(f"Full {args.n}x{args.n} Jacobian of tanh(W @ x), float64, one thread, each variant in a fresh process")
    print(f"{'variant':32s} {'time (us)':>12s} {'vs closed form':>15s} {'max |err|':>10s}")
    for name, r in results.items():
        if "error" in r:
            print(f"{name:32s} error: {r['error']}")
            continue
        ratio = r["seconds"] / base if base else float("nan")
        print(f"{name:32s} {r['seconds'] * 1e6:12.1f} {ratio:14.1f}x {r['max_abs_err']:10.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
