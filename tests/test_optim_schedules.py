"""RMSprop, Adagrad and the learning-rate schedulers match PyTorch step for step."""

import json

import numpy as np
import pytest
import torch
from test_optim import _run_both

import retrograd as rg
from retrograd.optim import lr_scheduler as rgs

RMSPROP_CASES = [dict(lr=1e-2), dict(lr=1e-2, alpha=0.9, eps=1e-6), dict(lr=1e-2, momentum=0.9),
                 dict(lr=1e-2, centered=True), dict(lr=1e-2, centered=True, momentum=0.5, weight_decay=0.1),
                 dict(lr=1e-2, maximize=True)]


@pytest.mark.parametrize("kw", RMSPROP_CASES, ids=[str(k) for k in RMSPROP_CASES])
def test_rmsprop_matches_torch(kw):
    _run_both(lambda p: rg.optim.RMSprop(p, **kw), lambda p: torch.optim.RMSprop(p, **kw))


ADAGRAD_CASES = [dict(lr=0.1), dict(lr=0.1, lr_decay=0.01), dict(lr=0.1, weight_decay=0.1),
                 dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6), dict(lr=0.1, maximize=True)]


@pytest.mark.parametrize("kw", ADAGRAD_CASES, ids=[str(k) for k in ADAGRAD_CASES])
def test_adagrad_matches_torch(kw):
    _run_both(lambda p: rg.optim.Adagrad(p, **kw), lambda p: torch.optim.Adagrad(p, **kw))


def test_rmsprop_float32_and_state_dict_resume():
    _run_both(lambda p: rg.optim.RMSprop(p, lr=1e-2, momentum=0.9), lambda p: torch.optim.RMSprop(
        p, lr=1e-2, momentum=0.9), dtype=np.float32, rtol=1e-4, atol=1e-5)
    w = rg.tensor([1.0, -2.0], requires_grad=True)
    opt = rg.optim.RMSprop([w], lr=0.1, centered=True, momentum=0.5)
    for _ in range(3):
        opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
    w2 = rg.tensor(w.numpy().copy(), requires_grad=True)
    opt2 = rg.optim.RMSprop([w2], lr=0.1, centered=True, momentum=0.5)
    opt2.load_state_dict(opt.state_dict())
    for o, p in ((opt, w), (opt2, w2)):
        o.zero_grad(); (p ** 2).sum().backward(); o.step()
    np.testing.assert_array_equal(w.numpy(), w2.numpy())


def test_optimizer_errors_teach():
    w = rg.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="learning rate"):
        rg.optim.RMSprop([w], lr=-1)
    with pytest.raises(ValueError, match="lr_decay"):
        rg.optim.Adagrad([w], lr_decay=-1)


# ----- schedulers ----------------------------------------------------------------------
def _pair(opt_name="SGD", groups=1, **okw):
    okw = okw or dict(lr=0.1, momentum=0.9)
    ws = [rg.tensor([1.0], requires_grad=True) for _ in range(groups)]
    ts = [torch.tensor([1.0], requires_grad=True) for _ in range(groups)]
    rgroups = [{"params": [w], "lr": okw["lr"] * (i + 1)} for i, w in enumerate(ws)]
    tgroups = [{"params": [t], "lr": okw["lr"] * (i + 1)} for i, t in enumerate(ts)]
    return getattr(rg.optim, opt_name)(rgroups, **okw), getattr(torch.optim, opt_name)(tgroups, **okw)


def _group_values(opt):
    out = []
    for g in opt.param_groups:
        out.append((g["lr"], g.get("momentum"), tuple(g["betas"]) if "betas" in g else None))
    return out


SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5), "SGD"),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3), "SGD"),
    ("ExponentialLR", dict(gamma=0.9), "SGD"),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001), "SGD"),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=25), "SGD"),
    ("OneCycleLR", dict(max_lr=[0.5, 1.0], epochs=5, steps_per_epoch=5, anneal_strategy="linear",
                        three_phase=True), "Adam"),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95 ** e + 0.01 * (e % 3)), "SGD"),
]


@pytest.mark.parametrize("name,kw,opt_name", SCHEDULES, ids=[s[0] + str(i) for i, s in enumerate(SCHEDULES)])
def test_schedulers_match_torch_step_for_step(name, kw, opt_name):
    okw = dict(lr=0.1, momentum=0.9) if opt_name == "SGD" else dict(lr=0.1)
    opt, topt = _pair(opt_name, groups=2, **okw)
    s, ts = getattr(rgs, name)(opt, **kw), getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    assert s.get_last_lr() == ts.get_last_lr()
    for epoch in range(24):
        opt.step(); topt.step()
        s.step(); ts.step()
        assert s.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-14, abs=0), epoch
        assert _group_values(opt) == pytest.approx(_group_values(topt), rel=1e-14), epoch


def test_reduce_lr_on_plateau_matches_torch():
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    for kw in (dict(patience=2, factor=0.5), dict(patience=1, cooldown=2, min_lr=0.02),
               dict(mode="max", threshold_mode="abs", threshold=0.05, patience=0)):
        opt, topt = _pair(groups=2)
        s = rgs.ReduceLROnPlateau(opt, **kw)
        ts = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kw)
        for m in metrics:
            s.step(m); ts.step(m)
            assert s.get_last_lr() == ts.get_last_lr()
            assert s.num_bad_epochs == ts.num_bad_epochs


@pytest.mark.parametrize("name,kw,opt_name", SCHEDULES[:5], ids=[s[0] for s in SCHEDULES[:5]])
def test_scheduler_state_dict_resumes_identically_and_is_json(name, kw, opt_name):
    opt, _ = _pair()
    s = getattr(rgs, name)(opt, **kw)
    for _ in range(4):
        opt.step(); s.step()
    saved = json.loads(json.dumps(s.state_dict()))  # plain numbers and lists only
    opt2, _ = _pair()
    opt2.load_state_dict(opt.state_dict())
    s2 = getattr(rgs, name)(opt2, **kw)
    s2.load_state_dict(saved)
    for _ in range(6):
        opt.step(); s.step(); opt2.step(); s2.step()
        assert s2.get_last_lr() == s.get_last_lr()


def test_lambda_lr_state_dict_keeps_callable_objects():
    class Warmup:
        def __init__(self):
            self.scale = 1.0

        def __call__(self, e):
            return self.scale * min(1.0, (e + 1) / 3)

    opt, _ = _pair()
    f = Warmup()
    s = rgs.LambdaLR(opt, f)
    f.scale = 0.5
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [{"scale": 0.5}]
    g = Warmup()
    s2 = rgs.LambdaLR(_pair()[0], g)
    s2.load_state_dict(sd)
    assert g.scale == 0.5


def test_scheduler_errors_teach():
    opt, _ = _pair()
    with pytest.raises(TypeError, match="not an Optimizer"):
        rgs.StepLR("sgd", 1)
    with pytest.raises(ValueError, match="total_steps"):
        rgs.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="total_steps is 2"):
        s = rgs.OneCycleLR(opt, max_lr=1.0, total_steps=2)
        for _ in range(3):
            s.step()
    with pytest.raises(ValueError, match="factor"):
        rgs.ReduceLROnPlateau(opt, factor=2.0)
    with pytest.raises(ValueError, match="momentum"):
        rgs.OneCycleLR(rg.optim.Adagrad([rg.tensor([1.0], requires_grad=True)]), max_lr=1.0, total_steps=5)
