"""Run a hidden check where the learner's other cells cannot reach it.

Placeholder: runs the check in this process. The grading work replaces it with a fresh-process run.
"""


def run_isolated(check, *learner_functions) -> None:
    """Run ``check(*learner_functions)``; raise ``CheckFailed`` (an AssertionError) on failure."""
    check(*learner_functions)
