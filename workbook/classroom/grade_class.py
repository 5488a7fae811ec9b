"""``day5 grade``: a whole class through the sandboxed grader, in parallel, resumably, in shards.

nbgrader's ``autograde`` grades one submission after another. Here the slow part,
running each kata's tests in a sandbox (``autograde.grade_notebook``), runs for ``--jobs``
submissions at once, and everything nbgrader records is still written by nbgrader's own
machinery, by one writer (this process's main thread):

1. the writer reads a submission and runs nbgrader's sanitize preprocessors on it
   (``ClearOutput``, ``DeduplicateIds``, ``OverwriteKernelspec``, ``OverwriteCells``,
   ``CheckCellMetadata``, as the course configures them), so the locked cells a student
   edited are put back *before* the solution cells are taken;
2. a worker grades the sanitized notebook, one kata after another (``jobs=1`` inside, so
   N workers keep N sandboxes busy and no more);
3. the writer then runs nbgrader's ``Autograde`` converter for that student in-process
   (``NbGraderAPI.autograde``) with the course's own preprocessors, where ``GradeKatas``
   is replaced by ``UseResults``, which writes the results already computed into the
   grade cells. ``SaveAutoGrades``, ``AssignLatePenalties``, the ``autograded/`` notebook,
   the submission's timestamp and the student's row are nbgrader's work, exactly as after
   ``nbgrader autograde``.

``COURSE/day5_grade.json`` records, per student, a hash of the submitted notebook (and its
``timestamp.txt``) when it was graded: a re-run skips an unchanged submission.

``--shard I/N`` grades the students whose index in the sorted list of students is I modulo N,
in a private copy of the course (the course folder is only read), and writes a results file:
per student the hash, the kata results, the submitted and the autograded notebook.
``--merge FILES`` replays those results through the writer into the course, which gives
what one run would have given. It refuses, before any work and naming the files or shards,
a set that is incomplete (a shard failed or was lost), that splits the class differently, or
that was graded with another version of the course (see ``version``) or another class list.

``--slurm N`` runs the N shards as one Slurm job array (``sbatch --wait --array``), then the
merge; a shard that failed or was lost is named, and the same command again grades only the
shards without a current results file (``deploy/`` has the GitHub Actions and Kubernetes versions).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import hashlib
import json
import logging
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..files import write_atomic
from ..implementation import ROOT
from ..katas import KATAS, kata_for_slug

ASSIGNMENT = "day5"
NOTEBOOK = "day5"
STATE = "day5_grade.json"  # in the course folder
GRADER = "workbook.grader.preprocessor.GradeKatas"
MAX_NOTEBOOK = 50 << 20  # bytes: a bigger submission is recorded as a problem, not read
FORMAT = "day5-grade-shard/2"  # a results file; /2 records the shard count, the course version and the class


class UsageError(Exception):
    """Bad arguments or a course folder that cannot be graded: exit 2 before any work."""


# --- the pieces ---------------------------------------------------------------------------------


@dataclass
class Submission:
    student: str
    folder: Path  # submitted/<student>/day5
    digest: str = ""

    @property
    def notebook(self) -> Path:
        return self.folder / f"{NOTEBOOK}.ipynb"


@dataclass
class Report:
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # student: what went wrong
    kata_failures: int = 0
    seconds: float = 0.0
    entries: dict[str, dict] = field(default_factory=dict)  # student: what a results file holds


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"I/N"`` -> ``(I, N)``, with ``0 <= I < N``."""
    if text is None:
        return None
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard must look like I/N (e.g. 0/3), not {text!r}") from None
    if count < 1 or not 0 <= index < count:
        raise UsageError(f"--shard {text}: I must be 0, 1, ... N-1 and N at least 1 (shards are numbered from 0)")
    return index, count


def in_shard(students: list[str], shard: tuple[int, int] | None) -> list[str]:
    """The students of shard ``(I, N)``: every Nth of the sorted ids, from the Ith."""
    ordered = sorted(students)
    return ordered if shard is None else [s for i, s in enumerate(ordered) if i % shard[1] == shard[0]]


def digest(folder: Path) -> str:
    """What decides whether a submission changed: its notebook's bytes and its timestamp."""
    sha = hashlib.sha256()
    for name in (f"{NOTEBOOK}.ipynb", "timestamp.txt"):
        path = folder / name
        sha.update(name.encode() + b"\0")
        if path.is_file():
            with path.open("rb") as file:
                for block in iter(lambda: file.read(1 << 20), b""):
                    sha.update(block)
        sha.update(b"\0")
    return sha.hexdigest()


def answers_digest(notebook) -> str:
    """The sanitized notebook's cells, as far as grading reads them."""
    cells = [(cell.cell_type, cell.source, cell.metadata.get("nbgrader", {}).get("grade_id", "")) for cell in notebook.cells]
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()


def to_json(results) -> dict:
    return {slug: {"passed": r.passed, "lines": list(r.lines), "seconds": round(r.seconds, 3)} for slug, r in results.items()}


def from_json(data: dict):
    from ..grader.autograde import KataResult

    return {slug: KataResult(kata_for_slug(slug), bool(r["passed"]), tuple(r["lines"]), float(r["seconds"])) for slug, r in data.items()}


# --- the course ----------------------------------------------------------------------------------


class Course:
    """A course folder as nbgrader lays it out, with its config, read once."""

    def __init__(self, root: Path):
        root = Path(root).resolve()
        if not root.is_dir():
            raise UsageError(f"the course folder {str(root)!r} does not exist")
        config_file = root / "nbgrader_config.py"
        if not config_file.is_file():
            raise UsageError(f"{root} has no nbgrader_config.py: give the course folder (where you run nbgrader)")
        if not (root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file():
            raise UsageError(f"{root} has no source/{ASSIGNMENT}/{NOTEBOOK}.ipynb")
        self.root = root
        self.config = self._config(config_file)

    def _config(self, path: Path):
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader(path.name, str(path.parent)).load_config()
        config.CourseDirectory.root = str(self.root)
        preprocessors = list(config.Autograde.get("autograde_preprocessors", []))
        names = [p if isinstance(p, str) else f"{p.__module__}.{p.__name__}" for p in preprocessors]
        if GRADER not in names:
            raise UsageError(
                f"{path} does not grade with {GRADER} (c.Autograde.autograde_preprocessors): "
                "day5 grade gives the results of that grader only"
            )
        preprocessors[names.index(GRADER)] = f"{__name__}.UseResults"
        config.Autograde.autograde_preprocessors = preprocessors
        return config

    @property
    def db(self) -> Path:
        return self.root / "gradebook.db"

    def check_released(self) -> None:
        """nbgrader's ``generate_assignment`` has put the source cells into the gradebook."""
        from nbgrader.api import Gradebook, MissingEntry

        if not self.db.is_file():
            raise UsageError(f"{self.db} does not exist: run `nbgrader generate_assignment {ASSIGNMENT}` in {self.root} first")
        with Gradebook(f"sqlite:///{self.db}") as gradebook:
            try:
                gradebook.find_notebook(NOTEBOOK, ASSIGNMENT)
            except MissingEntry:
                raise UsageError(f"{self.db} has no {ASSIGNMENT}: run `nbgrader generate_assignment {ASSIGNMENT}` first") from None

    def grader(self):
        """The course's ``GradeKatas`` settings: limits, hidden tests."""
        from ..grader import sandbox
        from ..grader.autograde import hidden_tests
        from ..grader.preprocessor import GradeKatas

        settings = GradeKatas(config=self.config)
        limits = sandbox.Limits(seconds=settings.timeout, memory=settings.memory_mb << 20)
        try:
            hidden = {kata.slug: hidden_tests(kata, settings.hidden_tests or None) for kata in KATAS}
        except FileNotFoundError as error:
            raise UsageError(str(error)) from None
        return limits, settings.hidden_tests or None, hidden

    def submissions(self) -> tuple[list[Submission], dict[str, str]]:
        """Every ``submitted/<student>/day5/``, and the students whose folder has no notebook."""
        found, missing = [], {}
        for folder in sorted((self.root / "submitted").glob(f"*/{ASSIGNMENT}")):
            if not folder.is_dir():
                continue
            submission = Submission(folder.parent.name, folder)
            if submission.notebook.is_file():
                found.append(submission)
            else:
                missing[submission.student] = f"no {NOTEBOOK}.ipynb in {folder}"
        return found, missing

    def state(self) -> dict:
        try:
            return json.loads((self.root / STATE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def save_state(self, state: dict) -> None:
        write_atomic(self.root / STATE, json.dumps(state, indent=1, sort_keys=True))

    def autograded(self, student: str) -> Path:
        return self.root / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"

    def students(self) -> list[str]:
        """Every student with a ``submitted/<student>/day5/`` folder, sorted: what the shards split."""
        submissions, missing = self.submissions()
        return sorted([s.student for s in submissions] + list(missing))

    def version(self) -> str:
        """What decides a score besides the submission: the assignment, ``nbgrader_config.py``, the
        public and hidden tests and the reference; shards of two versions are never merged."""
        _, _, hidden = self.grader()
        files = [(f"course/{name}", self.root / name) for name in (f"source/{ASSIGNMENT}/{NOTEBOOK}.ipynb", "nbgrader_config.py")]
        for folder in ("tests/day5", "solutions/day5"):
            files += [(path.relative_to(ROOT).as_posix(), path) for path in sorted((ROOT / folder).rglob("*.py"))]
        files += [(f"hidden/{path.name}", path) for path in sorted({p for paths in hidden.values() for p in paths})]
        sha = hashlib.sha256()
        for name, path in files:
            sha.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        return sha.hexdigest()[:16]


# --- nbgrader's steps, in this process -----------------------------------------------------------

RESULTS: dict[str, tuple[str, dict]] = {}  # student: (answers digest, {slug: KataResult}), for UseResults


def _use_results_class():
    from nbgrader.preprocessors import NbGraderPreprocessor

    class UseResults(NbGraderPreprocessor):
        """``GradeKatas``, with the results ``day5 grade`` computed already."""

        def preprocess(self, nb, resources):
            from ..grader.autograde import grade_notebook, write_outputs

            student = resources["nbgrader"]["student"]
            expected, results = RESULTS[student]
            if answers_digest(nb) != expected:  # never seen: sanitizing is deterministic; grade again to be sure
                self.log.warning("day5: %s's notebook differs from the one graded; grading it again", student)
                limits, folder, _ = Course(Path.cwd()).grader()
                results = grade_notebook(nb, limits, 1, folder, hide=[Path.cwd()])
            write_outputs(nb, results)
            return nb, resources

    return UseResults


def __getattr__(name):  # nbgrader imports ``workbook.classroom.grade_class.UseResults`` by name; only then import nbgrader
    if name == "UseResults":
        globals()[name] = cls = _use_results_class()
        return cls
    raise AttributeError(name)


class Writer:
    """The one process that writes the gradebook and ``autograded/``: nbgrader's own converter."""

    def __init__(self, course: Course):
        from nbgrader.apps.api import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.converters import Autograde

        self.course = course
        self.coursedir = CourseDirectory(config=course.config)
        self.coursedir.assignment_id = ASSIGNMENT
        self.api = NbGraderAPI(self.coursedir, config=course.config)
        self.api.log.setLevel(logging.WARNING)
        self.sanitizers = Autograde(coursedir=self.coursedir, config=course.config).sanitize_preprocessors

    def sanitize(self, submission: Submission):
        """The submitted notebook as nbgrader's Autograde has it before execution: locked cells restored."""
        import nbformat
        from nbconvert.exporters import NotebookExporter

        if submission.notebook.stat().st_size > MAX_NOTEBOOK:
            raise ValueError(f"the notebook is over {MAX_NOTEBOOK >> 20} MB")
        exporter = NotebookExporter(config=self.course.config)
        exporter._preprocessors = []
        for preprocessor in self.sanitizers:
            exporter.register_preprocessor(preprocessor)
        resources = {
            "unique_key": NOTEBOOK, "output_files_dir": f"{NOTEBOOK}_files",
            "nbgrader": {"student": submission.student, "assignment": ASSIGNMENT, "notebook": NOTEBOOK, "db_url": self.coursedir.db_url},
        }
        notebook = nbformat.read(submission.notebook, as_version=4)
        output, _ = exporter.from_notebook_node(notebook, resources=resources)
        return nbformat.reads(output, as_version=4)  # as the converter writes it and reads it back

    def write(self, student: str, answers: str, results: dict) -> str | None:
        """nbgrader's autograde of ``student`` with ``results``; None, or what went wrong."""
        RESULTS[student] = (answers, results)
        try:
            with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings():
                warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy's session warnings, as under nbgrader
                outcome = self.api.autograde(ASSIGNMENT, student, force=True, create=True)
        finally:
            RESULTS.pop(student, None)
        if outcome["success"]:
            return None
        return (outcome.get("error") or outcome.get("log") or "nbgrader autograde failed").strip().splitlines()[-1]


# --- grading ---------------------------------------------------------------------------------------


def grade(course: Course, jobs: int, students: list[str] | None = None, force: bool = False, progress: bool = True,
          keep: bool = False, hide: tuple[Path, ...] = ()) -> Report:
    """Grade the course's submissions (those of ``students`` if given), ``jobs`` at a time; the sandboxes
    see neither the course folder nor the folders in ``hide``."""
    from tqdm import tqdm

    from ..grader.autograde import grade_notebook

    course.check_released()
    limits, hidden_folder, _ = course.grader()
    submissions, missing = course.submissions()
    if students is not None:
        wanted = set(students)
        submissions = [s for s in submissions if s.student in wanted]
        missing = {s: why for s, why in missing.items() if s in wanted}
    report = Report(problems=dict(missing))
    state = course.state()
    pending = []
    for submission in submissions:
        submission.digest = digest(submission.folder)
        recorded = state.get(submission.student, {})
        if not force and recorded.get("hash") == submission.digest and course.autograded(submission.student).is_file():
            report.skipped.append(submission.student)
        else:
            pending.append(submission)

    writer = Writer(course)
    start = time.perf_counter()
    bar = tqdm(total=len(pending), unit="submission", desc="day5 grade", disable=not progress, file=sys.stderr, dynamic_ncols=True)
    bar.set_postfix_str("kata failures: 0")
    queue = list(reversed(pending))
    running: dict[concurrent.futures.Future, tuple[Submission, str]] = {}

    def problem(student: str, why: str) -> None:
        report.problems[student] = why
        state[student] = {"hash": "", "problem": why}
        course.save_state(state)
        bar.write(f"day5 grade: {student}: {why}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:  # each kata runs in a sandboxed process
        while queue or running:
            while queue and len(running) < 2 * jobs:  # sanitize a little ahead of the workers
                submission = queue.pop()
                try:
                    notebook = writer.sanitize(submission)
                    answers = answers_digest(notebook)
                except Exception as error:  # an unreadable or damaged notebook costs that student only
                    problem(submission.student, f"could not read the notebook: {type(error).__name__}: {error}")
                    bar.update()
                    continue
                future = pool.submit(grade_notebook, notebook, limits, 1, hidden_folder, hide=[course.root, *hide])
                running[future] = (submission, answers)
            done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                submission, answers = running.pop(future)
                try:
                    results = future.result()
                except Exception as error:
                    problem(submission.student, f"could not be graded: {type(error).__name__}: {error}")
                    bar.update()
                    continue
                try:
                    nbgrader_error = writer.write(submission.student, answers, results)
                except Exception as error:  # nbgrader's converter reports its own errors; this is a last resort
                    nbgrader_error = f"{type(error).__name__}: {error}"
                if nbgrader_error:
                    problem(submission.student, f"nbgrader could not record it: {nbgrader_error}")
                else:
                    failed = sum(not result.passed for result in results.values())
                    report.kata_failures += failed
                    report.graded.append(submission.student)
                    state[submission.student] = {"hash": submission.digest, "katas": to_json(results)}
                    course.save_state(state)
                    if keep:
                        report.entries[submission.student] = entry(course, submission, results)
                bar.update()
                bar.set_postfix_str(f"kata failures: {report.kata_failures}")
    bar.close()
    report.seconds = time.perf_counter() - start
    return report


def entry(course: Course, submission: Submission, results: dict) -> dict:
    """What a results file holds for one student."""
    timestamp = submission.folder / "timestamp.txt"
    return {
        "hash": submission.digest,
        "timestamp": timestamp.read_text(encoding="utf-8") if timestamp.is_file() else None,
        "katas": to_json(results),
        "submitted": json.loads(submission.notebook.read_text(encoding="utf-8")),
        "autograded": json.loads(course.autograded(submission.student).read_text(encoding="utf-8")),
    }


def grade_shard(course: Course, shard: tuple[int, int], jobs: int, output: Path, force: bool, progress: bool) -> Report:
    """Grade shard ``(I, N)`` in a private copy of the course; write the results file."""
    version, students = course.version(), course.students()
    submissions, _ = course.submissions()
    mine = set(in_shard(students, shard))
    state, skipped = course.state(), []
    for submission in submissions:  # unchanged since the course itself recorded it: nothing to do
        if submission.student in mine and not force and course.autograded(submission.student).is_file():
            if state.get(submission.student, {}).get("hash") == digest(submission.folder):
                mine.discard(submission.student)
                skipped.append(submission.student)
    with tempfile.TemporaryDirectory(prefix="day5-shard-") as scratch:
        copy = Path(scratch) / "course"
        copy.mkdir()
        shutil.copy2(course.root / "nbgrader_config.py", copy)
        shutil.copy2(course.db, copy / "gradebook.db")
        shutil.copytree(course.root / "source", copy / "source")
        for submission in submissions:
            if submission.student in mine:
                shutil.copytree(submission.folder, copy / "submitted" / submission.student / ASSIGNMENT)
        report = grade(Course(copy), jobs, sorted(mine), True, progress, keep=True, hide=(course.root,))
        report.skipped = skipped
    document = {
        "format": FORMAT, "assignment": ASSIGNMENT, "shard": f"{shard[0]}/{shard[1]}", "index": shard[0], "shards": shard[1],
        "version": version, "class": students, "students": report.entries, "skipped": report.skipped, "problems": report.problems,
    }
    write_atomic(output, json.dumps(document))
    return report


def read_results(path: Path) -> dict:
    """A results file of ``--shard``, or a UsageError naming the file."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"{path} is not a results file of day5 grade --shard: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("assignment") != ASSIGNMENT:
        raise UsageError(f"{path} is not a results file of this day5 grade --shard ({FORMAT}): grade that shard again")
    return document


def check_complete(course: Course, documents: dict[Path, dict]) -> None:
    """Refuse, naming what is wrong, shards that are not the whole class graded with this course's version."""
    problems = []
    counts = {document["shards"] for document in documents.values()}
    if len(counts) > 1:
        split = ", ".join(f"{path} is shard {document['shard']}" for path, document in documents.items())
        raise UsageError(f"nothing was merged: the results files split the class differently ({split}): merge the files of one split")
    count, version = counts.pop(), course.version()
    for path, document in documents.items():
        if document["version"] != version:
            problems.append(
                f"{path} was graded with another version of the course ({document['version']}, here {version}: the "
                f"assignment, nbgrader_config.py, the tests or the reference differ): grade shard {document['shard']} again"
            )
    (first, one), *others = documents.items()
    for path, document in others:
        if document["class"] != one["class"]:
            differ = sorted(set(document["class"]) ^ set(one["class"]))
            problems.append(
                f"{first} and {path} split different classes ({len(one['class'])} and {len(document['class'])} students; "
                f"in one only: {', '.join(differ[:5])}{', ...' if len(differ) > 5 else ''}): grade every shard again"
            )
    seen: dict[int, Path] = {}
    for path, document in documents.items():
        if document["index"] in seen:
            problems.append(f"shard {document['shard']} is given twice: {seen[document['index']]} and {path}")
        seen[document["index"]] = path
    missing = [f"{index}/{count}" for index in range(count) if index not in seen]
    if missing:
        problems.append(
            f"incomplete: no results for shard {', '.join(missing)} (failed or lost): grade each alone "
            f"(day5 grade COURSE --shard {missing[0]} --output FILE), then merge all {count} files"
        )
    if problems:
        raise UsageError("nothing was merged:\n  " + "\n  ".join(problems))


def merge(course: Course, files: list[Path], progress: bool) -> Report:
    """Fold shard results into the course: nbgrader's autograde of each student, with the shard's results."""
    from tqdm import tqdm

    course.check_released()
    documents = {Path(path): read_results(path) for path in files}
    check_complete(course, documents)
    report = Report()
    state = course.state()
    writer = Writer(course)
    start = time.perf_counter()
    entries = {student: e for document in documents.values() for student, e in document["students"].items()}
    for document in documents.values():
        report.problems.update(document.get("problems", {}))
        report.skipped.extend(document.get("skipped", []))
    for student in set(course.students()) - set(next(iter(documents.values()))["class"]):
        report.problems[student] = "handed in after the shards split the class: grade it again (day5 grade COURSE)"
    for student in tqdm(sorted(entries), unit="submission", desc="day5 grade merge", disable=not progress, file=sys.stderr):
        data = entries[student]
        folder = course.root / "submitted" / student / ASSIGNMENT
        if not folder.exists():  # the shard had a submission this copy of the course lacks: restore it
            folder.mkdir(parents=True)
            (folder / f"{NOTEBOOK}.ipynb").write_text(json.dumps(data["submitted"]), encoding="utf-8")
            if data["timestamp"] is not None:
                (folder / "timestamp.txt").write_text(data["timestamp"], encoding="utf-8")
        submission = Submission(student, folder, digest(folder))
        if submission.digest != data["hash"]:
            report.problems[student] = "the submission changed after its shard graded it: grade it again"
            continue
        try:
            answers = answers_digest(writer.sanitize(submission))
        except Exception as error:
            report.problems[student] = f"could not read the notebook: {type(error).__name__}: {error}"
            continue
        results = from_json(data["katas"])
        error = writer.write(student, answers, results)
        if error:
            report.problems[student] = f"nbgrader could not record it: {error}"
            continue
        report.graded.append(student)
        report.kata_failures += sum(not r.passed for r in results.values())
        state[student] = {"hash": data["hash"], "katas": data["katas"]}
        for key, value in report.problems.items():
            state.setdefault(key, {"hash": "", "problem": value})
        course.save_state(state)
    report.seconds = time.perf_counter() - start
    return report


# --- Slurm -------------------------------------------------------------------------------------------


class ShardsFailed(Exception):
    """Some shards of a Slurm run left no current results file: nothing was merged (exit 1)."""


def job_script(course: Course, count: int, jobs: int, force: bool, folder: Path) -> str:
    """The array job: task I grades shard I of ``count`` into ``folder``."""
    command = [sys.executable, "-m", "workbook.cli", "grade", str(course.root), "--jobs", str(jobs), "--no-progress"]
    command += ["--force"] if force else []
    results = shlex.quote(str(folder / "shard-")) + '"$SLURM_ARRAY_TASK_ID"' + shlex.quote(f"-of-{count}.json")
    return (
        "#!/bin/sh\n"
        f"# written by day5 grade --slurm {count}: array task I grades shard I of {count}; "
        f"`sbatch --array=I {folder / 'grade.sbatch'}` grades shard I alone\n"
        "#SBATCH --job-name=day5-grade\n"
        f"#SBATCH --array=0-{count - 1}\n"
        f"#SBATCH --cpus-per-task={jobs}\n"
        f"#SBATCH --output={folder}/shard-%a-of-{count}.log\n"
        f"cd {shlex.quote(str(ROOT))} || exit 1  # python -m finds this workbook first: the one that wrote the script\n"
        f'exec {shlex.join(command)} --shard "$SLURM_ARRAY_TASK_ID/{count}" --output {results}\n'
    )


def stale(course: Course, path: Path, count: int, version: str, students: list[str]) -> str | None:
    """Why the results file at ``path`` cannot be merged into the course as it is now; None if it can."""
    if not path.is_file():
        return "no results file"
    try:
        document = read_results(path)
    except UsageError as error:
        return str(error)
    if document["shards"] != count or document["version"] != version or document["class"] != students:
        return "its results file is of another split, course version or class"
    for student, entry in document["students"].items():
        if digest(course.root / "submitted" / student / ASSIGNMENT) != entry["hash"]:
            return f"{student}'s submission changed since"
    return None


def slurm(course: Course, count: int, jobs: int, force: bool, folder: Path, progress: bool) -> Report:
    """The ``count`` shards as one Slurm job array (those without a current results file in ``folder``),
    waited for, then merged; ShardsFailed names each shard that failed or was lost."""
    version, students = course.version(), course.students()
    files = [folder / f"shard-{index}-of-{count}.json" for index in range(count)]
    todo = [index for index, path in enumerate(files) if force or stale(course, path, count, version, students)]
    script = folder / "grade.sbatch"
    write_atomic(script, job_script(course, count, jobs, force, folder))
    if len(todo) < count:
        print(f"day5 grade: the results of {count - len(todo)} of the {count} shards are current; not graded again")
    if todo:
        for index in todo:
            files[index].unlink(missing_ok=True)
        print(f"day5 grade: shards {', '.join(f'{i}/{count}' for i in todo)} as a Slurm job array ({script}); waiting", flush=True)
        sbatch = ["sbatch", "--wait", f"--array={','.join(map(str, todo))}", str(script)]
        subprocess.run(sbatch, check=False)  # its exit status is the worst task's; the results files say which
    failed = {index: why for index in todo if (why := stale(course, files[index], count, version, students))}
    if failed:
        lines = [f"shard {i}/{count} failed or was lost: {why} (its log: {folder}/shard-{i}-of-{count}.log)" for i, why in failed.items()]
        raise ShardsFailed(
            "\n".join(lines) + f"\nNothing was merged. The same command again grades only the shards without results "
            f"(day5 grade {course.root} --slurm {count}); one alone: sbatch --array={next(iter(failed))} {script}"
        )
    return merge(course, files, progress)


# --- zips --------------------------------------------------------------------------------------------


def collect_zips(course: Course, folder: Path) -> dict[str, str]:
    """``<student>.zip`` files, each holding a ``day5.ipynb`` (and maybe ``timestamp.txt``), into
    ``submitted/<student>/day5/``; a zip that is not one is reported, never extracted blindly."""
    problems = {}
    for archive in sorted(folder.glob("*.zip")):
        student = archive.stem
        target = course.root / "submitted" / student / ASSIGNMENT
        try:
            with zipfile.ZipFile(archive) as zipped:
                members = {Path(info.filename).name: info for info in zipped.infolist() if not info.is_dir()}
                notebook = members.get(f"{NOTEBOOK}.ipynb")
                if notebook is None:
                    raise ValueError(f"no {NOTEBOOK}.ipynb inside")
                if notebook.file_size > MAX_NOTEBOOK:
                    raise ValueError(f"{NOTEBOOK}.ipynb is over {MAX_NOTEBOOK >> 20} MB")
                target.mkdir(parents=True, exist_ok=True)
                for name in (f"{NOTEBOOK}.ipynb", "timestamp.txt"):
                    if name in members and members[name].file_size <= MAX_NOTEBOOK:
                        data = zipped.read(members[name])
                        if not (target / name).is_file() or (target / name).read_bytes() != data:
                            (target / name).write_bytes(data)
        except (zipfile.BadZipFile, ValueError, OSError) as error:
            problems[student] = f"{archive.name}: {error}"
    return problems


# --- the command -------------------------------------------------------------------------------------


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("course", type=Path, help="the course folder: nbgrader_config.py, source/, submitted/, gradebook.db")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="submissions graded at once (default: the cores)")
    parser.add_argument("--shard", metavar="I/N", help="grade only shard I of N (0 <= I < N) into a results file")
    parser.add_argument("--output", type=Path, help="the shard's results file (default: COURSE/day5_grade_shard_I_of_N.json); "
                        "with --slurm, the folder of the job script, its logs and results files (default: COURSE/day5_slurm)")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="FILE", help="fold shard results files into the course")
    parser.add_argument("--slurm", type=int, metavar="N", help="grade the N shards as a Slurm job array "
                        "(sbatch --wait; --jobs CPUs a task, default 1), then merge them; run again, it grades only the "
                        "shards without results")
    parser.add_argument("--zips", type=Path, metavar="FOLDER", help="first unpack FOLDER/<student>.zip into submitted/")
    parser.add_argument("--force", action="store_true", help="grade again submissions that did not change")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def cores() -> int:
    """The cores this process may use (a container's CPU set, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def main(args: argparse.Namespace, error) -> int:
    """``day5 grade``; ``error(message)`` exits 2 (argparse's ``parser.error``)."""
    try:
        shard = parse_shard(args.shard)
        if args.jobs is not None and args.jobs < 1:
            raise UsageError(f"--jobs must be 1 or more, not {args.jobs}")
        if args.merge and (shard or args.zips or args.slurm is not None):
            raise UsageError("--merge folds results in; it does not go with --shard, --slurm or --zips")
        if args.slurm is not None:
            if shard:
                raise UsageError("--slurm runs every shard; it does not go with --shard")
            if args.slurm < 1:
                raise UsageError(f"--slurm N: N is the number of shards, 1 or more, not {args.slurm}")
            if not shutil.which("sbatch"):
                raise UsageError("--slurm needs Slurm's sbatch on PATH: run it on the cluster's login node")
            if args.output and args.output.exists() and not args.output.is_dir():
                raise UsageError(f"--output {str(args.output)!r} is not a folder (with --slurm it names one)")
        elif args.output and not shard:
            raise UsageError("--output names a shard's results file: give --shard too")
        for path in args.merge or ():
            if not path.is_file():
                raise UsageError(f"the results file {str(path)!r} does not exist")
        if args.zips and not args.zips.is_dir():
            raise UsageError(f"--zips {str(args.zips)!r} is not a folder")
        try:
            import nbgrader  # noqa: F401
        except ImportError:
            raise UsageError('day5 grade needs nbgrader: pip install -e ".[grading]"') from None
        course = Course(args.course)
        folder = (args.output or course.root / "day5_slurm").resolve() if args.slurm else None
        if folder and any(char.isspace() for char in str(folder)):
            raise UsageError(f"{folder}: Slurm's #SBATCH lines take no spaces; give --output a folder without")
        if not args.merge:
            course.check_released()
            course.grader()
    except UsageError as problem:
        error(str(problem))  # exits 2
        return 2
    jobs = args.jobs or (1 if args.slurm else cores())
    progress = not args.no_progress
    try:
        if args.merge:
            report = merge(course, args.merge, progress)
            what = f"merged {len(report.graded)} submissions from {len(args.merge)} results files"
        else:
            zip_problems = collect_zips(course, args.zips) if args.zips else {}
            if args.slurm:
                report = slurm(course, args.slurm, jobs, args.force, folder, progress)
                what = f"Slurm, {args.slurm} shards: merged {len(report.graded)} submissions"
            elif shard:
                output = args.output or course.root / f"day5_grade_shard_{shard[0]}_of_{shard[1]}.json"
                report = grade_shard(course, shard, jobs, output, args.force, progress)
                what = f"shard {shard[0]}/{shard[1]}: graded {len(report.graded)} submissions into {output}"
            else:
                report = grade(course, jobs, force=args.force, progress=progress)
                what = f"graded {len(report.graded)} submissions"
            report.problems.update(zip_problems)
    except UsageError as problem:
        error(str(problem))
        return 2
    except ShardsFailed as failed:
        print(f"day5 grade: {failed}", file=sys.stderr)
        return 1
    rate = len(report.graded) / report.seconds * 60 if report.seconds and report.graded else 0
    print(f"{what} in {report.seconds:.0f} s ({rate:.1f} per minute, {jobs} jobs); {report.kata_failures} katas did not pass")
    if report.skipped:
        print(f"skipped {len(report.skipped)} unchanged submissions already graded (--force grades them again)")
    for student, why in sorted(report.problems.items()):
        print(f"not graded: {student}: {why}", file=sys.stderr)
    return 1 if report.problems and not shard else 0  # a shard's problems are in its file; merge reports them
