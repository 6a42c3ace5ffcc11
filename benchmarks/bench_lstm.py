"""Speed of one LSTM training pass (forward + full backward) : lstm_ref vs the tutorial's style vs PyTorch.

    python benchmarks/bench_lstm.py                 # the full table (a few minutes on 2 cores)
    python benchmarks/bench_lstm.py --quick         # fewer repeats, for a first look
    python benchmarks/bench_lstm.py --impls lstm_ref torch --dtypes float64 --sizes 64,100,128,256
    python benchmarks/bench_lstm.py --threads 1     # everything single-threaded (steadier on a busy machine)

What is timed, per batch: ``lstm_forward`` + ``lstm_backward`` (with dL/dhs given) for lstm_ref; the same through
``torch.nn.LSTM(batch_first=True)`` and autograd (loss = sum(hs * R), gradients for the weights, biases and x);
and ``tutorial_forward`` + ``tutorial_backward`` from lstm_ref.tutorial_style, which loops over the samples of
the batch and the time steps with four matrix-vector products per step, like the seed tutorial (float64 only:
the tutorial's code is float64). All three get the same weights and data.

How: every implementation runs in its own worker process (so PyTorch's thread pool cannot slow NumPy down and
vice versa). The main process asks the workers in turn, rotating who goes first, for one timed repetition at a
time, so a burst of load from elsewhere on the machine hits all of them alike; before each repetition it pauses
(so the previous worker's BLAS threads stop spinning) and the worker does one untimed pass (so the timed ones
start warm, as in a training loop). Reported times are medians. PyTorch gets the same number of threads as
NumPy's BLAS. Ratios compare figures from the same run.

FLOPs: a forward + backward pass does 3 matrix products of the size of the forward's per step, so we count
24 * B * T * H * (D + H) floating-point operations (elementwise work not counted). GFLOP/s = that / time.
For scale, the machine's square matrix product (n = 2048) speed is printed too.

Results and the exact command used for the committed figures: benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere: import lstm_ref from this checkout
    sys.path.insert(0, str(REPO))


def _requested_threads() -> int | None:
    """``--threads N`` must reach OpenBLAS before NumPy is imported, so it is read here, first thing."""
    if "--threads" in sys.argv[:-1]:
        return int(sys.argv[sys.argv.index("--threads") + 1])
    return None


if _requested_threads() is not None:  # also inherited by the worker processes
    os.environ["OPENBLAS_NUM_THREADS"] = str(_requested_threads())

import numpy as np  # noqa: E402

SIZES = [(1, 4, 50, 100), (32, 50, 64, 128), (64, 100, 128, 256)]  # (B, T, D, H)
IMPLS = ["lstm_ref", "tutorial", "torch"]
# Timed repetitions (median taken) and runs per repetition, per size: enough to be stable, few enough to finish.
PLAN = {(1, 4, 50, 100): (15, 50), (32, 50, 64, 128): (11, 3), (64, 100, 128, 256): (7, 1)}
TUTORIAL_MAX_REPEATS = 5  # the per-sample loop is slow at the large sizes
# Pause before each repetition, then one untimed pass. A multi-threaded BLAS or OpenMP keeps its worker threads
# spinning on the cores for up to ~0.1 s after a call (measured for OpenBLAS here): without the pause, one
# worker's spinning threads would be timed as part of the next worker's repetition; without the untimed pass,
# each repetition would start from sleeping threads and cold caches, which a training loop never does.
SETTLE_SECONDS = 0.25


def flops(B: int, T: int, D: int, H: int) -> int:
    return 24 * B * T * H * (D + H)


# ------------------------------------------------------------------------------------------ the machine
def openblas_info() -> tuple[str, int | None]:
    """NumPy's BLAS kernel ("SkylakeX", "Haswell", ...) and thread count, read from the bundled OpenBLAS."""
    import numpy

    for path in glob.glob(os.path.join(os.path.dirname(numpy.__file__), "..", "numpy.libs", "*openblas*.so*")):
        try:
            lib = ctypes.CDLL(path)
            for prefix, suffix in [("scipy_openblas_", "64_"), ("scipy_openblas_", ""), ("openblas_", "")]:
                corename = getattr(lib, f"{prefix}get_corename{suffix}", None)
                threads = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
                if corename and threads:
                    corename.restype = ctypes.c_char_p
                    return corename().decode(), int(threads())
        except OSError:
            continue
    return "unknown", None


def square_matmul_gflops(dtype, n: int = 2048, repeats: int = 5) -> float:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    a @ b  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times) / 1e9


# ------------------------------------------------------------------------------------------- workers
def make_problem(dtype_name: str, B: int, T: int, D: int, H: int):
    from lstm_ref import LSTMParams

    dtype = np.dtype(dtype_name)
    rng = np.random.default_rng(0)
    p = LSTMParams.init(D, H, rng=rng, dtype=dtype)
    x = rng.standard_normal((B, T, D)).astype(dtype)
    R = rng.standard_normal((B, T, H)).astype(dtype)  # dL/dhs for the loss L = sum(hs * R)
    return p, x, R


def build_runner(impl: str, dtype_name: str, B: int, T: int, D: int, H: int, threads: int):
    """A function of no arguments doing one forward + backward pass of ``impl`` on the benchmark problem.

    It returns what holds the weight gradient (see ``weight_gradient``), so a test can check that the three
    implementations compute the same thing before their speeds are compared.
    """
    p, x, R = make_problem(dtype_name, B, T, D, H)
    if impl == "lstm_ref":
        from lstm_ref import lstm_backward, lstm_forward

        def run():
            _, _, cache = lstm_forward(x, p)
            return lstm_backward(R, cache)[3]

    elif impl == "tutorial":
        from lstm_ref.tutorial_style import from_lstm_params, tutorial_backward, tutorial_forward

        tp = from_lstm_params(p)

        def run():
            _, _, states = tutorial_forward(x, tp)
            return tutorial_backward(R, states, tp)[3]

    elif impl == "torch":
        import torch

        torch.set_num_threads(threads)
        module = torch.nn.LSTM(D, H, batch_first=True, dtype=getattr(torch, dtype_name))
        module.load_state_dict(p.to_torch_state_dict())
        x_t = torch.from_numpy(x).requires_grad_(True)
        R_t = torch.from_numpy(R)

        def run():
            module.zero_grad(set_to_none=True)
            x_t.grad = None
            hs, _ = module(x_t)
            (hs * R_t).sum().backward()
            return module

    else:
        raise ValueError(f"unknown implementation {impl!r}")
    return run


def weight_gradient(impl: str, result) -> np.ndarray:
    """dL/dW in lstm_ref's layout (4H, D + H) from what ``build_runner``'s function returned."""
    if impl == "lstm_ref":
        return result.W
    if impl == "tutorial":
        from lstm_ref.tutorial_style import to_lstm_params

        return to_lstm_params(result).W
    import torch

    return torch.cat([result.weight_ih_l0.grad, result.weight_hh_l0.grad], dim=1).numpy()


def worker(impl: str, threads: int, connection) -> None:
    """Serve timing requests: (dtype, size, runs) -> (wall-clock, CPU) seconds per run for one repetition.

    The CPU time counts every thread of the worker; it helps to read a run made on a busy machine (wall-clock
    time then includes waiting for a core, CPU time mostly does not)."""
    runners = {}
    while True:
        request = connection.recv()
        if request is None:
            return
        dtype_name, size, runs = request
        key = (dtype_name, size)
        if key not in runners:
            runners[key] = build_runner(impl, dtype_name, *size, threads=threads)
            runners[key]()  # warm-up: first-call costs (imports, allocator, caches) are not what we measure
        run = runners[key]
        run()  # untimed: wake this worker's threads after the pause (see SETTLE_SECONDS)
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(runs):
            run()
        connection.send(((time.perf_counter() - start) / runs, (time.process_time() - start_cpu) / runs))


# ----------------------------------------------------------------------------------------------- main
def measure(impls, dtypes, sizes, quick: bool, threads: int):
    context = mp.get_context("spawn")
    workers = {}
    for impl in impls:
        parent, child = context.Pipe()
        process = context.Process(target=worker, args=(impl, threads, child), daemon=True)
        process.start()
        workers[impl] = (process, parent)
    results = {}  # (dtype, size, impl) -> list of (wall-clock, CPU) seconds per batch
    try:
        for dtype_name in dtypes:
            for size in sizes:
                repeats, runs = PLAN.get(size, (5, 1))
                if quick:
                    repeats = max(3, repeats // 3)
                active = [i for i in impls if not (i == "tutorial" and dtype_name != "float64")]
                for repeat in range(repeats):
                    shift = repeat % len(active)
                    for impl in active[shift:] + active[:shift]:  # rotate who goes first
                        if impl == "tutorial" and repeat >= TUTORIAL_MAX_REPEATS:
                            continue
                        time.sleep(SETTLE_SECONDS)  # let the previous worker's threads stop spinning
                        workers[impl][1].send((dtype_name, size, runs))
                        results.setdefault((dtype_name, size, impl), []).append(workers[impl][1].recv())
                print(f"  measured {dtype_name} {size}", file=sys.stderr, flush=True)
    finally:
        for process, connection in workers.values():
            connection.send(None)
            process.join(timeout=10)
    return results


def report(results, impls, dtypes, sizes, matmul) -> list[tuple[str, bool]]:
    header = (f"{'dtype':8} {'(B, T, D, H)':20} {'implementation':15} {'ms/batch':>10} {'seq/s':>10} "
              f"{'GFLOP/s':>8} {'% matmul':>8} {'lstm_ref faster by':>19} {'CPU ms':>10}")
    print(header)
    print("-" * len(header))
    median = {key: statistics.median(wall for wall, _ in values) for key, values in results.items()}
    median_cpu = {key: statistics.median(cpu for _, cpu in values) for key, values in results.items()}
    for dtype_name in dtypes:
        for size in sizes:
            ours = median.get((dtype_name, size, "lstm_ref"))
            for impl in impls:
                seconds = median.get((dtype_name, size, impl))
                if seconds is None:
                    continue
                gflops = flops(*size) / seconds / 1e9
                ratio = f"{seconds / ours:.2f}x" if ours and impl != "lstm_ref" else ""
                print(f"{dtype_name:8} {str(size):20} {impl:15} {seconds * 1e3:10.3f} {size[0] / seconds:10.1f} "
                      f"{gflops:8.1f} {100 * gflops / matmul[dtype_name]:7.0f}% {ratio:>19} "
                      f"{median_cpu[(dtype_name, size, impl)] * 1e3:10.3f}")
        print()

    def ratio(dtype_name, size, other):
        a, b = median.get((dtype_name, size, other)), median.get((dtype_name, size, "lstm_ref"))
        return None if a is None or b is None else a / b

    checks = []
    for size in SIZES:
        checks.append((f"float64 {size}: lstm_ref at least as fast as torch", ratio("float64", size, "torch"), 1.0))
    checks.append(("float32 (64, 100, 128, 256): lstm_ref >= 0.6x torch's speed",
                   ratio("float32", SIZES[2], "torch"), 0.6))
    checks.append(("float64 (1, 4, 50, 100): lstm_ref >= 2x the tutorial style",
                   ratio("float64", SIZES[0], "tutorial"), 2.0))
    checks.append(("float64 (32, 50, 64, 128): lstm_ref >= 7x the tutorial style's sequences/s",
                   ratio("float64", SIZES[1], "tutorial"), 7.0))
    largest = median.get(("float64", SIZES[2], "lstm_ref"))
    share = None if largest is None else flops(*SIZES[2]) / largest / 1e9 / matmul["float64"]
    checks.append(("float64 (64, 100, 128, 256): lstm_ref >= 40% of square-matmul GFLOP/s", share, 0.4))
    outcomes = []
    print("Floors:")
    for label, value, floor in checks:
        if value is None:
            print(f"  [skipped] {label} (not measured in this run)")
            continue
        ok = value >= floor
        outcomes.append((label, ok))
        print(f"  [{'ok' if ok else 'MISSED'}] {label}: measured {value:.2f} (floor {floor})")
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--impls", nargs="+", default=IMPLS, choices=IMPLS)
    parser.add_argument("--dtypes", nargs="+", default=["float64", "float32"], choices=["float64", "float32"])
    parser.add_argument("--sizes", nargs="+", default=None, help="sizes as B,T,D,H (default: the three standard ones)")
    parser.add_argument("--check", action="store_true", help="exit with status 1 if a floor is missed")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for NumPy's BLAS and for PyTorch (default: NumPy's default, one per core)")
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in s.split(",")) for s in args.sizes] if args.sizes else SIZES
    impls = [i for i in IMPLS if i in args.impls]  # keep lstm_ref first so ratios have a reference

    corename, blas_threads = openblas_info()
    threads = blas_threads or os.cpu_count() or 1
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, OpenBLAS kernel {corename}, "
          f"{blas_threads} BLAS threads, {os.cpu_count()} CPUs ({platform.processor() or platform.machine()})")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if name in os.environ:
            print(f"  {name}={os.environ[name]}")
    if "torch" in impls:
        try:
            import torch

            print(f"PyTorch {torch.__version__}, run with torch.set_num_threads({threads})")
        except ImportError:
            print("PyTorch not installed: skipping it")
            impls.remove("torch")
    matmul = {name: square_matmul_gflops(np.dtype(name)) for name in ("float64", "float32")}
    print(f"Square matmul (n = 2048, NumPy): {matmul['float64']:.1f} GFLOP/s float64, "
          f"{matmul['float32']:.1f} GFLOP/s float32")
    print()
    results = measure(impls, args.dtypes, sizes, args.quick, threads)
    matmul_after = {name: square_matmul_gflops(np.dtype(name)) for name in ("float64", "float32")}
    print(f"(square matmul measured again after the runs: {matmul_after['float64']:.1f} / "
          f"{matmul_after['float32']:.1f} GFLOP/s; a large change means the machine was busy)")
    print()
    outcomes = report(results, impls, args.dtypes, sizes, matmul)
    return 1 if args.check and not all(ok for _, ok in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
