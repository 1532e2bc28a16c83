"""``rg.save`` / ``rg.load``: state dicts (and nested dicts, lists and tuples of tensors,
arrays, numbers, strings) in one ``.npz`` file, without pickle.

Every array is an entry of the archive; the nesting is a JSON document stored as one more
(uint8) entry, ``__retrograd__``. The file loads with ``np.load(path, allow_pickle=False)``,
so opening a checkpoint never runs code from it (unlike ``pickle``-based ``torch.save``).

>>> import os, tempfile
>>> import retrograd as rg
>>> path = os.path.join(tempfile.mkdtemp(), "model.pt")
>>> rg.save({"weights": rg.nn.Linear(2, 1).state_dict(), "epoch": 3}, path)
>>> ckpt = rg.load(path)
>>> ckpt["epoch"], list(ckpt["weights"])
(3, ['weight', 'bias'])
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from typing import Any, BinaryIO

import numpy as np

from .tensor import Tensor

__all__ = ["load", "save"]

_KEY = "__retrograd__"
_FORMAT = 1


def _encode(obj, arrays):
    if isinstance(obj, Tensor):
        arrays.append(obj.data)
        return {"tensor": len(arrays) - 1, "requires_grad": bool(obj.requires_grad)}
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise TypeError("rg.save: object arrays cannot be saved without pickle; "
                            "convert them to a numeric dtype")
        arrays.append(obj)
        return {"ndarray": len(arrays) - 1}
    if isinstance(obj, np.generic):
        arrays.append(np.asarray(obj))
        return {"scalar": len(arrays) - 1}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise TypeError(f"rg.save: dictionary keys must be strings or numbers, got "
                                f"{type(k).__name__}")
            items.append([k, _encode(v, arrays)])
        return {"dict": items}
    if isinstance(obj, tuple):
        return {"tuple": [_encode(v, arrays) for v in obj]}
    if isinstance(obj, list):
        return {"list": [_encode(v, arrays) for v in obj]}
    raise TypeError(f"rg.save: cannot save an object of type {type(obj).__name__} without pickle; "
                    "save its state_dict() (tensors, arrays, numbers, strings, dicts, lists)")


def _decode(node, arrays):
    if not isinstance(node, dict):
        return node
    if "tensor" in node:
        return Tensor(arrays[node["tensor"]], requires_grad=node["requires_grad"])
    if "ndarray" in node:
        return arrays[node["ndarray"]]
    if "scalar" in node:
        return arrays[node["scalar"]][()]
    if "dict" in node:
        return {k: _decode(v, arrays) for k, v in node["dict"]}
    if "tuple" in node:
        return tuple(_decode(v, arrays) for v in node["tuple"])
    return [_decode(v, arrays) for v in node["list"]]


def save(obj: Any, f: str | os.PathLike[str] | BinaryIO) -> None:
    """Write ``obj`` (a state dict, or nested dicts/lists/tuples of tensors, arrays, numbers,
    strings and None) to the path or binary file ``f``, as an ``.npz`` archive without pickle.

    The path is used as given (no ``.npz`` is appended), as ``torch.save`` does.

    >>> import io, retrograd as rg
    >>> buf = io.BytesIO(); rg.save({"w": rg.ones(2)}, buf)
    >>> rg.load(io.BytesIO(buf.getvalue()))["w"]
    tensor([1., 1.])
    """
    arrays: list = []
    tree = _encode(obj, arrays)
    doc = json.dumps({"format": _FORMAT, "tree": tree}, allow_nan=True)
    entries = {f"a{i}": a for i, a in enumerate(arrays)}
    entries[_KEY] = np.frombuffer(doc.encode("utf-8"), dtype=np.uint8)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            np.savez(fh, **entries)
    else:
        np.savez(f, **entries)


def load(f: str | os.PathLike[str] | BinaryIO, map_location: Any = None, weights_only: bool = True) -> Any:
    """Read what :func:`save` wrote (tensors come back as Tensors, arrays as arrays).

    ``map_location`` may only be ``None`` or ``"cpu"``; ``weights_only`` is accepted for
    PyTorch's signature (loading never unpickles anything).

    >>> import io, retrograd as rg
    >>> buf = io.BytesIO(); rg.save([1, (2.5, "a"), None], buf); buf.seek(0)
    0
    >>> rg.load(buf)
    [1, (2.5, 'a'), None]
    """
    if map_location not in (None, "cpu"):
        raise ValueError(f"rg.load: map_location={map_location!r} is not available; retrograd runs "
                         "on the CPU (use map_location='cpu' or leave it out)")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _load(io.BytesIO(fh.read()), f)
    return _load(f, "the file")


def _load(fh, name):
    try:
        z = np.load(fh, allow_pickle=False)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f"rg.load: {name} is not a file written by rg.save ({exc})") from None
    if not isinstance(z, np.lib.npyio.NpzFile) or _KEY not in z.files:
        raise ValueError(f"rg.load: {name} is not a file written by rg.save (no {_KEY} entry); "
                         "read it with np.load")
    with z:
        meta = json.loads(bytes(z[_KEY]).decode("utf-8"))
        arrays = [z[f"a{i}"] for i in range(len(z.files) - 1)]
    if meta.get("format") != _FORMAT:
        raise ValueError(f"rg.load: unknown format {meta.get('format')!r} in {name}")
    return _decode(meta["tree"], arrays)
