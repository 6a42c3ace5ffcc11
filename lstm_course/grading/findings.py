"""What the integrity review and the sandbox's denials report: a ``Finding`` per reason to read a submission."""

from __future__ import annotations

from dataclasses import dataclass

# high: only makes sense to game the grading; review: unusual, may be innocent; info: worth knowing.
HIGH, REVIEW, INFO = "high", "review", "info"


@dataclass
class Finding:
    """One reason to look at a submission."""

    student: str
    notebook: str
    cell: str        # grade_id of the cell, or "cell <index>" for a cell without one, or "" for the whole file
    line: int        # line within the cell (0 when not about a line)
    severity: str    # high, review or info
    category: str    # tampering, reference, files, escape, network, gradebook, submission, sandbox
    detail: str
