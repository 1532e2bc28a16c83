"""Loss modules (PyTorch's ``torch.nn.MSELoss`` and friends); each calls its
:mod:`retrograd.nn.functional` twin.

>>> import retrograd as rg
>>> rg.nn.CrossEntropyLoss()(rg.tensor([[0.0, 0.0]]), rg.tensor([0]))
tensor(0.69314718)
"""

from __future__ import annotations

from ..hints import ArrayLike
from ..tensor import Tensor
from . import functional as F
from .modules import Module

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "NLLLoss",
    "SmoothL1Loss",
]


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

    def forward(self, input: Tensor, target: ArrayLike) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross entropy of probabilities (after a Sigmoid) against 0/1 targets.

    >>> import retrograd as rg
    >>> rg.nn.BCELoss()(rg.tensor([0.5, 0.5]), rg.tensor([0.0, 1.0]))
    tensor(0.69314718)
    """

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight

    def forward(self, input: Tensor, target: ArrayLike) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross entropy in one numerically stable formula (takes logits).

    >>> import retrograd as rg
    >>> rg.nn.BCEWithLogitsLoss()(rg.tensor([0.0]), rg.tensor([0.0]))
    tensor(0.69314718)
    """

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input: Tensor, target: ArrayLike) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction, pos_weight=self.pos_weight)


class CrossEntropyLoss(_Loss):
    """Cross entropy of logits (N, C) or (N, C, d1, ...) against class indices: a fused, stable
    log-softmax and negative log-likelihood, averaged over the batch by default. ``weight``
    weighs the classes; targets equal to ``ignore_index`` are left out.

    >>> import retrograd as rg
    >>> rg.nn.CrossEntropyLoss(reduction="sum")(rg.tensor([[0.0, 0.0]] * 2), rg.tensor([0, 1]))
    tensor(1.38629436)
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        F._deprecated(size_average, reduce, "CrossEntropyLoss")
        self.weight, self.ignore_index, self.label_smoothing = weight, ignore_index, label_smoothing

    def forward(self, input: Tensor, target: ArrayLike) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (after LogSoftmax) at class indices.

    >>> import retrograd as rg
    >>> rg.nn.NLLLoss()(rg.tensor([[-0.5, -1.0]]), rg.tensor([0]))
    tensor(0.5)
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(reduction)
        F._deprecated(size_average, reduce, "NLLLoss")
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, input: Tensor, target: ArrayLike) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error.

    >>> import retrograd as rg
    >>> rg.nn.L1Loss()(rg.tensor([1.0, 3.0]), rg.tensor([1.0, 1.0]))
    tensor(1.)
    """

    def forward(self, input: Tensor, target: ArrayLike) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above.

    >>> import retrograd as rg
    >>> rg.nn.SmoothL1Loss()(rg.tensor([3.0]), rg.tensor([0.0]))
    tensor(2.5)
    """

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(reduction)
        F._deprecated(size_average, reduce, "SmoothL1Loss")
        self.beta = beta

    def forward(self, input: Tensor, target: ArrayLike) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Quadratic below ``delta``, linear (slope ``delta``) above.

    >>> import retrograd as rg
    >>> rg.nn.HuberLoss(delta=2.0)(rg.tensor([3.0]), rg.tensor([0.0]))
    tensor(4.)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: ArrayLike) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """KL divergence of log-probabilities ``input`` from ``target`` (``reduction="batchmean"``
    for the true mean over the batch).

    >>> import retrograd as rg
    >>> rg.nn.KLDivLoss(reduction="batchmean")(rg.tensor([[0.0]]), rg.tensor([[1.0]]))
    tensor(0.)
    """

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        Module.__init__(self)
        F._deprecated(size_average, reduce, "KLDivLoss")
        if reduction not in ("mean", "sum", "none", "batchmean"):
            raise ValueError(f"reduction must be 'mean', 'sum', 'none' or 'batchmean', got {reduction!r}")
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input: Tensor, target: ArrayLike) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
