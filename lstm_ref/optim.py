"""Optimisers and gradient clipping, in plain NumPy.

An optimiser turns gradients into parameter updates. Here both take the parameters and the gradients as
dictionaries ``{name: array}`` with the same keys (e.g. ``{"cell.W": ..., "cell.b": ..., "readout.W": ...}``),
update the parameter arrays *in place*, and keep whatever they remember between steps (momentum, running
averages) in a per-name state, so one optimiser can drive a whole model.

    SGD with momentum   v <- mu v + g;          theta <- theta - lr v
    Adam                m <- b1 m + (1 - b1) g;  s <- b2 s + (1 - b2) g^2
                        m_hat = m / (1 - b1^t);  s_hat = s / (1 - b2^t)
                        theta <- theta - lr m_hat / (sqrt(s_hat) + eps)

Clipping by global norm rescales all gradients together when their joint length exceeds a threshold:

    ||g|| = sqrt(sum over every array and element of g^2);   g <- g * min(1, max_norm / ||g||)

It keeps the direction of the step and only shortens it, which is what tames the exploding gradients of
recurrent networks (one huge step can undo a whole training run).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

__all__ = ["SGD", "Adam", "clip_by_global_norm", "global_norm"]


def _check_matching(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
    """Raise a readable error unless ``params`` and ``grads`` have the same names, shapes and dtypes."""
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict {{name: array}}, got {type(params).__name__}.")
    if not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a dict {{name: array}}, got {type(grads).__name__}.")
    if set(params) != set(grads):
        missing = sorted(set(params) - set(grads))
        extra = sorted(set(grads) - set(params))
        raise ValueError(f"params and grads must have the same names: grads is missing {missing} and has "
                         f"unexpected {extra}.")
    for name, value in params.items():
        grad = grads[name]
        if not isinstance(value, np.ndarray) or not np.issubdtype(value.dtype, np.floating):
            raise TypeError(f"params[{name!r}] must be a float NumPy array (updated in place), got "
                            f"{type(value).__name__} {getattr(value, 'dtype', '')}".rstrip() + ".")
        if not isinstance(grad, np.ndarray):
            raise TypeError(f"grads[{name!r}] must be a NumPy array, got {type(grad).__name__}.")
        if grad.shape != value.shape:
            raise ValueError(f"grads[{name!r}] must have the shape of params[{name!r}], {value.shape}, got "
                             f"{grad.shape}.")
        if grad.dtype != value.dtype:
            raise TypeError(f"grads[{name!r}] must have the dtype of params[{name!r}], {value.dtype}, got "
                            f"{grad.dtype}.")
        if not np.all(np.isfinite(grad)):
            raise ValueError(f"grads[{name!r}] contains NaN or inf; refusing to write it into the parameters. "
                             "Try gradient clipping or a smaller learning rate.")


def _check_positive(name: str, value: float) -> float:
    if not isinstance(value, (int, float, np.floating, np.integer)) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
    return float(value)


def _check_fraction(name: str, value: float) -> float:
    if not isinstance(value, (int, float, np.floating, np.integer)) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}.")
    return float(value)


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum.

        v <- momentum * v + g          (v starts at 0; momentum = 0 gives plain SGD: theta <- theta - lr g)
        theta <- theta - lr * v

    The velocity v is a running sum of past gradients: directions that agree from step to step build up speed,
    directions that flip sign cancel out. This is the convention PyTorch's ``torch.optim.SGD`` uses.

    Args:
        lr: the learning rate, > 0.
        momentum: mu in [0, 1).
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.0):
        self.lr = _check_positive("lr", lr)
        self.momentum = _check_fraction("momentum", momentum)
        self.velocity: dict[str, np.ndarray] = {}

    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place from the matching array of ``grads``."""
        _check_matching(params, grads)
        for name, value in params.items():
            grad = grads[name]
            if self.momentum == 0.0:
                value -= self.lr * grad
                continue
            velocity = self.velocity.get(name)
            if velocity is None:
                velocity = self.velocity[name] = np.zeros_like(value)
            velocity *= self.momentum
            velocity += grad
            value -= self.lr * velocity


class Adam:
    """Adam: momentum plus a per-element step size from the running size of the gradient.

        m <- beta1 m + (1 - beta1) g             running mean of the gradient (its direction)
        s <- beta2 s + (1 - beta2) g^2           running mean of its square (its typical size)
        m_hat = m / (1 - beta1^t),  s_hat = s / (1 - beta2^t)    undo the bias of starting m and s at 0
        theta <- theta - lr * m_hat / (sqrt(s_hat) + eps)

    Dividing by sqrt(s_hat) makes each step about ``lr`` long whatever the scale of the gradient, so a weight
    whose gradient is tiny (a long-range dependency, say) still moves. t counts the calls to ``step``.

    Args:
        lr: the learning rate, > 0 (1e-3 is the usual default, 1e-2 suits the course's small models).
        beta1, beta2: decay rates of the two running means, in [0, 1).
        eps: > 0, keeps the division finite when s_hat is 0.
    """

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr = _check_positive("lr", lr)
        self.beta1 = _check_fraction("beta1", beta1)
        self.beta2 = _check_fraction("beta2", beta2)
        self.eps = _check_positive("eps", eps)
        self.t = 0
        self.mean: dict[str, np.ndarray] = {}
        self.mean_square: dict[str, np.ndarray] = {}

    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place from the matching array of ``grads``."""
        _check_matching(params, grads)
        self.t += 1
        mean_correction = 1.0 - self.beta1 ** self.t
        square_correction = 1.0 - self.beta2 ** self.t
        for name, value in params.items():
            grad = grads[name]
            if name not in self.mean:
                self.mean[name] = np.zeros_like(value)
                self.mean_square[name] = np.zeros_like(value)
            mean, mean_square = self.mean[name], self.mean_square[name]
            mean *= self.beta1
            mean += (1.0 - self.beta1) * grad
            mean_square *= self.beta2
            mean_square += (1.0 - self.beta2) * (grad * grad)
            step = (mean / mean_correction) / (np.sqrt(mean_square / square_correction) + self.eps)
            value -= self.lr * step


def global_norm(grads: Mapping[str, np.ndarray]) -> float:
    """sqrt of the sum of squares of every element of every array in ``grads`` (a dict name -> array)."""
    if not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a dict {{name: array}}, got {type(grads).__name__}.")
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads.values())))


def clip_by_global_norm(grads: Mapping[str, np.ndarray], max_norm: float) -> tuple[dict[str, np.ndarray], float]:
    """Rescale all gradients together so that their global norm is at most ``max_norm``.

        norm = sqrt(sum_arrays sum_elements g^2);    g <- g * min(1, max_norm / norm)

    Args:
        grads: dict name -> gradient array (any shapes).
        max_norm: the largest allowed global norm, > 0.

    Returns:
        clipped: a new dict with new arrays (``grads`` is left untouched), each scaled by the same factor.
        norm: the global norm *before* clipping (worth logging: spikes in it are exploding gradients).
    """
    max_norm = _check_positive("max_norm", max_norm)
    norm = global_norm(grads)
    if not np.isfinite(norm):
        raise ValueError(f"the global gradient norm is {norm}: some gradient is NaN or inf, and no rescaling "
                         "can fix that. Look for a too-large learning rate or an overflow earlier.")
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    clipped = {name: g * np.asarray(scale, dtype=g.dtype) for name, g in grads.items()}
    return clipped, norm
