"""What a learner's function that raised did wrong: the failing line, its operands' shapes, and the mistake.

NumPy's words ("matmul: Input operand 1 has a mismatch in its core dimension 0 ...", "all the input array
dimensions except for the concatenation axis must match exactly ...") say that shapes clash, not which nor why.
The learner's own frame still holds its arrays when the error arrives, so the failing statement is read again,
the operands of each product, concatenation, elementwise operation or index in it are evaluated (only names,
attributes, subscripts and constants: nothing that could run the learner's code again), and their shapes are
compared with what each common mistake looks like:

    z @ W      (B, D + H) @ (H, D + H)     the weight is not transposed: z @ W.T
    W @ z      (H, D + H) @ (B, D + H)     the operands are swapped
    np.concatenate([x, h], axis=0)   (B, D) and (B, H)      joined on axis 0; the sizes fit on axis 1
    a + b      (3, 4) + (3, 6)             two arrays of shapes that do not fit, combined elementwise
    x[:, t + 1]   index 5 of an axis of size 5                  one step past the end

and likewise a float slice bound, too many indices, a store into a place of another shape, index arithmetic on
a tuple of positions, a library function given its arguments out of order, an undefined name, a division by
zero, a function calling itself.

``diagnose(error, library_folders)`` returns ``(slug, explanation)`` or ``None``; ``core.call_learner`` makes the
``Mistake`` ``<exercise>/<slug>`` (slugs and texts in ``RAISE_MISTAKES``). When nothing is recognised,
``names_in_line`` says what each name of the failing line held, which still points at the step to check.
"""

from __future__ import annotations

import ast
import linecache
import re
import traceback

import numpy as np

__all__ = ["RAISE_MISTAKES", "diagnose"]

# slug -> the mistake in a few words (the catalogue's text); the message adds the learner's names and shapes.
RAISE_MISTAKES = {
    "weight_not_transposed": "a weight matrix used without its transpose (z @ W instead of z @ W.T)",
    "product_operands_swapped": "the two sides of a matrix product swapped (W @ z instead of z @ W.T)",
    "product_sizes_mismatch": "a matrix product of arrays whose inner sizes differ",
    "concatenate_wrong_axis": "arrays joined along the wrong axis",
    "concatenate_sizes_mismatch": "arrays of different sizes joined",
    "shapes_do_not_broadcast": "two arrays of shapes that do not fit combined elementwise",
    "index_out_of_range": "an index one past the end of an axis (off by one)",
    "stack_sizes_mismatch": "arrays of different shapes stacked",
    "call_arguments": "a function called with its arguments in the wrong order or of the wrong kind",
    "name_not_defined": "a name used that this notebook does not define",
    "division_by_zero": "a division by a quantity that can be zero",
    "tuple_index_arithmetic": "a number added to or subtracted from a tuple of positions",
    "slice_not_integer": "a slice bound that is not a whole number (a division with /)",
    "too_many_indices": "more indices than the array has axes",
    "assignment_shape_mismatch": "an array stored into a place of another shape",
    "calls_itself": "the function calling itself",
    "indexing_a_number": "a number indexed as if it were an array",
}

# Calls the diagnosis may evaluate again: NumPy's elementwise functions and the course's activations (pure).
_PURE_CALLS = {"np.tanh", "np.exp", "np.sqrt", "np.abs", "np.log", "sigmoid", "np.square", "tanh"}

_SAFE = (ast.Name, ast.Attribute, ast.Subscript, ast.Slice, ast.Constant, ast.Tuple, ast.List, ast.UnaryOp,
         ast.BinOp, ast.Load, ast.operator, ast.unaryop, ast.expr_context)
_PRODUCTS = {"np.dot", "np.matmul", "numpy.dot", "numpy.matmul"}
_JOINS = {"np.concatenate", "np.hstack", "np.vstack", "np.stack", "numpy.concatenate"}


def _learner_frame(error: BaseException, library_folders: tuple[str, ...]):
    """The innermost frame of ``error``'s traceback that is the learner's code (not NumPy's, not ours)."""
    own = [(frame, line) for frame, line in traceback.walk_tb(error.__traceback__)
           if not is_library(frame.f_code.co_filename, library_folders)]
    return own[-1] if own else (None, None)


def _statement(filename: str, lineno: int) -> ast.stmt | None:
    """The smallest statement of the learner's cell (or file) that holds line ``lineno``."""
    source = "".join(linecache.getlines(filename))
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    best = None
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno <= lineno <= (node.end_lineno or node.lineno):
            if not isinstance(node, (ast.FunctionDef, ast.For, ast.While, ast.If, ast.With, ast.Try,
                                     ast.ClassDef, ast.AsyncFunctionDef)) or best is None:
                best = node
    return best


def _value(node: ast.AST, frame):
    """Evaluate a side-effect-free expression (names, attributes, subscripts) in the learner's frame."""
    for part in ast.walk(node):
        if isinstance(part, ast.Call):
            if _text(part.func) not in _PURE_CALLS or part.keywords:
                return None
        elif not isinstance(part, _SAFE):
            return None
    try:
        return eval(compile(ast.Expression(node), "<diagnosis>", "eval"), frame.f_globals, dict(frame.f_locals))
    except Exception:
        return None


def _shape(value):
    return tuple(np.shape(value)) if isinstance(value, (np.ndarray, np.generic, list, tuple)) else None


def _text(node: ast.AST) -> str:
    return ast.unparse(node)


def _product(left_node, right_node, frame, written: str):
    """A matrix product whose sizes clash: which mistake it is, in the learner's own names."""
    left, right = _shape(_value(left_node, frame)), _shape(_value(right_node, frame))
    if not left or not right or len(right) < 2 or left[-1] == right[-2]:
        return None
    a, b = _text(left_node), _text(right_node)
    if len(right) == 2 and left[-1] == right[-1]:
        result = left[:-1] + (right[0],)
        return ("weight_not_transposed",
                f"{written} multiplies {a} {left} by {b} {right}: the inner sizes {left[-1]} and {right[-2]} differ. "
                f"{b} is not transposed: it has one row per output unit, so the product is {a} @ {b}.T, "
                f"of shape {result}.")
    if len(left) == 2 and len(right) == 2 and left[0] == right[-1]:
        return ("product_operands_swapped",
                f"{written} multiplies {a} {left} by {b} {right}: the two sides are swapped. Put the batch "
                f"first: {b} @ {a}.T gives one row per sample.")
    return ("product_sizes_mismatch",
            f"{written} multiplies {a} {left} by {b} {right}, but the last size of the left ({left[-1]}) must equal "
            f"the first size of the right ({right[-2]}). Write the shapes of both sides next to the line.")


def _join(call: ast.Call, frame):
    """A concatenation whose parts do not fit on the axis used: is there an axis on which they would?"""
    if not call.args or not isinstance(call.args[0], (ast.List, ast.Tuple)):
        return None
    parts = [_shape(_value(element, frame)) for element in call.args[0].elts]
    if any(shape is None for shape in parts) or len(parts) < 2:
        return None
    axis_node = next((k.value for k in call.keywords if k.arg == "axis"), call.args[1] if len(call.args) > 1
                     else None)
    name = _text(call.func)
    default = {"np.vstack": 0, "np.hstack": 1 if len(parts[0]) > 1 else 0}.get(name, 0)
    axis = _value(axis_node, frame) if axis_node is not None else default
    if not isinstance(axis, (int, np.integer)) or name == "np.stack":
        return None
    ndim = len(parts[0])
    if any(len(shape) != ndim for shape in parts):
        return ("concatenate_sizes_mismatch",
                f"{_text(call)} joins arrays of shapes {', '.join(map(str, parts))}, which do not all have "
                f"{ndim} axes.")

    def fits(k):
        return all(shape[:k] + shape[k + 1:] == parts[0][:k] + parts[0][k + 1:] for shape in parts)

    good = [k for k in range(ndim) if fits(k)]
    names = ", ".join(f"{_text(e)} {s}" for e, s in zip(call.args[0].elts, parts))
    if good and axis % ndim not in good:
        right = good[-1]
        return ("concatenate_wrong_axis",
                f"{_text(call)} joins {names} along axis {axis}, where their sizes differ. They fit side by side "
                f"along axis {right}: {name}([...], axis={right}), one row per sample.")
    return ("concatenate_sizes_mismatch",
            f"{_text(call)} joins {names}: their sizes differ on more than the joining axis. Check which arrays "
            "go in and their shapes.")


def _elementwise(node: ast.BinOp, frame):
    left, right = _shape(_value(node.left, frame)), _shape(_value(node.right, frame))
    if left is None or right is None:
        return None
    try:
        np.broadcast_shapes(left, right)
        return None
    except ValueError:
        pass
    symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}.get(type(node.op), "?")
    extra = ""
    if len(left) == 2 and left == tuple(reversed(right)):
        extra = " One of them is transposed."
    return ("shapes_do_not_broadcast",
            f"{_text(node)} combines {_text(node.left)} {left} {symbol} {_text(node.right)} {right} entry by entry, "
            f"but these shapes do not fit.{extra} Check the shape each side should have.")


def _index(node: ast.Subscript, frame, message: str):
    match = re.search(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)", message)
    if not match:
        return None
    index, axis, size = (int(g) for g in match.groups())
    value = _value(node.value, frame)
    if _shape(value) is None or len(_shape(value)) <= axis or _shape(value)[axis] != size:
        return None
    return ("index_out_of_range",
            f"{_text(node)} reads index {index} of an axis of size {size} (axis {axis} of {_text(node.value)}, "
            f"shape {_shape(value)}); its indices go from 0 to {size - 1}. An index or a range is off by one.")


def _stack(call: ast.Call, frame):
    """np.stack of parts whose shapes differ (e.g. windows cut past the end of a series are shorter)."""
    if not call.args:
        return None
    argument = call.args[0]
    if isinstance(argument, ast.ListComp):
        return ("stack_sizes_mismatch",
                f"{_text(call)} stacks arrays of different shapes: every item of the list must have the same "
                "shape. Print the shapes of the first and the last item: a slice that runs past the end of an "
                "array comes back shorter, so the range probably runs too far.")
    return None


def _library_call(statement, frame, error):
    """The learner's line called a library function (lstm_ref's, NumPy's) that refused its arguments."""
    import inspect

    for node in ast.walk(statement):
        if not isinstance(node, ast.Call) or not all(isinstance(part, _SAFE) for part in ast.walk(node.func)):
            continue
        function = _value(node.func, frame)
        if function is None or not callable(function):
            continue
        module = getattr(function, "__module__", "") or ""
        if not module.startswith(("lstm_ref", "numpy")):
            continue
        try:
            parameters = [p for p in inspect.signature(function).parameters if p not in ("self",)]
        except (TypeError, ValueError):
            continue
        given = [_text(a) for a in node.args]
        expected = ", ".join(parameters[:max(len(given), 1)])
        return ("call_arguments",
                f"{_text(node)} failed inside {getattr(function, '__qualname__', _text(node.func))} "
                f"({type(error).__name__}: {str(error)[:80]}). It takes ({expected}): check that each argument "
                "is in its place and is what that parameter expects.")
    return None


def diagnose(error: BaseException, library_folders: tuple[str, ...]):
    """(slug, explanation) for the learner's error, or None when nothing is recognised."""
    frame, lineno = _learner_frame(error, library_folders)
    if frame is None:
        return None
    statement = _statement(frame.f_code.co_filename, lineno)
    if statement is None:
        return None
    message = str(error)
    nodes = list(ast.walk(statement))
    inner = [f for f, _ in traceback.walk_tb(error.__traceback__)]
    raised_in_library = inner and inner[-1] is not frame
    if isinstance(error, NameError) and getattr(error, "name", None):
        return ("name_not_defined",
                f"`{error.name}` is not defined in this notebook. Use a function the notebook imports (np.tanh, "
                f"np.exp, ...) or one it defines, or import {error.name} first.")
    if isinstance(error, TypeError) and "tuple" in message:
        for node in nodes:
            if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
                left = _value(node.left, frame)
                if isinstance(left, tuple):
                    return ("tuple_index_arithmetic",
                            f"{_text(node)}: {_text(node.left)} is a tuple of positions {left} (one per axis), so a "
                            f"number cannot be added to it. Use {_text(node.left)} itself: it already names the "
                            "entry to change.")
    if isinstance(error, TypeError) and "object is not subscriptable" in message:
        for node in nodes:
            if isinstance(node, ast.Subscript):
                held = node.value.value if isinstance(node.value, ast.Constant) else _value(node.value, frame)
                if isinstance(held, (int, float)) and not isinstance(held, bool):
                    return ("indexing_a_number",
                            f"{_text(node)} indexes {_text(node.value)}, which is the number {held!r}, not an array: "
                            f"the part of {_text(node.value)} that depends on the input arrays is missing.")
    if isinstance(error, RecursionError):
        name = frame.f_code.co_name
        return ("calls_itself",
                f"{name} calls {name} inside itself, so it never finishes. Use NumPy's functions (np.tanh, np.exp, "
                "...) for the step that needs them.")
    if isinstance(error, TypeError) and "slice indices" in message:
        for node in nodes:
            if isinstance(node, ast.Slice):
                for bound in (node.lower, node.upper):
                    if bound is not None and isinstance(_value(bound, frame), float):
                        return ("slice_not_integer",
                                f"the slice bound {_text(bound)} is {_value(bound, frame)!r}, not a whole number: "
                                "/ always gives a float. Slice bounds are counts: build them with * (or //).")
    if isinstance(error, IndexError) and "too many indices" in message:
        for node in nodes:
            if isinstance(node, ast.Subscript):
                shape = _shape(_value(node.value, frame))
                count = len(node.slice.elts) if isinstance(node.slice, ast.Tuple) else 1
                if shape is not None and count > len(shape):
                    return ("too_many_indices",
                            f"{_text(node)} indexes {count} axes, but {_text(node.value)} has shape {shape}, "
                            f"{len(shape)} axis/axes. Check how {_text(node.value)} was built: it has lost an axis.")
    if isinstance(error, ValueError) and "could not broadcast input array" in message and isinstance(
            statement, ast.Assign) and len(statement.targets) == 1:
        target_node = statement.targets[0]
        target = _shape(_value(ast.Subscript(target_node.value, target_node.slice, ast.Load()), frame)) \
            if isinstance(target_node, ast.Subscript) else None
        value = _shape(_value(statement.value, frame))
        shapes = re.findall(r"shape (\([0-9, ]*\))", message)
        if (target is None or value is None) and len(shapes) == 2:  # NumPy's message names both shapes
            value, target = (tuple(int(n) for n in re.findall(r"\d+", shape)) for shape in shapes)
        if target is not None and value is not None:
            return ("assignment_shape_mismatch",
                    f"{_text(statement)} stores {_text(statement.value)} {value} into {_text(target_node)}, a place of "
                    f"shape {target}. Check the order of the axes where {_text(target_node.value)} was made, and "
                    "which axis the index picks.")
    if isinstance(error, ZeroDivisionError):
        divisions = [n for n in nodes if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Div, ast.FloorDiv))]
        divisor = _text(divisions[0].right) if divisions else "a divisor"
        return ("division_by_zero",
                f"{divisor} is 0 here, and it is divided by. Handle that case (what should the result be when "
                f"{divisor} is 0?), or check that the condition guarding it is right.")
    if isinstance(error, ValueError):
        for node in nodes:
            found = None
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
                found = _product(node.left, node.right, frame, _text(node))
            elif isinstance(node, ast.Call) and _text(node.func) in _PRODUCTS and len(node.args) == 2:
                found = _product(node.args[0], node.args[1], frame, _text(node))
            elif isinstance(node, ast.Call) and _text(node.func) in _JOINS:
                found = _join(node, frame) if ("concatenat" in message or "dimension" in message
                                               or "must match" in message) else None
            elif isinstance(node, ast.BinOp):
                found = _elementwise(node, frame) if "broadcast" in message else None
            elif isinstance(node, ast.Call) and _text(node.func) == "np.stack" and "same shape" in message:
                found = _stack(node, frame)
            if found:
                return found
    if isinstance(error, IndexError):
        for node in nodes:
            if isinstance(node, ast.Subscript):
                found = _index(node, frame, message)
                if found:
                    return found
    if raised_in_library:
        return _library_call(statement, frame, error)
    return None


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"a {value.shape} array" if value.ndim else f"a 0-d array ({value.item():.4g})"
    if isinstance(value, (bool, int, float, np.number)):
        return f"the number {value:.4g}" if not isinstance(value, bool) else f"{value}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}" + (f" {value}" if len(repr(value)) < 30 else "")
    if isinstance(value, dict):
        return f"a dict with keys {', '.join(map(str, list(value)[:4]))}" + (" ..." if len(value) > 4 else "")
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if value is None:
        return "None"
    return f"a {type(value).__name__}"


def names_in_line(error: BaseException, library_folders: tuple[str, ...]) -> str | None:
    """What the names of the failing line held when it failed, e.g. "index is a tuple of 2 (0, 1); eps is the
    number 1e-06": the step to check, when no mistake is recognised."""
    frame, lineno = _learner_frame(error, library_folders)
    statement = _statement(frame.f_code.co_filename, lineno) if frame is not None else None
    if statement is None:
        return None
    seen, parts = set(), []
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in frame.f_locals \
                and node.id not in seen:
            seen.add(node.id)
            parts.append(f"{node.id} is {_describe(frame.f_locals[node.id])}")
    return "; ".join(parts[:6]) or None


def is_library(filename: str, library_folders: tuple[str, ...]) -> bool:
    """NumPy's, lstm_ref's and the course's own files, and compiled modules (numpy/random/....pyx)."""
    return filename.startswith(library_folders) or filename.endswith(".pyx") or filename.startswith("numpy/")
