"""The GitHub Actions workflow and the Kubernetes Jobs in ``deploy/``: valid, and running ``day5 grade``'s own commands.

Each file passes a real validator with the schemas it ships (check-jsonschema's GitHub workflow
schema; kubernetes-validate, strict, against its newest Kubernetes), and a copy with one wrong
key fails it; their shell scripts, and the job script of ``day5 grade --slurm``, pass
shellcheck. Every ``day5 grade`` command in them parses with ``day5 grade``'s own arguments,
the shards are 0..N-1 of the N declared, and the merge's pattern takes every shard's file.
(The Slurm version is ``day5 grade --slurm``, run on a real Slurm in ``test_grade_class.py``.)
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import shlex
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

from workbook.classroom.grade_class import arguments, job_script, parse_shard

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
WORKFLOW = DEPLOY / "github-actions" / "grade-day5.yml"
SHARDS_JOB, MERGE_JOB = DEPLOY / "kubernetes" / "grade-shards.yaml", DEPLOY / "kubernetes" / "merge.yaml"
VALIDATORS = {  # file: the validator's command, the module it needs, a line that must make it fail
    WORKFLOW: (["check_jsonschema", "--builtin-schema", "vendor.github-workflows"], "check_jsonschema", ("timeout-minutes:", "timeout-minute:")),
    SHARDS_JOB: (["kubernetes_validate", "--strict"], "kubernetes_validate", ("completionMode:", "completionMod:")),
    MERGE_JOB: (["kubernetes_validate", "--strict"], "kubernetes_validate", ("backoffLimit: 0", "backoffLimit: none")),
}


def validate(path: Path, copy: Path | None = None) -> subprocess.CompletedProcess:
    """``path`` (or ``copy``, an edited copy of it) through ``path``'s validator."""
    command, module, _ = VALIDATORS[path]
    pytest.importorskip(module, reason='the validators are in the deploy extra: pip install -e ".[deploy]"')
    return subprocess.run([sys.executable, "-m", *command, str(copy or path)], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("path", list(VALIDATORS), ids=["workflow", "shards-job", "merge-job"])
def test_the_file_passes_its_validator_and_a_copy_with_one_wrong_key_does_not(path, tmp_path):
    done = validate(path)
    assert done.returncode == 0, done.stdout + done.stderr
    good, bad = VALIDATORS[path][2]
    text = path.read_text(encoding="utf-8")
    assert text.count(good) == 1
    broken = tmp_path / path.name
    broken.write_text(text.replace(good, bad), encoding="utf-8")
    done = validate(path, broken)
    assert done.returncode != 0, done.stdout + done.stderr


def shell_scripts() -> list[tuple[str, str, str]]:
    """``(where, shell, script)`` for every shell script in deploy/ and the job script of ``day5 grade --slurm``."""
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    scripts = [(f"{WORKFLOW.name}: {name}, step {i}", "bash", re.sub(r"\$\{\{.*?\}\}", "x", step["run"]))
               for name, job in workflow["jobs"].items() for i, step in enumerate(job["steps"]) if "run" in step]
    for path in (SHARDS_JOB, MERGE_JOB):
        [container] = yaml.safe_load(path.read_text(encoding="utf-8"))["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["sh", "-c"]
        scripts.append((path.name, "sh", container["args"][0]))
    course = argparse.Namespace(root=Path("/home/teacher/day5 course"))
    scripts.append(("day5 grade --slurm", "sh", job_script(course, 3, 2, True, Path("/home/teacher/day5_slurm"))))
    return scripts


def test_every_shell_script_passes_shellcheck():
    if not shutil.which("shellcheck"):
        pytest.skip("no shellcheck (.ci/run installs Debian's)")
    for where, shell, script in shell_scripts():
        done = subprocess.run(["shellcheck", f"--shell={shell}", "-"], input=script, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{where}:\n{script}\n{done.stdout}"
    done = subprocess.run(["shellcheck", "--shell=sh", "-"], input="echo $1\n", capture_output=True, text=True, timeout=60)
    assert done.returncode != 0, "shellcheck finds nothing wrong with an unquoted $1"


def day5_grade_commands(script: str, **variables) -> list[argparse.Namespace]:
    """Each ``day5 grade ...`` in a shell script, its variables set, parsed by ``day5 grade``'s own parser."""
    parser = argparse.ArgumentParser(prog="day5 grade", exit_on_error=False)
    arguments(parser)
    commands = re.findall(r"day5 grade [^;|&\n]*", script)
    return [parser.parse_args(shlex.split(string.Template(command).substitute(variables))[2:]) for command in commands]


def check_split(shards: list[argparse.Namespace], count: int, merge: argparse.Namespace, folder: str = "") -> None:
    """Shards 0..count-1 of count, into files that the merge's pattern takes, of the course it merges into."""
    assert [parse_shard(args.shard) for args in shards] == [(index, count) for index in range(count)]
    assert len({args.output for args in shards}) == count
    assert merge.merge and all(any(fnmatch.fnmatch(f"{folder}{args.output}", str(p)) for p in merge.merge) for args in shards)
    assert {args.course for args in shards} == {merge.course}


def test_the_workflow_grades_shards_0_to_n_minus_1_and_merges_them():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    count = int(workflow["env"]["SHARDS"])
    assert workflow["jobs"]["shard"]["strategy"]["matrix"]["shard"] == list(range(count))
    shard_steps = [step for step in workflow["jobs"]["shard"]["steps"] if "day5 grade" in step.get("run", "")]
    shards = [args for index in range(count) for step in shard_steps
              for args in day5_grade_commands(step["run"], SHARD=index, SHARDS=count)]
    [merge] = [args for step in workflow["jobs"]["merge"]["steps"] for args in day5_grade_commands(step.get("run", ""))]
    download = next(step for step in workflow["jobs"]["merge"]["steps"] if "download-artifact" in step.get("uses", ""))
    check_split(shards, count, merge, folder=download["with"]["path"] + "/")
    assert workflow["jobs"]["merge"]["if"] == "${{ !cancelled() }}"  # after a failed shard too: the merge names it


def test_the_kubernetes_jobs_grade_shards_0_to_n_minus_1_and_merge_them():
    yaml = pytest.importorskip("yaml")
    job, merge_job = (yaml.safe_load(path.read_text(encoding="utf-8")) for path in (SHARDS_JOB, MERGE_JOB))
    count = job["spec"]["completions"]
    assert job["spec"]["completionMode"] == "Indexed" and job["spec"]["parallelism"] <= count
    [container] = job["spec"]["template"]["spec"]["containers"]
    variables = {item["name"]: item["value"] for item in container.get("env", [])}
    assert int(variables["SHARDS"]) == count
    shards = [args for index in range(count) for args in
              day5_grade_commands(" ".join(container["args"]), **variables, JOB_COMPLETION_INDEX=index)]
    [merge_container] = merge_job["spec"]["template"]["spec"]["containers"]
    [merge] = day5_grade_commands(" ".join(merge_container["args"]))
    check_split(shards, count, merge)
    read_only = {mount["name"] for mount in container["volumeMounts"] if mount.get("readOnly")}
    assert "course" in read_only  # the shards only read the course; the merge writes it
    assert not any(mount.get("readOnly") for mount in merge_container["volumeMounts"] if mount["name"] == "course")
