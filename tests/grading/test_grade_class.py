"""``day5 grade`` on a class of 8, with the real nbgrader: one run, 3 shards + merge, a Slurm array, nbgrader's autograde.

Four copies of one released course get the same submissions:

- ``jobs``: ``day5 grade COURSE --jobs 2``, then again (everything is skipped), then
  ``nbgrader generate_feedback``;
- ``shards``: four of the class (``SMALL_CLASS``) with ``day5 grade COURSE --shard I/3`` for I = 0, 1, 2,
  then ``--merge`` of the three files (and bad sets of those files, which the merge refuses), compared
  with the one run;
- ``slurm``: the same four with ``day5 grade COURSE --slurm 3`` on a real one-node
  Slurm (``slurm_cluster``), array task 2 cancelled (the shard is named, nothing merged), then the same
  command (shard 2 alone, the merge), compared with the one run;
- ``nbgrader``: ``nbgrader autograde day5``, the reference for every score.

The class: the reference, blank hand-ins, partial work, broken code (a cell that does not
parse, one that raises at import), a locked grade cell replaced by ``pass``, and hostile
notebooks (``import os`` deleting files, megabytes printed, an endless loop, a memory
blow-up) and a file that is not a notebook. Most students answer a few of the cheaper
katas, so that four gradings of the class take minutes, not a quarter of an hour.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from benchmarks import grade_class as build
from workbook.classroom.grade_class import Course, UsageError, merge
from workbook.katas import KATAS

TIMEOUT = 15  # seconds per kata at least (the limit is 10x the reference's time, with this floor): the endless loop costs this, three times
POINTS = {kata.slug: kata.points for kata in KATAS}
CHEAP = ("bpe_basics", "data_loader", "gradient_clipping", "sgd")  # katas whose tests run in a few seconds


def answered(*slugs, edit=None):
    def make(release, source):
        notebook, cells = build.fill(release, source, slugs)
        if edit:
            edit(cells)
        return notebook

    return make


def broken(cells):
    cells["bpe_basics"].source = build.SYNTAX_ERROR + cells["bpe_basics"].source
    cells["softmax"].source = build.RAISES_AT_IMPORT + cells["softmax"].source


def hostile(cells):
    cells["bpe_basics"].source = build.DELETES_FILES + cells["bpe_basics"].source
    cells["data_loader"].source = build.PRINTS_MEGABYTES + cells["data_loader"].source
    assert build.STUB in cells["sgd"].source
    cells["sgd"].source = cells["sgd"].source.replace(build.STUB, build.LOOPS_FOREVER)
    cells["gradient_clipping"].source = build.EATS_MEMORY + cells["gradient_clipping"].source


def passes_grade_cell(cells):
    cells["test_data_loader"].source = "pass"


KINDS = {  # kind: (the notebook, the katas that pass)
    "reference": (build.reference, tuple(POINTS)),
    "blank": (build.blank, ()),
    "cheap": (answered(*CHEAP), CHEAP),
    "broken": (answered("bpe_basics", "softmax", "data_loader", edit=broken), ("data_loader",)),
    "grade_cell": (answered("data_loader", "sgd", edit=passes_grade_cell), ("data_loader", "sgd")),
    "hostile": (answered("bpe_basics", "data_loader", "gradient_clipping", edit=hostile), ("data_loader",)),  # printing is no crime
}
STUDENTS = {  # one of each kind, and a second blank hand-in: each of three shards grades two or more
    "ada": "reference", "ben": "blank", "cho": "cheap", "dan": "grade_cell", "eve": "hostile", "fay": "broken",
    "gus": "blank", "max": "unreadable",
}
GRADED = sorted(student for student, kind in STUDENTS.items() if kind != "unreadable")
SMALL_CLASS = ("ben", "cho", "dan", "max")  # the cheaper kinds: shard 0 has ben and max, 1 cho, 2 dan
SMALL_GRADED = [student for student in GRADED if student in SMALL_CLASS]


SLURM = ("munged", "slurmctld", "slurmd", "sbatch", "sinfo", "squeue", "scancel")  # Debian: munge slurmctld slurmd slurm-client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def slurm_cluster():
    """A real one-node Slurm, this host as controller and node, with munge, all in a temporary folder;
    yields the environment that reaches it (``SLURM_CONF``); stops everything it started."""
    missing = [name for name in SLURM if not shutil.which(name)]
    if missing:
        pytest.skip(f"Slurm is not installed (no {', '.join(missing)}): .ci/run installs it from Debian "
                    "(slurmctld slurmd slurm-client munge)")
    if os.geteuid() != 0:
        pytest.skip("slurmd and munged start as root (CI runs as root)")
    folder = Path(tempfile.mkdtemp(prefix="day5-slurm-"))
    folder.chmod(0o755)
    munge = folder / "munge"  # munged checks: its socket's folder open to all, its key the munge user's alone
    munge.mkdir(mode=0o755)
    (munge / "munge.key").write_bytes(os.urandom(1024))
    (munge / "munge.key").chmod(0o400)
    shutil.chown(munge, "munge", "munge")
    shutil.chown(munge / "munge.key", "munge", "munge")
    host = socket.gethostname().split(".")[0]
    for name in ("state", "spool"):
        (folder / name).mkdir()
    conf = folder / "slurm.conf"
    conf.write_text("\n".join([
        "ClusterName=day5test", f"SlurmctldHost={host}(127.0.0.1)", "SlurmUser=root",
        f"SlurmctldPort={free_port()}", f"SlurmdPort={free_port()}",
        "AuthType=auth/munge", "CredType=cred/munge", f"AuthInfo=socket={munge / 'socket'}",
        "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_CPU", "AccountingStorageType=accounting_storage/none",
        "JobAcctGatherType=jobacct_gather/none", "MpiDefault=none", "MailProg=/bin/true", "ReturnToService=2",
        "SchedulerType=sched/builtin", "MinJobAge=5",  # sbatch --wait polls every 2 s, not after 2, 8, 32 s
        f"StateSaveLocation={folder / 'state'}", f"SlurmdSpoolDir={folder / 'spool'}",
        f"SlurmctldPidFile={folder / 'slurmctld.pid'}", f"SlurmdPidFile={folder / 'slurmd.pid'}",
        f"NodeName={host} NodeAddr=127.0.0.1 CPUs={os.cpu_count()} State=UNKNOWN",
        "PartitionName=day5 Nodes=ALL Default=YES MaxTime=INFINITE State=UP", "",
    ]))
    env = dict(os.environ, SLURM_CONF=str(conf))
    log = (folder / "daemons.log").open("w")
    daemons = []
    try:
        daemons.append(subprocess.Popen(
            ["munged", "--foreground", f"--socket={munge / 'socket'}", f"--key-file={munge / 'munge.key'}",
             f"--pid-file={munge / 'pid'}", f"--seed-file={munge / 'seed'}", f"--log-file={munge / 'log'}"],
            user="munge", group="munge", extra_groups=[], stdout=log, stderr=log,
        ))
        daemons += [subprocess.Popen([daemon, "-D", "-f", str(conf)], env=env, stdout=log, stderr=log) for daemon in ("slurmctld", "slurmd")]
        deadline = time.monotonic() + 60
        while subprocess.run(["sinfo", "--noheader", "--format=%T"], env=env, capture_output=True, text=True).stdout.strip() != "idle":
            if time.monotonic() > deadline or any(daemon.poll() is not None for daemon in daemons):
                raise RuntimeError(f"Slurm did not come up:\n{(folder / 'daemons.log').read_text()}")
            time.sleep(0.5)
        yield env
    finally:
        subprocess.run(["scancel", "--user", "root"], env=env, capture_output=True)  # our cluster's jobs only
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and subprocess.run(["squeue", "--noheader"], env=env, capture_output=True, text=True).stdout.strip():
            time.sleep(0.5)
        for daemon in reversed(daemons):
            daemon.terminate()
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def day5_grade(course: Path, *args: str, env=None, wait=True):
    """``day5 grade COURSE --no-progress *args``: its outcome, or the process if not ``wait``."""
    env = dict(env or os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    env.pop("DAY5_HIDDEN_TESTS", None)
    command = [sys.executable, "-m", "workbook.cli", "grade", str(course), "--no-progress", *args]
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)


def total(points: dict) -> tuple:
    """The katas that scored, and the sum: a short message when two classes differ."""
    return tuple(slug for slug, score in points.items() if score), sum(points.values())


def gradebook_scores(course: Path) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            student.id: {kata.slug: gradebook.find_grade(f"test_{kata.slug}", "day5", "day5", student.id).score for kata in KATAS}
            for student in gradebook.students
            if student.id in GRADED
        }


@pytest.fixture(scope="module")
def courses():
    pytest.importorskip("nbgrader")
    import nbformat

    kinds = {name: make for name, (make, _) in KINDS.items()}
    with tempfile.TemporaryDirectory(prefix="day5-class-") as scratch:
        first = build.make_course(Path(scratch) / "jobs", TIMEOUT)
        release = nbformat.read(first / "release" / "day5" / "day5.ipynb", as_version=4)
        source = nbformat.read(first / "source" / "day5" / "day5.ipynb", as_version=4)
        for student, kind in STUDENTS.items():
            folder = first / "submitted" / student / "day5"
            folder.mkdir(parents=True)
            if kind == "unreadable":
                (folder / "day5.ipynb").write_text('{"cells": [ not a notebook', encoding="utf-8")
            else:
                nbformat.write(kinds[kind](release, source), folder / "day5.ipynb")
        copies = {"jobs": first}
        for name in ("shards", "nbgrader", "slurm"):
            copies[name] = Path(scratch) / name
            shutil.copytree(first, copies[name])
        for student in set(STUDENTS) - set(SMALL_CLASS):  # what shards and Slurm add is bookkeeping: four will do
            for name in ("shards", "slurm"):
                shutil.rmtree(copies[name] / "submitted" / student)
        yield copies


@pytest.fixture(scope="module")
def one_run(courses):
    course = courses["jobs"]
    done = day5_grade(course, "--jobs", "2")
    again = day5_grade(course, "--jobs", "2")
    return course, done, again


@pytest.fixture(scope="module")
def sharded(courses):
    course = courses["shards"]
    runs = [day5_grade(course, "--jobs", "2", "--shard", f"{i}/3", "--output", str(course / f"shard{i}.json")) for i in range(3)]
    merged = day5_grade(course, "--merge", *(str(course / f"shard{i}.json") for i in range(3)))
    return course, runs, merged


@pytest.fixture(scope="module")
def slurm_graded(courses):
    """``--slurm 3`` on a real Slurm, with array task 2 cancelled (a lost shard), then the same command again."""
    course = courses["slurm"]
    with slurm_cluster() as env:
        run = day5_grade(course, "--slurm", "3", env=env, wait=False)
        deadline = time.monotonic() + 120
        while not (job := subprocess.run(["squeue", "--noheader", "--format=%F"], env=env, capture_output=True, text=True).stdout.split()):
            assert time.monotonic() < deadline and run.poll() is None, run.communicate()
            time.sleep(0.2)
        subprocess.run(["scancel", f"{job[0]}_2"], env=env, check=True)  # task 2 waits for a CPU: it is lost before it starts
        lost = subprocess.CompletedProcess(run.args, run.wait(timeout=1800), *run.communicate())
        gradebook_after_loss = gradebook_scores(course)
        again = day5_grade(course, "--slurm", "3", env=env)
    return course, lost, gradebook_after_loss, again


@pytest.fixture(scope="module")
def nbgrader_scores(courses):
    course = courses["nbgrader"]
    done = build.nbgrader(course, "autograde", "day5")  # fails for max's file, grades everyone else
    assert "max" in done.stdout + done.stderr
    return gradebook_scores(course)


def test_one_run_grades_every_readable_submission_and_reports_the_unreadable_one(one_run):
    course, done, _ = one_run
    assert done.returncode == 1, done.stdout + done.stderr  # 1: a submission could not be graded
    assert f"graded {len(GRADED)} submissions" in done.stdout, done.stdout
    assert "not graded: max: could not read the notebook" in done.stderr, done.stderr
    for student in GRADED:
        assert (course / "autograded" / student / "day5" / "day5.ipynb").is_file()


def test_one_run_scores_as_nbgrader_autograde_does(one_run, nbgrader_scores):
    course, *_ = one_run
    expected = {student: {slug: float(POINTS[slug] if slug in KINDS[STUDENTS[student]][1] else 0) for slug in POINTS} for student in GRADED}
    assert {s: total(points) for s, points in nbgrader_scores.items()} == {s: total(points) for s, points in expected.items()}
    assert nbgrader_scores == expected
    assert gradebook_scores(course) == nbgrader_scores


def test_three_shards_merged_give_what_one_run_gives(one_run, sharded):
    course, runs, merged = sharded
    for run in runs:
        assert "shard" in run.stdout, run.stdout + run.stderr
    students = [set(json.loads((course / f"shard{i}.json").read_text())["students"]) for i in range(3)]
    assert set.union(*students) == set(SMALL_GRADED) and sum(map(len, students)) == len(SMALL_GRADED)
    assert f"merged {len(SMALL_GRADED)} submissions from 3 results files" in merged.stdout, merged.stdout + merged.stderr
    ours, theirs = gradebook_scores(course), gradebook_scores(one_run[0])
    theirs = {student: theirs[student] for student in SMALL_GRADED}
    assert {s: total(p) for s, p in ours.items()} == {s: total(p) for s, p in theirs.items()}
    assert ours == theirs
    again = day5_grade(course, "--jobs", "2")
    assert f"skipped {len(SMALL_GRADED)} unchanged submissions" in again.stdout, again.stdout + again.stderr


def test_a_slurm_array_of_3_gives_what_one_run_gives_and_grades_a_lost_shard_alone_when_run_again(one_run, slurm_graded):
    course, lost, gradebook_after_loss, again = slurm_graded
    assert lost.returncode == 1, lost.stdout + lost.stderr
    assert "shard 2/3 failed or was lost: no results file" in lost.stderr and "Nothing was merged" in lost.stderr, lost.stderr
    assert "shard 0/3 failed" not in lost.stderr and "shard 1/3 failed" not in lost.stderr, lost.stderr
    assert gradebook_after_loss == {}
    assert "the results of 2 of the 3 shards are current" in again.stdout, again.stdout + again.stderr
    assert "shards 2/3 as a Slurm job array" in again.stdout, again.stdout
    assert "Slurm, 3 shards: merged 3 submissions" in again.stdout, again.stdout + again.stderr
    assert again.returncode == 1 and "not graded: max: could not read the notebook" in again.stderr, again.stderr
    ours, theirs = gradebook_scores(course), gradebook_scores(one_run[0])
    theirs = {student: theirs[student] for student in SMALL_GRADED}
    assert {s: total(p) for s, p in ours.items()} == {s: total(p) for s, p in theirs.items()}
    assert ours == theirs


def edited(document: dict, **changes) -> dict:
    return {**document, **changes}


@pytest.mark.parametrize(
    "files, message",
    [
        (lambda shards: shards[:2], "nothing was merged:\n  incomplete: no results for shard 2/3 (failed or lost)"),
        (lambda shards: [shards[0], shards[0], shards[1], shards[2]], "shard 0/3 is given twice"),
        (lambda shards: [*shards[:2], edited(shards[2], version="0123456789abcdef")], "bad.json was graded with another version of the course (0123456789abcdef"),
        (lambda shards: [*shards[:2], edited(shards[2], **{"class": ["zed"]})], "bad.json split different classes (4 and 1 students; in one only: ben, cho"),
        (lambda shards: [*shards[:2], edited(shards[2], shards=4, shard="2/4")], "the results files split the class differently"),
        (lambda shards: [*shards[:2], edited(shards[2], format="day5-grade-shard/1")], "bad.json is not a results file of this day5 grade --shard"),
    ],
    ids=["incomplete", "twice", "another-version", "another-class", "another-split", "old-format"],
)
def test_the_merge_refuses_shards_that_are_not_one_whole_class_of_this_course_version_naming_them(sharded, tmp_path, files, message):
    course, *_ = sharded
    shards = [json.loads((course / f"shard{i}.json").read_text()) for i in range(3)]
    paths = []
    for i, document in enumerate(files(shards)):
        paths.append(tmp_path / ("bad.json" if document not in shards else f"shard{i}.json"))
        paths[-1].write_text(json.dumps(document))
    before = (course / "day5_grade.json").read_text()
    with pytest.raises(UsageError) as refused:
        merge(Course(course), paths, progress=False)
    assert message in str(refused.value)
    assert (course / "day5_grade.json").read_text() == before


def test_the_merge_of_an_incomplete_set_exits_2_before_any_work(sharded):
    course, *_ = sharded
    done = day5_grade(course, "--merge", str(course / "shard0.json"), str(course / "shard2.json"))
    assert done.returncode == 2 and "incomplete: no results for shard 1/3" in done.stderr, done.stderr


def test_a_second_run_skips_every_unchanged_submission(one_run):
    _, _, again = one_run
    assert "graded 0 submissions" in again.stdout, again.stdout + again.stderr
    assert f"skipped {len(GRADED)} unchanged submissions" in again.stdout


def test_feedback_names_the_failing_law_the_hint_and_the_study_note(one_run):
    course, *_ = one_run
    done = build.nbgrader(course, "generate_feedback", "day5")
    assert done.returncode == 0, done.stderr
    page = (course / "feedback" / "cho" / "day5" / "day5.html").read_text(encoding="utf-8")
    kata = KATAS[0]  # cho did not answer it
    assert f"{kata.title}: 0 of" in page and "first failure:" in page, page
    assert "Hint:" in page and f"Read: {kata.note}" in page


@pytest.mark.parametrize(
    "args, message",
    [
        (["--shard", "3/3"], "shards are numbered from 0"),
        (["--shard", "x"], "must look like I/N"),
        (["--jobs", "0"], "--jobs must be 1 or more"),
        (["--merge", "no-such-file.json"], "does not exist"),
        (["--slurm", "0"], "N is the number of shards, 1 or more"),
        (["--slurm", "2", "--shard", "0/2"], "does not go with --shard"),
    ],
)
def test_bad_arguments_stop_before_any_work(courses, args, message):
    done = day5_grade(courses["jobs"], *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_a_missing_course_folder_is_a_clear_error(tmp_path):
    pytest.importorskip("nbgrader")
    done = day5_grade(tmp_path / "nowhere")
    assert done.returncode == 2 and "does not exist" in done.stderr, done.stderr


def test_the_shards_split_the_class_evenly_and_without_overlap():
    from workbook.classroom.grade_class import in_shard, parse_shard

    students = [f"s{i}" for i in range(13)]
    for count in range(1, 6):
        shards = [in_shard(list(reversed(students)), parse_shard(f"{i}/{count}")) for i in range(count)]
        assert sorted(sum(shards, [])) == sorted(students)
        assert max(map(len, shards)) - min(map(len, shards)) <= 1


def test_zips_are_unpacked_into_submitted_and_a_bad_one_is_reported(tmp_path):
    pytest.importorskip("nbgrader")
    import zipfile

    from workbook.authoring import course as layout
    from workbook.classroom.grade_class import collect_zips

    root = tmp_path / "course"
    (root / "source" / "day5").mkdir(parents=True)
    shutil.copy(layout.SOURCE.parents[2] / "nbgrader_config.py", root)
    shutil.copy(layout.SOURCE, root / "source" / "day5")
    zips = tmp_path / "zips"
    zips.mkdir()
    with zipfile.ZipFile(zips / "ada.zip", "w") as archive:
        archive.writestr("handin/day5.ipynb", '{"cells": []}')
        archive.writestr("../../escape.txt", "nope")
    (zips / "ben.zip").write_text("not a zip")
    with zipfile.ZipFile(zips / "cho.zip", "w") as archive:
        archive.writestr("notes.txt", "no notebook")
    problems = collect_zips(Course(root), zips)
    assert (root / "submitted" / "ada" / "day5" / "day5.ipynb").read_text() == '{"cells": []}'
    assert sorted(problems) == ["ben", "cho"] and not (tmp_path / "escape.txt").exists()
