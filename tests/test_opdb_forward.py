"""Every op of the database: forward values against PyTorch (or NumPy), method form against
function form, aliases against the op. See tests/opdb/core.py."""

from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg

from opdb import core
from opdb.core import assert_close, cases, run_ref, run_rg, to_numpy


@pytest.mark.parametrize("info,dtype", cases("forward"))
def test_forward_matches_reference(info, dtype):
    for sample in info.sample_inputs(dtype):
        with np.errstate(all="ignore"):
            _, out = run_rg(info, sample, requires_grad=False)
            _, ref = run_ref(info, sample, requires_grad=False)
        assert isinstance(core.first(out), rg.Tensor), f"{info.name} {sample}: returned {type(out).__name__}"
        assert_close(to_numpy(out), to_numpy(ref), dtype, info.tolerance(dtype), what=f"{info.name} {sample}")


@pytest.mark.parametrize("info,dtype", cases("method"))
def test_method_matches_function(info, dtype):
    for sample in info.sample_inputs(dtype):
        with np.errstate(all="ignore"):
            args, out = run_rg(info, sample)
            kwargs = sample.rg_kwargs()
            forms = [("alias " + a.__name__, a(*args, **kwargs)) for a in info.aliases]
            if info.method is not None and (callable(info.method) or isinstance(args[0], rg.Tensor)):
                forms.append(("method", info.call_method(args, kwargs)))
        expected = to_numpy(out)
        for form, res in forms:
            what = f"{info.name} {form} {sample}"
            assert isinstance(core.first(res), rg.Tensor), what
            assert_close(to_numpy(res), expected, dtype, (0, 0), what=what)
            assert core.first(res).requires_grad == core.first(out).requires_grad, what
