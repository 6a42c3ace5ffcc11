"""The numerical environment the course runs in.

The course's matrices are small (a few hundred numbers a side): one BLAS thread does all the work, and extra
threads only wait for each other. On a busy machine (a hub full of students, a grading run beside another) that
waiting makes training many times slower. So the course holds NumPy's BLAS at one thread, unless the person
running it chose a thread count themselves.
"""

from __future__ import annotations

import os
import sys

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def use_one_blas_thread() -> None:
    """Hold NumPy's BLAS (OpenBLAS, MKL or BLIS) at one thread, unless a thread count was chosen already.

    Before NumPy is imported, the environment variables decide (and child processes inherit them); once it is
    imported, threadpoolctl changes the running BLAS.
    """
    if any(name in os.environ for name in THREAD_VARIABLES):
        return
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    if "numpy" in sys.modules:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)
