"""Split the work of ``lstm_ref.sequence`` over the CPU's cores.

Why: the rows of a batch never interact inside an LSTM (row b of h_t depends only on row b of x and of h_{t-1}),
so the time loop can run on separate groups of rows at the same time, each group in its own thread with its own
single-threaded matrix products. A multi-threaded BLAS alone cannot do this: it shares out only the matrix
products, and NumPy's elementwise work (activations, cell update, backward factors, about a third of the pass)
stays on one core. NumPy releases the GIL inside its loops, so Python threads do run in parallel here.

While the threads run, the BLAS is held at one thread per call and put back afterwards. The whole pass,
including the weight-gradient products after the backward loop, runs this way: a multi-threaded BLAS call in
between would leave the BLAS's own worker thread spinning on a core for a while afterwards, which slows the
next parallel loop down by half (measured).

The number of threads follows the BLAS's own thread count (NumPy's default: one per core; lower it with
``threadpoolctl.threadpool_limits`` or ``OPENBLAS_NUM_THREADS``), so one thread stays one thread. Small problems
run unsplit, where starting threads costs more than it saves. Split or not, the results agree to the last bits
of rounding: a product over fewer rows may be summed in a different order by the BLAS, nothing else changes
(tests/lstm_ref/test_parallel.py holds them to 1e-12).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

from threadpoolctl import ThreadpoolController

__all__ = ["split", "thread_count", "run_in_threads"]

# A share is worth a thread only when every step gives it enough numbers to work on. Measured with
# benchmarks/bench_lstm.py on 2 cores: at (64, 100, 128, 256) splitting in two saves about 15 % of the time; at
# (32, 50, 64, 128) it takes as long as one pass with a two-thread BLAS but ~20 % less CPU; (16, 50, 64, 128)
# split in two (8 rows per thread) is slower than unsplit (17 vs 14 ms), hence 16 rows at least.
MIN_ROWS_PER_THREAD = 16
MIN_GATE_VALUES_PER_THREAD = 4096  # rows * 4H per time step

_blas = None  # threadpoolctl's handle on NumPy's BLAS, found once
_pool = None  # (process id, workers, executor): a forked child must not reuse its parent's threads
_one_at_a_time = threading.Lock()  # the BLAS thread count is process-wide: one split pass changes it at a time


def _blas_controller():
    global _blas
    if _blas is None:
        _blas = ThreadpoolController().select(user_api="blas")
    return _blas


def _blas_threads() -> int:
    """How many threads NumPy's BLAS would use for one product now (1 if it cannot be told)."""
    return max((lib["num_threads"] for lib in _blas_controller().info()), default=1)


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[0] != os.getpid() or _pool[1] < workers:
        if _pool is not None and _pool[0] == os.getpid():
            _pool[2].shutdown(wait=False)  # a bigger pool replaces it; its idle threads exit
        _pool = (os.getpid(), workers, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lstm_ref"))
    return _pool[2]


def thread_count(batch_size: int, values_per_row: int) -> int:
    """How many threads a pass over ``batch_size`` rows should use (1: do not split).

    values_per_row: how many numbers one row handles per time step (4H for an LSTM's gates).
    """
    by_size = min(batch_size // MIN_ROWS_PER_THREAD, batch_size * values_per_row // MIN_GATE_VALUES_PER_THREAD)
    if by_size < 2:
        return 1  # decided without asking the BLAS: small passes pay for nothing they do not use
    return max(1, min(_blas_threads(), by_size))


def split(length: int, parts: int) -> list[slice]:
    """``parts`` contiguous slices covering range(length), as equal in size as possible."""
    bounds = [round(k * length / parts) for k in range(parts + 1)]
    return [slice(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]


def run_in_threads(work, parts: list) -> None:
    """Call ``work(part)`` for every part, in parallel threads when there are several.

    ``work`` writes its results into arrays the caller owns (each part into its own slice), so nothing is
    returned; an exception in any part is raised here, after every part has stopped.
    """
    if len(parts) == 1 or not _one_at_a_time.acquire(blocking=False):
        # One part, or another thread is running a split pass (and so owns the BLAS setting): run serially.
        for part in parts:
            work(part)
        return
    try:
        with _blas_controller().limit(limits=1):
            others = [_executor(len(parts) - 1).submit(work, part) for part in parts[1:]]
            try:
                work(parts[0])  # the calling thread takes the first part itself
            finally:
                wait(others)  # never leave a part running past this call, even when one failed
            for other in others:
                other.result()  # raises a part's exception, if any
    finally:
        _one_at_a_time.release()
