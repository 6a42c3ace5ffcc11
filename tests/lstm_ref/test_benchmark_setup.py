"""The speed benchmark compares like with like: its three runners compute the same gradients.

(No timing here: speed figures come from ``python benchmarks/bench_lstm.py``, see benchmarks/RESULTS.md.)
"""

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from lstm_ref import relative_error

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_lstm.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_lstm", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_flop_count_is_three_forward_products(bench):
    B, T, D, H = 2, 3, 4, 5
    forward_products = T * 2 * B * (D + H) * 4 * H  # one (B, D+H) x (D+H, 4H) product per step
    assert bench.flops(B, T, D, H) == 3 * forward_products


def test_lstm_ref_and_tutorial_runners_agree(bench):
    size = (2, 3, 4, 5)
    ours = bench.weight_gradient("lstm_ref", bench.build_runner("lstm_ref", "float64", *size, threads=1)())
    tutorial = bench.weight_gradient("tutorial", bench.build_runner("tutorial", "float64", *size, threads=1)())
    assert ours.shape == (4 * 5, 4 + 5)
    assert np.abs(ours).max() > 1e-3
    assert relative_error(ours, tutorial) < 1e-13


@pytest.mark.torch
@pytest.mark.parametrize("dtype_name, tolerance", [("float64", 1e-12), ("float32", 1e-5)])
def test_torch_runner_agrees(bench, dtype_name, tolerance):
    if os.environ.get("CI"):
        import torch  # noqa: F401  (in CI a missing PyTorch is a failure, as in test_torch_agreement.py)
    else:
        pytest.importorskip("torch")
    size = (2, 3, 4, 5)
    ours = bench.weight_gradient("lstm_ref", bench.build_runner("lstm_ref", dtype_name, *size, threads=1)())
    theirs = bench.weight_gradient("torch", bench.build_runner("torch", dtype_name, *size, threads=1)())
    assert theirs.dtype == np.dtype(dtype_name)
    assert relative_error(ours, theirs) < tolerance


def test_machine_description_helpers_run(bench):
    corename, threads = bench.openblas_info()
    assert isinstance(corename, str) and (threads is None or threads >= 1)
    assert bench.square_matmul_gflops(np.float64, n=64, repeats=1) > 0
