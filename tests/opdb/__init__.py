"""The op database (see :mod:`opdb.core`): importing the package registers every family."""

from . import core
from .core import OPS, OpInfo, SampleInput, register

FAMILIES = ["elementwise", "reduction", "shape", "indexing", "linalg", "nn", "nn_layers", "creation"]
FAMILIES += sorted(p.stem for p in __import__("pathlib").Path(__file__).parent.glob("breadth_*.py"))  # issue 13
for _family in FAMILIES:
    __import__(f"{__name__}.{_family}")

__all__ = ["OPS", "OpInfo", "SampleInput", "core", "register"]
