"""Neural-network building blocks with PyTorch's names: modules, losses, init, functional.

>>> import retrograd as rg
>>> rg.manual_seed(0)
>>> model = rg.nn.Sequential(rg.nn.Linear(4, 8), rg.nn.ReLU(), rg.nn.Linear(8, 3))
>>> loss = rg.nn.CrossEntropyLoss()(model(rg.randn(5, 4)), rg.tensor([0, 1, 2, 0, 1]))
>>> loss.backward()
>>> model[0].weight.grad.shape
(8, 4)
"""

from . import functional, init, utils
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .modules import (Dropout, Flatten, Identity, Linear, LogSoftmax, Module, ModuleList, Parameter,
                      ReLU, Sequential, Sigmoid, Softmax, Tanh)

__all__ = ["functional", "init", "utils", "Module", "Parameter", "Linear", "ReLU", "Sigmoid", "Tanh",
           "Identity", "Flatten", "Softmax", "LogSoftmax", "Dropout", "Sequential", "ModuleList",
           "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss"]
