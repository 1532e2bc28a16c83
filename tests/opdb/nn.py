"""``rg.nn.functional``: layers, activations and losses, against ``torch.nn.functional``."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as TF

import retrograd.nn.functional as F

from .core import OpInfo, SampleInput, make, register, unary_samples


# ----- layers and activations --------------------------------------------------------------------
def _linear_samples(dtype):
    cases = [((4, 3), (2, 3), (2,)), ((3,), (2, 3), (2,)), ((5, 4, 3), (2, 3), (2,)), ((4, 3), (2, 3), None),
             ((0, 3), (2, 3), (2,)), ((1, 1), (1, 1), (1,))]
    out = []
    for i, (sx, sw, sb) in enumerate(cases):
        args = [make(sx, dtype, seed=i), make(sw, dtype, seed=20 + i)]
        if sb is not None:
            args.append(make(sb, dtype, seed=40 + i))
        out.append(SampleInput(*args, desc=f"x {sx}, W {sw}, b {sb}"))
    return out


register(OpInfo("F.linear", op=F.linear, ref=TF.linear, samples=_linear_samples))

for _name, _ours, _theirs, _samples in [
    ("F.relu", F.relu, TF.relu, unary_samples(avoid=(0.0,))),
    ("F.sigmoid", F.sigmoid, torch.sigmoid, unary_samples(-6.0, 6.0)),
    ("F.tanh", F.tanh, torch.tanh, unary_samples()),
]:
    register(OpInfo(_name, op=_ours, ref=_theirs, samples=_samples))


def _softmax_samples(dtype):
    return [SampleInput(make((4,), dtype), desc="default dim"),
            SampleInput(make((2, 3), dtype, seed=1), 0, desc="dim 0"),
            SampleInput(make((2, 3, 2), dtype, seed=2), kwargs=dict(dim=-2), desc="dim -2"),
            SampleInput(make((), dtype, seed=3), 0, desc="0-d")]


register(OpInfo("F.softmax", op=F.softmax, ref=lambda x, dim=-1: TF.softmax(x, dim), samples=_softmax_samples,
                axis_kwargs=(1, "dim")))
register(OpInfo("F.log_softmax", op=F.log_softmax, ref=lambda x, dim=-1: TF.log_softmax(x, dim),
                samples=_softmax_samples, axis_kwargs=(1, "dim")))


def _dropout_samples(dtype):
    x = make((3, 4), dtype)
    return [SampleInput(x, kwargs=dict(p=0.5, training=False), desc="evaluation: identity"),
            SampleInput(x, kwargs=dict(p=0.0), desc="p=0: identity"),
            SampleInput(x, kwargs=dict(p=1.0), desc="p=1: zeros"),
            SampleInput(make((), dtype), kwargs=dict(p=0.0), desc="0-d")]


register(OpInfo("F.dropout", op=F.dropout, ref=TF.dropout, samples=_dropout_samples))


def _one_hot_samples(dtype):
    return [SampleInput(np.array([0, 2, 1]), 3, desc="classes given"),
            SampleInput(np.array([[0, 1], [3, 3]]), desc="classes inferred"),
            SampleInput(np.array(2), 4, desc="0-d"),
            SampleInput(np.array([], dtype=np.int64), 2, desc="empty")]


register(OpInfo("F.one_hot", op=F.one_hot, ref=TF.one_hot, samples=_one_hot_samples, differentiable=False))


# ----- losses ------------------------------------------------------------------------------------
REDUCTIONS = ("mean", "sum", "none")


def _pair_samples(lo_x, hi_x, lo_y, hi_y, shapes=((4,), (2, 3), (), (0,))):
    def samples(dtype):
        out = []
        for i, s in enumerate(shapes):
            out.append(SampleInput(make(s, dtype, lo_x, hi_x, seed=i), make(s, dtype, lo_y, hi_y, seed=10 + i),
                                   desc=f"shape {s}"))
        for r in REDUCTIONS:
            out.append(SampleInput(make((2, 3), dtype, lo_x, hi_x, seed=20), make((2, 3), dtype, lo_y, hi_y, seed=21),
                                   kwargs=dict(reduction=r), desc=f"reduction {r}"))
        return out
    return samples


register(OpInfo("F.mse_loss", op=F.mse_loss, ref=TF.mse_loss, samples=_pair_samples(-2, 2, -2, 2)))


def _bce_samples(dtype):
    out = _pair_samples(0.05, 0.95, 0.0, 1.0)(dtype)
    p, y = make((2, 3), dtype, 0.05, 0.95, seed=30), make((2, 3), dtype, 0.0, 1.0, seed=31)
    out.append(SampleInput(p, y, kwargs=dict(weight=make((3,), dtype, 0.5, 2, seed=32)), desc="weight"))
    out.append(SampleInput(np.array([0.0, 1.0, 0.5], dtype), np.array([0.0, 1.0, 1.0], dtype),
                           desc="p at 0 and 1: logs clamped at -100", smooth=False))
    return out


register(OpInfo("F.binary_cross_entropy", op=F.binary_cross_entropy, ref=TF.binary_cross_entropy,
                samples=_bce_samples))


def _bce_logits_samples(dtype):
    out = _pair_samples(-3, 3, 0.0, 1.0)(dtype)
    z, y = make((2, 3), dtype, -3, 3, seed=40), make((2, 3), dtype, 0.0, 1.0, seed=41)
    out.append(SampleInput(z, y, kwargs=dict(weight=make((3,), dtype, 0.5, 2, seed=42)), desc="weight"))
    out.append(SampleInput(z, y, kwargs=dict(pos_weight=make((3,), dtype, 0.5, 3, seed=43)), desc="pos_weight"))
    out.append(SampleInput(np.array([-800.0, 800.0, 0.0], dtype), np.array([1.0, 0.0, 0.5], dtype),
                           desc="large logits stay finite"))
    return out


register(OpInfo("F.binary_cross_entropy_with_logits", op=F.binary_cross_entropy_with_logits,
                ref=TF.binary_cross_entropy_with_logits, samples=_bce_logits_samples))


def _ce_samples(dtype):
    z = make((4, 3), dtype, -3, 3, seed=1)
    y = np.array([0, 2, 1, 2])
    probs = make((4, 3), dtype, 0.1, 1, seed=2)
    probs = (probs / probs.sum(1, keepdims=True)).astype(dtype)
    pk = make((2, 3, 4), dtype, 0.1, 1, seed=3)
    pk = (pk / pk.sum(1, keepdims=True)).astype(dtype)
    out = [SampleInput(z, y, desc="class indices"),
           SampleInput(make((3,), dtype, seed=4), np.array(1), desc="one sample (C,)"),
           SampleInput(make((0, 3), dtype, seed=5), np.array([], dtype=np.int64), kwargs=dict(reduction="sum"),
                       desc="empty batch"),
           SampleInput(z, probs, desc="class probabilities", grad_args=(0,)),
           SampleInput(make((2, 3, 4), dtype, seed=6), pk, desc="probabilities (N, C, d1)", grad_args=(0,)),
           SampleInput(z, y, kwargs=dict(label_smoothing=0.1), desc="label smoothing"),
           SampleInput(z, probs, kwargs=dict(label_smoothing=0.2), desc="probabilities, label smoothing",
                       grad_args=(0,)),
           SampleInput(np.array([[1000.0, -1000.0, 0.0]], dtype), np.array([1]), desc="large logits")]
    out += [SampleInput(z, y, kwargs=dict(reduction=r), desc=f"reduction {r}") for r in REDUCTIONS]
    return out


register(OpInfo("F.cross_entropy", op=F.cross_entropy, ref=TF.cross_entropy, samples=_ce_samples))


def _nll_samples(dtype):
    z = make((4, 3), dtype, -3, 0, seed=1)
    y = np.array([0, 2, 1, 2])
    out = [SampleInput(z, y, desc="class indices"), SampleInput(make((3,), dtype, -3, 0), np.array(2), desc="(C,)")]
    out += [SampleInput(z, y, kwargs=dict(reduction=r), desc=f"reduction {r}") for r in REDUCTIONS]
    return out


register(OpInfo("F.nll_loss", op=F.nll_loss, ref=TF.nll_loss, samples=_nll_samples))
