#!/usr/bin/env python
"""Precompute how far back an LSTM and a vanilla RNN can remember: the adding problem as the gap T grows.

For each sequence length T and each seed, train an LSTM and a vanilla RNN with the course's shared setting
(``lstm_ref.training.ADDING_DEMO``: the same size, batches, step budget, Adam and clipping) and record the
held-out loss divided by the trivial baseline (about 1: learned nothing; below 0.1: solved). The RNN gets the
best of several learning rates (chosen by its final held-out ratio, which favours the RNN).

The result, with the settings used, goes to ``lstm_ref/data/gap_sweep.json`` (a few KB), which the training
unit plots; the notebook then re-runs one point live with ``lstm_ref.training.adding_demo``.

Usage (from anywhere; paths are found from this file's location). The full sweep takes several minutes of
CPU, so be kind to others on the machine:

    nice python scripts/sweep_gap.py                         # the committed sweep
    python scripts/sweep_gap.py --lengths 5 10 --seeds 1 --steps 200 --output /some/where.json   # a quick try

One BLAS thread is all these small matrix products can use; OPENBLAS_NUM_THREADS=1 halves the CPU time (the
extra threads only spin).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from lstm_ref.training import ADDING_DEMO, adding_demo  # noqa: E402

DEFAULT_OUTPUT = REPO / "lstm_ref" / "data" / "gap_sweep.json"
DEFAULT_LENGTHS = (5, 10, 20, 30, 40, 60, 80, 100)
DEFAULT_SEEDS = 5


def sweep(lengths, seeds, steps, rnn_lrs, log=print) -> dict:
    """Run the sweep and return the JSON-ready result (see the module docstring)."""
    results = []
    started = time.process_time()
    for length in lengths:
        point = {"length": length, "lstm_ratio": [], "rnn_ratio": [], "rnn_lr": [], "lstm_solved_at": []}
        for seed in seeds:
            lstm = adding_demo("lstm", seed, length=length, steps=steps)
            solved_at = next((step for step, ratio in zip(lstm.eval_steps, lstm.eval_ratios)
                              if ratio < ADDING_DEMO["solved_ratio"]), None)
            rnn = min((adding_demo("rnn", seed, length=length, steps=steps, lr=lr) for lr in rnn_lrs),
                      key=lambda result: result.ratio)
            point["lstm_ratio"].append(round(lstm.ratio, 5))
            point["lstm_solved_at"].append(solved_at)
            point["rnn_ratio"].append(round(rnn.ratio, 5))
            point["rnn_lr"].append(rnn.lr)
            log(f"T = {length:3d}  seed {seed}:  LSTM ratio {lstm.ratio:.4f} (solved at step {solved_at}),  "
                f"RNN ratio {rnn.ratio:.4f} (lr {rnn.lr:g})   [{time.process_time() - started:.0f} s CPU]")
        results.append(point)

    # "length" (the demo's T) is left out: here the lengths vary.
    settings = {key: value for key, value in ADDING_DEMO.items() if key not in ("lr", "length")}
    settings.update(steps=steps, lstm_lr=ADDING_DEMO["lr"]["lstm"], rnn_lrs=list(rnn_lrs), seeds=list(seeds),
                    lengths=list(lengths))
    return {
        "description": "Adding problem: held-out MSE / baseline MSE (always predicting 1.0) after a fixed step "
                       "budget, for an LSTM and a vanilla tanh RNN of the same size, per sequence length T "
                       "(one value per seed). Below solved_ratio counts as solved. Made by scripts/sweep_gap.py.",
        "settings": settings,
        "results": results,
        "run": {"cpu_seconds": round(time.process_time() - started), "numpy": np.__version__,
                "python": platform.python_version()},
    }


def to_json(result: dict) -> str:
    """Indented JSON, but with each list of numbers on one line, so the file reads as a table."""
    text = json.dumps(result, indent=1)
    one_line = lambda match: "[" + ", ".join(item.strip() for item in match.group(1).split(",")) + "]"  # noqa: E731
    return re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]", one_line, text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--lengths", type=int, nargs="+", default=list(DEFAULT_LENGTHS))
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help="seeds 0 .. N-1")
    parser.add_argument("--steps", type=int, default=ADDING_DEMO["steps"])
    parser.add_argument("--rnn-lrs", type=float, nargs="+", default=list(ADDING_DEMO["rnn_lrs"]))
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    result = sweep(args.lengths, list(range(args.seeds)), args.steps, args.rnn_lrs)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(to_json(result) + "\n")
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes, {result['run']['cpu_seconds']} s CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
