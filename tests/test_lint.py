"""Static checks of the code base: ruff clean (rules in pyproject.toml), the public names listed, types shipped.

ruff runs here, as a test, so that `.ci/run` stays exactly the README's test command.
"""

import subprocess
import sys
import types
from importlib import resources
from pathlib import Path

import retrograd as rg

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_is_clean():
    try:
        import ruff  # noqa: F401  (only to say how to install it)
    except ImportError:
        raise AssertionError("ruff is not installed: pip install -e '.[dev]'") from None
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, (
        "ruff found problems; `python -m ruff check --fix .` fixes the safe ones:\n" + proc.stdout + proc.stderr)


def test_all_lists_every_public_name():
    public = {name for name, obj in vars(rg).items()
              if not name.startswith("_") and not isinstance(obj, types.ModuleType)}
    assert sorted(public - set(rg.__all__)) == []  # a new public name goes into __all__
    assert sorted(n for n in rg.__all__ if not hasattr(rg, n)) == []
    assert len(rg.__all__) == len(set(rg.__all__))


def test_star_import_binds_the_functions_not_the_submodules():
    namespace = {}
    exec("from retrograd import *", namespace)
    assert namespace["tensor"] is rg.tensor and namespace["float32"] is rg.float32
    assert "nn" not in namespace and "learn" not in namespace


def test_package_ships_py_typed():
    assert resources.files("retrograd").joinpath("py.typed").is_file()
