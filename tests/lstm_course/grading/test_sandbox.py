"""The grading sandbox's command line (what is bound, what is not), the refusal without bwrap, and the sandbox
itself: a process inside sees its scratch folder and the course packages, and nothing of the course tree."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lstm_course.grading import sandbox
from lstm_course.grading.denials import denied_accesses
from lstm_course.grading.kernel import REFUSED_EXIT_STATUS, connection_file_argument

BWRAP = shutil.which("bwrap")
needs_bwrap = pytest.mark.skipif(not BWRAP or not sandbox.probe().available,
                                 reason="bubblewrap cannot make a sandbox here")


def pairs(argv: list[str], option: str, arity: int = 2) -> list[tuple[str, ...]]:
    """The arguments of every ``option`` in a bwrap command line."""
    return [tuple(argv[i + 1:i + 1 + arity]) for i, word in enumerate(argv) if word == option]


@pytest.fixture
def course(tmp_path):
    """A course tree as nbgrader lays it out, with the kernel's notebook folder under autograded/."""
    root = tmp_path / "course"
    work = root / "autograded" / "alice" / "04_gates"
    work.mkdir(parents=True)
    (work / "04_gates.ipynb").write_text("{}")
    (work / "data").mkdir()
    (work / "data" / "numbers.txt").write_text("1 2 3")
    (root / "solutions" / "04_gates").mkdir(parents=True)
    (root / "solutions" / "04_gates" / "04_gates.ipynb").write_text("### BEGIN SOLUTION")
    (root / "gradebook.db").write_text("")
    sockets = tmp_path / "sockets"
    sockets.mkdir()
    connection = tmp_path / "runtime" / "kernel-1.json"
    connection.parent.mkdir()
    connection.write_text(json.dumps({"transport": "ipc", "ip": str(sockets / "kernel"), "key": "k"}))
    return dict(root=root, work=work, sockets=sockets, connection=connection)


def command_for(course, environ=None, inner=("true",)):
    return sandbox.sandbox_command(list(inner), work_folder=course["work"], connection_file=course["connection"],
                                   socket_folder=course["sockets"], bwrap="/usr/bin/bwrap",
                                   environ=environ if environ is not None else {"LANG": "C.UTF-8"})


def test_the_command_isolates_every_namespace_and_drops_capabilities(course):
    command = command_for(course)
    try:
        argv = command.argv
        assert argv[0] == "/usr/bin/bwrap"
        for option in ("--unshare-all", "--die-with-parent", "--clearenv"):
            assert option in argv
        assert "--share-net" not in argv  # --unshare-all includes the network namespace
        assert ("ALL",) in pairs(argv, "--cap-drop", 1)
        assert ("/",) in pairs(argv, "--remount-ro", 1)
        assert argv[argv.index("--") + 1:] == ["true"]
    finally:
        command.close()


def test_the_command_binds_the_python_and_the_packages_read_only_and_only_the_sockets_writable(course):
    command = command_for(course)
    try:
        read_only = {source for source, _ in pairs(command.argv, "--ro-bind")}
        writable = {source for source, _ in pairs(command.argv, "--bind")}
        import lstm_course
        import lstm_ref
        assert str(Path(lstm_ref.__file__).resolve().parent) in read_only
        assert str(Path(lstm_course.__file__).resolve().parent) in read_only
        assert any(Path(sys.executable).resolve().is_relative_to(folder) for folder in read_only)
        assert writable == {str(course["sockets"])}
        every_source = read_only | writable | {s for s, _ in pairs(command.argv, "--ro-bind-try")}
        for hidden in (course["root"], course["root"] / "solutions", course["root"] / "gradebook.db",
                       Path.home(), Path("/"), Path("/etc"), Path("/proc")):
            assert str(hidden) not in every_source, hidden
        assert not any(course["root"] == Path(s) or course["root"] in Path(s).parents for s in every_source)
        assert ("/proc/sys", "/proc/sys") in pairs(command.argv, "--ro-bind-try")
    finally:
        command.close()


def test_the_notebook_folder_is_copied_not_bound_and_the_connection_file_read_only(course):
    (course["work"] / "escape").symlink_to(course["root"] / "gradebook.db")  # a submitted link: left out
    command = command_for(course)
    try:
        copied = {destination for _, destination in pairs(command.argv, "--file")}
        inside = f"{sandbox.SANDBOX_HOME}/04_gates"
        assert command.work_folder == inside and ("--chdir", inside) == tuple(command.argv[
            command.argv.index("--chdir"):command.argv.index("--chdir") + 2])
        assert {f"{inside}/04_gates.ipynb", f"{inside}/data/numbers.txt"} <= copied
        assert f"{inside}/escape" not in copied
        assert (f"{inside}/data",) in pairs(command.argv, "--dir", 1)
        assert [d for _, d in pairs(command.argv, "--ro-bind-data")] == [sandbox.CONNECTION_FILE]
        assert len(command.pass_fds) == len(pairs(command.argv, "--file")) + 1
        assert str(course["work"]) not in command.argv  # never bound: writes cannot reach the real folder
    finally:
        command.close()


def test_the_environment_is_cleared_to_an_allow_list(course):
    command = command_for(course, environ={"JUPYTERHUB_API_TOKEN": "secret", "AWS_SECRET_ACCESS_KEY": "secret",
                                           "LSTM_GRADING_CELL_TIMEOUT_SECONDS": "90", "LANG": "C.UTF-8",
                                           "NBGRADER_EXECUTION": "autograde", "HOME": "/root",
                                           sandbox.ALLOW_VARIABLE: "1"})
    try:
        environment = dict(pairs(command.argv, "--setenv"))
        assert "secret" not in environment.values()
        assert environment["LSTM_GRADING_CELL_TIMEOUT_SECONDS"] == "90"
        assert environment["NBGRADER_EXECUTION"] == "autograde"
        assert environment["HOME"] == sandbox.SANDBOX_HOME
        assert sandbox.ALLOW_VARIABLE not in environment
    finally:
        command.close()


def test_a_bound_folder_holding_the_notebook_folder_is_refused(course):
    with pytest.raises(sandbox.SandboxUnavailable, match="holds the notebook's folder"):
        sandbox.sandbox_command(["true"], work_folder=Path(sys.prefix) / "lib", connection_file=None,
                                socket_folder=None, bwrap="bwrap", environ={})


def test_a_folder_too_large_to_copy_is_refused(course, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_COPIED_FILES", 1)
    with pytest.raises(sandbox.SandboxUnavailable, match="more than 1 files"):
        command_for(course)


def test_a_missing_bwrap_makes_grading_refuse_unless_allowed():
    environ = {sandbox.BWRAP_VARIABLE: "/nonexistent/bwrap"}
    availability = sandbox.probe(environ)
    assert not availability.available and "/nonexistent/bwrap" in availability.reason
    with pytest.raises(sandbox.SandboxUnavailable, match="Refusing to grade.*--allow-unsandboxed"):
        sandbox.require_sandbox(False, environ)
    assert sandbox.ALLOW_VARIABLE not in environ
    assert not sandbox.require_sandbox(True, environ).available
    assert environ[sandbox.ALLOW_VARIABLE] == "1"  # what lets the nbgrader runs' kernels start unsandboxed


def test_the_connection_file_argument_is_found_in_each_spelling():
    assert connection_file_argument(["-f", "/a.json"]) == "/a.json"
    assert connection_file_argument(["--f=/b.json"]) == "/b.json"
    assert connection_file_argument(["--debug"]) is None


def test_an_autograding_kernel_without_a_sandbox_refuses_to_start(course):
    environment = {**os.environ, "NBGRADER_EXECUTION": "autograde", sandbox.BWRAP_VARIABLE: "/nonexistent/bwrap"}
    environment.pop(sandbox.ALLOW_VARIABLE, None)
    finished = subprocess.run([sys.executable, "-I", "-m", "lstm_course.grading.kernel", "-f",
                               str(course["connection"])], cwd=course["work"], env=environment,
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode == REFUSED_EXIT_STATUS
    assert "Refusing to grade" in finished.stderr and "/nonexistent/bwrap" in finished.stderr


@needs_bwrap
def test_inside_the_sandbox_only_the_scratch_folder_and_the_packages_are_there(course):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    script = textwrap.dedent(f"""
        import json, os, socket
        seen = {{}}
        def attempt(name, action):
            try:
                seen[name] = repr(action())
            except Exception as error:
                seen[name] = type(error).__name__ + ": " + str(error)
        attempt("folder", lambda: sorted(os.listdir(".")))
        attempt("write here", lambda: open("mine.txt", "w").write("ok"))
        attempt("solutions", lambda: open({str(course["root"] / "solutions/04_gates/04_gates.ipynb")!r}).read())
        attempt("course root", lambda: os.listdir({str(course["root"])!r}))
        attempt("write home", lambda: open({str(Path.home() / "lstm-sandbox-test.txt")!r}, "w"))
        attempt("network", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=5))
        import lstm_ref, lstm_course.grading
        attempt("package write", lambda: open(os.path.join(os.path.dirname(lstm_ref.__file__), "x.py"), "w"))
        seen["processes"] = sorted(p for p in os.listdir("/proc") if p.isdigit())
        print(json.dumps(seen))
    """)
    command = command_for(course, inner=[sys.executable, "-I", "-c", script])
    try:
        finished = subprocess.run(command.argv, pass_fds=command.pass_fds, capture_output=True, text=True,
                                  timeout=60)
    finally:
        command.close()
        listener.close()
    assert finished.returncode == 0, finished.stderr
    seen = json.loads(finished.stdout)
    assert seen["folder"] == repr(["04_gates.ipynb", "data"])
    assert seen["write here"] == "2"
    assert not (course["work"] / "mine.txt").exists()  # the scratch copy took the write
    assert seen["solutions"].startswith("FileNotFoundError")
    assert seen["course root"].startswith("FileNotFoundError")
    assert seen["write home"].startswith(("FileNotFoundError", "OSError")), seen["write home"]
    assert not (Path.home() / "lstm-sandbox-test.txt").exists()
    assert seen["network"].startswith(("ConnectionRefusedError", "OSError")), seen["network"]
    assert "Read-only file system" in seen["package write"]
    assert len(seen["processes"]) <= 3  # its own PID namespace: bwrap's init, this process (and no grader)


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to become 'nobody'")
def test_the_sandbox_also_works_for_an_unprivileged_grader():
    # A hub's single-user servers run as ordinary users: bwrap then needs unprivileged user namespaces.
    finished = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               *sandbox.probe_command(BWRAP)], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr


def test_denials_are_found_in_error_outputs_and_printed_tracebacks():
    import nbformat

    notebook = nbformat.v4.new_notebook()
    attack = nbformat.v4.new_code_cell("...")
    attack.outputs = [nbformat.v4.new_output("error", ename="OperationalError", evalue="unable to open database file",
                                             traceback=[]),
                      nbformat.v4.new_output("stream", name="stdout",
                                             text="ConnectionRefusedError: [Errno 111] Connection refused\n")]
    honest = nbformat.v4.new_code_cell("...")
    honest.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", evalue="forget_gate: wrong shape",
                                             traceback=[]),
                      nbformat.v4.new_output("error", ename="FileNotFoundError",
                                             evalue="[Errno 2] No such file or directory: 'my_data.npy'",
                                             traceback=[])]
    notebook.cells = [attack, honest]
    found = denied_accesses(notebook)
    assert [(cell, kind) for cell, kind, _ in found] == [
        ("cell 0", "the gradebook or another database"), ("cell 0", "the network")]


@needs_bwrap
@pytest.mark.slow
def test_a_sandboxed_grading_kernel_runs_hidden_checks_and_survives_an_interrupt(tmp_path, monkeypatch):
    """The kernel as nbgrader starts it (Unix sockets, autograding): inside the sandbox, run_hidden's fresh process
    still imports the course, and the interrupt sent at a cell's time limit stops the cell, not the kernel."""
    import time

    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpec

    from lstm_course.grading.kernel import kernel_spec

    folder = tmp_path / "04_gates"
    folder.mkdir()
    sockets = tmp_path / "sockets"
    sockets.mkdir()
    manager = KernelManager(transport="ipc", ip=str(sockets / "kernel"))
    manager._kernel_spec = KernelSpec(**kernel_spec(), resource_dir=str(tmp_path))
    manager.start_kernel(cwd=str(folder), env={**os.environ, "NBGRADER_EXECUTION": "autograde"})
    client = manager.client()
    client.start_channels()

    def run(code, timeout=120):
        printed = []
        reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda message: printed.append(
            message["content"].get("text") or message["content"].get("ename") or ""))
        return reply["content"]["status"], "".join(printed)

    try:
        client.wait_for_ready(timeout=120)
        status, printed = run("import os\nprint(os.getcwd(), os.environ['HOME'])")
        assert status == "ok" and printed.split() == [f"{sandbox.SANDBOX_HOME}/04_gates", sandbox.SANDBOX_HOME]
        status, printed = run(textwrap.dedent("""
            from lstm_course.grading import run_hidden
            from lstm_course.feedback.welcome import check_sigmoid_hidden
            from lstm_ref.activations import sigmoid  # travels by its import address: the fresh process imports it
            run_hidden(check_sigmoid_hidden, sigmoid)
        """))
        assert status == "ok", printed
        msg_id = client.execute("import time\ntime.sleep(60)")
        time.sleep(3)
        manager.interrupt_kernel()
        reply = client.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        assert run("print('still here')") == ("ok", "still here\n")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
