"""Splitting a batch over threads (lstm_ref._parallel) changes the speed, never the answer.

The suite runs with one BLAS thread (scripts/test_all.sh), where nothing is split; these tests make the split
happen by reporting two BLAS threads to ``thread_count``, so the threaded path is tested on every machine.
"""

import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from lstm_ref import _parallel, lstm_backward, lstm_forward
from lstm_ref import sequence as sequence_module

from .test_sequence import problem


def blas_threads_now() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def two_blas_threads(monkeypatch):
    """Make the split path run: ``thread_count`` sees a two-thread BLAS, whatever this machine has."""
    monkeypatch.setattr(_parallel, "_blas_threads", lambda: 2)


def unsplit(monkeypatch):
    monkeypatch.setattr(sequence_module, "thread_count", lambda batch_size, values_per_row: 1)


def full_pass(B, T, D, H, dtype, with_final_gradients=True, with_dhs=True):
    p, x, h0, c0, R, R_h, R_c = problem(B, T, D, H, dtype=dtype)
    hs, (h_T, c_T), cache = lstm_forward(x, p, h0, c0)
    if with_final_gradients:
        dx, dh0, dc0, grads = lstm_backward(R if with_dhs else None, cache, R_h, R_c)
    else:
        dx, dh0, dc0, grads = lstm_backward(R, cache)
    return {"hs": hs, "h_T": h_T, "c_T": c_T, "dx": dx, "dh0": dh0, "dc0": dc0, "dW": grads.W, "db": grads.b}


def test_split_covers_every_row_once_in_near_equal_parts():
    for length in (1, 7, 16, 33, 64):
        for parts in (1, 2, 3):
            slices = _parallel.split(length, parts)
            covered = np.concatenate([np.arange(length)[s] for s in slices])
            assert np.array_equal(covered, np.arange(length)), (length, parts)
            sizes = [s.stop - s.start for s in slices]
            assert max(sizes) - min(sizes) <= 1, (length, parts, sizes)


def test_small_problems_and_one_blas_thread_are_not_split(monkeypatch, two_blas_threads):
    assert _parallel.thread_count(batch_size=1, values_per_row=400) == 1  # the tutorial's size
    assert _parallel.thread_count(batch_size=8, values_per_row=4096) == 1  # too few rows for two threads
    assert _parallel.thread_count(batch_size=16, values_per_row=512) == 1  # measured slower split in two
    assert _parallel.thread_count(batch_size=32, values_per_row=64) == 1  # too little work per step
    assert _parallel.thread_count(batch_size=32, values_per_row=512) == 2
    assert _parallel.thread_count(batch_size=64, values_per_row=1024) == 2
    monkeypatch.setattr(_parallel, "_blas_threads", lambda: 1)  # the user asked for one thread
    assert _parallel.thread_count(batch_size=64, values_per_row=1024) == 1


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(32, 6, 8, 128), (33, 5, 3, 64), (64, 3, 16, 256)])
def test_split_pass_agrees_with_the_unsplit_one(monkeypatch, two_blas_threads, dtype, shape):
    B, T, D, H = shape
    assert _parallel.thread_count(B, 4 * H) == 2, "this test must exercise the split path"
    split_result = full_pass(B, T, D, H, dtype)
    unsplit(monkeypatch)
    whole_result = full_pass(B, T, D, H, dtype)
    # A product over fewer rows may be summed in another order by the BLAS: equal up to the last bits.
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    for name, whole in whole_result.items():
        np.testing.assert_allclose(split_result[name], whole, rtol=tolerance, atol=tolerance, err_msg=name)
        assert split_result[name].dtype == dtype and split_result[name].flags.c_contiguous, name


@pytest.mark.parametrize("with_final_gradients, with_dhs", [(False, True), (True, False)])
def test_split_pass_handles_missing_gradients(monkeypatch, two_blas_threads, with_final_gradients, with_dhs):
    split_result = full_pass(32, 4, 5, 128, np.float64, with_final_gradients, with_dhs)
    unsplit(monkeypatch)
    whole_result = full_pass(32, 4, 5, 128, np.float64, with_final_gradients, with_dhs)
    for name, whole in whole_result.items():
        np.testing.assert_allclose(split_result[name], whole, rtol=1e-12, atol=1e-12, err_msg=name)


def test_the_blas_thread_count_is_put_back(two_blas_threads):
    before = blas_threads_now()
    full_pass(32, 4, 5, 128, np.float64)
    assert blas_threads_now() == before


def test_an_error_in_one_part_is_raised_after_every_part_stopped(two_blas_threads):
    before = blas_threads_now()
    finished = []

    def work(part):
        if part == 1:
            raise RuntimeError("part 1 failed")
        finished.append(part)

    with pytest.raises(RuntimeError, match="part 1 failed"):
        _parallel.run_in_threads(work, [0, 1, 2])
    assert sorted(finished) == [0, 2]
    assert blas_threads_now() == before


def test_passes_from_several_user_threads_at_once_stay_correct(monkeypatch, two_blas_threads):
    """Only one split pass at a time owns the BLAS setting; the others run unsplit, with the same results."""
    expected = full_pass(32, 5, 4, 128, np.float64)
    results, errors = [], []

    def one_user():
        try:
            results.append(full_pass(32, 5, 4, 128, np.float64))
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            errors.append(error)

    users = [threading.Thread(target=one_user) for _ in range(4)]
    for user in users:
        user.start()
    for user in users:
        user.join()
    assert not errors
    assert len(results) == 4
    for result in results:
        for name, value in expected.items():
            np.testing.assert_allclose(result[name], value, rtol=1e-12, atol=1e-12, err_msg=name)
