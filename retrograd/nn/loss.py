"""Loss modules (PyTorch's ``torch.nn.MSELoss`` and friends); each calls its
:mod:`retrograd.nn.functional` twin.

>>> import retrograd as rg
>>> rg.nn.CrossEntropyLoss()(rg.tensor([[0.0, 0.0]]), rg.tensor([0]))
tensor(0.69314718)
"""

from __future__ import annotations

from . import functional as F
from .modules import Module

__all__ = ["MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss"]


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error between input and target (same shape).

    >>> import retrograd as rg
    >>> rg.nn.MSELoss()(rg.tensor([1.0, 3.0]), rg.tensor([1.0, 1.0]))
    tensor(2.)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross entropy of probabilities (after a Sigmoid) against 0/1 targets.

    >>> import retrograd as rg
    >>> rg.nn.BCELoss()(rg.tensor([0.5, 0.5]), rg.tensor([0.0, 1.0]))
    tensor(0.69314718)
    """

    def __init__(self, weight=None, reduction: str = "mean"):
        super().__init__(reduction)
        self.weight = weight

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross entropy in one numerically stable formula (takes logits).

    >>> import retrograd as rg
    >>> rg.nn.BCEWithLogitsLoss()(rg.tensor([0.0]), rg.tensor([0.0]))
    tensor(0.69314718)
    """

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None):
        super().__init__(reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction, pos_weight=self.pos_weight)


class CrossEntropyLoss(_Loss):
    """Cross entropy of logits (N, C) against class indices (N,): a fused, stable
    log-softmax and negative log-likelihood, averaged over the batch by default.

    >>> import retrograd as rg
    >>> rg.nn.CrossEntropyLoss(reduction="sum")(rg.tensor([[0.0, 0.0]] * 2), rg.tensor([0, 1]))
    tensor(1.38629436)
    """

    def __init__(self, reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(reduction)
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (after LogSoftmax) at class indices.

    >>> import retrograd as rg
    >>> rg.nn.NLLLoss()(rg.tensor([[-0.5, -1.0]]), rg.tensor([0]))
    tensor(0.5)
    """

    def forward(self, input, target):
        return F.nll_loss(input, target, reduction=self.reduction)
