"""The new nn layers, functions, losses and hooks match PyTorch: values, gradients, running
statistics, train/eval, state_dict keys; conv and pooling also pass gradgradcheck and agree with
PyTorch's Hessian and forward-mode Jacobian."""

import math

import numpy as np
import pytest
import torch
import torch.autograd.functional as taf

import retrograd as rg
import retrograd.nn.functional as F

tF = torch.nn.functional


def _run(rg_fn, t_fn, shapes, seed=0, int_args=(), atol=1e-10, **kw):
    rng = np.random.default_rng(seed)
    arrs = [rng.standard_normal(s) for s in shapes]
    ts = [rg.tensor(a, requires_grad=True) for a in arrs]
    tt = [torch.tensor(a, requires_grad=True) for a in arrs]
    out, tout = rg_fn(*ts, *int_args, **kw), t_fn(*tt, *[torch.tensor(a) for a in int_args], **kw)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=atol, rtol=1e-10)
    g = rng.standard_normal(tout.shape)
    out.backward(rg.tensor(g))
    tout.backward(torch.tensor(g))
    for a, b in zip(ts, tt):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=atol, rtol=1e-10)


CONV_CASES = [
    ("conv2d", [(2, 4, 9, 8), (6, 2, 3, 2), (6,)], dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)),
    ("conv2d", [(2, 3, 7, 7), (5, 3, 3, 3), (5,)], dict(padding="same")),
    ("conv2d", [(2, 3, 7, 7), (5, 3, 2, 2), (5,)], dict(padding="same")),
    ("conv2d", [(2, 3, 6, 6), (4, 3, 3, 3)], dict(padding="valid", stride=2)),
    ("conv2d", [(3, 7, 7), (5, 3, 2, 2)], dict(stride=2)),
    ("conv2d", [(1, 4, 5, 5), (4, 1, 3, 3), (4,)], dict(groups=4, padding=1)),
    ("conv1d", [(2, 4, 9), (8, 1, 3), (8,)], dict(stride=2, padding=1, groups=4)),
    ("conv1d", [(2, 3, 9), (2, 3, 4)], dict(dilation=2)),
    ("max_pool2d", [(2, 3, 9, 8)], dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool2d", [(2, 3, 9, 8)], dict(kernel_size=(2, 3), dilation=2)),
    ("max_pool2d", [(3, 6, 6)], dict(kernel_size=2)),
    ("max_pool1d", [(2, 3, 9)], dict(kernel_size=3, stride=2)),
    ("avg_pool2d", [(2, 3, 9, 8)], dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool2d", [(2, 3, 9, 8)], dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("avg_pool2d", [(2, 3, 8, 8)], dict(kernel_size=2, divisor_override=3)),
    ("avg_pool1d", [(2, 3, 9)], dict(kernel_size=2)),
    ("adaptive_avg_pool2d", [(2, 3, 9, 7)], dict(output_size=(4, 3))),
    ("adaptive_avg_pool2d", [(2, 3, 6, 6)], dict(output_size=1)),
    ("interpolate", [(2, 3, 5, 7)], dict(size=(9, 4), mode="nearest")),
    ("interpolate", [(2, 3, 5, 7)], dict(scale_factor=2.5, mode="bilinear")),
    ("interpolate", [(2, 3, 5, 7)], dict(size=(9, 4), mode="bilinear", align_corners=True)),
    ("interpolate", [(2, 3, 5)], dict(scale_factor=1.7, mode="linear")),
]


@pytest.mark.parametrize("name,shapes,kw", CONV_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CONV_CASES)])
def test_conv_pool_resize_match_torch(name, shapes, kw):
    _run(getattr(F, name), getattr(tF, name), shapes, **kw)


def test_max_pool_gradient_goes_to_the_first_maximum_as_torch():
    x = np.zeros((1, 2, 4, 4))
    x[0, 1, :2, :2] = [[1.0, 1.0], [1.0, 0.0]]
    xr, xt = rg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    F.max_pool2d(xr, 2).sum().backward()
    tF.max_pool2d(xt, 2).sum().backward()
    np.testing.assert_array_equal(xr.grad.numpy(), xt.grad.numpy())


def test_conv_and_pool_higher_order_derivatives():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((4, 1, 3, 3))
    X, W = rg.tensor(x, requires_grad=True), rg.tensor(w, requires_grad=True)
    assert rg.gradgradcheck(lambda x, w: rg.tanh(F.conv2d(x, w, stride=2, padding=1, groups=2)), (X, W))
    assert rg.gradgradcheck(lambda x: F.max_pool2d(x * x, 2, padding=1), (X,))
    assert rg.gradgradcheck(lambda x: F.avg_pool2d(rg.sin(x), 3, stride=2), (X,))
    H = rg.hessian(lambda w: rg.tanh(F.conv2d(rg.tensor(x), w, padding=1, groups=2)).sum())(rg.tensor(w))
    Ht = taf.hessian(lambda w: torch.tanh(tF.conv2d(torch.tensor(x), w, padding=1, groups=2)).sum(),
                     torch.tensor(w))
    np.testing.assert_allclose(H.numpy(), Ht.numpy(), atol=1e-10)
    for mode in ("fwd", "rev"):
        J = rg.jacobian(lambda x: F.conv2d(x, rg.tensor(w[:2]), stride=2, groups=2), mode=mode)(rg.tensor(x))
        Jt = taf.jacobian(lambda x: tF.conv2d(x, torch.tensor(w[:2]), stride=2, groups=2), torch.tensor(x))
        np.testing.assert_allclose(J.numpy(), Jt.numpy(), atol=1e-12)
        J = rg.jacobian(lambda x: F.max_pool2d(x, 3, stride=2, padding=1), mode=mode)(rg.tensor(x))
        Jt = taf.jacobian(lambda x: tF.max_pool2d(x, 3, stride=2, padding=1), torch.tensor(x))
        np.testing.assert_array_equal(J.numpy(), Jt.numpy())
    Hp = rg.hessian(lambda x: (F.max_pool2d(x, 2) ** 3).sum())(rg.tensor(x))
    Hpt = taf.hessian(lambda x: (tF.max_pool2d(x, 2) ** 3).sum(), torch.tensor(x))
    np.testing.assert_allclose(Hp.numpy(), Hpt.numpy(), atol=1e-12)


def test_conv_errors_teach():
    with pytest.raises(rg.ShapeError, match="expects 4"):
        F.conv2d(rg.zeros(1, 3, 5, 5), rg.zeros(2, 4, 3, 3))
    with pytest.raises(ValueError, match="groups=2 must divide"):
        F.conv2d(rg.zeros(1, 3, 5, 5), rg.zeros(2, 1, 3, 3), groups=2)
    with pytest.raises(rg.ShapeError, match="larger than the padded input"):
        F.conv2d(rg.zeros(1, 1, 2, 2), rg.zeros(1, 1, 3, 3))
    with pytest.raises(rg.ShapeError, match="4-D input"):
        F.conv2d(rg.zeros(5, 5), rg.zeros(1, 1, 3, 3))
    with pytest.raises(rg.ShapeError, match="larger than the padded input"):
        F.max_pool2d(rg.zeros(1, 1, 2, 2), 3)
    assert F.max_pool2d(rg.zeros(1, 1, 2, 2), 3, ceil_mode=True).shape == (1, 1, 1, 1)  # as PyTorch
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        rg.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        rg.nn.Conv2d(2, 2, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="strided"):
        rg.nn.Conv2d(2, 2, 3, stride=2, padding="same")
    with pytest.raises(IndexError, match="give output_size"):
        F.max_unpool2d(rg.ones(1, 1, 2, 2), np.full((1, 1, 2, 2), 20), 2)


def _copy(rg_mod, t_mod):
    with torch.no_grad():
        for (n, p), (tn, tp) in zip(rg_mod.named_parameters(), t_mod.named_parameters()):
            assert n == tn
            tp.copy_(torch.from_numpy(p.numpy()))


def test_conv_modules_init_like_torch_and_match_after_copy():
    rg.manual_seed(0)
    conv = rg.nn.Conv2d(6, 16, 5, stride=2, padding=1, groups=2)
    tconv = torch.nn.Conv2d(6, 16, 5, stride=2, padding=1, groups=2).double()
    assert conv.weight.shape == tuple(tconv.weight.shape) and conv.bias.shape == tuple(tconv.bias.shape)
    bound = 1 / math.sqrt(3 * 25)  # kaiming_uniform(a=sqrt(5)) on fan_in = in/groups * kh * kw
    assert np.abs(conv.weight.numpy()).max() <= bound and np.abs(conv.weight.numpy()).max() > 0.9 * bound
    assert np.abs(conv.bias.numpy()).max() <= bound
    _copy(conv, tconv)
    x = np.random.default_rng(0).standard_normal((2, 6, 11, 11))
    np.testing.assert_allclose(conv(rg.tensor(x)).numpy(), tconv(torch.tensor(x)).detach().numpy(), atol=1e-12)
    assert repr(conv) == repr(tconv).replace(", bias=True", "")
    c1 = rg.nn.Conv1d(3, 4, 3, padding=1, bias=False)
    assert c1.bias is None and list(c1.state_dict()) == ["weight"]


def test_batchnorm_running_stats_train_eval_and_state_dict_match_torch():
    rng = np.random.default_rng(0)
    for cls, shape in ((rg.nn.BatchNorm2d, (8, 3, 5, 4)), (rg.nn.BatchNorm1d, (8, 3)), (rg.nn.BatchNorm1d, (8, 3, 6))):
        bn, tbn = cls(3, momentum=0.2), getattr(torch.nn, cls.__name__)(3, momentum=0.2).double()
        with torch.no_grad():
            tbn.weight.copy_(torch.tensor(rng.standard_normal(3))); tbn.bias.copy_(torch.tensor(rng.standard_normal(3)))
        bn.load_state_dict({k: v.numpy() for k, v in tbn.state_dict().items()})
        assert list(bn.state_dict()) == list(tbn.state_dict())
        for _step in range(3):
            x = rng.standard_normal(shape) * 2 + 1
            xr, xt = rg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
            out, tout = bn(xr), tbn(xt)
            np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=1e-10)
            g = rng.standard_normal(shape)
            out.backward(rg.tensor(g)); tout.backward(torch.tensor(g))
            np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), atol=1e-10)
            np.testing.assert_allclose(bn.weight.grad.numpy(), tbn.weight.grad.numpy(), atol=1e-10)
            bn.zero_grad(); tbn.zero_grad()
        for k, v in tbn.state_dict().items():
            np.testing.assert_allclose(bn.state_dict()[k], v.numpy(), atol=1e-12, err_msg=k)
        bn.eval(); tbn.eval()
        x = rng.standard_normal(shape)
        np.testing.assert_allclose(bn(rg.tensor(x)).numpy(), tbn(torch.tensor(x)).detach().numpy(), atol=1e-10)
    cum, tcum = rg.nn.BatchNorm1d(2, momentum=None), torch.nn.BatchNorm1d(2, momentum=None).double()
    for _ in range(3):
        x = rng.standard_normal((5, 2))
        cum(rg.tensor(x)); tcum(torch.tensor(x))
    np.testing.assert_allclose(cum.running_var, tcum.running_var.numpy())
    nostats = rg.nn.BatchNorm2d(3, track_running_stats=False, affine=False).eval()
    x = rng.standard_normal((4, 3, 2, 2))
    np.testing.assert_allclose(nostats(rg.tensor(x)).numpy(), torch.nn.BatchNorm2d(
        3, track_running_stats=False, affine=False).double().eval()(torch.tensor(x)).numpy(), atol=1e-10)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        rg.nn.BatchNorm1d(3)(rg.zeros(1, 3))
    with pytest.raises(ValueError, match="3 channels"):
        rg.nn.BatchNorm2d(4)(rg.zeros(2, 3, 2, 2))


@pytest.mark.parametrize("name,args,shape", [
    ("LayerNorm", ((4, 5),), (3, 4, 5)), ("LayerNorm", (5,), (2, 5)),
    ("GroupNorm", (2, 6), (3, 6, 4)), ("GroupNorm", (3, 6), (2, 6, 2, 2)),
])
def test_layer_and_group_norm_match_torch(name, args, shape):
    rng = np.random.default_rng(0)
    m, tm = getattr(rg.nn, name)(*args), getattr(torch.nn, name)(*args).double()
    with torch.no_grad():
        for p in tm.parameters():
            p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape))))
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    _run(lambda x: m(x), lambda x: tm(x), [shape])
    for (n, p), tp in zip(m.named_parameters(), tm.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), atol=1e-10, err_msg=n)


def test_embedding_with_padding_idx_matches_torch():
    rg.manual_seed(0)
    emb, temb = rg.nn.Embedding(7, 3, padding_idx=2), torch.nn.Embedding(7, 3, padding_idx=2).double()
    assert np.all(emb.weight.numpy()[2] == 0)
    _copy(emb, temb)
    idx = np.array([[1, 2, 2], [6, 1, 0]])
    out, tout = emb(rg.tensor(idx, dtype=rg.int64)), temb(torch.tensor(idx))
    np.testing.assert_array_equal(out.numpy(), tout.detach().numpy())
    g = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(rg.tensor(g)); tout.backward(torch.tensor(g))
    np.testing.assert_allclose(emb.weight.grad.numpy(), temb.weight.grad.numpy(), atol=1e-12)
    with pytest.raises(IndexError, match="out of range for 7"):
        emb(rg.tensor([7], dtype=rg.int64))
    with pytest.raises(TypeError, match="integers"):
        emb(rg.tensor([1.5]))
    pre = rg.nn.Embedding.from_pretrained(rg.eye(3))
    assert not pre.weight.requires_grad and pre(np.array([1])).tolist() == [[0.0, 1.0, 0.0]]


ACTS = [("GELU", (), {}), ("GELU", (), dict(approximate="tanh")), ("SiLU", (), {}), ("LeakyReLU", (0.2,), {}),
        ("ELU", (0.7,), {}), ("Softplus", (2.0, 3.0), {}), ("Mish", (), {}), ("Hardtanh", (-0.5, 0.8), {}),
        ("ReLU6", (), {}), ("LogSigmoid", (), {})]


@pytest.mark.parametrize("name,args,kw", ACTS, ids=[a[0] + str(i) for i, a in enumerate(ACTS)])
def test_activations_match_torch(name, args, kw):
    x = np.array([-30.0, -4.0, -1.3, -0.2, 0.3, 0.9, 1.7, 4.0, 7.0, 30.0])
    m, tm = getattr(rg.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    xr, xt = rg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(xr), tm(xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-12, atol=1e-15)
    out.sum().backward(); tout.sum().backward()
    np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-15)
    assert np.isfinite(xr.grad.numpy()).all()


def test_exact_gelu_second_derivative_matches_torch():
    x = np.linspace(-3, 3, 7)
    ours = rg.hessian(lambda v: F.gelu(v).sum())(rg.tensor(x))
    theirs = taf.hessian(lambda v: tF.gelu(v).sum(), torch.tensor(x))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_and_kl_losses_match_torch(reduction):
    rng = np.random.default_rng(0)
    for name, kw in (("l1_loss", {}), ("smooth_l1_loss", dict(beta=0.7)), ("smooth_l1_loss", dict(beta=0.0)),
                     ("huber_loss", dict(delta=0.6))):
        _run(lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kw),
             lambda a, b: getattr(tF, name)(a, b, reduction=reduction, **kw), [(4, 3), (4, 3)], seed=3)
    logp = np.log(rng.dirichlet(np.ones(5), size=4))
    target = rng.dirichlet(np.ones(5), size=4)
    target[0, 1] = 0.0
    for red in (reduction, "batchmean"):
        for log_target in (False, True):
            t = np.log(target + 1e-3) if log_target else target
            xr, xt = rg.tensor(logp, requires_grad=True), torch.tensor(logp, requires_grad=True)
            out = rg.nn.KLDivLoss(reduction=red, log_target=log_target)(xr, rg.tensor(t))
            tout = torch.nn.KLDivLoss(reduction=red, log_target=log_target)(xt, torch.tensor(t))
            np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-12)
            (out.sum()).backward(); tout.sum().backward()
            np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


CE_CASES = [dict(weight=True), dict(ignore_index=1), dict(weight=True, ignore_index=0),
            dict(label_smoothing=0.2, ignore_index=2), dict(weight=True, label_smoothing=0.1), {}]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kw", CE_CASES, ids=[str(k) for k in CE_CASES])
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5), (2, 4, 3, 2), (4,)])
def test_class_index_losses_with_weight_ignore_and_extra_axes_match_torch(reduction, kw, shape):
    rng = np.random.default_rng(sum(shape))
    z = rng.standard_normal(shape)
    y = rng.integers(0, 4, (shape[0],) + shape[2:] if len(shape) > 1 else ())
    kw = dict(kw)
    w = rng.uniform(0.5, 2.0, 4) if kw.pop("weight", False) else None
    for fn, tfn, inp in ((F.cross_entropy, tF.cross_entropy, z),
                         (F.nll_loss, tF.nll_loss, z - np.log(np.exp(z).sum(axis=0 if len(shape) == 1 else 1,
                                                                                    keepdims=True)))):
        if fn is F.nll_loss and "label_smoothing" in kw:
            continue
        zr, zt = rg.tensor(inp, requires_grad=True), torch.tensor(inp, requires_grad=True)
        out = fn(zr, rg.tensor(y, dtype=rg.int64), weight=None if w is None else rg.tensor(w),
                 reduction=reduction, **kw)
        tout = tfn(zt, torch.tensor(y), weight=None if w is None else torch.tensor(w), reduction=reduction, **kw)
        np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
        g = rng.standard_normal(tout.shape)
        out.backward(rg.tensor(g)); tout.backward(torch.tensor(g))
        np.testing.assert_allclose(zr.grad.numpy(), zt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_cross_entropy_module_signature_is_torchs():
    w = rg.tensor([1.0, 2.0])
    loss = rg.nn.CrossEntropyLoss(w, None, 0)  # weight, size_average, ignore_index: PyTorch's order
    assert loss.weight is w and loss.ignore_index == 0
    with pytest.raises(TypeError, match="deprecated"):
        rg.nn.CrossEntropyLoss(size_average=True)


@pytest.mark.parametrize("kw", [{}, dict(is_causal=True), dict(scale=0.3), dict(mask="bool"), dict(mask="float")])
def test_scaled_dot_product_attention_matches_torch(kw):
    rng = np.random.default_rng(0)
    kw = dict(kw)
    mask = kw.pop("mask", None)
    if mask == "bool":
        m = rng.random((5, 6)) > 0.3
        m[:, 0] = True
        kw["attn_mask"] = m
    elif mask == "float":
        kw["attn_mask"] = rng.standard_normal((5, 6))
    shapes = [(2, 3, 5, 4), (2, 3, 6 if mask else 5, 4), (2, 3, 6 if mask else 5, 7)]
    tkw = {k: (torch.tensor(v) if k == "attn_mask" else v) for k, v in kw.items()}
    arrs = [rng.standard_normal(s) for s in shapes]
    ts, tt = [rg.tensor(a, requires_grad=True) for a in arrs], [torch.tensor(a, requires_grad=True) for a in arrs]
    out, tout = F.scaled_dot_product_attention(*ts, **kw), tF.scaled_dot_product_attention(*tt, **tkw)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=1e-12)
    out.sum().backward(); tout.sum().backward()
    for a, b in zip(ts, tt):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, -1), (3.0, 0), (math.inf, 1)])
def test_normalize_matches_torch(p, dim):
    _run(lambda x: F.normalize(x, p=p, dim=dim), lambda x: tF.normalize(x, p=p, dim=dim), [(3, 4)])


def test_dropout2d_zeroes_whole_channels_and_scales():
    rg.manual_seed(0)
    m = rg.nn.Dropout2d(0.5)
    out = m(rg.ones(8, 16, 3, 3)).numpy()
    per_channel = out.reshape(8, 16, 9)
    assert set(np.unique(per_channel)) == {0.0, 2.0}
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # a channel is all kept or all dropped
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.7
    assert np.all(m.eval()(rg.ones(2, 3, 2, 2)).numpy() == 1.0)


def test_containers_unflatten_flatten_and_upsample():
    d = rg.nn.ModuleDict({"a": rg.nn.Linear(2, 3)})
    d["b"] = rg.nn.Linear(3, 1)
    assert list(d) == ["a", "b"] and "b" in d and len(d) == 2
    assert [n for n, _ in d.named_parameters()] == ["a.weight", "a.bias", "b.weight", "b.bias"]
    pl = rg.nn.ParameterList([rg.nn.Parameter(rg.zeros(2)), rg.ones(3)])
    pl[0] = rg.ones(2)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"] and isinstance(pl[1], rg.nn.Parameter)
    assert pl[0].numpy().tolist() == [1.0, 1.0]
    x = np.arange(24.0).reshape(2, 3, 4)
    for m, tm in ((rg.nn.Unflatten(1, (3, 1)), torch.nn.Unflatten(1, (3, 1))),
                  (rg.nn.Unflatten(-1, (2, 2)), torch.nn.Unflatten(-1, (2, 2))),
                  (rg.nn.Flatten(0, 1), torch.nn.Flatten(0, 1)), (rg.nn.Flatten(), torch.nn.Flatten()),
                  (rg.nn.Flatten(-2), torch.nn.Flatten(-2))):
        np.testing.assert_array_equal(m(rg.tensor(x)).numpy(), tm(torch.tensor(x)).numpy())
    up = rg.nn.Upsample(scale_factor=2, mode="bilinear")
    np.testing.assert_allclose(up(rg.tensor(x[None])).numpy(), torch.nn.Upsample(
        scale_factor=2, mode="bilinear")(torch.tensor(x[None])).numpy(), atol=1e-12)


def test_module_hooks_match_torch():
    rg.manual_seed(0)
    net = rg.nn.Sequential(rg.nn.Linear(3, 4), rg.nn.Tanh(), rg.nn.Linear(4, 2))
    tnet = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    _copy(net, tnet)
    x = np.random.default_rng(0).standard_normal((5, 3))
    log, tlog = [], []

    def grab(store):
        def hook(m, gi, go):
            store.append(([None if g is None else np.array(g.numpy() if hasattr(g, "numpy") else g)
                           for g in gi], [np.array(g.numpy()) for g in go]))
        return hook
    handles = [net[1].register_full_backward_hook(grab(log)), net[0].register_full_backward_hook(grab(log))]
    for m in (tnet[1], tnet[0]):
        m.register_full_backward_hook(grab(tlog))
    fwd = []
    handles.append(net[2].register_forward_hook(lambda m, args, out: out * 2))  # replaces the output
    tnet[2].register_forward_hook(lambda m, args, out: out * 2)
    handles.append(net[0].register_forward_pre_hook(lambda m, args: fwd.append(args[0].shape)))
    xr, xt = rg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = net(xr), tnet(xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=1e-12)
    out.pow(2).sum().backward(); tout.pow(2).sum().backward()
    assert fwd == [(5, 3)] and len(log) == len(tlog) == 2
    for (gi, go), (tgi, tgo) in zip(log, tlog):
        for a, b in zip(gi + go, tgi + tgo):
            np.testing.assert_allclose(a, b, atol=1e-12)
    np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), atol=1e-12)
    # a hook may replace grad_input; without input grads it still runs with None
    h = net[1].register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    xr.grad = None
    net(xr).sum().backward()
    assert np.all(xr.grad.numpy() == 0)
    h.remove()
    for hd in handles:
        hd.remove()
    seen = []
    net[0].register_full_backward_hook(lambda m, gi, go: seen.append(gi))
    net(rg.tensor(x)).sum().backward()
    assert seen == [(None,)]


def test_named_modules_apply_and_requires_grad_():
    shared = rg.nn.Linear(2, 2)
    net = rg.nn.Sequential(shared, rg.nn.ReLU(), shared)
    assert [n for n, _ in net.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in net.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
    assert [n for n, _ in net.named_modules(prefix="net")] == ["net", "net.0", "net.1"]
    names = []
    net.apply(lambda m: names.append(type(m).__name__))
    assert names == ["Linear", "ReLU", "Sequential"]
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


@pytest.mark.parametrize("kw", [dict(stride=2, padding=1), dict(stride=2, padding=1, output_padding=1),
                                dict(stride=(2, 1), dilation=2), {}])
def test_conv_transpose2d_matches_torch(kw):
    _run(F.conv_transpose2d, tF.conv_transpose2d, [(2, 3, 5, 4), (3, 4, 3, 3), (4,)], **kw)
    rg.manual_seed(0)
    m = rg.nn.ConvTranspose2d(3, 4, 3, **kw)
    tm = torch.nn.ConvTranspose2d(3, 4, 3, **kw).double()
    assert m.weight.shape == tuple(tm.weight.shape) and m.bias.shape == (4,)
    assert np.abs(m.bias.numpy()).max() <= 1 / math.sqrt(4 * 9)
    _copy(m, tm)
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 4))
    np.testing.assert_allclose(m(rg.tensor(x)).numpy(), tm(torch.tensor(x)).detach().numpy(), atol=1e-12)


def test_float32_stays_float32_through_conv_pool_norm_and_matches_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 10, 10)).astype(np.float32)
    w = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    xr, wr = rg.tensor(x, requires_grad=True), rg.tensor(w, requires_grad=True)
    out = F.max_pool2d(F.relu(F.conv2d(xr, wr, rg.tensor(b), padding=1)), 2)
    out = F.avg_pool2d(F.batch_norm(out, None, None, training=True), 2)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tout = tF.max_pool2d(tF.relu(tF.conv2d(xt, wt, torch.tensor(b), padding=1)), 2)
    tout = tF.avg_pool2d(tF.batch_norm(tout, None, None, training=True), 2)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-4, atol=1e-5)
    out.sum().backward(); tout.sum().backward()
    assert xr.grad.dtype == np.float32 and wr.grad.dtype == np.float32
    np.testing.assert_allclose(wr.grad.numpy(), wt.grad.numpy(), rtol=1e-3, atol=1e-4)
