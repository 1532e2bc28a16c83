"""``rg.linalg``: PyTorch's ``torch.linalg`` names (norms for now).

>>> import retrograd as rg
>>> rg.linalg.norm(rg.tensor([3.0, 4.0]))
tensor(5.)
"""

from .functions_math import linalg_norm as norm, matrix_norm, vector_norm

__all__ = ["matrix_norm", "norm", "vector_norm"]
