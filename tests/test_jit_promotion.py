"""A traced binary operator promotes as the eager one (PyTorch's rules), also on its fast path
where nothing is cast (two Tracers of one dtype, a Python number with a float Tracer)."""

import numpy as np
import pytest

import retrograd as rg

ARRAYS = [np.array([1.5, -2.0], dtype=np.float32), np.array([1.5, -2.0]), np.array(0.5, dtype=np.float32),
          np.array(2.0), np.array([1, 3], dtype=np.int32), np.array([True, False])]
NUMBERS = [2, 2.5, True]
CASES = [(op, i, j) for op in ("add", "mul", "sub", "truediv")
         for i, a in enumerate(ARRAYS) for j, b in enumerate(ARRAYS + NUMBERS)
         if not (op == "sub" and (a.dtype == bool or np.asarray(b).dtype == bool))]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("op", "i", "j"), CASES)
def test_traced_operator_dtype_and_value_equal_eager(op, i, j):
    a, b = ARRAYS[i], (ARRAYS + NUMBERS)[j]

    def f(x, y):
        return getattr(x, f"__{op}__")(y)
    if isinstance(b, np.ndarray):
        want, got = f(rg.tensor(a), rg.tensor(b)), rg.jit(f)(a, b)
    else:  # a Python number stays a number in the trace (static)
        want, got = f(rg.tensor(a), b), rg.jit(f, static_argnums=1)(a, b)
    assert np.asarray(got).dtype == want.dtype
    np.testing.assert_allclose(np.asarray(got), want.numpy())


@pytest.mark.parametrize("i", range(len(ARRAYS)))
@pytest.mark.parametrize("b", NUMBERS)
def test_traced_operator_with_a_number_follows_the_default_dtype(i, b):
    # int32 * 2.5 is float32 when the default dtype is (PyTorch's result_type), not NumPy's float64
    a = ARRAYS[i]
    old = rg.get_default_dtype()
    rg.set_default_dtype(rg.float32)
    try:
        got = rg.jit(lambda x, y: x * y, static_argnums=1)(a, b)
        want = rg.result_type(rg.tensor(a), b)
    finally:
        rg.set_default_dtype(old)
    assert np.asarray(got).dtype == want
