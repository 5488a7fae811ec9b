"""The sandbox holds even code that got past the allow-list: it writes nothing outside its
folder, reaches no network, leaves no process behind, and stops at its limits."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from workbook.grader import sandbox
from workbook.implementation import ROOT

LIMITS = sandbox.Limits(seconds=20, memory=1 << 30)


def run_python(code: str, workdir, hide=()) -> sandbox.Outcome:
    return sandbox.run([sys.executable, "-c", textwrap.dedent(code)], workdir, LIMITS, sandbox.clean_environment(), hide)


def test_the_isolation_in_force_is_named_in_one_line():
    line = sandbox.isolation()
    assert line.startswith(("bubblewrap", "process limits only")) and "\n" not in line


def test_the_environment_is_scrubbed(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_ADDOPTS", "--collect-only")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    done = run_python("import os; print(sorted(k for k in os.environ if 'PYTEST' in k or 'PYTHONPATH' in k))", tmp_path)
    assert done.returncode == 0 and done.output.strip() == "[]"


def test_the_working_folder_is_writable(tmp_path):
    done = run_python("open('note.txt', 'w').write('ok')", tmp_path)
    assert done.returncode == 0 and (tmp_path / "note.txt").read_text() == "ok"


@pytest.mark.skipif(not sandbox.bubblewrap(), reason="needs bubblewrap")
def test_nothing_outside_the_working_folder_can_be_written_or_a_hidden_folder_read(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "gradebook.db").write_text("grades")
    work = tmp_path / "work"
    work.mkdir()
    target = ROOT / "tests" / "day5" / "test_sandbox_was_here.py"
    done = run_python(f"""
        import os
        for path in [{str(target)!r}, {str(ROOT / 'workbook' / 'grading.py')!r}]:
            try:
                open(path, 'a').write('# changed')
                print('WROTE', path)
            except OSError as error:
                print('refused', type(error).__name__)
        print('course holds', os.listdir({str(course)!r}))
    """, work, hide=[course])
    assert "WROTE" not in done.output and done.output.count("refused") == 2, done.output
    assert "course holds []" in done.output
    assert not target.exists() and (course / "gradebook.db").read_text() == "grades"


@pytest.mark.skipif(not sandbox.bubblewrap(), reason="needs bubblewrap")
def test_there_is_no_network(tmp_path):
    done = run_python("""
        import socket
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=3)
            print("CONNECTED")
        except OSError as error:
            print("refused", error)
    """, tmp_path)
    assert "refused" in done.output and "CONNECTED" not in done.output


def test_a_hang_stops_at_the_time_limit_and_nothing_outlives_it(tmp_path):
    marker = "987.6543"
    limits = sandbox.Limits(seconds=3)
    code = f"import subprocess; subprocess.Popen(['sleep', '{marker}'], start_new_session=False); import time; time.sleep(60)"
    done = sandbox.run([sys.executable, "-c", code], tmp_path, limits, sandbox.clean_environment())
    assert done.timed_out
    left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True)
    assert left.stdout == ""


def test_a_memory_blow_up_is_stopped_by_the_limit(tmp_path):
    done = run_python("x = bytearray(3 << 30); print('ALLOCATED')", tmp_path)
    assert done.returncode != 0 and "ALLOCATED" not in done.output and "MemoryError" in done.output


def test_a_crash_is_an_exit_code_not_an_exception(tmp_path):
    done = run_python("import os; os.abort()", tmp_path)
    assert done.returncode not in (0, None)


def test_output_is_cut_to_its_end(tmp_path):
    done = run_python("print('x' * 1_000_000); print('THE END')", tmp_path)
    assert len(done.output) <= LIMITS.output and done.output.rstrip().endswith("THE END")


@pytest.mark.skipif(not sandbox.bubblewrap(), reason="needs bubblewrap")
def test_full_python_inside_reaches_no_privilege_and_none_of_the_machine(tmp_path):
    """Code that got past every check, as root or not: no capability, no remount, and the machine is not there."""
    course = tmp_path / "course"
    (course / "submitted" / "other").mkdir(parents=True)
    (course / "gradebook.db").write_text("grades")
    work = tmp_path / "work"
    work.mkdir()
    done = run_python(f"""
        import os, subprocess
        print('uid', os.getuid())
        print('caps', [line.split()[1] for line in open('/proc/self/status') if line.startswith('CapEff')])
        for command in (['umount', '/tmp'], ['mount', '-o', 'remount,rw', '/'], ['mount', '-o', 'remount,rw', '/usr']):
            print(command[0], subprocess.run(command, capture_output=True).returncode)
        for path in [{str(course)!r}, '/home', {str(ROOT / 'tests')!r}, {str(ROOT / 'notebooks')!r}, '/etc/passwd']:
            print('sees', path, os.path.exists(path))
    """, work)
    assert "uid 65534" in done.output and "caps ['0000000000000000']" in done.output, done.output
    assert "umount 0" not in done.output and "mount 0" not in done.output, done.output
    assert " True" not in done.output.replace("sees", ""), done.output
    assert (course / "gradebook.db").read_text() == "grades"


def test_a_process_dies_with_the_process_that_started_it(tmp_path):
    """A grader killed halfway leaves no harness or student process running (confined or not)."""
    starter = (
        f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); from pathlib import Path; from workbook.grader import sandbox\n"
        f"p = sandbox.start(['sleep', '60'], Path({str(tmp_path)!r}), sandbox.Limits(), {{'PATH': '/usr/bin:/bin'}}, confine=False)\n"
        "print(p.pid, flush=True)\ntime.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", starter], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    for _ in range(100):
        try:
            state = open(f"/proc/{child}/stat").read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            state = "gone"
        if state in ("Z", "X", "gone"):
            break
        time.sleep(0.05)
    assert state in ("Z", "X", "gone")  # killed (a zombie until init reaps it)


def test_the_cpu_time_of_a_sandboxed_process_is_counted_while_it_runs(tmp_path):
    """What a student process costs, in a PID namespace whose CPU time its starter never gets."""
    busy = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end:\n    pass\nprint(flush=True)\ntime.sleep(60)"
    process = sandbox.start([sys.executable, "-c", busy], tmp_path, LIMITS, sandbox.clean_environment(), stdout=subprocess.PIPE)
    try:
        process.stdout.readline()
        assert 0.5 <= sandbox.cpu_seconds_below(process.pid) < 5
    finally:
        sandbox.kill_group(process.pid)
        process.wait()


@pytest.mark.skipif(len(getattr(os, "sched_getaffinity", lambda _: ())(0)) < 2, reason="one CPU, or no CPU affinity here")
def test_a_harness_claims_a_cpu_of_its_own_and_what_it_starts_runs_there(tmp_path):
    before = os.sched_getaffinity(0)
    claim = sandbox.claim_a_cpu()
    try:
        assert claim is not None and len(os.sched_getaffinity(0)) == 1
        (cpu,) = os.sched_getaffinity(0)
        shown = "import os; print(sorted(os.sched_getaffinity(0)))"
        process = sandbox.start([sys.executable, "-c", shown], tmp_path, LIMITS, sandbox.clean_environment(), stdout=subprocess.PIPE)
        assert process.communicate()[0].decode().strip() == str([cpu])
        another = (  # another harness, free to run anywhere, claims while this one holds its CPU
            f"import os; from workbook.grader import sandbox; os.sched_setaffinity(0, {sorted(before)}); "
            "print(sorted(os.sched_getaffinity(0)) if sandbox.claim_a_cpu() else None)"
        )
        claimed = subprocess.run([sys.executable, "-c", another], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        assert claimed.startswith("[") and str(cpu) != claimed.strip("[]"), claimed
    finally:
        sandbox.release_cpu(claim)
    assert os.sched_getaffinity(0) == before
