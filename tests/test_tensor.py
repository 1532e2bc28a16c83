"""The Tensor surface: construction, dtypes, attributes, repr, and errors that teach."""

from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg
from retrograd.ops.primitive import Primitive


def test_construction_and_default_dtype():
    # As PyTorch: Python ints and integer lists give int64, floats the default float dtype.
    assert rg.tensor(3).dtype == np.int64 and rg.tensor([1, 2]).dtype == np.int64
    assert rg.tensor(3.0).dtype == np.float64 and rg.tensor([1, 2.5]).dtype == np.float64
    assert rg.tensor([True, False]).dtype == np.bool_
    assert rg.tensor(np.arange(3)).dtype == np.int64      # arrays keep their dtype
    assert rg.tensor(np.ones(2, np.float32)).dtype == np.float32
    assert rg.tensor(1.0, dtype=rg.float32).dtype == np.float32
    rg.set_default_dtype("float32")
    try:
        assert rg.tensor(1.0).dtype == np.float32
        assert (rg.tensor(1.0) * 2.5).dtype == np.float32
        assert rg.tensor([1.0, 2.0]).dtype == np.float32  # float lists too (they were float64)
        assert rg.tensor([1, 2]).dtype == np.int64
    finally:
        rg.set_default_dtype("float64")
    with pytest.raises(TypeError, match="floating point"):
        rg.set_default_dtype("int64")


def test_attributes():
    t = rg.tensor([[1.0, 2.0, 3.0]], requires_grad=True, name="w")
    assert t.shape == (1, 3) and t.ndim == 2 and t.name == "w" and t.size() == (1, 3) and t.numel() == 3
    assert isinstance(t.data, np.ndarray) and t.numpy() is t.data
    assert float(rg.tensor(2.5)) == 2.5 and rg.tensor([4.0]).item() == 4.0
    assert t.T.shape == (3, 1) and t.tolist() == [[1.0, 2.0, 3.0]]
    with pytest.raises(ValueError, match="one-element"):
        t.item()


def test_repr_is_readable():
    assert repr(rg.tensor(3.0)) == "tensor(3.)"
    assert repr(rg.tensor([1.0, 2.0], requires_grad=True, name="w")) == \
        "tensor([1., 2.], name='w', requires_grad=True)"
    w = rg.tensor(2.0, requires_grad=True)
    assert repr(w * 3) == "tensor(6., grad_fn=<mul>)"
    assert "dtype=float32" in repr(rg.tensor(1.0, dtype=rg.float32))


def test_named_intermediates():
    w = rg.tensor(3.0, name="w", requires_grad=True)
    a = (2 + 3 * w).named("a")
    assert a.name == "a" and w.name == "w"


def test_comparisons_give_boolean_tensors_without_grad():
    x = rg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (x > 2, x >= 2, x < 2, x <= 2, x == 2, x != 2):
        assert result.dtype == np.bool_ and not result.requires_grad
    np.testing.assert_array_equal((x > 1.5).numpy(), [False, True, True])
    assert {x: 1}[x] == 1  # still hashable by identity


def test_numpy_array_on_the_left_gives_a_tensor():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, rg.Tensor) and y.requires_grad


def test_functions_on_plain_arrays_are_plain_numpy():
    out = rg.exp(np.array([0.0, 1.0]))
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, np.exp([0.0, 1.0]))


def test_methods_mirror_pytorch_names():
    t = rg.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert t.sum(dim=0, keepdim=True).shape == (1, 2)
    assert t.reshape(4).shape == (4,) and t.view(1, 4).shape == (1, 4)
    assert t.unsqueeze(0).shape == (1, 2, 2) and t.unsqueeze(0).squeeze(0).shape == (2, 2)
    assert t.permute(1, 0).shape == (2, 2) and t.flatten().shape == (4,)
    assert t.clamp(min=0).min().item() == 0.0 and t.abs().max().item() == 4.0
    assert rg.tensor(np.zeros((2, 3, 4))).transpose(0, 2).shape == (4, 3, 2)
    assert t.argmax().item() == 3 and t.softmax(dim=1).shape == (2, 2)


# ----- errors that teach ---------------------------------------------------------------
def test_shape_mismatch_names_the_op_both_shapes_and_the_rule():
    a, b = rg.tensor(np.ones((2, 3))), rg.tensor(np.ones((4,)))
    with pytest.raises(rg.ShapeError, match=r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast.*equal or one"):
        a + b
    with pytest.raises(rg.ShapeError, match=r"mul: shapes \(2, 3\) and \(4,\)"):
        a * b
    with pytest.raises(rg.ShapeError, match=r"matmul: shapes \(2, 3\) and \(4,\) are not aligned.*\(3\).*\(4\)"):
        a @ b
    with pytest.raises(rg.ShapeError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\)"):
        a.reshape(4, 2)
    with pytest.raises(rg.ShapeError, match=r"sum: axis 2 is out of range .* 2 dimension"):
        a.sum(axis=2)
    assert issubclass(rg.ShapeError, ValueError)


def test_bad_input_kinds_raise_clear_type_errors():
    with pytest.raises(TypeError, match="string"):
        rg.tensor("abc")
    with pytest.raises(TypeError, match="strings"):
        rg.tensor(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="Python objects"):
        rg.tensor(np.array([1, None], dtype=object))
    with pytest.raises(TypeError, match=r"add: unsupported operand of type str"):
        rg.tensor(1.0) + "a"
    with pytest.raises(TypeError, match="floating point"):
        rg.tensor(np.arange(3), requires_grad=True)
    with pytest.raises(TypeError, match="rectangular"):
        rg.tensor([[1.0, 2.0], [3.0]])


def test_gradcheck_passes_on_correct_rules_and_names_the_culprit_otherwise():
    x = rg.tensor([0.5, 1.5, -0.3], requires_grad=True, name="x")
    assert rg.gradcheck(lambda t: rg.sin(t) * t, [x])
    # A primitive with a deliberately wrong vjp on the second element: d/dx sin = cos, we say 2*cos.
    bad = Primitive("bad_sin", np.sin, vjp=[lambda g, out, x: g * np.cos(x) * np.array([1.0, 2.0, 1.0])])
    with pytest.raises(rg.GradcheckError) as info:
        rg.gradcheck(lambda t: bad(t), [x])
    msg = str(info.value)
    assert "input 0 (x)" in msg and "element (1,)" in msg
    assert repr(float(2 * np.cos(1.5))) in msg and "numeric" in msg
    assert rg.gradcheck(lambda t: bad(t), [x], raise_exception=False) is False


def test_gradcheck_perturbs_non_contiguous_inputs_in_place():
    base = rg.tensor(np.arange(20.0).reshape(5, 4) / 10)
    view = base[:, :3].detach().requires_grad_()
    assert not view.data.flags.c_contiguous
    assert rg.gradcheck(lambda t: (t * t).sum(), [view])
