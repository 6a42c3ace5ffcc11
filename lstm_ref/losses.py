"""Loss functions: a scalar that says how wrong a prediction is, and its gradient.

Each loss is one function that returns ``(loss, gradient)``: the forward value and the derivative of that value
with respect to the prediction, ready to be passed backwards through the readout and the recurrent layer.

Notation
--------
N is the number of predictions averaged over: every element for the squared error, every (sequence, step) row
for the cross-entropy. Both losses are *means*, so their size does not grow with the batch or the sequence length
and one learning rate works for any batch size.

    mean squared error     L = (1/N) * sum_n (pred_n - target_n)^2
                           dL/dpred_n = 2 (pred_n - target_n) / N

    softmax cross-entropy  p_nk = exp(z_nk) / sum_j exp(z_nj)               (softmax of the logits z)
                           L = -(1/N) * sum_n log p_{n, y_n}                (y_n: the correct class of row n)
                           dL/dz_nk = (p_nk - [k == y_n]) / N
"""

from __future__ import annotations

import numpy as np

from ._validation import require_finite, require_float_array

__all__ = ["mean_squared_error", "softmax_cross_entropy", "softmax", "log_softmax"]


def mean_squared_error(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error between a prediction and its target, and its gradient.

        L = (1/N) * sum_n (pred_n - target_n)^2,     dL/dpred = 2 (pred - target) / N

    where the sum and N run over every element.

    Args:
        pred: float array of any shape, e.g. (B, O) for one output per sequence or (B, T, O) for one per step.
        target: float array of exactly the same shape and dtype (no broadcasting: a (B,) target against a
            (B, 1) prediction would silently compare every prediction with every target).

    Returns:
        loss: a Python float, the mean over all N = pred.size elements.
        dpred: array shaped like ``pred``, the gradient of ``loss`` with respect to ``pred``.
    """
    for name, value in (("pred", pred), ("target", target)):
        require_float_array(name, value)
        require_finite(name, value)
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape: pred has shape {pred.shape}, target has "
                         f"shape {target.shape}. Reshape the target (e.g. target[:, None]) rather than rely on "
                         "broadcasting.")
    if pred.dtype != target.dtype:
        raise TypeError(f"pred and target must share a dtype: pred is {pred.dtype}, target is {target.dtype}.")
    if pred.size == 0:
        raise ValueError(f"pred is empty (shape {pred.shape}): a mean over no elements is undefined.")

    error = pred - target
    loss = float(np.mean(error * error))
    dpred = (2.0 / pred.size) * error
    return loss, dpred


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log p along the last axis, computed without overflow.

        log p_k = z_k - log sum_j exp(z_j) = (z_k - m) - log sum_j exp(z_j - m),   m = max_j z_j

    Subtracting the row maximum m changes nothing mathematically but keeps every exponent <= 0, so exp never
    overflows, and the largest term is exp(0) = 1, so the log never sees 0.

    Args:
        logits: float array (..., K).
    Returns:
        float array (..., K), same dtype.
    """
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities p_k = exp(z_k) / sum_j exp(z_j) along the last axis (stable, see ``log_softmax``).

    Args:
        logits: float array (..., K).
    Returns:
        float array (..., K) of non-negative values summing to 1 along the last axis.
    """
    return np.exp(log_softmax(logits))


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(logits) against integer class labels, and its gradient.

        p = softmax(z),     L = -(1/N) * sum_n log p_{n, y_n},     dL/dz_nk = (p_nk - [k == y_n]) / N

    The gradient is that simple because the softmax and the log cancel: a model that puts probability 1 on the
    right class gets a zero gradient, one that puts 0 there gets -1/N on that logit.

    Args:
        logits: float array (B, K) for one prediction per sequence, or (B, T, K) for one per step.
        labels: integer array (B,) or (B, T): the correct class of each row, each in [0, K).

    Returns:
        loss: a Python float, the mean over the N = B (or B * T) rows.
        dlogits: array shaped like ``logits``, the gradient of ``loss`` with respect to ``logits``.
    """
    require_float_array("logits", logits)
    require_finite("logits", logits)
    if not isinstance(labels, np.ndarray):
        raise TypeError(f"labels must be a NumPy array of integers, got {type(labels).__name__}.")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must hold integer class indices, got dtype {labels.dtype}. (One-hot targets? "
                        "Convert them with labels = onehot.argmax(axis=-1).)")
    if logits.ndim < 2:
        raise ValueError(f"logits must have shape (B, K) or (B, T, K) with the classes last, got shape "
                         f"{logits.shape}.")
    if labels.shape != logits.shape[:-1]:
        raise ValueError(f"labels must have shape logits.shape[:-1] = {logits.shape[:-1]} (one class per row of "
                         f"logits), got shape {labels.shape}.")
    num_classes = logits.shape[-1]
    if labels.size == 0:
        raise ValueError(f"logits has no rows (shape {logits.shape}): a mean over no elements is undefined.")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes}) for logits with K = {num_classes} classes, got "
                         f"values from {labels.min()} to {labels.max()}.")

    log_probs = log_softmax(logits)
    # Pick log p_{n, y_n} for every row n: flatten the rows so one fancy index does it for any rank.
    rows = log_probs.reshape(-1, num_classes)
    flat_labels = labels.reshape(-1)
    picked = rows[np.arange(rows.shape[0]), flat_labels]
    num_rows = rows.shape[0]
    loss = float(-np.mean(picked))

    dlogits = np.exp(log_probs).reshape(-1, num_classes)
    dlogits[np.arange(num_rows), flat_labels] -= 1.0
    dlogits /= num_rows
    return loss, dlogits.reshape(logits.shape)
