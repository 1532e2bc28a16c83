"""``rg.nn.functional`` layers of issue 13: activations, losses, convolution, pooling, resizing,
normalisation, embedding and attention, against ``torch.nn.functional``."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as TF

import retrograd.nn.functional as F

from .core import OpInfo, SampleInput, make, register, unary_samples

# ----- activations ---------------------------------------------------------------------------------
for _name, _ours, _theirs, _samples in [
    ("F.gelu", F.gelu, TF.gelu, unary_samples(extremes=False)),
    ("F.gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh"),
     unary_samples(extremes=False)),
    ("F.silu", F.silu, TF.silu, unary_samples(extremes=False)),
    ("F.leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2),
     unary_samples(avoid=(0.0,), extremes=False)),
    ("F.elu", lambda x: F.elu(x, 0.7), lambda x: TF.elu(x, 0.7), unary_samples(avoid=(0.0,), extremes=False)),
    ("F.softplus", lambda x: F.softplus(x, 2.0, 3.0), lambda x: TF.softplus(x, 2.0, 3.0),
     unary_samples(avoid=(1.5,), extremes=False)),
    ("F.mish", F.mish, TF.mish, unary_samples(extremes=False)),
    ("F.hardtanh", lambda x: F.hardtanh(x, -1.0, 1.5), lambda x: TF.hardtanh(x, -1.0, 1.5),
     unary_samples(avoid=(-1.0, 1.5), extremes=False)),
    ("F.relu6", F.relu6, TF.relu6, unary_samples(-3.0, 8.0, avoid=(0.0, 6.0), extremes=False)),
    ("F.logsigmoid", F.logsigmoid, TF.logsigmoid, unary_samples(-6.0, 6.0, extremes=False)),
]:
    register(OpInfo(_name, op=_ours, ref=_theirs, samples=_samples,
                    covers=(f"F.{_name[2:].split('_tanh')[0]}",)))


def _dropout2d_samples(dtype):
    x = make((2, 3, 2, 2), dtype)
    return [SampleInput(x, kwargs=dict(p=0.5, training=False), desc="evaluation: identity"),
            SampleInput(x, kwargs=dict(p=0.0), desc="p=0: identity")]


register(OpInfo("F.dropout2d", op=F.dropout2d, ref=TF.dropout2d, samples=_dropout2d_samples))


# ----- losses ----------------------------------------------------------------------------------------
def _loss_samples(**extra):
    def samples(dtype):
        out = []
        for i, (shape, red) in enumerate([((4, 3), "mean"), ((5,), "sum"), ((2, 3), "none"), ((), "mean")]):
            out.append(SampleInput(make(shape, dtype, seed=i), make(shape, dtype, seed=10 + i),
                                   kwargs=dict(reduction=red, **extra), desc=f"{shape} {red}"))
        return out
    return samples


register(OpInfo("F.l1_loss", op=F.l1_loss, ref=TF.l1_loss, samples=_loss_samples()))
register(OpInfo("F.smooth_l1_loss", op=F.smooth_l1_loss, ref=TF.smooth_l1_loss, samples=_loss_samples(beta=0.7)))
register(OpInfo("F.huber_loss", op=F.huber_loss, ref=TF.huber_loss, samples=_loss_samples(delta=0.6)))


def _kl_samples(dtype):
    r = np.random.default_rng(0)
    logp = np.log(r.dirichlet(np.ones(4), size=3)).astype(dtype)
    t = r.dirichlet(np.ones(4), size=3).astype(dtype)
    return [SampleInput(logp, t, kwargs=dict(reduction=red), grad_args=(0,), desc=red)
            for red in ("mean", "sum", "none", "batchmean")] + [
        SampleInput(logp, np.log(t), kwargs=dict(reduction="sum", log_target=True), grad_args=(0,),
                    desc="log_target")]


register(OpInfo("F.kl_div", op=F.kl_div, ref=TF.kl_div, samples=_kl_samples))


# ----- convolution, pooling, resizing -------------------------------------------------------------
def _conv2d_samples(dtype):
    return [
        SampleInput(make((2, 2, 5, 5), dtype), make((3, 2, 3, 3), dtype, seed=1), make((3,), dtype, seed=2),
                    desc="bias"),
        SampleInput(make((1, 4, 5, 4), dtype), make((4, 2, 2, 3), dtype, seed=1), None,
                    kwargs=dict(stride=(2, 1), padding=1, dilation=(1, 2), groups=2), desc="stride, padding, dilation, groups"),
        SampleInput(make((2, 4, 4), dtype), make((2, 2, 3, 3), dtype, seed=1), kwargs=dict(padding="same"),
                    desc="unbatched, padding='same'"),
        SampleInput(make((1, 1, 1, 1), dtype), make((2, 1, 1, 1), dtype, seed=1), desc="size-1"),
        SampleInput(make((1, 2, 4, 5), dtype), make((2, 2, 2, 3), dtype, seed=1), kwargs=dict(padding="valid"),
                    desc="padding='valid'"),
        SampleInput(make((2, 2, 5, 4), dtype), make((4, 1, 2, 3), dtype, seed=1), make((4,), dtype, seed=2),
                    kwargs=dict(padding="same", dilation=(2, 1), groups=2), desc="padding='same', uneven, groups"),
    ]


register(OpInfo("F.conv2d", op=F.conv2d, ref=TF.conv2d, samples=_conv2d_samples))


def _conv1d_samples(dtype):
    return [SampleInput(make((2, 2, 6), dtype), make((4, 1, 3), dtype, seed=1), make((4,), dtype, seed=2),
                        kwargs=dict(stride=2, padding=1, groups=2), desc="groups"),
            SampleInput(make((1, 3, 7), dtype), make((2, 3, 2), dtype, seed=1), kwargs=dict(dilation=2),
                        desc="dilation"),
            SampleInput(make((2, 2, 6), dtype), make((3, 2, 4), dtype, seed=1), kwargs=dict(padding="same"),
                        desc="padding='same'")]


register(OpInfo("F.conv1d", op=F.conv1d, ref=TF.conv1d, samples=_conv1d_samples))


def _conv_t_samples(dtype):
    return [SampleInput(make((1, 2, 3, 3), dtype), make((2, 3, 2, 2), dtype, seed=1), make((3,), dtype, seed=2),
                        kwargs=dict(stride=2), desc="stride 2"),
            SampleInput(make((2, 2, 3, 2), dtype), make((2, 1, 3, 3), dtype, seed=1),
                        kwargs=dict(stride=2, padding=1, output_padding=1), desc="padding, output_padding"),
            SampleInput(make((1, 4, 3, 2), dtype), make((4, 2, 2, 3), dtype, seed=1), make((4,), dtype, seed=2),
                        kwargs=dict(stride=(2, 1), groups=2, dilation=(1, 2)), desc="groups, dilation"),
            SampleInput(make((3, 3, 2), dtype), make((3, 1, 2, 2), dtype, seed=1),
                        kwargs=dict(groups=3, padding=1, stride=2, output_padding=1), desc="unbatched, depthwise")]


register(OpInfo("F.conv_transpose2d", op=F.conv_transpose2d, ref=TF.conv_transpose2d, samples=_conv_t_samples))


def _conv_t1d_samples(dtype):
    return [SampleInput(make((2, 2, 4), dtype), make((2, 3, 3), dtype, seed=1), make((3,), dtype, seed=2),
                        kwargs=dict(stride=2, padding=1, output_padding=1), desc="stride, padding, output_padding"),
            SampleInput(make((1, 4, 3), dtype), make((4, 1, 2), dtype, seed=1),
                        kwargs=dict(groups=2, dilation=2), desc="groups, dilation")]


register(OpInfo("F.conv_transpose1d", op=F.conv_transpose1d, ref=TF.conv_transpose1d, samples=_conv_t1d_samples))


def _pool_samples(shape, *kwargs_list):
    def samples(dtype):
        return [SampleInput(make(shape, dtype, distinct=True, seed=i), kwargs=kw, desc=str(kw))
                for i, kw in enumerate(kwargs_list)]
    return samples


_MAX_POOL2D = (dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=2, dilation=2),
               dict(kernel_size=2, ceil_mode=True), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
               dict(kernel_size=(2, 3), stride=(2, 2), dilation=(2, 1), ceil_mode=True))
_MAX_POOL1D = (dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=2, ceil_mode=True),
               dict(kernel_size=4, stride=3, padding=1, ceil_mode=True))
register(OpInfo("F.max_pool2d", op=F.max_pool2d, ref=TF.max_pool2d, samples=_pool_samples((1, 2, 5, 5), *_MAX_POOL2D)))
register(OpInfo("F.max_pool1d", op=F.max_pool1d, ref=TF.max_pool1d, samples=_pool_samples((1, 2, 6), *_MAX_POOL1D)))
register(OpInfo("F.max_pool2d(return_indices=True)", covers=("F.max_pool2d",), differentiable=False,
                op=lambda x, **kw: F.max_pool2d(x, return_indices=True, **kw)[1],
                ref=lambda x, **kw: TF.max_pool2d(x, return_indices=True, **kw)[1],
                samples=_pool_samples((2, 2, 5, 5), *_MAX_POOL2D)))
register(OpInfo("F.max_pool1d(return_indices=True)", covers=("F.max_pool1d",), differentiable=False,
                op=lambda x, **kw: F.max_pool1d(x, return_indices=True, **kw)[1],
                ref=lambda x, **kw: TF.max_pool1d(x, return_indices=True, **kw)[1],
                samples=_pool_samples((1, 2, 6), *_MAX_POOL1D)))
register(OpInfo("F.avg_pool2d", op=F.avg_pool2d, ref=TF.avg_pool2d, samples=_pool_samples(
    (1, 2, 5, 5), dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=2, ceil_mode=True), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(2, 3), stride=2, padding=1, divisor_override=4),
    dict(kernel_size=3, stride=2, ceil_mode=True, divisor_override=3))))
register(OpInfo("F.avg_pool1d", op=F.avg_pool1d, ref=TF.avg_pool1d, samples=_pool_samples(
    (1, 2, 6), dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=4, stride=3, padding=1, ceil_mode=True),
    dict(kernel_size=4, stride=3, padding=1, ceil_mode=True, count_include_pad=False))))


def _unpool_samples(shape, pool, unpool_kwargs):
    def samples(dtype):
        x = make(shape, dtype, distinct=True)
        y, idx = pool(torch.tensor(x), **unpool_kwargs, return_indices=True)
        out = [SampleInput(y.numpy(), idx.numpy(), kwargs=unpool_kwargs, desc=str(unpool_kwargs))]
        size = tuple(shape[2:])
        out.append(SampleInput(y.numpy(), idx.numpy(), kwargs=dict(unpool_kwargs, output_size=size),
                               desc=f"output_size={size}"))
        return out
    return samples


register(OpInfo("F.max_unpool2d", op=F.max_unpool2d, ref=TF.max_unpool2d,
                samples=_unpool_samples((2, 2, 4, 6), TF.max_pool2d, dict(kernel_size=2))))
register(OpInfo("F.max_unpool1d", op=F.max_unpool1d, ref=TF.max_unpool1d,
                samples=_unpool_samples((1, 2, 7), TF.max_pool1d, dict(kernel_size=3, stride=2, padding=1))))
register(OpInfo("F.adaptive_avg_pool2d", op=F.adaptive_avg_pool2d, ref=TF.adaptive_avg_pool2d,
                samples=_pool_samples((1, 2, 5, 7), dict(output_size=(2, 3)), dict(output_size=1))))
register(OpInfo("F.interpolate", op=F.interpolate, ref=TF.interpolate, samples=_pool_samples(
    (1, 2, 3, 4), dict(size=(5, 6), mode="bilinear"), dict(scale_factor=2, mode="nearest"),
    dict(size=(4, 7), mode="bilinear", align_corners=True))))


# ----- normalisation, embedding, attention --------------------------------------------------------
def _batch_norm_samples(dtype):
    x = make((4, 3, 2), dtype)
    w, b = make((3,), dtype, seed=1), make((3,), dtype, seed=2)
    rm, rv = make((3,), dtype, seed=3), make((3,), dtype, 0.5, 2.0, seed=4)
    return [SampleInput(x, None, None, w, b, kwargs=dict(training=True), desc="batch statistics"),
            SampleInput(make((5, 2), dtype), None, None, kwargs=dict(training=True, eps=1e-3), desc="(N, C)"),
            SampleInput(x, rm, rv, w, b, grad_args=(0, 3, 4), desc="running statistics")]


register(OpInfo("F.batch_norm", op=F.batch_norm, ref=TF.batch_norm, samples=_batch_norm_samples))


def _layer_norm_samples(dtype):
    return [SampleInput(make((2, 3, 4), dtype), (3, 4), make((3, 4), dtype, seed=1), make((3, 4), dtype, seed=2),
                        desc="two axes, affine"),
            SampleInput(make((5, 3), dtype), (3,), desc="no affine")]


register(OpInfo("F.layer_norm", op=F.layer_norm, ref=TF.layer_norm, samples=_layer_norm_samples))


def _group_norm_samples(dtype):
    return [SampleInput(make((2, 4, 3), dtype), 2, make((4,), dtype, seed=1), make((4,), dtype, seed=2),
                        desc="2 groups"),
            SampleInput(make((1, 3, 2, 2), dtype), 3, desc="one channel per group")]


register(OpInfo("F.group_norm", op=F.group_norm, ref=TF.group_norm, samples=_group_norm_samples))


def _normalize_samples(dtype):
    return [SampleInput(make((3, 4), dtype), kwargs=dict(p=p, dim=d), desc=f"p={p}, dim={d}")
            for p, d in ((2.0, 1), (1.0, -1), (3.0, 0))]


register(OpInfo("F.normalize", op=F.normalize, ref=TF.normalize, samples=_normalize_samples))


def _embedding_samples(dtype):
    idx = np.array([[1, 2, 2], [4, 0, 1]])
    return [SampleInput(idx, make((5, 3), dtype), desc="2-D indices"),
            # PyTorch's padding_idx drops the padding row's gradient on purpose: not a derivative,
            # so compared with PyTorch's vjp but not with finite differences
            SampleInput(idx, make((5, 3), dtype), kwargs=dict(padding_idx=2), smooth=False,
                        desc="padding_idx (no gradient to the padding row, as PyTorch)")]


register(OpInfo("F.embedding", op=F.embedding, ref=TF.embedding, samples=_embedding_samples))


def _sdpa_samples(dtype):
    q, k, v = make((2, 3, 4), dtype), make((2, 5, 4), dtype, seed=1), make((2, 5, 2), dtype, seed=2)
    mask = np.ones((3, 5), dtype=bool)
    mask[0, 3:] = False
    return [SampleInput(q, k, v, desc="plain"),
            SampleInput(q, k, v, kwargs=dict(attn_mask=mask), desc="boolean mask"),
            SampleInput(q, k[:, :3], v[:, :3], kwargs=dict(is_causal=True, scale=0.4), desc="causal, scale")]


register(OpInfo("F.scaled_dot_product_attention", op=F.scaled_dot_product_attention,
                ref=TF.scaled_dot_product_attention, samples=_sdpa_samples))
