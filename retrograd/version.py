"""The package's version, in a leaf module any layer may import (``rg.__version__``).

>>> __version__.count(".") >= 1
True
"""

__version__ = "0.1.0"
