"""Hands each unit's contract tests (tests/lstm_course/feedback/unit_contract.py) their cases.

A contract test is written once, in ``UnitChecksContract``, and marked with the kind of case it runs on
(``@contract_cases("wrong answer")``); each unit's subclass says what its cases are. This hook, which pytest calls
while collecting every test function, turns that into one test per case, e.g.
``TestGatesChecks::test_checks_reject_the_wrong_answer[forget_gate-missing bias]``.
"""

from tests.lstm_course.feedback.unit_contract import UnitChecksContract


def pytest_generate_tests(metafunc):
    kind = getattr(metafunc.function, "contract_cases", None)
    if kind is None:
        return
    if metafunc.cls is None or not issubclass(metafunc.cls, UnitChecksContract):
        raise TypeError(f"{metafunc.function.__name__} is marked with contract_cases({kind!r}) but is not a method "
                        f"of a UnitChecksContract subclass")
    argnames, cases = metafunc.cls.cases(kind)
    metafunc.parametrize(argnames, cases)
