"""rg.optim: SGD, Adam and AdamW match PyTorch step for step from the same initial weights."""

import numpy as np
import pytest
import torch

import retrograd as rg


def _models(seed=0, dtype=np.float64):
    rg.manual_seed(seed)
    net = rg.nn.Sequential(rg.nn.Linear(6, 8), rg.nn.Tanh(), rg.nn.Linear(8, 3)).to(dtype)
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    tnet = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).to(tdt)
    with torch.no_grad():
        for p, tp in zip(net.parameters(), tnet.parameters()):
            tp.copy_(torch.from_numpy(p.numpy()))
    return net, tnet


def _data(step, dtype=np.float64):
    rng = np.random.default_rng(100 + step)
    return rng.standard_normal((10, 6)).astype(dtype), rng.integers(0, 3, 10)


def _run_both(make_rg, make_torch, steps=25, dtype=np.float64, rtol=1e-10, atol=1e-12):
    net, tnet = _models(dtype=dtype)
    opt, topt = make_rg(net.parameters()), make_torch(tnet.parameters())
    for s in range(steps):
        x, y = _data(s, dtype)
        opt.zero_grad()
        rg.nn.CrossEntropyLoss()(net(rg.tensor(x)), rg.tensor(y)).backward()
        opt.step()
        topt.zero_grad()
        torch.nn.CrossEntropyLoss()(tnet(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        topt.step()
        for p, tp in zip(net.parameters(), tnet.parameters()):
            np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=rtol, atol=atol,
                                       err_msg=f"step {s}")
    return net, opt


SGD_CASES = [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.05, momentum=0.9, nesterov=True),
             dict(lr=0.1, momentum=0.8, dampening=0.3), dict(lr=0.1, weight_decay=0.01),
             dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3), dict(lr=0.1, maximize=True)]


@pytest.mark.parametrize("kw", SGD_CASES, ids=[str(k) for k in SGD_CASES])
def test_sgd_matches_torch(kw):
    _run_both(lambda p: rg.optim.SGD(p, **kw), lambda p: torch.optim.SGD(p, **kw))


ADAM_CASES = [dict(lr=1e-2), dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6), dict(lr=1e-2, weight_decay=0.1),
              dict(lr=1e-2, amsgrad=True), dict(lr=0.5, betas=(0.3, 0.9))]


@pytest.mark.parametrize("kw", ADAM_CASES, ids=[str(k) for k in ADAM_CASES])
def test_adam_matches_torch(kw):
    _run_both(lambda p: rg.optim.Adam(p, **kw), lambda p: torch.optim.Adam(p, **kw))


ADAMW_CASES = [dict(lr=1e-2), dict(lr=1e-2, weight_decay=0.3), dict(lr=1e-2, weight_decay=0.1, amsgrad=True)]


@pytest.mark.parametrize("kw", ADAMW_CASES, ids=[str(k) for k in ADAMW_CASES])
def test_adamw_matches_torch(kw):
    _run_both(lambda p: rg.optim.AdamW(p, **kw), lambda p: torch.optim.AdamW(p, **kw))


def test_float32_adam_matches_torch():
    _run_both(lambda p: rg.optim.Adam(p, lr=1e-2), lambda p: torch.optim.Adam(p, lr=1e-2),
              steps=10, dtype=np.float32, rtol=1e-4, atol=1e-5)


def test_param_groups_match_torch():
    def groups(params):
        params = list(params)
        return [{"params": params[:2], "lr": 0.2}, {"params": params[2:]}]
    _run_both(lambda p: rg.optim.SGD(groups(p), lr=0.05, momentum=0.9),
              lambda p: torch.optim.SGD(groups(p), lr=0.05, momentum=0.9))


def test_zero_grad_set_to_none_and_skips_params_without_grad():
    w = rg.tensor([1.0, 2.0], requires_grad=True)
    unused = rg.tensor([5.0], requires_grad=True)
    opt = rg.optim.SGD([w, unused], lr=0.1, momentum=0.9)
    (w * w).sum().backward()
    opt.step()
    assert unused.numpy().tolist() == [5.0] and unused not in opt.state
    opt.zero_grad()
    assert w.grad is None
    (w * w).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert w.grad.numpy().tolist() == [0.0, 0.0]


def test_state_dict_roundtrip_continues_identically():
    net, opt = _run_both(lambda p: rg.optim.Adam(p, lr=1e-2), lambda p: torch.optim.Adam(p, lr=1e-2), steps=5)
    sd_model, sd_opt = net.state_dict(), opt.state_dict()
    net2 = rg.nn.Sequential(rg.nn.Linear(6, 8), rg.nn.Tanh(), rg.nn.Linear(8, 3))
    net2.load_state_dict(sd_model)
    opt2 = rg.optim.Adam(net2.parameters(), lr=0.5)
    opt2.load_state_dict(sd_opt)
    assert opt2.param_groups[0]["lr"] == 1e-2
    for s in range(5, 8):
        x, y = _data(s)
        for n, o in ((net, opt), (net2, opt2)):
            o.zero_grad()
            rg.nn.CrossEntropyLoss()(n(rg.tensor(x)), rg.tensor(y)).backward()
            o.step()
    for p, p2 in zip(net.parameters(), net2.parameters()):
        np.testing.assert_array_equal(p.numpy(), p2.numpy())


def test_optimizer_errors():
    w = rg.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="wrap it in a list"):
        rg.optim.SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        rg.optim.Adam([], lr=0.1)
    with pytest.raises(ValueError, match="requires_grad"):
        rg.optim.SGD([rg.tensor([1.0])], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov"):
        rg.optim.SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        rg.optim.Adam([w], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="more than one"):
        rg.optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)


def test_step_closure_and_no_graph_recorded():
    w = rg.tensor([3.0], requires_grad=True)
    opt = rg.optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 9.0
    np.testing.assert_allclose(w.numpy(), [2.4])
    assert w.is_leaf and w.grad_fn is None
