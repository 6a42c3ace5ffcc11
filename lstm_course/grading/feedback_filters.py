"""A feedback preprocessor that keeps hidden tests hidden in their outputs too.

nbgrader's ``ClearHiddenTests`` removes the hidden tests' *source* from the feedback, but a failing hidden test
leaves an error output whose IPython traceback quotes the cell's lines (``----> 4 run_hidden(check_..., ...)``).
This preprocessor, run before ``ClearHiddenTests``, replaces the traceback of every error in a hidden-test cell
with its last line, ``CheckFailed: <the learner-level message>``: the learner still reads what went wrong,
not the test's code.
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode


class ShortenHiddenTracebacks(NbGraderPreprocessor):
    """For cells holding hidden tests, keep only ``<error name>: <message>`` of each error output."""

    begin_test_delimiter = Unicode("BEGIN HIDDEN TESTS", help="The delimiter marking the start of hidden tests").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and self.begin_test_delimiter in cell.source:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
