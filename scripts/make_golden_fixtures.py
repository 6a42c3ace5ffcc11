"""Write the golden fixtures: small .npz files holding PyTorch's LSTM/RNN results, for tests without PyTorch.

    python scripts/make_golden_fixtures.py          (needs torch; run once, commit tests/fixtures/golden/*.npz)

For each case, weights, biases, inputs, initial states and the upstream gradients are drawn from a seeded NumPy
generator, copied into a float64 ``torch.nn.LSTM`` / ``torch.nn.RNN`` (batch_first=True), and the module's
outputs and autograd gradients of the loss

    L = sum(R * hs) + sum(R_h * h_T) [+ sum(R_c * c_T) for the LSTM]

are stored next to them, in PyTorch's layout (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 and the
gradients d_<name>). tests/lstm_ref/test_golden.py reads them and checks lstm_ref against them to 1e-10.
Both biases are drawn independently (non-zero), so the fixtures also check that b = bias_ih + bias_hh.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "golden"

# (kind, B, T, D, H): one step, H != D both ways, a batch, and a long sequence (T >= 100).
CASES = [
    ("lstm", 1, 1, 3, 2),
    ("lstm", 2, 5, 3, 4),
    ("lstm", 3, 4, 5, 2),
    ("lstm", 1, 100, 2, 3),
    ("rnn", 1, 1, 3, 2),
    ("rnn", 2, 5, 3, 4),
    ("rnn", 3, 4, 5, 2),
    ("rnn", 1, 100, 2, 3),
]


def case_name(kind: str, B: int, T: int, D: int, H: int) -> str:
    return f"{kind}_B{B}_T{T}_D{D}_H{H}"


def make_case(kind: str, B: int, T: int, D: int, H: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    module_type = torch.nn.LSTM if kind == "lstm" else torch.nn.RNN
    module = module_type(D, H, batch_first=True, dtype=torch.float64)
    bound = 1.0 / np.sqrt(H)
    data: dict[str, np.ndarray] = {}
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            value = rng.uniform(-bound, bound, size=tuple(parameter.shape))
            parameter.copy_(torch.from_numpy(value))
            data[name] = value
    data["x"] = rng.normal(size=(B, T, D))
    data["h0"] = rng.normal(size=(B, H))
    data["R"] = rng.normal(size=(B, T, H))
    data["R_h"] = rng.normal(size=(B, H))
    if kind == "lstm":
        data["c0"] = rng.normal(size=(B, H))
        data["R_c"] = rng.normal(size=(B, H))

    x = torch.tensor(data["x"], requires_grad=True)
    h0 = torch.tensor(data["h0"][None], requires_grad=True)  # PyTorch wants (num_layers, B, H)
    if kind == "lstm":
        c0 = torch.tensor(data["c0"][None], requires_grad=True)
        hs, (h_T, c_T) = module(x, (h0, c0))
        loss = (hs * torch.tensor(data["R"])).sum() + (h_T[0] * torch.tensor(data["R_h"])).sum()
        loss = loss + (c_T[0] * torch.tensor(data["R_c"])).sum()
        data["c_T"] = c_T[0].detach().numpy()
    else:
        hs, h_T = module(x, h0)
        loss = (hs * torch.tensor(data["R"])).sum() + (h_T[0] * torch.tensor(data["R_h"])).sum()
    loss.backward()
    data["hs"] = hs.detach().numpy()
    data["h_T"] = h_T[0].detach().numpy()
    data["dx"] = x.grad.numpy()
    data["dh0"] = h0.grad[0].numpy()
    if kind == "lstm":
        data["dc0"] = c0.grad[0].numpy()
    for name, parameter in module.named_parameters():
        data[f"d_{name}"] = parameter.grad.numpy()
    data["torch_version"] = np.array(torch.__version__)
    return data


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, case in enumerate(CASES):
        path = OUT / f"{case_name(*case)}.npz"
        np.savez_compressed(path, **make_case(*case, seed=seed))
        print(f"wrote {path.relative_to(OUT.parents[2])} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
