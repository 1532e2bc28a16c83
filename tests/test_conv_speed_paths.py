"""The fused conv2d primitive: its scratch buffer and its memory layout never change a result."""

from __future__ import annotations

import threading

import numpy as np
import torch
import torch.nn.functional as tF

import retrograd as rg
import retrograd.nn.functional as F


def _data(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def test_outputs_do_not_share_the_scratch_buffer():
    w = rg.tensor(_data(0, (3, 2, 3, 3)))
    x1, x2 = rg.tensor(_data(1, (2, 2, 6, 6))), rg.tensor(_data(2, (2, 2, 6, 6)))
    y1 = F.conv2d(x1, w, padding=1)
    before = y1.numpy().copy()
    F.conv2d(x2, w, padding=1)            # same shapes: reuses the scratch buffer
    np.testing.assert_array_equal(y1.numpy(), before)


def test_batch_innermost_layout_flows_through_relu_pool_and_a_second_conv():
    x, w1, w2 = _data(0, (4, 2, 9, 9)), _data(1, (3, 2, 3, 3)), _data(2, (5, 3, 2, 2))
    xr, w1r, w2r = rg.tensor(x), rg.tensor(w1, requires_grad=True), rg.tensor(w2, requires_grad=True)
    xt, w1t, w2t = (torch.tensor(a, requires_grad=True) for a in (x, w1, w2))
    F.conv2d(F.max_pool2d(F.relu(F.conv2d(xr, w1r, padding=1)), 2), w2r).square().sum().backward()
    tF.conv2d(tF.max_pool2d(tF.relu(tF.conv2d(xt, w1t, padding=1)), 2), w2t).square().sum().backward()
    np.testing.assert_allclose(w1r.grad.numpy(), w1t.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(w2r.grad.numpy(), w2t.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_convolutions_in_two_threads_at_once_give_each_its_own_result():
    shapes = [((3, 2, 8, 8), (4, 2, 3, 3)), ((2, 3, 7, 5), (2, 3, 2, 2))]
    expected, got = {}, {}
    for i, (xs, ws) in enumerate(shapes):
        x, w = torch.tensor(_data(i, xs), requires_grad=True), torch.tensor(_data(10 + i, ws))
        tF.conv2d(x, w, padding=1).sum().backward()
        expected[i] = x.grad.numpy()

    def work(i):
        xs, ws = shapes[i]
        for _ in range(30):
            x = rg.tensor(_data(i, xs), requires_grad=True)
            F.conv2d(x, rg.tensor(_data(10 + i, ws)), padding=1).sum().backward()
            if not np.allclose(x.grad.numpy(), expected[i], rtol=1e-4, atol=1e-4):
                got[i] = x.grad.numpy()
                return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == {}
