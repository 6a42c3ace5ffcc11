"""Carry a learner's functions from the notebook's kernel to a fresh Python process, and nothing else.

A hidden check must judge the learner's *definitions*, not whatever state their other cells left behind (a
patched ``np.allclose``, a replaced check, a global rebound to a do-nothing function). So instead of re-running
notebook cells, we send over exactly what the functions need:

- a function written in the notebook travels as its compiled code (``marshal``), with its default values. Its
  cell is NOT re-run: the other statements of that cell, its decorators and the expressions that computed the
  defaults do not run again;
- the globals its code reads (found by walking its bytecode for LOAD_GLOBAL, recursively through nested code
  and the other notebook functions it calls) travel the same way: notebook functions as code, modules and
  library functions as their import address (re-imported fresh, so a patched ``numpy`` stays behind), and plain
  data (numbers, strings, NumPy arrays of numbers, and lists / tuples / dicts of those) by value;
- anything else (an object of a class defined in the notebook, an open file, ...) is reported as unavailable,
  and the learner is told to pass it as an argument or build it inside the function.

Data never travels as a pickle: unpickling can run arbitrary code, and the whole point is that nothing but the
learner's functions runs in the fresh process. The packed form is plain JSON.
"""

from __future__ import annotations

import base64
import builtins
import dis
import importlib
import marshal
import sys
import types

import numpy as np

# Global-variable opcodes: the names a function reads or writes as globals (attribute names are not included).
_GLOBAL_OPCODES = {"LOAD_GLOBAL", "LOAD_NAME", "STORE_GLOBAL", "DELETE_GLOBAL"}
_PLAIN = (type(None), bool, int, float, str)


def global_names(code: types.CodeType) -> set[str]:
    """Names of the globals ``code`` (and every function, lambda or comprehension nested in it) uses."""
    names = {instruction.argval for instruction in dis.get_instructions(code)
             if instruction.opname in _GLOBAL_OPCODES}
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= global_names(constant)
    return names


def import_address(value) -> tuple[str, str] | None:
    """``(module, qualified name)`` under which ``value`` can be imported again, or None.

    Only when importing that address gives back this very object: a function the learner wrote, or one they
    assigned onto a module (``np.allclose = lambda *a: True``), has no honest address.
    """
    module_name = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if not isinstance(module_name, str) or not isinstance(qualname, str) or module_name == "__main__":
        return None
    module = sys.modules.get(module_name)
    found = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return (module_name, qualname) if found is value and module is not None else None


def _is_notebook_function(value) -> bool:
    return isinstance(value, types.FunctionType) and import_address(value) is None


class Packer:
    """Packs values into JSON-ready dicts; collects the notebook functions and globals they need."""

    def __init__(self):
        self.functions: dict[str, dict] = {}   # function key -> its packed code, defaults, closure
        self.namespace: dict[str, dict] = {}   # global name -> packed value
        self.unavailable: dict[str, str] = {}  # global name -> why it could not travel
        self._keys: dict[int, str] = {}        # id(function) -> function key
        self._pending: list[types.FunctionType] = []

    def pack(self, value, *, where: str = "value") -> dict:
        """The packed form of ``value``; raises ``TypeError`` naming ``where`` if it cannot travel."""
        if isinstance(value, _PLAIN):
            return {"kind": "plain", "value": value}
        if isinstance(value, complex):
            return {"kind": "complex", "real": value.real, "imag": value.imag}
        if isinstance(value, bytes):
            return {"kind": "bytes", "base64": base64.b64encode(value).decode("ascii")}
        if isinstance(value, np.ndarray) and type(value) is np.ndarray:
            return self._pack_array(value, where)
        if isinstance(value, np.generic):
            return {"kind": "numpy_scalar", "array": self._pack_array(np.asarray(value), where)}
        if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
            items = [self.pack(item, where=f"{where}[{index}]") for index, item in enumerate(value)]
            return {"kind": type(value).__name__, "items": items}
        if type(value) is dict and all(isinstance(key, str) for key in value):
            return {"kind": "dict", "items": {key: self.pack(item, where=f"{where}[{key!r}]")
                                              for key, item in value.items()}}
        if isinstance(value, types.ModuleType):
            if sys.modules.get(value.__name__) is not value:
                raise TypeError(f"{where}: the module {value.__name__!r} is not the one Python imports by that name.")
            return {"kind": "module", "name": value.__name__}
        if _is_notebook_function(value):
            return {"kind": "function", "key": self._function_key(value)}
        address = import_address(value)
        if address is not None:
            return {"kind": "import", "module": address[0], "qualname": address[1]}
        raise TypeError(f"{where}: a {type(value).__name__} cannot be carried to the grading process.")

    def _pack_array(self, array: np.ndarray, where: str) -> dict:
        if array.dtype.kind not in "biufc":
            raise TypeError(f"{where}: only arrays of numbers can be carried, got dtype {array.dtype}.")
        data = np.ascontiguousarray(array).tobytes()
        return {"kind": "array", "dtype": array.dtype.str, "shape": list(array.shape),
                "base64": base64.b64encode(data).decode("ascii")}

    def _function_key(self, function: types.FunctionType) -> str:
        key = self._keys.get(id(function))
        if key is None:
            key = f"{function.__qualname__}#{len(self._keys)}"
            self._keys[id(function)] = key
            self.functions[key] = {}  # reserved now, filled by finish(): functions may call each other
            self._pending.append(function)
        return key

    def add_global(self, name: str, globals_: dict) -> None:
        """Pack the global ``name`` of a notebook function, if it exists and is not packed yet."""
        if name in self.namespace or name in self.unavailable or name not in globals_:
            return  # builtins (len, range, ...) are not in the notebook's globals: the fresh process has its own
        try:
            self.namespace[name] = self.pack(globals_[name], where=name)
        except TypeError as error:
            self.unavailable[name] = str(error)

    def finish(self) -> None:
        """Pack every pending notebook function and, transitively, the globals its code uses."""
        while self._pending:
            function = self._pending.pop()
            key = self._keys[id(function)]
            where = f"{function.__name__}"
            closure = None
            if function.__closure__ is not None:
                closure = [self.pack(cell.cell_contents, where=f"{where} (a variable of its enclosing function)")
                           for cell in function.__closure__]
            self.functions[key] = {
                "code": base64.b64encode(marshal.dumps(function.__code__)).decode("ascii"),
                "name": function.__name__,
                "qualname": function.__qualname__,
                "defaults": self.pack(function.__defaults__, where=f"{where}'s default values"),
                "kwdefaults": self.pack(function.__kwdefaults__, where=f"{where}'s default values"),
                "closure": closure,
            }
            for name in sorted(global_names(function.__code__)):
                self.add_global(name, function.__globals__)


def pack_call(arguments) -> dict:
    """Everything a fresh process needs to call a check on ``arguments`` (the learner's functions).

    Returns ``{"arguments": [...], "functions": {...}, "namespace": {...}, "unavailable": {...}}``. Raises
    ``TypeError`` naming the argument when one cannot travel at all.
    """
    packer = Packer()
    packed = [packer.pack(argument, where=f"argument {index + 1} ({getattr(argument, '__name__', type(argument).__name__)})")
              for index, argument in enumerate(arguments)]
    packer.finish()
    return {"arguments": packed, "functions": packer.functions, "namespace": packer.namespace,
            "unavailable": packer.unavailable}


class Unpacker:
    """Rebuilds packed values in a fresh process; notebook functions share one new globals dict."""

    def __init__(self, packed_call: dict):
        self.packed = packed_call
        self.globals: dict = {"__name__": "__notebook__", "__builtins__": builtins}
        self._functions: dict[str, types.FunctionType] = {}

    def unpack(self, packed: dict):
        kind = packed["kind"]
        if kind == "plain":
            return packed["value"]
        if kind == "complex":
            return complex(packed["real"], packed["imag"])
        if kind == "bytes":
            return base64.b64decode(packed["base64"])
        if kind == "array":
            data = base64.b64decode(packed["base64"])
            return np.frombuffer(data, dtype=np.dtype(packed["dtype"])).reshape(packed["shape"]).copy()
        if kind == "numpy_scalar":
            return self.unpack(packed["array"])[()]
        if kind in ("list", "tuple"):
            items = [self.unpack(item) for item in packed["items"]]
            return items if kind == "list" else tuple(items)
        if kind == "dict":
            return {key: self.unpack(item) for key, item in packed["items"].items()}
        if kind == "module":
            return importlib.import_module(packed["name"])
        if kind == "import":
            value = importlib.import_module(packed["module"])
            for part in packed["qualname"].split("."):
                value = getattr(value, part)
            return value
        if kind == "function":
            return self._function(packed["key"])
        raise ValueError(f"packed value: unknown kind {kind!r}.")

    def _function(self, key: str) -> types.FunctionType:
        if key not in self._functions:
            spec = self.packed["functions"][key]
            code = marshal.loads(base64.b64decode(spec["code"]))
            closure = None
            if spec["closure"] is not None:
                closure = tuple(types.CellType(self.unpack(item)) for item in spec["closure"])
            function = types.FunctionType(code, self.globals, spec["name"], None, closure)
            self._functions[key] = function  # before the defaults: a default may refer back to a function
            function.__defaults__ = self.unpack(spec["defaults"])
            function.__kwdefaults__ = self.unpack(spec["kwdefaults"])
            function.__qualname__ = spec["qualname"]
        return self._functions[key]

    def arguments(self) -> list:
        """The learner's functions, rebuilt, with every global they use bound in their shared globals."""
        for name, packed in self.packed["namespace"].items():
            self.globals[name] = self.unpack(packed)
        return [self.unpack(packed) for packed in self.packed["arguments"]]
