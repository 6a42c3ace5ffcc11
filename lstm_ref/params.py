"""The parameters of an LSTM and of a vanilla RNN, stored the way the fast code wants them.

Every gate of an LSTM looks at the same vector, the current input followed by the previous hidden state,

    z_t = [x_t, h_{t-1}]                      shape (B, D + H)   (x first, then h)

and computes ``act(z_t @ W_gate.T + b_gate)`` with its own ``W_gate`` (H, D + H) and ``b_gate`` (H,). Instead of
four separate matrices we stack them, in PyTorch's order (i, f, g, o):

    W = [W_i; W_f; W_g; W_o]                  shape (4H, D + H)
    b = [b_i; b_f; b_g; b_o]                  shape (4H,)

so one matrix product ``z_t @ W.T`` computes all four gates at once. The per-gate names (``W_f``, ``b_f``, ...)
are NumPy *views* into ``W`` and ``b``: reading them costs nothing and writing through them changes ``W``/``b``.

A vanilla RNN has a single "gate": ``W`` (H, D + H) and ``b`` (H,).

PyTorch stores the same numbers differently: ``weight_ih_l0`` (G*H, D) acts on x, ``weight_hh_l0`` (G*H, H) on h,
and there are two bias vectors that are always added together. So

    W = [weight_ih_l0 | weight_hh_l0]   (side by side),        b = bias_ih_l0 + bias_hh_l0.

Going back we put all of ``b`` in ``bias_ih_l0`` and zeros in ``bias_hh_l0``; that round trip is exact.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._validation import FLOAT_DTYPES, require_finite, require_float_array, require_positive_int

__all__ = ["LSTMParams", "RNNParams", "as_generator"]


def as_generator(rng) -> np.random.Generator:
    """Turn ``rng`` (None, an integer seed, or a ``np.random.Generator``) into a Generator.

    We never touch NumPy's global random state (no ``np.random.seed``): a seed only ever builds a private
    generator, so calling this cannot change the numbers some other code draws.
    """
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be None, an integer seed or a np.random.Generator (np.random.default_rng(seed)), "
        f"got {type(rng).__name__}."
    )


def _require_float_dtype(dtype) -> np.dtype:
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}.") from None
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype}.")
    return dtype


def _to_numpy(name: str, value) -> np.ndarray:
    """A PyTorch tensor (or any array-like) as a NumPy array that shares no memory with it."""
    if hasattr(value, "detach"):  # a torch.Tensor: leave autograd and the device, then copy
        value = value.detach().cpu().numpy()
    array = np.array(value, copy=True)
    return require_float_array(name, array)


@dataclass(eq=False)
class _RecurrentParams:
    """What an LSTM and a vanilla RNN share: a fused weight matrix ``W`` and bias ``b`` acting on [x, h].

    Subclasses set ``GATES`` (rows of ``W`` per hidden unit: 4 for the LSTM, 1 for the RNN) and ``TORCH_NAME``.
    """

    W: np.ndarray
    b: np.ndarray

    GATES: ClassVar[int] = 1
    TORCH_NAME: ClassVar[str] = ""

    def __post_init__(self):
        # Structure only (shapes, dtypes). Finiteness is checked where parameters are *used*, so that a
        # gradient that has exploded to inf can still be held in a params object and looked at.
        self._check_structure("params")

    # ----------------------------------------------------------------------------------------------- sizes
    @property
    def hidden_size(self) -> int:
        """H: the number of hidden units."""
        return self.W.shape[0] // self.GATES

    @property
    def input_size(self) -> int:
        """D: the number of input features per time step."""
        return self.W.shape[1] - self.hidden_size

    @property
    def dtype(self) -> np.dtype:
        return self.W.dtype

    @property
    def W_x(self) -> np.ndarray:
        """View of the columns of ``W`` that multiply the input x: shape (G*H, D)."""
        return self.W[:, : self.input_size]

    @property
    def W_h(self) -> np.ndarray:
        """View of the columns of ``W`` that multiply the previous hidden state h: shape (G*H, H)."""
        return self.W[:, self.input_size :]

    # ------------------------------------------------------------------------------------------ checking
    def _check_structure(self, name: str) -> None:
        G = self.GATES
        W = require_float_array(f"{name}.W", self.W)
        b = require_float_array(f"{name}.b", self.b)
        if W.ndim != 2 or W.shape[0] == 0 or W.shape[0] % G != 0 or W.shape[1] <= W.shape[0] // G:
            raise ValueError(
                f"{name}.W must be a 2-D array of shape ({G}H, D + H) with H >= 1 and D >= 1, got shape {W.shape}."
            )
        H = W.shape[0] // G
        if b.shape != (G * H,):
            raise ValueError(f"{name}.b must have shape ({G}H,) = ({G * H},) to match {name}.W, got {b.shape}.")
        if b.dtype != W.dtype:
            raise TypeError(f"{name}.b has dtype {b.dtype} but {name}.W has dtype {W.dtype}; use one float type.")

    def validate(self, name: str = "params") -> None:
        """Check shapes, dtypes and that every weight and bias is finite; errors name ``name``."""
        self._check_structure(name)
        require_finite(f"{name}.W", self.W)
        require_finite(f"{name}.b", self.b)

    # ------------------------------------------------------------------------------ building and copying
    @classmethod
    def _uniform(cls, input_size, hidden_size, rng, dtype):
        """PyTorch's default initialisation: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H))."""
        D = require_positive_int("input_size", input_size)
        H = require_positive_int("hidden_size", hidden_size)
        dtype = _require_float_dtype(dtype)
        generator = as_generator(rng)
        bound = 1.0 / np.sqrt(H)
        # Drawn in float64 then rounded, so float32 and float64 parameters from one seed hold the same numbers.
        W = generator.uniform(-bound, bound, size=(cls.GATES * H, D + H)).astype(dtype)
        b = generator.uniform(-bound, bound, size=cls.GATES * H).astype(dtype)
        return W, b

    def arrays(self) -> dict[str, np.ndarray]:
        """The parameter arrays by name, ``{"W": W, "b": b}``: the arrays themselves (not copies), so an
        optimiser can update them in place, and a gradient object (same class) has the same names."""
        return {"W": self.W, "b": self.b}

    def zeros_like(self):
        """Parameters of the same shapes and dtype filled with zeros (e.g. to accumulate gradients)."""
        return type(self)(np.zeros_like(self.W), np.zeros_like(self.b))

    def copy(self):
        """An independent copy (changing it leaves ``self`` untouched)."""
        return type(self)(self.W.copy(), self.b.copy())

    def astype(self, dtype):
        """A copy converted to ``dtype`` (np.float32 or np.float64)."""
        dtype = _require_float_dtype(dtype)
        return type(self)(self.W.astype(dtype), self.b.astype(dtype))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size}, "
            f"dtype={self.dtype}, W{self.W.shape}, b{self.b.shape})"
        )

    # --------------------------------------------------------------------------------------- PyTorch
    @classmethod
    def _check_torch_module(cls, module) -> None:
        """Refuse PyTorch layers we cannot represent (stacked, bidirectional, ...). Subclasses add checks."""
        if getattr(module, "num_layers", 1) != 1:
            raise ValueError(f"only a single-layer {cls.TORCH_NAME} converts, got num_layers={module.num_layers}.")
        if getattr(module, "bidirectional", False):
            raise ValueError(f"only a one-directional {cls.TORCH_NAME} converts, got bidirectional=True.")

    @classmethod
    def from_torch(cls, module_or_state_dict):
        """Build parameters from a ``torch.nn.{LSTM,RNN}`` module or its ``state_dict()``.

        W = [weight_ih_l0 | weight_hh_l0] (G*H, D + H); b = bias_ih_l0 + bias_hh_l0 (G*H,) (zeros without bias).
        The dtype follows the tensors (float32 or float64). The arrays are copies: later changes to the module
        do not reach these parameters.
        """
        source = module_or_state_dict
        if hasattr(source, "state_dict"):
            cls._check_torch_module(source)
            source = source.state_dict()
        if not hasattr(source, "keys"):
            raise TypeError(
                f"module_or_state_dict must be a torch.nn.{cls.TORCH_NAME} or its state_dict(), "
                f"got {type(module_or_state_dict).__name__}."
            )
        expected = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
        unknown = sorted(set(source.keys()) - expected)
        if unknown or not {"weight_ih_l0", "weight_hh_l0"} <= set(source.keys()):
            raise ValueError(
                f"expected the state_dict of a single-layer, one-directional torch.nn.{cls.TORCH_NAME} "
                f"(keys {sorted(expected)}), got keys {sorted(source.keys())}."
            )
        w_ih = _to_numpy("weight_ih_l0", source["weight_ih_l0"])
        w_hh = _to_numpy("weight_hh_l0", source["weight_hh_l0"])
        G = cls.GATES
        if w_hh.ndim != 2 or w_hh.shape[0] != G * w_hh.shape[1]:
            raise ValueError(f"weight_hh_l0 must have shape ({G}H, H), got {w_hh.shape}.")
        H = w_hh.shape[1]
        if w_ih.ndim != 2 or w_ih.shape[0] != G * H:
            raise ValueError(f"weight_ih_l0 must have shape ({G}H, D) = ({G * H}, D), got {w_ih.shape}.")
        has_bias = "bias_ih_l0" in source or "bias_hh_l0" in source
        if has_bias and not ("bias_ih_l0" in source and "bias_hh_l0" in source):
            raise ValueError("a state_dict with biases must hold both bias_ih_l0 and bias_hh_l0.")
        if has_bias:
            b = _to_numpy("bias_ih_l0", source["bias_ih_l0"]) + _to_numpy("bias_hh_l0", source["bias_hh_l0"])
        else:  # bias=False in PyTorch: the same layer as ours with b = 0
            b = np.zeros(G * H, dtype=w_ih.dtype)
        return cls(np.concatenate([w_ih, w_hh], axis=1), b)

    def to_torch_state_dict(self) -> OrderedDict:
        """The ``state_dict`` of the equivalent ``torch.nn.{LSTM,RNN}(D, H, batch_first=True)`` (needs torch).

        weight_ih_l0 = W[:, :D], weight_hh_l0 = W[:, D:], bias_ih_l0 = b, bias_hh_l0 = 0: PyTorch adds the two
        biases, and b + 0 == b exactly, so ``from_torch(to_torch_state_dict())`` gives back the same numbers.
        Load it with ``module.load_state_dict(...)`` into a module created with the same dtype.
        """
        import torch  # imported here: PyTorch is optional for everything else in lstm_ref

        D = self.input_size
        return OrderedDict(
            weight_ih_l0=torch.from_numpy(self.W[:, :D].copy()),
            weight_hh_l0=torch.from_numpy(self.W[:, D:].copy()),
            bias_ih_l0=torch.from_numpy(self.b.copy()),
            bias_hh_l0=torch.from_numpy(np.zeros_like(self.b)),
        )


def _gate_view(array_name: str, gate: int, symbol: str) -> property:
    """A property returning rows ``gate*H:(gate+1)*H`` of ``W`` or ``b`` as a view; assigning to it writes
    into those rows (``p.b_f = 1.0`` sets the forget-gate bias)."""

    def rows(self) -> slice:
        H = self.hidden_size
        return slice(gate * H, (gate + 1) * H)

    def get(self) -> np.ndarray:
        return getattr(self, array_name)[rows(self)]

    def set(self, value) -> None:
        block = get(self)
        value = np.asarray(value)
        if value.shape not in ((), block.shape):
            raise ValueError(f"{symbol} must have shape {block.shape} (or be a number), got {value.shape}.")
        block[...] = value

    shape = "(H, D + H)" if array_name == "W" else "(H,)"
    return property(get, set, doc=f"{symbol}: view of the {symbol[2:]}-gate rows of {array_name}, shape {shape}.")


@dataclass(eq=False, repr=False)
class LSTMParams(_RecurrentParams):
    """LSTM parameters: ``W`` (4H, D + H) and ``b`` (4H,), gate blocks in the order (i, f, g, o).

    i: input gate, f: forget gate, g: candidate cell values, o: output gate. Per-gate views: ``W_i, W_f, W_g,
    W_o`` (H, D + H) and ``b_i, b_f, b_g, b_o`` (H,). Build with ``LSTMParams.init(D, H, rng=seed)``.
    """

    GATES: ClassVar[int] = 4
    TORCH_NAME: ClassVar[str] = "LSTM"

    W_i = _gate_view("W", 0, "W_i")
    W_f = _gate_view("W", 1, "W_f")
    W_g = _gate_view("W", 2, "W_g")
    W_o = _gate_view("W", 3, "W_o")
    b_i = _gate_view("b", 0, "b_i")
    b_f = _gate_view("b", 1, "b_f")
    b_g = _gate_view("b", 2, "b_g")
    b_o = _gate_view("b", 3, "b_o")

    @classmethod
    def init(cls, input_size: int, hidden_size: int, rng=None, forget_bias: float | None = 1.0, dtype=np.float64):
        """Random parameters like PyTorch's: every entry ~ U(-1/sqrt(H), 1/sqrt(H)), drawn from ``rng``.

        Args:
            input_size: D. hidden_size: H.
            rng: None (fresh randomness), an integer seed, or a ``np.random.Generator``.
            forget_bias: the value every forget-gate bias b_f starts at. 1.0 (the default) makes the forget gate
                start mostly open (sigma(1) = 0.73), so the cell state is remembered early in training;
                ``None`` keeps PyTorch's random b_f.
            dtype: np.float64 (default) or np.float32.
        Returns:
            LSTMParams with W (4H, D + H) and b (4H,).
        """
        W, b = cls._uniform(input_size, hidden_size, rng, dtype)
        params = cls(W, b)
        if forget_bias is not None:
            forget_bias = float(forget_bias)
            if not np.isfinite(forget_bias):
                raise ValueError(f"forget_bias must be a finite number or None, got {forget_bias}.")
            params.b_f = forget_bias
        return params

    @classmethod
    def _check_torch_module(cls, module) -> None:
        super()._check_torch_module(module)
        if getattr(module, "proj_size", 0):
            raise ValueError(f"an LSTM with a projection (proj_size={module.proj_size}) does not convert.")


@dataclass(eq=False, repr=False)
class RNNParams(_RecurrentParams):
    """Vanilla (Elman) tanh RNN parameters: ``W`` (H, D + H) acting on [x, h] and ``b`` (H,)."""

    GATES: ClassVar[int] = 1
    TORCH_NAME: ClassVar[str] = "RNN"

    @classmethod
    def init(cls, input_size: int, hidden_size: int, rng=None, dtype=np.float64):
        """Random parameters like PyTorch's: every entry ~ U(-1/sqrt(H), 1/sqrt(H)), drawn from ``rng``
        (None, an integer seed or a ``np.random.Generator``). Returns W (H, D + H), b (H,)."""
        return cls(*cls._uniform(input_size, hidden_size, rng, dtype))

    @classmethod
    def _check_torch_module(cls, module) -> None:
        super()._check_torch_module(module)
        if getattr(module, "nonlinearity", "tanh") != "tanh":
            raise ValueError(f"only a tanh RNN converts, got nonlinearity={module.nonlinearity!r}.")
