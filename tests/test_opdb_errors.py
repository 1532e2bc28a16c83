"""Every op of the database that takes an axis: an out-of-range axis raises IndexError naming the
axis and the number of dimensions, where PyTorch raises too. See tests/opdb/core.py."""

from __future__ import annotations

import numpy as np
import pytest

from opdb.core import cases, run_ref, run_rg

BAD = (50, -50)


def _out_of_range_samples(info, dtype):
    for sample in info.sample_inputs(dtype):
        for key in info.axis_kwargs:
            axis = sample.get(key)
            if axis is None or axis == ():
                continue
            for bad in BAD:
                value = bad if isinstance(axis, (int, np.integer)) else (bad,) + tuple(axis)[1:]
                yield bad, sample.with_arg(key, value)


@pytest.mark.parametrize("info,dtype", cases("axis_errors", dtypes=(np.float64,)))
def test_out_of_range_axes_raise_index_error(info, dtype):
    checked = 0
    for bad, sample in _out_of_range_samples(info, dtype):
        with pytest.raises(IndexError, match=rf"axis {bad} is out of range for a tensor with \d+ dimension"):
            run_rg(info, sample, requires_grad=False)
        if info.ref is not None:
            with pytest.raises(IndexError):
                run_ref(info, sample, requires_grad=False)
        checked += 1
    assert checked, f"{info.name}: no sample passes an axis, so nothing was checked"
