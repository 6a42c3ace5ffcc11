"""A learner's function that raises: the check names the mistake from the failing line's shapes."""

import linecache

import numpy as np
import pytest

from lstm_course.feedback.catalogue import all_mistakes
from lstm_course.feedback.core import CheckFailed, call_learner


def learner(source: str, name: str):
    """Define ``name`` from ``source`` as a notebook cell is: its lines known to linecache, like IPython's."""
    filename = f"<cell {name} {abs(hash(source))}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {"np": np}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


def failure_of(function, *args) -> CheckFailed:
    with pytest.raises(CheckFailed) as failure:
        call_learner(function, *args)
    return failure.value


x, h_prev = np.ones((3, 2)), np.ones((3, 4))
W_f, b_f = np.ones((4, 6)), np.ones(4)


def test_a_weight_not_transposed_is_named_with_the_learners_names_and_shapes():
    forget_gate = learner("def forget_gate(x, h_prev, W_f, b_f):\n"
                          "    z = np.concatenate([x, h_prev], axis=1)\n"
                          "    return z @ W_f + b_f\n", "forget_gate")
    failure = failure_of(forget_gate, x, h_prev, W_f, b_f)
    assert failure.mistake == "forget_gate/weight_not_transposed"
    message = str(failure)
    assert "z @ W_f multiplies z (3, 6) by W_f (4, 6)" in message
    assert "W_f is not transposed" in message and "z @ W_f.T, of shape (3, 4)" in message
    assert "Input operand" not in message  # NumPy's words give way to the diagnosis


def test_a_concatenation_on_axis_0_says_the_axis_where_the_sizes_fit():
    forget_gate = learner("def forget_gate(x, h_prev, W_f, b_f):\n"
                          "    z = np.concatenate([x, h_prev], axis=0)\n"
                          "    return z @ W_f.T + b_f\n", "forget_gate")
    failure = failure_of(forget_gate, x, h_prev, W_f, b_f)
    assert failure.mistake == "forget_gate/concatenate_wrong_axis"
    assert "along axis 0" in str(failure) and "axis=1" in str(failure)


def test_an_index_past_the_end_is_named_off_by_one():
    rnn_forward = learner("def rnn_forward(x):\n"
                          "    return [x[:, t + 1] for t in range(x.shape[1])]\n", "rnn_forward")
    failure = failure_of(rnn_forward, np.ones((2, 5, 3)))
    assert failure.mistake == "rnn_forward/index_out_of_range"
    assert "indices go from 0 to 4" in str(failure)


def test_index_arithmetic_on_a_tuple_of_positions_is_named():
    numerical_gradient = learner("def numerical_gradient(array, index):\n"
                                 "    return array[index - 1]\n", "numerical_gradient")
    failure = failure_of(numerical_gradient, np.ones((2, 2)), (0, 1))
    assert failure.mistake == "numerical_gradient/tuple_index_arithmetic"
    assert "index is a tuple of positions (0, 1)" in str(failure)


def test_an_unrecognised_error_still_points_at_the_step_and_what_its_names_held():
    numerical_gradient = learner("def numerical_gradient(array, index, eps):\n"
                                 "    return array[index] + eps\n", "numerical_gradient")
    failure = failure_of(numerical_gradient, np.ones((2, 2)), (0, 1), None)
    assert failure.mistake is None
    assert "line 2: return array[index] + eps" in str(failure)
    assert "index is a tuple of 2 (0, 1)" in str(failure) and "array is a (2, 2) array" in str(failure)
    assert "eps is None" in str(failure)


def test_every_exercise_lists_the_mistakes_recognised_from_errors():
    catalogue = all_mistakes()
    assert catalogue["forget_gate/weight_not_transposed"][0] == "forget_gate"
    assert all(mistake_id.count("/") == 1 and mistake_id.split("/")[0] == exercise
               for mistake_id, (exercise, _) in catalogue.items())
