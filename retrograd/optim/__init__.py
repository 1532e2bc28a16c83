"""Optimizers with PyTorch's names and update formulas: ``SGD``, ``Adam``, ``AdamW``,
``RMSprop``, ``Adagrad``, ``Adadelta``; learning-rate schedules in ``rg.optim.lr_scheduler``.

They update ``p.data`` in place (never recorded in a graph).

>>> import retrograd as rg
>>> w = rg.tensor([3.0], requires_grad=True)
>>> opt = rg.optim.SGD([w], lr=0.25)
>>> for _ in range(3):
...     opt.zero_grad(); ((w - 1) ** 2).sum().backward(); opt.step()
>>> w
tensor([1.25], requires_grad=True)
"""

from . import functional, lr_scheduler
from .adadelta import Adadelta
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import Adagrad, RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "functional", "lr_scheduler"]
