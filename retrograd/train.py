"""``retrograd train``: train a multilayer perceptron on a dataset, with progress bars and plots.

::

    retrograd train --data digits --hidden 64,64 --act relu --opt adam --lr 1e-3 \\
                    --epochs 20 --batch 64 --out runs/digits

Each epoch shows a progress bar (tqdm) and prints the training loss and accuracy
and the test loss and accuracy. The run folder gets ``metrics.json``,
``loss.png`` (the loss and accuracy curves), ``decision_boundary.png`` for 2-D
data, and ``checkpoint.npz``: the model, the optimizer state and the history,
written atomically at the end of every epoch (plain arrays, no pickle).
``--resume`` continues from it; Ctrl-C stops the run and leaves the last
checkpoint intact. A folder that already holds a run is never overwritten
unless ``--force`` says so. A run whose loss or weights stop being finite
stops with exit status 3, keeping the last finite checkpoint; bad options,
data, folders or checkpoints are one line on standard error and exit status 2.

The same loop is available from Python as :func:`fit`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np

from . import nn, optim
from .autograd import no_grad
from .core import wrap as _wrap
from .creation import generator, manual_seed
from .data import DataLoader, datasets as ds

__all__ = [
    "CheckpointError",
    "Diverged",
    "TrainError",
    "add_parser",
    "build_cnn",
    "build_mlp",
    "check_config",
    "fit",
    "load_checkpoint",
    "load_dataset",
    "save_checkpoint",
]

CHECKPOINT = "checkpoint.npz"
#: The files of a run folder (``--force`` removes them before a new run starts).
RUN_FILES = (CHECKPOINT, "metrics.json", "loss.png", "decision_boundary.png")
#: Largest model ``fit`` builds (parameters); bigger ones would only exhaust the memory.
MAX_PARAMETERS = 10 ** 8
INSTALL_HINT = "pip install 'retrograd[train]'"
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
OPTIMIZERS = ("sgd", "adam", "adamw")


def _optional(module: str):
    """Import an optional dependency of training, or explain how to install it."""
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"retrograd train needs {module.split('.')[0]} for this: {INSTALL_HINT}") from None


class TrainError(ValueError):
    """A run that cannot start: an option, the data, the run folder (exit status 2)."""


class CheckpointError(TrainError):
    """A checkpoint that cannot be used: damaged, or not written by :func:`save_checkpoint`.

    >>> str(CheckpointError("runs/x/checkpoint.npz: no meta"))
    'runs/x/checkpoint.npz: no meta'
    """


class Diverged(ArithmeticError):
    """The loss or the weights stopped being finite (exit status 3); the last checkpoint is kept."""


def _flag(key):
    return "--" + key.replace("_", "-")


def check_config(cfg: dict) -> None:
    """Raise :class:`TrainError` for an option out of range (NaN and infinities included).

    >>> check_config(dict(DEFAULTS, lr=float("nan")))
    Traceback (most recent call last):
    ...
    retrograd.train.TrainError: --lr must be a finite number, not nan
    """
    def real(key, ok, what):
        v = cfg[key]
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                or not math.isfinite(v):
            raise TrainError(f"{_flag(key)} must be a finite number, not {v!r}")
        if not ok(float(v)):
            raise TrainError(f"{_flag(key)} must be {what}, not {v!r}")

    def whole(key, least):
        v = cfg[key]
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < least:
            raise TrainError(f"{_flag(key)} must be a whole number of at least {least}, not {v!r}")

    real("lr", lambda v: v >= 0, "0 or more")
    real("momentum", lambda v: v >= 0, "0 or more")
    real("weight_decay", lambda v: v >= 0, "0 or more")
    real("dropout", lambda v: 0 <= v < 1, "at least 0 and below 1")
    real("test_fraction", lambda v: 0 < v < 1, "between 0 and 1")
    for key, least in (("epochs", 1), ("batch", 1), ("seed", 0), ("n_samples", 2)):
        whole(key, least)
    hidden = cfg["hidden"]
    if not isinstance(hidden, (list, tuple)) or not all(
            isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1 for h in hidden):
        raise TrainError(f"--hidden must be positive layer sizes such as 64,64, not {hidden!r}")
    if cfg["dtype"] not in ("float32", "float64"):
        raise TrainError(f"--dtype must be float32 or float64, not {cfg['dtype']!r}")
    if not isinstance(cfg["data"], str):
        raise TrainError(f"--data must be a dataset name, not {cfg['data']!r}")
    if cfg.get("model", "mlp") not in ("mlp", "cnn"):
        raise TrainError(f"--model must be mlp or cnn, not {cfg['model']!r}")


# ----- model and data ---------------------------------------------------------------------
class Standardize(nn.Module):
    """A fixed first layer: ``(x - mean) / std`` per feature, with the statistics of the
    training set kept as buffers (saved in the checkpoint with the weights).

    >>> import numpy as np, retrograd as rg
    >>> s = Standardize.fit(np.array([[0.0, 1.0], [2.0, 3.0]]))
    >>> s(rg.tensor([[1.0, 2.0]]))
    tensor([[0., 0.]])
    """

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", np.asarray(mean))
        self.register_buffer("std", np.asarray(std))

    @classmethod
    def fit(cls, X, floor: float = 0.1):
        """Statistics of ``X``; standard deviations are floored at ``floor`` times the largest
        (constant pixels would otherwise divide by zero)."""
        mean = X.mean(axis=0)
        std = X.std(axis=0)
        std = np.maximum(std, floor * std.max() if std.size and std.max() > 0 else 1.0)
        return cls(mean.astype(X.dtype), std.astype(X.dtype))

    def forward(self, x):
        return (x - self.mean) / self.std

    def extra_repr(self) -> str:
        return f"features={self.mean.shape[0]}"


def build_mlp(n_in: int, hidden, n_out: int, act: str = "relu", dtype=np.float32):
    """A multilayer perceptron: Linear layers of the ``hidden`` sizes, each followed by ``act``.

    >>> build_mlp(2, [3], 1, act="sigmoid")
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): Sigmoid()
      (2): Linear(in_features=3, out_features=1, bias=True)
    )
    """
    if act not in ACTIVATIONS:
        raise ValueError(f"unknown activation {act!r}; choose one of {', '.join(ACTIVATIONS)}")
    layers, prev = [], n_in
    for h in hidden:
        layers += [nn.Linear(prev, int(h), dtype=dtype), ACTIVATIONS[act]()]
        prev = int(h)
    layers.append(nn.Linear(prev, n_out, dtype=dtype))
    return nn.Sequential(*layers)


def build_cnn(n_in: int, hidden, n_out: int, act: str = "relu", dtype=np.float32):
    """A small LeNet-style network for square grey images given as flat rows of ``n_in`` pixels:
    two blocks of convolution, BatchNorm, ``act`` and 2x2 max pooling (16 and 32 channels; 5x5
    kernels for images of 16 pixels or more a side, 3x3 below), then Linear layers of the
    ``hidden`` sizes.

    >>> build_cnn(64, [32], 10)[-1]
    Linear(in_features=32, out_features=10, bias=True)
    """
    if act not in ACTIVATIONS:
        raise ValueError(f"unknown activation {act!r}; choose one of {', '.join(ACTIVATIONS)}")
    side = int(round(n_in ** 0.5))
    if side * side != n_in or side < 4:
        raise ValueError(f"--model cnn needs square images (e.g. 8x8 digits, 28x28 MNIST), but the data has "
                         f"{n_in} features per sample; use --model mlp")
    k = 5 if side >= 16 else 3
    c1, c2 = 16, 32
    layers: list[nn.Module] = [nn.Unflatten(1, (1, side, side))]
    for cin, cout in ((1, c1), (c1, c2)):
        layers += [nn.Conv2d(cin, cout, k, padding=k // 2, dtype=dtype), nn.BatchNorm2d(cout, dtype=dtype),
                   ACTIVATIONS[act](), nn.MaxPool2d(2)]
    layers.append(nn.Flatten())
    prev = c2 * (side // 4) ** 2
    for h in hidden:
        layers += [nn.Linear(prev, int(h), dtype=dtype), ACTIVATIONS[act]()]
        prev = int(h)
    layers.append(nn.Linear(prev, n_out, dtype=dtype))
    return nn.Sequential(*layers)


MODELS = {"mlp": build_mlp, "cnn": build_cnn}


def load_dataset(spec: str, seed: int = 0, n_samples: int = 1000, test_fraction: float = 0.2,
                 dtype=np.float32) -> dict:
    """Load ``digits``, ``circles``, ``xor``, ``moons`` or ``mnist:PATH`` and split it.

    Returns a dict with ``X_train, y_train, X_test, y_test, n_classes, name``. MNIST uses its
    own test split; the others are split with ``test_fraction`` (seeded).

    >>> d = load_dataset("xor", seed=0, n_samples=100)
    >>> d["X_train"].shape, d["X_test"].shape, d["n_classes"]
    ((80, 2), (20, 2), 2)
    """
    name = spec
    if spec.startswith(("mnist:", "fashion-mnist:", "fashion:")):
        path = spec.split(":", 1)[1]
        Xtr, ytr = ds.load_mnist(path, "train", dtype=dtype)
        try:
            Xte, yte = ds.load_mnist(path, "test", dtype=dtype)
        except FileNotFoundError:
            Xtr, Xte, ytr, yte = ds.train_test_split(Xtr, ytr, test_fraction, seed=seed)
        name = "mnist"
    elif spec == "digits":
        X, y = ds.load_digits(dtype=dtype)
        Xtr, Xte, ytr, yte = ds.train_test_split(X, y, test_fraction, seed=seed)
    elif spec in ds.DATASETS_2D:
        X, y = ds.DATASETS_2D[spec](n_samples, seed=seed, dtype=dtype)
        Xtr, Xte, ytr, yte = ds.train_test_split(X, y, test_fraction, seed=seed + 1)
    else:
        raise ValueError(f"unknown dataset {spec!r}; use digits, circles, xor, moons or mnist:PATH "
                         "(a folder with the MNIST or Fashion-MNIST IDX files)")
    n_classes = _check_split(Xtr, ytr, Xte, yte, spec)
    return dict(X_train=Xtr, y_train=ytr, X_test=Xte, y_test=yte, n_classes=n_classes, name=name)


def _check_split(Xtr, ytr, Xte, yte, spec):
    """The number of classes, after checking the split (both parts non-empty, finite features) and the
    labels (whole numbers 0..K-1, each class present, each one in the training part)."""
    if len(Xtr) == 0 or len(Xte) == 0:
        raise ValueError(f"{spec}: the split leaves {len(Xtr)} training and {len(Xte)} test samples; "
                         "both need at least one (change --n-samples or --test-fraction)")
    y = np.concatenate([ytr, yte])
    if y.dtype.kind not in "iu":
        raise ValueError(f"{spec}: labels must be whole numbers, not {y.dtype}")
    if y.min() < 0:
        raise ValueError(f"{spec}: labels must be 0 or more, found {int(y.min())}")
    n_classes = int(y.max()) + 1
    missing = np.setdiff1d(np.arange(n_classes), y)
    if missing.size:
        raise ValueError(f"{spec}: labels must be 0..K-1 with every class present, but the largest label is "
                         f"{n_classes - 1} and {missing.size} of those classes never appear "
                         f"(the first is {int(missing[0])})")
    untrained = np.setdiff1d(np.arange(n_classes), ytr)
    if untrained.size:
        raise ValueError(f"{spec}: the training split has no example of class {int(untrained[0])} "
                         "(use a smaller --test-fraction or more --n-samples)")
    if not (np.all(np.isfinite(Xtr)) and np.all(np.isfinite(Xte))):
        raise ValueError(f"{spec}: the data holds NaN or infinite values")
    return n_classes


# ----- checkpoints -----------------------------------------------------------------------
def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename it over ``path``.

    A crash or Ctrl-C at any point leaves either the old file or the new one, never half of one.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _jsonable(v):
    if isinstance(v, tuple):
        return list(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


def save_checkpoint(path, model, optimizer=None, meta=None) -> None:
    """Save the model, the optimizer state and a JSON ``meta`` dict in one ``.npz``, atomically.

    Loadable with ``np.load(path, allow_pickle=False)``; see :func:`load_checkpoint`.

    >>> import tempfile, os, retrograd as rg
    >>> p = os.path.join(tempfile.mkdtemp(), "c.npz")
    >>> m = rg.nn.Linear(2, 1); save_checkpoint(p, m, meta={"epoch": 3})
    >>> state, opt_state, meta = load_checkpoint(p); sorted(state), meta["epoch"]
    (['bias', 'weight'], 3)
    """
    arrays = {f"model/{k}": v for k, v in model.state_dict().items()}
    meta = dict(meta or {})
    if optimizer is not None:
        sd = optimizer.state_dict()
        for idx, st in sd["state"].items():
            for k, v in st.items():
                arrays[f"optim/{idx}/{k}"] = np.asarray(v)
        meta["optimizer"] = {"type": type(optimizer).__name__,
                             "param_groups": [{k: _jsonable(v) for k, v in g.items()}
                                              for g in sd["param_groups"]]}
    arrays["meta"] = np.array(json.dumps(meta))
    _atomic_write(Path(path), lambda f: np.savez(f, **arrays))


def _why(exc):
    text = str(exc)
    if "allow_pickle" in text or "pickle" in text.lower():
        return "it holds pickled Python objects, which are never loaded"
    return f"{type(exc).__name__}: {text}"[:160]


def load_checkpoint(path):
    """``(model_state, optimizer_state or None, meta)`` from a file written by :func:`save_checkpoint`.

    Raises :class:`CheckpointError` (one line naming the file) for anything else: an empty,
    truncated or damaged file, a folder, pickled objects, unknown or malformed entries.
    """
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{path}: is a folder, not a checkpoint")
    try:
        with np.load(path, allow_pickle=False) as z:
            if not hasattr(z, "files"):
                raise CheckpointError(f"{path}: not a checkpoint (one array, not an .npz archive)")
            if "meta" not in z.files:
                raise CheckpointError(f"{path}: not a retrograd checkpoint (no meta entry)")
            meta = json.loads(str(z["meta"]))
            arrays = {k: z[k] for k in z.files if k != "meta"}
    except CheckpointError:
        raise
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, KeyError, TypeError, zipfile.BadZipFile, zlib.error) as exc:
        raise CheckpointError(f"{path}: damaged or not a checkpoint ({_why(exc)})") from None
    if not isinstance(meta, dict):
        raise CheckpointError(f"{path}: damaged checkpoint (its meta is not a JSON object)")
    extra = sorted(k for k in arrays if not k.startswith(("model/", "optim/")))
    if extra:
        raise CheckpointError(f"{path}: unexpected array(s) {', '.join(extra[:3])}")
    model_state = {k[6:]: v for k, v in arrays.items() if k.startswith("model/")}
    opt_state = None
    if "optimizer" in meta:
        try:
            state: dict = {}
            for k, v in arrays.items():
                if k.startswith("optim/"):
                    _, idx, name = k.split("/", 2)
                    state.setdefault(int(idx), {})[name] = v
            groups = [dict(g, betas=tuple(g["betas"])) if "betas" in g else dict(g)
                      for g in meta["optimizer"]["param_groups"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CheckpointError(f"{path}: damaged optimizer state ({_why(exc)})") from None
        opt_state = {"state": state, "param_groups": groups}
    return model_state, opt_state, meta


def _saved_config(path, meta):
    """The configuration of a saved run, checked (CheckpointError when it is missing or wrong)."""
    for key, kind in (("epoch", int), ("config", dict), ("history", list)):
        if not isinstance(meta.get(key), kind) or isinstance(meta.get(key), bool):
            raise CheckpointError(f"{path}: damaged checkpoint (no valid {key!r} in its meta)")
    cfg = meta["config"]
    if isinstance(cfg, dict) and "model" not in cfg:  # written before --model existed: an MLP
        cfg = meta["config"] = dict(cfg, model="mlp")
    if set(cfg) != set(DEFAULTS):
        diff = sorted(set(cfg) ^ set(DEFAULTS))
        raise CheckpointError(f"{path}: damaged checkpoint (its config has wrong keys: {', '.join(diff)})")
    if not 0 <= meta["epoch"] <= cfg["epochs"] or len(meta["history"]) != meta["epoch"]:
        raise CheckpointError(f"{path}: damaged checkpoint (epoch {meta['epoch']}, "
                              f"{len(meta['history'])} history entries)")
    try:
        check_config(cfg)
    except TrainError as exc:
        raise CheckpointError(f"{path}: damaged checkpoint ({exc})") from None
    return cfg


def _restore(path, saved, model, opt):
    """Load a checked checkpoint into ``model`` and ``opt`` (CheckpointError when it does not fit)."""
    model_state, opt_state, meta = saved
    want = model.state_dict()
    missing, extra = sorted(set(want) - set(model_state)), sorted(set(model_state) - set(want))
    if missing or extra:
        raise CheckpointError(f"{path}: the arrays do not fit the model (missing: {', '.join(missing) or 'none'}; "
                              f"extra: {', '.join(extra) or 'none'})")
    for k, v in want.items():
        if np.shape(v) != model_state[k].shape:
            raise CheckpointError(f"{path}: {k} has shape {model_state[k].shape}, the model needs {np.shape(v)}")
    if opt_state is None or meta["optimizer"].get("type") != type(opt).__name__:
        raise CheckpointError(f"{path}: no {type(opt).__name__} optimizer state")
    params = list(model.parameters())
    for idx, st in opt_state["state"].items():
        if not 0 <= idx < len(params):
            raise CheckpointError(f"{path}: optimizer state for parameter {idx}, the model has {len(params)}")
        for name, v in st.items():
            if v.ndim and v.shape != params[idx].shape:
                raise CheckpointError(f"{path}: optimizer state {idx}/{name} has shape {v.shape}, "
                                      f"the parameter has {params[idx].shape}")
    try:
        model.load_state_dict(model_state)
        opt.load_state_dict(opt_state)
        if "rng" in meta:
            generator().bit_generator.state = meta["rng"]
    except (KeyError, ValueError, TypeError, IndexError, RuntimeError) as exc:
        raise CheckpointError(f"{path}: cannot restore it ({_why(exc)})") from None


def _prepare_out(out: Path, resume: bool, force: bool) -> None:
    """Check the run folder before any work: creatable, writable, and not holding another run."""
    if out.exists() and not out.is_dir():
        raise TrainError(f"--out {out}: is not a folder")
    if resume:
        return
    existing = [name for name in RUN_FILES if (out / name).exists()]
    if existing and not force:
        raise TrainError(f"{out} already holds a run ({', '.join(existing)}): continue it with --resume, "
                         "or overwrite it with --force")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
        for name in existing:
            (out / name).unlink()
    except OSError as exc:
        raise TrainError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None


def _clean_temporaries(out: Path) -> None:
    """Remove the temporary files of runs that were killed while writing (see _atomic_write)."""
    for name in RUN_FILES:
        for p in out.glob(f".{name}.tmp-*"):
            with contextlib.suppress(OSError):
                p.unlink()


# ----- the loop ----------------------------------------------------------------------------
def make_optimizer(name: str, params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
    """``sgd``, ``adam`` or ``adamw`` over ``params``.

    >>> import retrograd as rg
    >>> type(make_optimizer("adam", rg.nn.Linear(2, 1).parameters(), 1e-3)).__name__
    'Adam'
    """
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay if weight_decay else 1e-2)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def evaluate(model, X, y, batch: int = 2048):
    """Mean cross-entropy loss and accuracy of ``model`` on ``(X, y)``, in evaluation mode.

    >>> import numpy as np, retrograd as rg
    >>> loss, acc = evaluate(rg.nn.Linear(2, 2), np.zeros((4, 2)), np.array([0, 1, 0, 1]))
    >>> acc
    0.5
    """
    was_training = model.training
    model.eval()
    total, correct = 0.0, 0
    with no_grad():
        for i in range(0, len(X), batch):
            xb, yb = X[i:i + batch], y[i:i + batch]
            logits = model(_wrap(np.asarray(xb), None))
            loss = nn.functional.cross_entropy(logits, yb, reduction="sum")
            total += float(loss.item())
            correct += int((logits.data.argmax(axis=1) == yb).sum())
    model.train(was_training)
    n = max(len(X), 1)
    return total / n, correct / n


DEFAULTS = dict(data="digits", model="mlp", hidden=[64, 64], act="relu", opt="adam", lr=1e-3, momentum=0.0,
                weight_decay=0.0, epochs=20, batch=64, seed=0, dtype="float32", n_samples=1000,
                test_fraction=0.2, dropout=0.0, standardize=True)


def fit(out=None, resume: bool = False, progress: bool = True, plots: bool = True,
        log=print, force: bool = False, **config) -> dict:
    """Train a classifier (``model="mlp"`` or ``"cnn"``); returns the metrics (also written to ``out/metrics.json``),
    with the trained model under ``"model"``.

    ``config`` keys (defaults in ``DEFAULTS``): ``data, model, hidden, act, opt, lr, momentum,
    weight_decay, epochs, batch, seed, dtype, n_samples, test_fraction, dropout, standardize``. With
    ``out``, a checkpoint is written atomically after every epoch, and ``resume=True``
    continues from it (the saved configuration wins, except ``epochs``; the options that
    disagree with it are logged as ignored). A folder that holds a run is refused unless
    ``resume`` or ``force`` (start over) is given. Raises :class:`TrainError` for bad options,
    data or folders, :class:`CheckpointError` for a checkpoint it cannot use, and
    :class:`Diverged` when the loss or the weights stop being finite (the last finite
    checkpoint is kept).

    >>> m = fit(data="xor", hidden=[8], epochs=2, n_samples=80, progress=False, log=None)
    >>> len(m["history"]), 0 <= m["final"]["test_accuracy"] <= 1
    (2, True)
    """
    log = log or (lambda *a, **k: None)
    unknown = set(config) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"fit(): unknown option(s) {', '.join(sorted(unknown))}")
    cfg = dict(DEFAULTS, **config)
    if out is not None and not str(out).strip():
        raise TrainError("--out must name a folder, not an empty string")
    out = Path(out) if out is not None else None
    ckpt_path = out / CHECKPOINT if out is not None else None
    saved = None
    if out is not None:
        _prepare_out(out, resume, force)
    if resume:
        if ckpt_path is None or not ckpt_path.exists():
            raise FileNotFoundError(f"--resume: no checkpoint at {ckpt_path}; start the run without --resume")
        saved = load_checkpoint(ckpt_path)
        saved_cfg = _saved_config(ckpt_path, saved[2])
        epochs = cfg["epochs"] if "epochs" in config else saved_cfg["epochs"]
        ignored = [k for k, v in config.items() if k != "epochs" and _same(v) != _same(saved_cfg[k])]
        if ignored:
            log("note: --resume continues the saved run with its own options; ignored "
                + ", ".join(f"{_flag(k)} {_show(config[k])} (the run has {_show(saved_cfg[k])})" for k in ignored))
        cfg = dict(saved_cfg, epochs=epochs)
    check_config(cfg)
    cfg["hidden"] = [int(h) for h in cfg["hidden"]]
    dtype = np.dtype(cfg["dtype"])
    tqdm = _optional("tqdm").tqdm if progress else None
    if plots:
        _optional("matplotlib")

    data = load_dataset(cfg["data"], seed=cfg["seed"], n_samples=cfg["n_samples"],
                        test_fraction=cfg["test_fraction"], dtype=dtype)
    Xtr, ytr, Xte, yte = data["X_train"], data["y_train"], data["X_test"], data["y_test"]
    kind = cfg.get("model", "mlp")
    n_in = Xtr.shape[1]
    if kind == "cnn":  # the dense layers see 32 channels of a quarter-sized image
        try:
            side = int(round(n_in ** 0.5))
            n_in = 32 * (side // 4) ** 2 if side * side == n_in else n_in
        except (TypeError, ValueError):
            pass
    sizes = [n_in] + cfg["hidden"] + [data["n_classes"]]
    n_params = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
    if n_params > MAX_PARAMETERS:
        raise TrainError(f"the model would have {n_params:,} parameters (at most {MAX_PARAMETERS:,}): "
                         "use smaller --hidden sizes")
    manual_seed(cfg["seed"])
    try:
        builder = build_cnn if kind == "cnn" else build_mlp  # looked up now (tests replace them)
        model = builder(Xtr.shape[1], cfg["hidden"], data["n_classes"], cfg["act"], dtype)
    except ValueError as exc:
        raise TrainError(str(exc)) from None
    layers = [Standardize.fit(Xtr)] if cfg["standardize"] else []
    for m in model:
        layers.append(m)
        if cfg["dropout"] and isinstance(m, tuple(ACTIVATIONS.values())):
            layers.append(nn.Dropout(cfg["dropout"]))
    model = nn.Sequential(*layers)
    opt = make_optimizer(cfg["opt"], model.parameters(), cfg["lr"], cfg["momentum"], cfg["weight_decay"])
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader((Xtr, ytr), batch_size=cfg["batch"], shuffle=True, seed=cfg["seed"])

    history, start, elapsed = [], 0, 0.0
    if saved is not None:
        meta = saved[2]
        _restore(ckpt_path, saved, model, opt)
        history = meta["history"]
        start = meta["epoch"]
        elapsed = meta.get("seconds", 0.0)
        log(f"resuming {out} at epoch {start + 1} of {cfg['epochs']}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        _clean_temporaries(out)
    log(f"data {data['name']}: {len(Xtr)} train / {len(Xte)} test samples, {Xtr.shape[1]} features, "
        f"{data['n_classes']} classes; {cfg.get('model', 'mlp')} {Xtr.shape[1]}-"
        f"{'-'.join(map(str, cfg['hidden']))}-"
        f"{data['n_classes']} ({cfg['act']}), {cfg['opt']} lr={cfg['lr']}, {dtype}")

    n_batches = len(loader)
    # (overflow and NaN are caught below with a clear message, not as NumPy warnings)
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(start, cfg["epochs"]):
            t0 = time.perf_counter()
            model.train()
            loader.epoch = epoch
            batches = loader
            bar = None
            if tqdm is not None:
                bar = batches = tqdm(loader, total=n_batches, desc=f"epoch {epoch + 1}/{cfg['epochs']}",
                                     unit="batch", leave=False, file=sys.stderr, dynamic_ncols=True)
            total, correct, seen = 0.0, 0, 0
            try:
                for i, (xb, yb) in enumerate(batches):
                    opt.zero_grad()
                    logits = model(xb)
                    loss = loss_fn(logits, yb)
                    value = float(loss.data)
                    if not math.isfinite(value):
                        raise Diverged(f"the training loss became {value} in epoch {epoch + 1}, batch {i + 1}")
                    loss.backward()
                    opt.step()
                    k = len(yb.data)
                    total += value * k
                    correct += int((logits.data.argmax(axis=1) == yb.data).sum())
                    seen += k
                    if bar is not None and (i % 10 == 0 or i == n_batches - 1):
                        bar.set_postfix(loss=f"{total / seen:.4f}", acc=f"{correct / seen:.3f}", refresh=False)
            finally:
                if bar is not None:
                    bar.close()
            train_loss, train_acc = total / max(seen, 1), correct / max(seen, 1)
            test_loss, test_acc = evaluate(model, Xte, yte)
            if not all(np.all(np.isfinite(p.data)) for p in model.parameters()) or not math.isfinite(test_loss):
                raise Diverged(f"the weights stopped being finite in epoch {epoch + 1} (test loss {test_loss})")
            seconds = time.perf_counter() - t0
            elapsed += seconds
            history.append(dict(epoch=epoch + 1, train_loss=train_loss, train_accuracy=train_acc,
                                test_loss=test_loss, test_accuracy=test_acc, seconds=seconds))
            log(f"epoch {epoch + 1:3d}/{cfg['epochs']}  loss {train_loss:.4f}  acc {train_acc:.4f}  "
                f"test loss {test_loss:.4f}  test acc {test_acc:.4f}  ({seconds:.2f}s)")
            if out is not None:
                meta = dict(format=1, epoch=epoch + 1, config=cfg, history=history, seconds=elapsed,
                            rng=generator().bit_generator.state)
                save_checkpoint(ckpt_path, model, opt, meta)

    final_loss, final_acc = evaluate(model, Xte, yte)
    metrics = dict(config=cfg, history=history, seconds=elapsed,
                   final=dict(test_loss=final_loss, test_accuracy=final_acc,
                              train_loss=history[-1]["train_loss"] if history else None,
                              train_accuracy=history[-1]["train_accuracy"] if history else None))
    log(f"final test accuracy {final_acc:.4f} (test loss {final_loss:.4f}) after {len(history)} epochs, "
        f"{elapsed:.1f}s")
    if out is not None:
        text = json.dumps(metrics, indent=2)
        _atomic_write(out / "metrics.json", lambda f: f.write(text.encode()))
        if plots:
            plot_loss(history, out / "loss.png")
            if Xtr.shape[1] == 2:
                plot_decision_boundary(model, np.concatenate([Xtr, Xte]), np.concatenate([ytr, yte]),
                                       out / "decision_boundary.png")
        log(f"wrote {out / 'metrics.json'}" + (", loss.png" if plots else "")
            + (", decision_boundary.png" if plots and Xtr.shape[1] == 2 else "") + f", {CHECKPOINT}")
    metrics["model"] = model
    return metrics


def _same(v):
    """An option's value as the saved configuration writes it (tuples are lists)."""
    return [int(h) for h in v] if isinstance(v, (list, tuple)) else v


def _show(v):
    """An option's value as the command line writes it (64,64 for layer sizes)."""
    return ",".join(str(int(h)) for h in v) if isinstance(v, (list, tuple)) else v


# ----- plots -------------------------------------------------------------------------------
def _figure(width=6.4, height=4.0):
    _optional("matplotlib")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def plot_loss(history, path) -> None:
    """Loss (left axis) and accuracy (right axis) per epoch, train and test, to a PNG."""
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    ep = [h["epoch"] for h in history]
    ax.plot(ep, [h["train_loss"] for h in history], "-o", ms=3, label="train loss")
    ax.plot(ep, [h["test_loss"] for h in history], "-o", ms=3, label="test loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    ax2 = ax.twinx()
    ax2.plot(ep, [h["train_accuracy"] for h in history], "--", color="tab:green", label="train acc")
    ax2.plot(ep, [h["test_accuracy"] for h in history], "--", color="tab:red", label="test acc")
    ax2.set_ylabel("accuracy")
    ax2.set_ylim(0, 1.02)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="center right", fontsize=8)
    ax.set_title("training curves")
    fig.tight_layout()
    _atomic_write(Path(path), lambda f: fig.savefig(f, format="png"))


def plot_decision_boundary(model, X, y, path, resolution: int = 200) -> None:
    """The predicted class over the plane (filled contours) with the data points, to a PNG."""
    fig = _figure(5.0, 5.0)
    ax = fig.add_subplot(1, 1, 1)
    pad = 0.1 * (X.max(0) - X.min(0)) + 1e-6
    lo, hi = X.min(0) - pad, X.max(0) + pad
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(X.dtype)
    model.eval()
    with no_grad():
        logits = model(_wrap(grid, None)).data
    model.train()
    if logits.shape[1] == 2:  # probability of class 1
        z = np.exp(logits - logits.max(1, keepdims=True))
        z = (z[:, 1] / z.sum(1)).reshape(gx.shape)
        cs = ax.contourf(gx, gy, z, levels=20, cmap="RdBu_r", alpha=0.6)
        ax.contour(gx, gy, z, levels=[0.5], colors="k", linewidths=1)
        fig.colorbar(cs, ax=ax, label="P(class 1)")
    else:
        z = logits.argmax(1).reshape(gx.shape)
        ax.contourf(gx, gy, z, alpha=0.4, cmap="tab10")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r" if logits.shape[1] == 2 else "tab10",
               s=8, edgecolors="k", linewidths=0.2)
    ax.set_title("decision boundary")
    fig.tight_layout()
    _atomic_write(Path(path), lambda f: fig.savefig(f, format="png"))


# ----- command line ------------------------------------------------------------------------
def _hidden(text: str):
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ValueError(f"--hidden takes comma-separated layer sizes such as 64,64, got {text!r}") from None
    if not sizes:
        raise ValueError(f"--hidden takes comma-separated layer sizes such as 64,64, got {text!r}")
    if any(s < 1 for s in sizes):
        raise ValueError(f"--hidden sizes must be positive, got {text!r}")
    return sizes


def run(args) -> int:
    """Run ``retrograd train`` from parsed arguments; returns the exit status."""
    config = {}
    for key in DEFAULTS:
        v = getattr(args, key, None)
        if v is not None:
            config[key] = v
    try:
        if "hidden" in config:
            config["hidden"] = _hidden(config["hidden"])
        if args.out is None:
            args.out = os.path.join("runs", config.get("data", DEFAULTS["data"]).split(":")[0])
        fit(out=args.out, resume=args.resume, progress=not args.no_progress, plots=not args.no_plots,
            force=getattr(args, "force", False), **config)
    except KeyboardInterrupt:
        print(f"\ninterrupted: {_kept(args.out)}", file=sys.stderr)
        return 130
    except Diverged as exc:
        print(f"retrograd train: stopped: {exc} (try a smaller --lr); {_kept(args.out)}", file=sys.stderr)
        return 3
    except (ImportError, FileNotFoundError, ValueError) as exc:
        print(f"retrograd train: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print("retrograd train: not enough memory for this model and data (use smaller --hidden sizes "
              "or --batch)", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"retrograd train: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


def _kept(out) -> str:
    """What a stopped run leaves: the checkpoint of which epoch, and how to continue."""
    ckpt = Path(out) / CHECKPOINT
    try:
        epoch = load_checkpoint(ckpt)[2]["epoch"] if ckpt.exists() else None
    except (CheckpointError, KeyError, TypeError):
        epoch = None
    if epoch is None:
        return "no checkpoint was written"
    return (f"the checkpoint of epoch {epoch} in {ckpt} is intact; "
            f"continue with: retrograd train --out {out} --resume")


def add_parser(subparsers) -> None:
    """Register ``retrograd train``."""
    p = subparsers.add_parser(
        "train", help="train an MLP classifier (progress bars, metrics, plots, checkpoints)",
        description="Train a multilayer perceptron with retrograd. " + __doc__.split("\n\n")[3].replace("\n", " "),
        epilog="example: retrograd train --data digits --hidden 64,64 --act relu --opt adam --lr 1e-3 "
               "--epochs 20 --batch 64 --out runs/digits. Exit status: 0 done, 2 bad options, data, folder "
               "or checkpoint, 3 the loss or weights stopped being finite, 130 interrupted.")
    p.add_argument("--data", help="digits, circles, xor, moons or mnist:PATH (default digits)")
    p.add_argument("--model", choices=sorted(MODELS),
                   help="mlp, or cnn: two conv-BatchNorm-pool blocks before the hidden layers (default mlp)")
    p.add_argument("--hidden", help="hidden layer sizes, comma-separated (default 64,64)")
    p.add_argument("--act", choices=sorted(ACTIVATIONS), help="activation (default relu)")
    p.add_argument("--opt", choices=OPTIMIZERS, help="optimizer (default adam)")
    p.add_argument("--lr", type=float, help="learning rate (default 1e-3)")
    p.add_argument("--momentum", type=float, help="SGD momentum (default 0)")
    p.add_argument("--weight-decay", dest="weight_decay", type=float, help="weight decay (default 0)")
    p.add_argument("--dropout", type=float, help="dropout after every hidden activation (default 0)")
    p.add_argument("--epochs", type=int, help="number of epochs (default 20)")
    p.add_argument("--batch", type=int, help="batch size (default 64)")
    p.add_argument("--seed", type=int, help="seed for data, initial weights and shuffling (default 0)")
    p.add_argument("--dtype", choices=["float32", "float64"], help="floating point type (default float32)")
    p.add_argument("--n-samples", dest="n_samples", type=int,
                   help="points for circles/xor/moons (default 1000)")
    p.add_argument("--test-fraction", dest="test_fraction", type=float,
                   help="fraction held out for testing (default 0.2; MNIST uses its test files)")
    p.add_argument("--no-standardize", dest="standardize", action="store_const", const=False,
                   help="feed the raw features (by default each is standardized with the training "
                        "set's mean and standard deviation, inside the model)")
    p.add_argument("--out", help="run folder (default runs/DATA)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz")
    p.add_argument("--force", action="store_true",
                   help="start over in an OUT that already holds a run (its files are replaced)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--no-plots", action="store_true", help="no PNG plots (no matplotlib needed)")
    p.set_defaults(func=run)
