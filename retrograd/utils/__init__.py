"""PyTorch's import paths: ``retrograd.utils.data`` is :mod:`retrograd.data`.

>>> import retrograd as rg
>>> from retrograd.utils.data import DataLoader
>>> rg.utils.data is rg.data and DataLoader is rg.data.DataLoader
True
"""

import sys

from .. import data

sys.modules[__name__ + ".data"] = data

__all__ = ["data"]
