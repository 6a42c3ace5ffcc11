"""A class logging in at once: N students (30 by default) on a real hub on 127.0.0.1, each logging in, getting a
server, fetching 04_gates, validating it and submitting it, all at the same time.

    .venv/bin/python benchmarks/bench_hub.py [--students 30] [--timeout 1500]      (as root; 2-3 GB per 10 students)

The hub is started and stopped by the documented commands (``deploy/jupyterhub/hub.sh up/down``) with a roster
of one instructor and N students whose accounts are created for the run and removed afterwards. Prints:
- login latency (the form login, until the hub answers with its cookie) and spawn latency (from the request to
  a server that answers), median and 95th percentile;
- memory per user server (the resident memory of each student's processes, sampled every second): idle after
  start, and peak while validating (the course notebook's kernel running);
- CPU seconds per student for the whole round (server + the kernel validation starts), the basis of the sizing
  rule in deploy/z2jh/README.md;
- total time and the number of failed requests (any step of any student that did not succeed).
Bounded: at most 60 students, and the whole round is abandoned after --timeout seconds (everything stopped).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import pwd
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.deploy.class_hub import ClassHub  # noqa: E402
from classhub.client import form_login  # noqa: E402

UNIT = "04_gates"
MAX_STUDENTS = 60
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Sampler(threading.Thread):
    """Every second: resident memory of each watched user's processes, keeping the last and the peak sum."""

    def __init__(self, uids: dict[int, str]):
        super().__init__(daemon=True)
        self.uids = uids
        self.peak = {name: 0 for name in uids.values()}
        self.last = {name: 0 for name in uids.values()}
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            totals = {name: 0 for name in self.uids.values()}
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    name = self.uids.get(entry.stat().st_uid)
                    if name is not None:
                        totals[name] += int((entry / "statm").read_text().split()[1]) * PAGE
                except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                    continue
            for name, total in totals.items():
                self.last[name] = total
                self.peak[name] = max(self.peak[name], total)
            self.stop.wait(1.0)


def cpu_seconds(uid: int) -> float:
    """CPU time of the user's live processes and of the children they have reaped (kernels that ended)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
            except (FileNotFoundError, ProcessLookupError):
                continue
    return total / TICKS


def one_student(hub: ClassHub, name: str, failures: list, timings: dict) -> None:
    """One student's round; any step that does not succeed is one failed request (and ends their round)."""
    what = "login"
    try:
        started = time.monotonic()
        status, _, cookies = form_login(hub.url, name, hub.passwords[name])
        if status != 302 or "jupyterhub-hub-login" not in cookies:
            raise RuntimeError(f"status {status}")
        timings["login"].append(time.monotonic() - started)
        what = "spawn"
        timings["spawn"].append(hub.hub.start_server(name, timeout=600))
        server = hub.hub.server(name)
        form = {"course_id": hub.course_id, "assignment_id": UNIT}
        for what, path, data in [("fetch", "assignments/fetch", form),
                                 ("validate", "assignments/validate", {"path": f"{UNIT}/{UNIT}.ipynb"}),
                                 ("submit", "assignments/submit", form)]:
            # validate runs the whole notebook: a class validating at once on a small machine takes minutes
            result = server.post(path, form=data, timeout=1200)
            if not (isinstance(result, dict) and result.get("success")):
                raise RuntimeError(str(result)[:200])
        timings["round"].append(time.monotonic() - started)
    except Exception as error:  # noqa: BLE001 -- every failed step is counted and reported
        failures.append(f"{name} {what}: {str(error)[:200]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=1500, help="seconds before the round is abandoned")
    options = parser.parse_args(argv)
    if not 1 <= options.students <= MAX_STUDENTS:
        parser.error(f"--students must be between 1 and {MAX_STUDENTS}")
    if os.geteuid() != 0:
        parser.error("run as root: the hub creates the students' accounts")

    folder = Path(tempfile.mkdtemp(prefix="lstm-hub-bench-", dir="/tmp"))
    hub = ClassHub(folder, students=options.students)
    print(f"{options.students} students, 1 instructor; hub on {hub.url}; machine: {os.cpu_count()} cores "
          f"(shared with whatever else runs on it)")
    failures: list[str] = []
    timings = {"login": [], "spawn": [], "round": []}
    sampler = None
    idle, cpu, round_seconds = {}, [], 0.0
    started = time.monotonic()
    try:
        hub.start()
        print(f"hub.sh up: {time.monotonic() - started:.1f} s")
        hub.hub.start_server(hub.instructor)
        instructor = hub.hub.server(hub.instructor)
        for action in ("assign", "release"):
            result = instructor.post(f"formgrader/api/assignment/{UNIT}/{action}")
            assert result["success"], result
        uids = {pwd.getpwnam(name).pw_uid: name for name in hub.students}
        sampler = Sampler(uids)
        sampler.start()
        round_started = time.monotonic()
        pool = concurrent.futures.ThreadPoolExecutor(options.students)
        futures = [pool.submit(one_student, hub, name, failures, timings) for name in hub.students]
        _, pending = concurrent.futures.wait(futures, timeout=options.timeout)
        pool.shutdown(wait=False, cancel_futures=True)  # past the bound: stop here, the hub is stopped below
        if pending:
            failures.append(f"{len(pending)} student(s) unfinished after {options.timeout:.0f} s")
        round_seconds = time.monotonic() - round_started
        idle = dict(sampler.last)  # after the round: servers up, validation kernels ended
        cpu = [cpu_seconds(uid) for uid in uids]
    finally:
        if sampler:
            sampler.stop.set()
        left = hub.stop()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    mib = 1024 * 1024
    print(f"round (login, spawn, fetch, validate, submit; all at once): {round_seconds:.1f} s; "
          f"total with hub start and stop: {time.monotonic() - started:.1f} s")
    for what in ("login", "spawn", "round"):
        values = timings[what]
        if values:
            print(f"{what:>6} latency: median {statistics.median(values):6.1f} s, p95 {percentile(values, 0.95):6.1f} s, "
                  f"max {max(values):6.1f} s  ({len(values)} students)")
    peaks = [v / mib for v in sampler.peak.values() if v] if sampler else []
    idles = [v / mib for v in idle.values() if v]
    if peaks and idles:
        print(f"memory per student (all their processes): after the round median {statistics.median(idles):.0f} MiB; "
              f"peak median {statistics.median(peaks):.0f} MiB, max {max(peaks):.0f} MiB")
    if cpu:
        print(f"CPU per student for the round: median {statistics.median(cpu):.1f} s, max {max(cpu):.1f} s")
    print(f"failed requests: {len(failures)}")
    for failure in failures[:20]:
        print(f"  {failure}")
    if left:
        print(f"left running after hub.sh down (then killed): {left}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
