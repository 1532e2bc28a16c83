"""Layers as matrices (issue 11): the 2-3-1 network's delta rule, checked against PyTorch too."""

from __future__ import annotations

import numpy as np
import pytest

from retrograd.cli import main
from retrograd.learn.layers import PARAMS, VALUES, layers_lesson


def test_delta_rule_matches_pytorch_and_finite_differences():
    torch = pytest.importorskip("torch")
    lesson = layers_lesson()
    p = {k: torch.tensor(VALUES[k], dtype=torch.float64, requires_grad=True) for k in PARAMS}
    x, t = torch.tensor(VALUES["x"], dtype=torch.float64), torch.tensor(VALUES["t"], dtype=torch.float64)
    y = torch.sigmoid(p["W2"] @ torch.sigmoid(p["W1"] @ x + p["b1"]) + p["b2"])
    loss = ((y - t) ** 2).sum() / 2
    loss.backward()
    assert lesson.forward["L"] == pytest.approx(loss.item(), rel=1e-14)
    for k in PARAMS:
        np.testing.assert_allclose(lesson.delta[k], p[k].grad.numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(lesson.numeric[k], p[k].grad.numpy(), rtol=1e-6, atol=1e-9)
        assert lesson.delta[k].shape == lesson.shapes[k]  # dW has the shape of W
    assert lesson.max_error() < 1e-8


def test_explanation_shows_the_matrices_and_the_delta_rule_in_both_languages(capsys):
    text = str(layers_lesson().explain())
    assert "dL/dz1 = (W2ᵀ dL/dz2) * σ'(z1)" in text and "dL/dW1 = dL/dz1 xᵀ = [[" in text
    assert "W1    parameter (3×2)    [[0.2, -0.4], [0.7, 0.1], [-0.3, 0.6]]" in text
    assert "✓" in text and "13 parameters" in text
    es = str(layers_lesson().explain("es"))
    assert "la regla delta" in es and "parámetro (3×2)" in es and "parameter" not in es
    assert main(["explain", "--lesson", "layers-2-3-1", "--lang", "es", "--digits", "3"]) == 0
    assert "dL/dW2 = dL/dz2 a1ᵀ = [[-0.0712, -0.0566, -0.0366]]" in capsys.readouterr().out
    assert main(["lessons"]) == 0 and "layers-2-3-1" in capsys.readouterr().out
