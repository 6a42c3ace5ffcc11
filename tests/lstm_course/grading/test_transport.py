"""The learner's functions travel to a fresh process as code and plain values, never as notebook state."""

import numpy as np
import pytest

from grading_helpers import define_in_notebook
from lstm_course.grading.transport import Unpacker, global_names, import_address, pack_call


def roundtrip(*arguments):
    """Pack as the kernel does, then rebuild as the fresh process does (here, in this process)."""
    return Unpacker(pack_call(arguments)).arguments()


def test_a_function_and_the_notebook_functions_and_values_it_uses_travel():
    cell = define_in_notebook("""
        import numpy as np
        SCALE = 2.0
        OFFSETS = {"a": np.array([1.0, 2.0])}
        def helper(x):
            return x * SCALE
        def answer(x, bias=0.5):
            return np.sum(helper(x)) + OFFSETS["a"][1] + bias
    """)
    (rebuilt,) = roundtrip(cell["answer"])
    assert rebuilt is not cell["answer"]
    assert rebuilt(np.array([1.0, 2.0])) == pytest.approx(6.0 + 2.0 + 0.5)
    assert rebuilt.__globals__["np"] is np  # modules are imported again by name
    assert rebuilt.__globals__["helper"] is not cell["helper"]


def test_the_rest_of_the_cell_does_not_run_again():
    cell = define_in_notebook("""
        import numpy as np
        ran = []
        def tag(function):
            ran.append("decorator")
            return function
        @tag
        def answer(x):
            return x + 1
        ran.append("cell body")
    """)
    assert cell["ran"] == ["decorator", "cell body"]
    (rebuilt,) = roundtrip(cell["answer"])
    assert rebuilt(1) == 2
    assert cell["ran"] == ["decorator", "cell body"]  # packing and rebuilding ran nothing of the cell
    assert "tag" not in rebuilt.__globals__  # the decorator is not part of the function's code


def test_a_patched_library_function_does_not_travel_as_the_patch():
    cell = define_in_notebook("""
        import numpy as np
        def fake_allclose(*args, **kwargs):
            return True
        allclose = fake_allclose
        def answer(a, b):
            return allclose(a, b)
    """)
    call = pack_call([cell["answer"]])
    assert call["namespace"]["allclose"]["kind"] == "function"  # the learner's own function: code, judged as such
    assert import_address(cell["fake_allclose"]) is None
    assert import_address(np.allclose) == ("numpy", "allclose")


def test_values_that_could_run_code_are_reported_not_pickled():
    cell = define_in_notebook("""
        class Sneaky:
            def __reduce__(self):
                return (print, ("this would run on unpickling",))
        THING = Sneaky()
        def answer(x):
            return THING
    """)
    call = pack_call([cell["answer"]])
    assert "THING" not in call["namespace"]
    assert "Sneaky" in call["unavailable"]["THING"]
    with pytest.raises(TypeError, match="argument 1"):
        pack_call([cell["THING"]])


def test_arrays_keep_dtype_shape_and_values():
    values = [np.arange(6, dtype=np.float32).reshape(2, 3), np.float64(1.5), (1, "a", None, 2j), b"\x00\x01"]
    rebuilt = roundtrip(*values)
    assert rebuilt[0].dtype == np.float32 and rebuilt[0].shape == (2, 3)
    np.testing.assert_array_equal(rebuilt[0], values[0])
    assert rebuilt[1] == 1.5 and isinstance(rebuilt[1], np.float64)
    assert rebuilt[2] == (1, "a", None, 2j) and rebuilt[3] == b"\x00\x01"
    with pytest.raises(TypeError, match="dtype object"):
        pack_call([np.array([object()])])


def test_global_names_sees_nested_code_but_not_attributes():
    cell = define_in_notebook("""
        def answer(p):
            return [helper(v) for v in p.values] + [p.other]
    """)
    names = global_names(cell["answer"].__code__)
    assert "helper" in names
    assert "values" not in names and "other" not in names


def test_mutually_recursive_functions_and_closures_travel():
    cell = define_in_notebook("""
        def is_even(n):
            return True if n == 0 else is_odd(n - 1)
        def is_odd(n):
            return False if n == 0 else is_even(n - 1)
        def make_adder(k):
            def add(x):
                return x + k
            return add
        add_three = make_adder(3)
    """)
    even, add_three = roundtrip(cell["is_even"], cell["add_three"])
    assert even(10) is True and even(7) is False
    assert add_three(4) == 7
