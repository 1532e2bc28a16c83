"""``einsum`` as one primitive: its gradients and tangents are einsums too.

The primitive takes an explicit specification with letters only (``"ij,jk->ik"``); the
function layer (``rg.einsum``) expands ``...`` and the implicit output first. Cotangents
and tangents with leading batch axes get letters of their own, so Jacobians work.
"""

from __future__ import annotations

import string

import numpy as np

from .primitive import Primitive, raw
from .shape import broadcast_to, reshape


def parse(spec: str):
    """``"ij,jk->ik"`` -> (["ij", "jk"], "ik")."""
    ins, out = spec.split("->")
    return ins.split(","), out


def _fresh(used, n):
    free = [c for c in string.ascii_letters if c not in used]
    if len(free) < n:
        raise ValueError("einsum: too many distinct subscripts (at most 52 letters in all)")
    return "".join(free[:n])


def _impl(*xs, spec):
    return np.einsum(spec, *xs, optimize=len(xs) > 2)


def _vjp(i, g, out, *xs, spec):
    ins, outs = parse(spec)
    used = set(spec)
    nb = raw(g).ndim - len(outs)
    batch = _fresh(used, nb)
    used |= set(batch)
    target = ins[i]
    unique = "".join(dict.fromkeys(target))
    others = [(ins[k], xs[k]) for k in range(len(xs)) if k != i]
    avail = set(batch + outs).union(*[set(s) for s, _ in others])
    kept = "".join(c for c in unique if c in avail)
    grad_spec = ",".join([batch + outs] + [s for s, _ in others]) + "->" + batch + kept
    res = einsum(g, *[x for _, x in others], spec=grad_spec)
    sizes = dict(zip(target, raw(xs[i]).shape))
    if kept != unique:  # letters summed within operand i alone: its gradient is constant along them
        shape = raw(res).shape[:nb] + tuple(sizes[c] if c in kept else 1 for c in unique)
        res = broadcast_to(reshape(res, shape), raw(res).shape[:nb] + tuple(sizes[c] for c in unique))
    if unique == target:
        return res
    # Repeated subscripts (a diagonal such as "ii"): put the gradient back on that diagonal.
    final, eyes, specs = [], [], [batch + unique]
    seen = set()
    for c in target:
        if c in seen:
            d = _fresh(used, 1)
            used.add(d)
            final.append(d)
            eyes.append(np.eye(sizes[c], dtype=raw(res).dtype))
            specs.append(c + d)
        else:
            seen.add(c)
            final.append(c)
    return einsum(res, *eyes, spec=",".join(specs) + "->" + batch + "".join(final))


def _jvp(ts, out, *xs, spec):
    ins, outs = parse(spec)
    total = None
    for i, t in enumerate(ts):
        if t is None:
            continue
        nb = raw(t).ndim - len(ins[i])
        batch = _fresh(set(spec), nb)
        specs = list(ins)
        specs[i] = batch + ins[i]
        args = list(xs)
        args[i] = t
        part = einsum(*args, spec=",".join(specs) + "->" + batch + outs)
        if total is not None and raw(part).shape != raw(total).shape:
            part = broadcast_to(part, raw(total).shape)
        total = part if total is None else total + part
    return total


einsum = Primitive("einsum", _impl, vjp_n=_vjp, jvp=_jvp,
                   doc="Einstein summation over an explicit letters-only specification.")
