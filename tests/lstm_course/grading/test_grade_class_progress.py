"""grade_class's progress bar counts students and failures; --jobs defaults to the cores this process may use."""

import io
import os

from lstm_course.grading import grade_class


def test_the_progress_bar_shows_students_done_and_failures(monkeypatch):
    shown = io.StringIO()
    real_tqdm = grade_class.tqdm
    monkeypatch.setattr(grade_class, "tqdm", lambda **options: real_tqdm(file=shown, **options))
    progress = grade_class.Progress(3, "04_gates", show=True)
    for student, status in (("a", "graded"), ("b", "failed"), ("c", "missing")):
        progress.done(student, status)
    progress.close()
    last = shown.getvalue().replace("\r", "\n").strip().splitlines()[-1]
    assert progress.failures == 2
    assert "grading 04_gates: 3/3" in last and "2 failed or missing" in last and "left" in last


def test_the_progress_bar_can_be_silent(capsys):
    progress = grade_class.Progress(2, "04_gates", show=False)
    progress.done("a", "failed")
    progress.close()
    assert progress.failures == 1
    assert capsys.readouterr().err == ""


def test_jobs_default_to_the_cores_this_process_may_use():
    assert grade_class.default_jobs() == len(os.sched_getaffinity(0))
