"""The ``day5`` command line: generate never loses a learner's work without being told to,
every command says what it is for, and the instructor's files with student code stay out of git."""

import argparse
import shutil
import subprocess

import pytest

from workbook import cli
from workbook.authoring import course, stubs
from workbook.classroom import grade_class
from workbook.implementation import NAMED, ROOT


def git(folder, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-c", "user.name=day5", "-c", "user.email=day5@example.invalid", "-C", str(folder), *args],
        capture_output=True, text=True, check=True,
    )


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A repository of its own: the reference committed, exercises/ its untouched stubs;
    ``day5 generate`` works on it (the notebooks are left alone)."""
    shutil.copytree(NAMED["solutions"] / "day5", tmp_path / "solutions" / "day5", ignore=shutil.ignore_patterns("__pycache__"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "solutions")
    git(tmp_path, "commit", "-q", "-m", "the reference")
    monkeypatch.setitem(NAMED, "solutions", tmp_path / "solutions")
    monkeypatch.setitem(NAMED, "exercises", tmp_path / "exercises")
    monkeypatch.setattr(course, "write", lambda log=print: None)
    stubs.write(tmp_path / "exercises", log=lambda _: None)
    return tmp_path


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_generate_refuses_to_overwrite_a_learners_work_and_names_the_file(checkout, capsys):
    edit(checkout / "solutions" / "day5" / "data.py", '"""', '"""A maintainer\'s new first line.\n')
    exercise = checkout / "exercises" / "day5" / "tokenizers.py"
    edit(exercise, "raise NotImplementedError()", "return 'my work'")
    work = exercise.read_text(encoding="utf-8")
    assert cli.main(["generate"]) == 1
    err = capsys.readouterr().err
    assert "exercises/day5/tokenizers.py" in err and "--force" in err
    assert "data.py" not in err  # an untouched stub is not the learner's work
    assert exercise.read_text(encoding="utf-8") == work  # nothing written, not even the untouched stub
    assert "A maintainer's new first line" not in (checkout / "exercises" / "day5" / "data.py").read_text(encoding="utf-8")
    assert not list((checkout / "exercises" / "day5").glob("*.bak"))


def test_generate_force_overwrites_and_says_where_the_old_file_went(checkout, capsys):
    exercise = checkout / "exercises" / "day5" / "tokenizers.py"
    edit(exercise, "raise NotImplementedError()", "return 'my work'")
    work = exercise.read_text(encoding="utf-8")
    assert cli.main(["generate", "--force"]) == 0
    assert "as exercises/day5/tokenizers.py.bak" in capsys.readouterr().out
    assert (checkout / "exercises" / "day5" / "tokenizers.py.bak").read_text(encoding="utf-8") == work
    assert exercise.read_text(encoding="utf-8") == stubs.render()["tokenizers.py"]
    edit(exercise, "raise NotImplementedError()", "return 'more work'")  # a second backup keeps the first
    assert cli.main(["generate", "--force"]) == 0
    assert "as exercises/day5/tokenizers.py.2.bak" in capsys.readouterr().out
    assert (checkout / "exercises" / "day5" / "tokenizers.py.bak").read_text(encoding="utf-8") == work


def test_generate_after_editing_the_solutions_needs_no_flag_when_the_exercises_are_untouched(checkout, capsys):
    edit(checkout / "solutions" / "day5" / "data.py", '"""', '"""A maintainer\'s new first line.\n')
    assert stubs.changed(checkout / "exercises") == []
    assert cli.main(["generate"]) == 0
    assert "wrote exercises/day5/data.py" in capsys.readouterr().out
    assert stubs.drift() == []
    assert not list((checkout / "exercises" / "day5").glob("*.bak"))


def test_without_git_any_difference_counts_as_an_edit(checkout):
    shutil.rmtree(checkout / ".git")
    edit(checkout / "solutions" / "day5" / "data.py", '"""', '"""A maintainer\'s new first line.\n')
    assert stubs.changed(checkout / "exercises") == [checkout / "exercises" / "day5" / "data.py"]


def help_of(capsys, *args) -> str:
    with pytest.raises(SystemExit) as exit:
        cli.main([*args, "--help"])
    assert exit.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", ["generate", "check", "verify"])
def test_each_maintainer_command_describes_itself(capsys, command):
    lines = help_of(capsys, command).splitlines()
    description = lines[lines.index("") + 1]
    assert description and not description.startswith(("options", "positional")), lines
    if command == "generate":
        assert "--force" in "\n".join(lines) and ".bak" in "\n".join(lines)


def test_the_top_level_help_is_plain_text_with_who_uses_which_command_learners_first(capsys):
    text = help_of(capsys)
    assert "``" not in text
    assert "learner      watch" in text
    assert "maintainer   generate, check, verify, mutants" in text
    assert "instructor   grade, similarity" in text
    listed = [line.split()[0] for line in text[text.index("COMMAND\n") :].splitlines()[1:] if line.startswith("    ") and line[4] != " "]
    assert listed == ["watch", "generate", "check", "verify", "mutants", "grade", "similarity"]


def test_watch_names_every_key_it_reads(capsys):
    assert "(h: next hint, a: every kata, q: quit)" in " ".join(help_of(capsys).split())
    description = " ".join(help_of(capsys, "watch").split())
    assert all(key in description for key in ("h for the next hint", "a to run every kata", "q to quit"))


def test_grade_takes_j_like_mutants():
    parser = argparse.ArgumentParser()
    grade_class.arguments(parser)
    assert parser.parse_args(["-j", "3", "course"]).jobs == 3
    assert parser.parse_args(["--jobs", "2", "course"]).jobs == 2


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout")
@pytest.mark.parametrize("path", [
    "notebooks/day5_grade.json",
    "notebooks/day5_grade.json.tmp",
    "notebooks/day5_slurm/shard-0-of-3.json",  # day5 grade --slurm: its job script, logs and shard results
    "notebooks/day5_grade_shard_0_of_3.json",
    "notebooks/day5_grade_shard_0_of_3.json.tmp",
    "notebooks/similarity/similarity.csv",
    "notebooks/similarity/similarity.html",
], ids=lambda path: path.removeprefix("notebooks/").replace("day5_", ""))  # no "day5" in an id: -k day5 is the learner's run
def test_the_files_with_student_code_that_grade_and_similarity_write_are_ignored(path):
    assert grade_class.STATE == "day5_grade.json"  # written into the course folder, notebooks/
    done = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", "--no-index", path], check=False)
    assert done.returncode == 0, f"{path} is not ignored by git"

