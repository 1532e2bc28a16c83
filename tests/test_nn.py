"""rg.nn: modules, losses and functional, against PyTorch on identical weights."""

import numpy as np
import pytest
import torch

import retrograd as rg
import retrograd.nn.functional as F
from retrograd.gradcheck import gradcheck, gradgradcheck
from retrograd.ops import nn as nnops

torch.set_default_dtype(torch.float64)


def to_torch(x, grad=False):
    return torch.tensor(np.asarray(x), requires_grad=grad)


def copy_to_torch(rg_model, torch_model):
    with torch.no_grad():
        for (n1, p1), (n2, p2) in zip(rg_model.named_parameters(), torch_model.named_parameters()):
            assert n1 == n2 and p1.shape == tuple(p2.shape)
            p2.copy_(torch.from_numpy(p1.numpy()))


# ----- Module mechanics ------------------------------------------------------------------
def test_linear_shapes_and_pytorch_init():
    rg.manual_seed(0)
    lin = rg.nn.Linear(400, 30)
    assert lin.weight.shape == (30, 400) and lin.bias.shape == (30,)
    assert isinstance(lin.weight, rg.nn.Parameter) and lin.weight.requires_grad
    bound = 1 / np.sqrt(400)
    w = lin.weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(lin.bias.numpy()).max() <= bound
    # uniform on [-bound, bound]: mean ~0, variance bound^2 / 3
    assert abs(w.mean()) < 0.05 * bound
    assert abs(w.var() / (bound ** 2 / 3) - 1) < 0.05
    assert rg.nn.Linear(3, 2, bias=False).bias is None
    assert [n for n, _ in rg.nn.Linear(3, 2, bias=False).named_parameters()] == ["weight"]


def test_manual_seed_makes_init_reproducible():
    rg.manual_seed(7)
    a = rg.nn.Linear(5, 4).state_dict()
    rg.manual_seed(7)
    b = rg.nn.Linear(5, 4).state_dict()
    rg.manual_seed(8)
    c = rg.nn.Linear(5, 4).state_dict()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["weight"], c["weight"])


def test_parameters_children_named_and_shared():
    shared = rg.nn.Linear(3, 3)
    net = rg.nn.Sequential(rg.nn.Linear(2, 3), rg.nn.ReLU(), shared, rg.nn.Tanh(), shared)
    names = [n for n, _ in net.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]  # the shared layer counted once
    assert len(list(net.children())) == 4  # each module once, as torch's children()
    assert [n for n, _ in net.named_modules()] == ["", "0", "1", "2", "3"]

    class Net(rg.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = rg.nn.Sequential(rg.nn.Linear(2, 4), rg.nn.ReLU())
            self.head = rg.nn.Linear(4, 1)
            self.scale = rg.nn.Parameter(rg.ones(1))
            self.not_a_param = rg.ones(1)

        def forward(self, x):
            return self.head(self.body(x)) * self.scale

    m = Net()
    assert [n for n, _ in m.named_parameters()] == ["scale", "body.0.weight", "body.0.bias",
                                                     "head.weight", "head.bias"]
    assert m(rg.ones(3, 2)).shape == (3, 1)
    with pytest.raises(AttributeError):
        _ = m.missing


def test_train_eval_propagate():
    net = rg.nn.Sequential(rg.nn.Linear(2, 2), rg.nn.Dropout(0.5), rg.nn.Sequential(rg.nn.Dropout()))
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_and_state_dict_roundtrip():
    rg.manual_seed(0)
    net = rg.nn.Sequential(rg.nn.Linear(3, 4), rg.nn.Tanh(), rg.nn.Linear(4, 2))
    net(rg.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())

    sd = net.state_dict()
    assert list(sd) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    sd["0.weight"][...] = 0  # a copy: the model is untouched
    assert net[0].weight.numpy().any()
    other = rg.nn.Sequential(rg.nn.Linear(3, 4), rg.nn.Tanh(), rg.nn.Linear(4, 2))
    w_obj = other[0].weight
    other.load_state_dict(net.state_dict())
    assert other[0].weight is w_obj  # loaded in place: optimizers keep their references
    x = rg.randn(2, 3)
    np.testing.assert_array_equal(other(x).numpy(), net(x).numpy())
    with pytest.raises(KeyError):
        other.load_state_dict({"0.weight": sd["0.weight"]})
    res = other.load_state_dict({"0.weight": sd["0.weight"]}, strict=False)
    assert res.missing_keys == ["0.bias", "2.weight", "2.bias"]
    with pytest.raises(ValueError, match="shape"):
        other.load_state_dict(dict(net.state_dict(), **{"0.bias": np.zeros(5)}))


def test_to_float32_and_the_step_stays_float32():
    rg.manual_seed(0)
    net = rg.nn.Sequential(rg.nn.Linear(3, 4), rg.nn.ReLU(), rg.nn.Linear(4, 2)).to(rg.float32)
    opt = rg.optim.Adam(net.parameters(), lr=1e-2)
    x = rg.tensor(np.ones((5, 3), np.float32))
    loss = rg.nn.CrossEntropyLoss()(net(x), rg.tensor(np.array([0, 1, 0, 1, 1])))
    assert loss.dtype == np.float32
    loss.backward()
    opt.step()
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in net.parameters())
    assert all(v.dtype == np.float32 for st in opt.state.values() for v in st.values()
               if isinstance(v, np.ndarray))
    assert rg.nn.Linear(2, 2, dtype=rg.float32).weight.dtype == np.float32


def test_module_errors_and_repr():
    class Bad(rg.nn.Module):
        def __init__(self):
            self.w = rg.nn.Parameter(rg.ones(1))

    with pytest.raises(AttributeError, match=r"super\(\)\.__init__"):
        Bad()
    with pytest.raises(NotImplementedError):
        rg.nn.Module()(1)
    with pytest.raises(rg.ShapeError, match="in_features=3"):
        rg.nn.Linear(3, 2)(rg.ones(4, 5))
    assert "Linear(in_features=2, out_features=3, bias=True)" in repr(rg.nn.Sequential(rg.nn.Linear(2, 3)))
    assert repr(rg.nn.Parameter(rg.zeros(1))).startswith("Parameter containing:")


# ----- forward and backward against PyTorch ----------------------------------------------
@pytest.mark.parametrize("act", ["ReLU", "Sigmoid", "Tanh"])
def test_mlp_forward_backward_matches_torch(act):
    rg.manual_seed(1)
    net = rg.nn.Sequential(rg.nn.Linear(5, 7), getattr(rg.nn, act)(), rg.nn.Linear(7, 3))
    tnet = torch.nn.Sequential(torch.nn.Linear(5, 7), getattr(torch.nn, act)(), torch.nn.Linear(7, 3))
    copy_to_torch(net, tnet)
    x = np.random.default_rng(0).standard_normal((6, 5))
    y = np.array([0, 2, 1, 1, 0, 2])
    out = net(rg.tensor(x))
    tout = tnet(to_torch(x))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    rg.nn.CrossEntropyLoss()(out, rg.tensor(y)).backward()
    torch.nn.CrossEntropyLoss()(tout, torch.from_numpy(y)).backward()
    for p, tp in zip(net.parameters(), tnet.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_linear_on_1d_and_3d_inputs_matches_torch():
    rg.manual_seed(2)
    lin = rg.nn.Linear(4, 3)
    tlin = torch.nn.Linear(4, 3)
    copy_to_torch(lin, tlin)
    for shape in [(4,), (2, 5, 4)]:
        x = np.random.default_rng(1).standard_normal(shape)
        xt = to_torch(x, grad=True)
        xr = rg.tensor(x, requires_grad=True)
        lin.zero_grad()
        tlin.zero_grad()
        (lin(xr) ** 2).sum().backward()
        (tlin(xt) ** 2).sum().backward()
        np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), rtol=1e-10)
        for p, tp in zip(lin.parameters(), tlin.parameters()):
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-10)


def test_fused_primitives_gradcheck_and_higher_order():
    rng = np.random.default_rng(3)
    x = rg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = rg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = rg.tensor(rng.standard_normal(2), requires_grad=True)
    assert gradcheck(lambda x, w, b: nnops.linear(x, w, b), (x, w, b))
    assert gradgradcheck(lambda x, w, b: nnops.linear(x, w, b).tanh(), (x, w, b))
    x3 = rg.tensor(rng.standard_normal((2, 2, 3)), requires_grad=True)
    assert gradcheck(lambda x, w, b: nnops.linear(x, w, b), (x3, w, b))
    y = np.array([0, 2, 1, 1])
    for red in ["mean", "sum", "none"]:
        assert gradcheck(lambda z: nnops.cross_entropy(z, y, reduction=red), (x,))
        assert gradgradcheck(lambda z: nnops.cross_entropy(z, y, reduction=red), (x,))
        jf = rg.jacfwd(lambda z: nnops.cross_entropy(z, y, reduction=red))(x)
        jr = rg.jacrev(lambda z: nnops.cross_entropy(z, y, reduction=red))(x)
        np.testing.assert_allclose(jf.numpy(), jr.numpy(), rtol=1e-10, atol=1e-12)
    jf = rg.jacfwd(lambda x, w, b: nnops.linear(x, w, b), argnums=(0, 1, 2))(x3, w, b)
    jr = rg.jacrev(lambda x, w, b: nnops.linear(x, w, b), argnums=(0, 1, 2))(x3, w, b)
    for a, c in zip(jf, jr):
        np.testing.assert_allclose(a.numpy(), c.numpy(), rtol=1e-10, atol=1e-12)


def test_cross_entropy_hessian_matches_torch():
    z = np.random.default_rng(4).standard_normal((3, 4))
    y = np.array([1, 0, 3])
    h = rg.hessian(lambda z: F.cross_entropy(z, y))(rg.tensor(z))
    th = torch.autograd.functional.hessian(
        lambda z: torch.nn.functional.cross_entropy(z, torch.from_numpy(y)), to_torch(z))
    np.testing.assert_allclose(h.numpy(), th.numpy(), rtol=1e-9, atol=1e-12)


# ----- losses against PyTorch ----------------------------------------------------------
def _compare_loss(rg_fn, torch_fn, inputs, atol=1e-12):
    rg_in = [rg.tensor(a, requires_grad=np.asarray(a).dtype.kind == "f") for a in inputs]
    t_in = [to_torch(a, grad=np.asarray(a).dtype.kind == "f") for a in inputs]
    out, tout = rg_fn(*rg_in), torch_fn(*t_in)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=atol)
    out.sum().backward()
    tout.sum().backward()
    for a, ta in zip(rg_in, t_in):
        if ta.requires_grad:
            np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-9, atol=atol)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_match_torch(reduction):
    rng = np.random.default_rng(5)
    z = rng.standard_normal((6, 4)) * 3
    yi = rng.integers(0, 4, 6)
    p = rng.uniform(0.01, 0.99, (6, 1))
    yb = rng.integers(0, 2, (6, 1)).astype(np.float64)
    probs = rng.dirichlet(np.ones(4), 6)
    tF = torch.nn.functional
    _compare_loss(lambda a, b: rg.nn.MSELoss(reduction=reduction)(a, b),
                  lambda a, b: torch.nn.MSELoss(reduction=reduction)(a, b), [z, z[::-1].copy()])
    _compare_loss(lambda a, b: rg.nn.BCELoss(reduction=reduction)(a, b),
                  lambda a, b: torch.nn.BCELoss(reduction=reduction)(a, b), [p, yb])
    _compare_loss(lambda a, b: rg.nn.BCEWithLogitsLoss(reduction=reduction)(a, b),
                  lambda a, b: torch.nn.BCEWithLogitsLoss(reduction=reduction)(a, b), [z[:, :1] * 10, yb])
    pw = np.array([2.5])
    _compare_loss(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pw, reduction=reduction),
                  lambda a, b: tF.binary_cross_entropy_with_logits(a, b, pos_weight=torch.tensor(pw),
                                                                    reduction=reduction), [z[:, :1], yb])
    _compare_loss(lambda a, b: rg.nn.CrossEntropyLoss(reduction=reduction)(a, b),
                  lambda a, b: torch.nn.CrossEntropyLoss(reduction=reduction)(a, b), [z, yi])
    _compare_loss(lambda a, b: rg.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1)(a, b),
                  lambda a, b: torch.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1)(a, b),
                  [z, yi])
    _compare_loss(lambda a, b: F.cross_entropy(a, b, reduction=reduction),
                  lambda a, b: tF.cross_entropy(a, b, reduction=reduction), [z, probs])
    _compare_loss(lambda a, b: rg.nn.NLLLoss(reduction=reduction)(F.log_softmax(a, 1), b),
                  lambda a, b: torch.nn.NLLLoss(reduction=reduction)(tF.log_softmax(a, 1), b), [z, yi])


def test_cross_entropy_is_stable_and_single_sample():
    z = rg.tensor([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(z, rg.tensor([0, 1]))
    loss.backward()
    assert np.isfinite(loss.item()) and loss.item() == 0.0
    assert np.isfinite(z.grad.numpy()).all()
    z1 = np.array([0.5, -1.0, 2.0])
    _compare_loss(lambda a: F.cross_entropy(a, np.array(2)),
                  lambda a: torch.nn.functional.cross_entropy(a, torch.tensor(2)), [z1])
    # BCE clamps log at -100 as PyTorch does
    assert F.binary_cross_entropy(rg.tensor([0.0]), rg.tensor([1.0])).item() == 100.0


def test_loss_errors_teach():
    with pytest.raises(IndexError, match="class 5 is out of range for 3 classes"):
        F.cross_entropy(rg.zeros(2, 3), rg.tensor(np.array([0, 5])))
    with pytest.raises(rg.ShapeError, match="targets of shape"):
        F.cross_entropy(rg.zeros(2, 3), rg.tensor(np.array([0, 1, 2])))
    with pytest.raises(rg.ShapeError, match="reshape the target"):
        F.mse_loss(rg.zeros(4, 1), rg.zeros(4))
    with pytest.raises(ValueError, match="logits"):
        F.binary_cross_entropy(rg.tensor([2.0]), rg.tensor([1.0]))
    with pytest.raises(ValueError, match="reduction"):
        rg.nn.MSELoss(reduction="avg")


def test_dropout_train_and_eval():
    x = rg.ones(1000, requires_grad=True)
    d = rg.nn.Dropout(0.25)
    rg.manual_seed(0)
    y = d(x)
    kept = y.numpy() != 0
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / 0.75)
    rg.manual_seed(0)
    np.testing.assert_array_equal(d(x).numpy(), y.numpy())  # seeded
    assert d.eval()(x) is x
    assert not F.dropout(x, 1.0).numpy().any()
    with pytest.raises(ValueError):
        rg.nn.Dropout(1.5)


def test_functional_and_small_modules():
    x = rg.tensor([[-1.0, 0.5, 2.0]])
    np.testing.assert_allclose(rg.nn.Softmax(dim=1)(x).numpy().sum(), 1.0)
    np.testing.assert_allclose(rg.nn.LogSoftmax(dim=1)(x).numpy(),
                               torch.log_softmax(to_torch(x.numpy()), 1).numpy())
    assert rg.nn.Flatten()(rg.zeros(2, 3, 4)).shape == (2, 12)
    np.testing.assert_array_equal(F.one_hot(rg.tensor(np.array([1, 0])), 3).numpy(), [[0, 1, 0], [1, 0, 0]])
    ml = rg.nn.ModuleList([rg.nn.Linear(2, 2), rg.nn.Linear(2, 2)])
    assert len(list(ml.parameters())) == 4 and len(ml) == 2
    seq = rg.nn.Sequential(rg.nn.Linear(2, 2)).append(rg.nn.ReLU())
    assert len(seq) == 2 and isinstance(seq[-1], rg.nn.ReLU) and len(seq[:1]) == 1


def test_init_functions():
    rg.manual_seed(0)
    w = rg.zeros(200, 100)
    rg.nn.init.kaiming_uniform_(w, nonlinearity="relu")
    bound = np.sqrt(2.0) * np.sqrt(3 / 100)
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.9 * bound
    rg.nn.init.xavier_normal_(w)
    assert abs(w.numpy().std() / np.sqrt(2 / 300) - 1) < 0.05
    rg.nn.init.zeros_(w)
    assert not w.numpy().any()
    assert rg.nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
    with pytest.raises(ValueError):
        rg.nn.init.kaiming_uniform_(rg.zeros(3))


# ----- the fused primitives over generated shapes ------------------------------------------
from hypothesis import given, strategies as st  # noqa: E402


@given(lead=st.lists(st.integers(0, 3), min_size=0, max_size=2), n_in=st.integers(1, 4),
       n_out=st.integers(1, 3), bias=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_linear_gradcheck_generated_shapes(lead, n_in, n_out, bias, seed):
    rng = np.random.default_rng(seed)
    x = rg.tensor(rng.standard_normal(tuple(lead) + (n_in,)), requires_grad=True)
    w = rg.tensor(rng.standard_normal((n_out, n_in)), requires_grad=True)
    args = (x, w) + ((rg.tensor(rng.standard_normal(n_out), requires_grad=True),) if bias else ())
    out = F.linear(*args)
    ref = x.numpy() @ w.numpy().T + (args[2].numpy() if bias else 0)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda *a: F.linear(*a), args)


@given(n=st.integers(1, 4), c=st.integers(1, 4), scale=st.floats(0.1, 50),
       reduction=st.sampled_from(["mean", "sum", "none"]), seed=st.integers(0, 2 ** 16))
def test_cross_entropy_generated_shapes_match_torch(n, c, scale, reduction, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, c)) * scale
    y = rng.integers(0, c, n)
    _compare_loss(lambda a, b: F.cross_entropy(a, b, reduction=reduction),
                  lambda a, b: torch.nn.functional.cross_entropy(a, b, reduction=reduction), [z, y], atol=1e-10)
    zt = rg.tensor(z, requires_grad=True)
    assert gradcheck(lambda a: F.cross_entropy(a, y, reduction=reduction), (zt,), atol=1e-4)
