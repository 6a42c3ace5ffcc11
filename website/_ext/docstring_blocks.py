"""Sphinx extension: show lstm_ref's docstrings exactly as their authors laid them out.

lstm_ref writes its docstrings as plain text for ``help()``: equations and shape tables in indented blocks whose
columns line up, ``|a - b|`` for a norm. Read as reStructuredText they would be reflowed and misread (``|a|`` is
a substitution there), so each docstring is shown as one preformatted block, as ``help()`` shows it.
"""


def _preformatted(app, what, name, obj, options, lines):
    if any(line.strip() for line in lines):
        lines[:] = ["::", ""] + ["   " + line if line.strip() else "" for line in lines] + [""]


def setup(app):
    app.connect("autodoc-process-docstring", _preformatted)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
