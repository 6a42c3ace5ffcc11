"""Put back, before every cell, the functions a learner's earlier cells replaced in numpy and lstm_ref.

Hidden checks run in a fresh process (``isolation.py``), but the hidden test *cell* runs in the kernel: it
imports ``run_hidden`` and the check from ``lstm_course.feedback``. A cell that did
``lstm_course.grading.run_hidden = lambda *a: None`` would turn every hidden test into a pass. The grading kernel
therefore takes a snapshot of these modules when it starts, before any student code runs, and before each cell:

- puts the original module objects back in ``sys.modules`` if they were replaced;
- puts back every function, class or module attribute of those modules that was reassigned or deleted
  (plain data attributes are left alone: modules may legitimately update their own state);
- prints which names it restored, so the instructor sees it in the graded notebook and in the feedback.

It is a guard rail, not a sandbox: code that goes after the guard itself (``get_ipython().events``) is beyond it,
and the integrity report flags exactly that kind of code.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import types

GUARDED_PACKAGES = ("lstm_course.feedback", "lstm_course.grading")
GUARDED_MODULES = ("numpy", "numpy.testing", "lstm_ref", "lstm_ref.activations", "lstm_ref.gates")
# Of the grading package, only these run in a graded notebook's kernel (a hidden test cell imports run_hidden,
# which packs the learner's functions and starts the fresh process): they are guarded. The rest are the
# instructor's tools (class grading, reports, release, the formgrader's hooks): nothing to guard there, and importing
# them would cost every graded notebook seconds (nbgrader, nbformat and its JSON-schema validator, matplotlib).
GRADING_MODULES_IN_THE_KERNEL = tuple(f"lstm_course.grading.{name}" for name in (
    "isolation", "transport", "limits", "fresh_check"))
_MISSING = object()


def _worth_guarding(value) -> bool:
    return callable(value) or isinstance(value, types.ModuleType)


class ModuleGuard:
    """Snapshot of the guarded modules' functions; ``restore()`` undoes later changes to them."""

    def __init__(self, module_names=GUARDED_MODULES, packages=GUARDED_PACKAGES):
        names = list(module_names)
        for package_name in packages:
            package = importlib.import_module(package_name)
            names.append(package_name)
            names += [f"{package_name}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
                      if not package_name.startswith("lstm_course.grading")
                      or f"{package_name}.{info.name}" in GRADING_MODULES_IN_THE_KERNEL]
        self.modules: dict[str, types.ModuleType] = {}
        for name in dict.fromkeys(names):
            try:
                self.modules[name] = importlib.import_module(name)
            except Exception:  # a unit's module that does not import here is simply not guarded
                continue
        self.snapshot = {name: {key: value for key, value in vars(module).items() if _worth_guarding(value)}
                         for name, module in self.modules.items()}

    def restore(self) -> list[str]:
        """Undo changes since the snapshot; return the dotted names put back (empty when nothing changed)."""
        restored = []
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
                restored.append(f"sys.modules[{name!r}]")
            namespace = vars(module)
            for key, original in self.snapshot[name].items():
                if namespace.get(key, _MISSING) is not original:
                    namespace[key] = original
                    restored.append(f"{name}.{key}")
        return restored

    def before_cell(self, info=None) -> None:
        """IPython ``pre_run_cell`` callback."""
        restored = self.restore()
        if restored:
            shown = ", ".join(restored[:6]) + (f" and {len(restored) - 6} more" if len(restored) > 6 else "")
            print(f"[grading kernel] put back {shown}: an earlier cell had replaced them.", file=sys.stderr)
