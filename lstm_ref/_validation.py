"""Input checks with messages a learner can act on.

Every public function of ``lstm_ref`` checks its arguments once, on entry, with the helpers below, so a
mistake surfaces as a clear error at the call that made it, instead of as a silent broadcast or a NaN three
cells later. Each message names the argument, the expected shape or dtype (in symbols and in numbers) and
what was received, for example:

    ValueError: h_prev must have shape (B, H) = (2, 4) (B from x, H from the parameters), got (2, 5).

The symbols are the course's: B batch size, T sequence length, D input size, H hidden size.
Wrong kinds of value (a list, an integer array, float32 data with float64 parameters) raise ``TypeError``;
right kind but wrong shape or non-finite parameters raise ``ValueError``.

These checks run once per call (never inside the time loop) and cost a few microseconds.
"""

from __future__ import annotations

import numpy as np

# The float types the reference computes in. float16 is left out on purpose: its 3 significant digits are
# too few for the gradient checks the course relies on.
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def format_expected(symbols: tuple[str, ...], sizes: tuple[int | None, ...]) -> str:
    """Spell an expected shape as "(B, H) = (2, 4)"; a size that is free (None) keeps its symbol."""
    names = "(" + ", ".join(symbols) + ")"
    if all(size is None for size in sizes):
        return names
    numbers = [symbol if size is None else str(size) for symbol, size in zip(symbols, sizes)]
    return f"{names} = ({', '.join(numbers)})"


def require_float_array(name: str, value) -> np.ndarray:
    """Return ``value`` if it is a float32/float64 NumPy array; raise ``TypeError`` naming ``name`` otherwise."""
    if not isinstance(value, np.ndarray):
        raise TypeError(
            f"{name} must be a NumPy array of floats, got {type(value).__name__}. "
            f"Convert it with np.asarray({name}, dtype=np.float64)."
        )
    if value.dtype not in FLOAT_DTYPES:
        raise TypeError(
            f"{name} must hold floating-point numbers (float32 or float64), got dtype {value.dtype}. "
            f"Convert it with {name}.astype(np.float64)."
        )
    return value


def require_shape(
    name: str,
    value: np.ndarray,
    symbols: tuple[str, ...],
    sizes: tuple[int | None, ...],
    why: str = "",
    hint: str = "",
) -> None:
    """Raise ``ValueError`` unless ``value.shape`` matches ``sizes`` (None = any size) with the same rank.

    ``why`` says where the expected sizes come from (e.g. "B from x, H from the parameters"); ``hint`` is
    appended when the rank itself is wrong (e.g. how to add a missing time axis).
    """
    if value.ndim == len(symbols) and all(size is None or size == n for size, n in zip(sizes, value.shape)):
        return  # the common case: no message to build
    expected = format_expected(symbols, sizes)
    because = f" ({why})" if why else ""
    if value.ndim != len(symbols):
        message = (
            f"{name} must be a {len(symbols)}-D array of shape {expected}{because}, "
            f"got a {value.ndim}-D array of shape {value.shape}."
        )
        raise ValueError(message + (f" {hint}" if hint else ""))
    if any(size is not None and size != actual for size, actual in zip(sizes, value.shape)):
        raise ValueError(f"{name} must have shape {expected}{because}, got {value.shape}.")


def require_dtype(name: str, value: np.ndarray, dtype: np.dtype, params_name: str = "the parameters") -> None:
    """Raise ``TypeError`` if ``value``'s dtype differs from the parameters' (no silent up- or down-cast)."""
    if value.dtype != dtype:
        raise TypeError(
            f"{name} has dtype {value.dtype} but {params_name} are {dtype}; mixing them would silently change "
            f"the precision. Convert one of them, e.g. {name}.astype(np.{dtype}) or params.astype(np.{value.dtype})."
        )


def require_finite(name: str, value: np.ndarray) -> None:
    """Raise ``ValueError`` if ``value`` holds NaN or +-inf, saying how many and where the first one is."""
    # Cheap path: a finite sum proves every entry is finite, since NaN and inf always propagate through it
    # (inf - inf is NaN). Only when it is not finite do we pay for the elementwise test with its temporary
    # array: the sum may merely have overflowed. A plain sum, not a BLAS dot product: a multi-threaded BLAS
    # call here would leave the BLAS's worker thread spinning on a core just as the time loop starts.
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow here is not the user's problem
        quick = np.add.reduce(value, axis=None)
    if np.isfinite(quick):
        return
    bad = ~np.isfinite(value)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} contains {int(bad.sum())} NaN or infinite value(s), the first at index {first}. "
            "This usually means training diverged: lower the learning rate or clip the gradients."
        )


def require_params(name: str, params, params_type: type) -> None:
    """Check a parameter object: the right class, float arrays of matching shapes and dtype, all finite."""
    if not isinstance(params, params_type):
        raise TypeError(f"{name} must be a {params_type.__name__}, got {type(params).__name__}.")
    params.validate(name)


def require_positive_int(name: str, value: int) -> int:
    """Sizes given by the user (input_size, hidden_size) must be positive Python/NumPy integers."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer, got {type(value).__name__} {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}.")
    return int(value)


def require_cache(name: str, cache, cache_type: type, made_by: str) -> None:
    """The backward functions take the cache their forward function returned, and nothing else."""
    if not isinstance(cache, cache_type):
        raise TypeError(
            f"{name} must be the {cache_type.__name__} returned by {made_by}, got {type(cache).__name__}."
        )
