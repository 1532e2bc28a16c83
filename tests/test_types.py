"""Static types: mypy clean on retrograd/ (config in pyproject's [tool.mypy]), the public API annotated.

mypy runs here, as a test, like ruff in tests/test_lint.py, so `.ci/run` stays the README's test command.
Run this file as a script to print how much of the public API is annotated:
`PYTHONPATH=$PWD python tests/test_types.py`.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The public surface: every name in these modules' __all__ (functions, and the methods of classes).
PUBLIC_MODULES = [
    "retrograd", "retrograd.linalg", "retrograd.pytree",
    "retrograd.nn", "retrograd.nn.functional", "retrograd.nn.init", "retrograd.nn.utils",
    "retrograd.optim", "retrograd.optim.functional", "retrograd.optim.lr_scheduler",
    "retrograd.data", "retrograd.jit",
]


def _unannotated(fn, *, method=False):
    """The parts of `fn`'s signature without an annotation: parameter names, and 'return'."""
    try:
        sig = inspect.signature(fn, eval_str=False)
    except (TypeError, ValueError):  # a builtin or a C function: nothing to annotate in Python
        return []
    params = list(sig.parameters.values())
    if method and params and params[0].name in ("self", "cls"):
        params = params[1:]
    missing = [p.name for p in params if p.annotation is inspect.Parameter.empty]
    if sig.return_annotation is inspect.Signature.empty and fn.__name__ != "__init__":
        missing.append("return")
    return missing


def _public_callables():
    """(qualified name, function, is_method) for every function and class method of the public API."""
    seen = set()
    for modname in PUBLIC_MODULES:
        mod = importlib.import_module(modname)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if inspect.isclass(obj):
                if not (obj.__module__ or "").startswith("retrograd"):
                    continue
                for attr, member in vars(obj).items():
                    if attr.startswith("_") and attr not in ("__init__", "__call__"):
                        continue
                    if isinstance(member, (staticmethod, classmethod)):
                        member = member.__func__
                    elif isinstance(member, property):
                        member = member.fget
                    if inspect.isfunction(member) and id(member) not in seen:
                        seen.add(id(member))
                        yield f"{obj.__module__}.{obj.__qualname__}.{attr}", member, True
            elif inspect.isfunction(obj) and obj.__module__.startswith("retrograd"):
                yield f"{obj.__module__}.{obj.__qualname__}", obj, False


def annotation_report():
    """(number of public functions and methods, those not fully annotated as 'name: missing parts')."""
    items = list(_public_callables())
    bad = [f"{name}: {', '.join(missing)}" for name, fn, method in items
           if (missing := _unannotated(fn, method=method))]
    return len(items), bad


def test_public_api_is_fully_annotated():
    total, bad = annotation_report()
    assert total > 300  # the walk found the API (a broken walk must not pass by finding nothing)
    assert bad == [], f"{len(bad)} of {total} public functions lack annotations:\n" + "\n".join(bad)


def test_the_annotation_check_catches_a_missing_annotation():
    def annotated(x: int, *, y: str = "") -> int:
        return x

    def half(self, x: int, y=0):
        return x

    assert _unannotated(annotated) == []
    assert _unannotated(half, method=True) == ["y", "return"]


def test_mypy_is_clean():
    try:
        import mypy  # noqa: F401  (only to say how to install it)
    except ImportError:
        raise AssertionError("mypy is not installed: pip install -e '.[dev]'") from None
    proc = subprocess.run([sys.executable, "-m", "mypy", "retrograd"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, (
        "mypy found problems (its settings are in pyproject.toml, [tool.mypy]):\n" + proc.stdout + proc.stderr)


STRICT_MODULES = ["errors", "dims", "backend", "pytree", "hints"]


def test_bottom_modules_are_strict_clean():
    # Independent of the per-module flags in pyproject.toml: plain `mypy --strict` on the files.
    files = [f"retrograd/{m}.py" for m in STRICT_MODULES]
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", *files],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_transforms_keep_the_signature_of_the_function_they_wrap(tmp_path):
    # What an editor shows for rg.grad(f): f's parameters, not `(*args)`.
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import retrograd as rg\n"
        "def f(x: float, y: int) -> float:\n"
        "    return x * y\n"
        "reveal_type(rg.grad(f))\n"
        "reveal_type(rg.value_and_grad(f, argnums=(0, 1)))\n"
        "reveal_type(rg.vmap(f))\n"
        "reveal_type(rg.jit(f))\n"
        "reveal_type(rg.exp(rg.tensor(1.0)))\n"
        "rg.grad(f)(1.0, 'two')\n")  # a wrong argument type: the checker must see it
    proc = subprocess.run([sys.executable, "-m", "mypy", "--follow-imports=silent", str(probe)],
                          cwd=ROOT, capture_output=True, text=True)
    revealed = [line.split("Revealed type is ")[1].strip('"') for line in proc.stdout.splitlines()
                if "Revealed type is" in line]
    assert revealed == ["def (x: float, y: int) -> Any",
                        "def (x: float, y: int) -> tuple[Any, Any]",
                        "def (x: float, y: int) -> Any",
                        "retrograd.jit.Jitted",
                        "retrograd.core.Tensor"], proc.stdout
    assert 'Argument 2 has incompatible type "str"; expected "int"' in proc.stdout, proc.stdout


# ----- bugs the type checker found --------------------------------------------------------


def test_randint_with_only_high_and_a_size_keyword():
    import torch

    import retrograd as rg

    t = rg.randint(10, size=(50,))  # PyTorch's randint(high, size=...): low is 0
    assert t.shape == tuple(torch.randint(10, size=(50,)).shape) == (50,)
    assert t.dtype == rg.int64 and int(t.min()) >= 0 and int(t.max()) < 10


def test_module_dict_update_takes_any_mapping():
    import types

    import retrograd as rg

    d = rg.nn.ModuleDict()
    d.update(types.MappingProxyType({"act": rg.nn.ReLU()}))  # a Mapping that is not a dict, as PyTorch takes
    assert list(d.keys()) == ["act"] and isinstance(d["act"], rg.nn.ReLU)


if __name__ == "__main__":
    total, bad = annotation_report()
    print("\n".join(bad))
    print(f"{total - len(bad)} of {total} public functions and methods fully annotated "
          f"({100 * (total - len(bad)) / total:.0f}%)")
