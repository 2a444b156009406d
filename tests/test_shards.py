"""A class graded in shards (`nntrain grade --shard K/N`, one per batch job) and put together
(`nntrain merge`) equals one run: the CSVs and the class report byte for byte, the same
feedback pages and executed notebooks, the same gradebook.  The shards run as the examples
of deploy/ run them: the Slurm array's scripts (with the variables Slurm sets for task K of
N); the Kubernetes Indexed Job's pods run the same command with JOB_COMPLETION_INDEX."""
import csv
import os
import shutil
import subprocess

import nbformat
import pytest

from nntrain.course.cli import main
from nntrain.course.layout import nbgrader
from nntrain.grading.results import per_test_csv_path
from nntrain.grading.submissions import Shard
from tests.course import ROOT, released, solution

pytestmark = pytest.mark.slow
CHAPTER = "04_moving_averages"
STUDENTS = ("ada", "ben", "cai", "dan", "eve")
N = 2
REPORT = ("students.csv", "lms.csv", "tests_failed.csv", "summary.html")


def test_a_shard_is_a_stable_slice_by_student_id():
    students = [f"s{i:03d}" for i in range(300)]
    slices = [{s for s in students if Shard(k, 4).holds(s)} for k in range(4)]
    assert set().union(*slices) == set(students) and sum(map(len, slices)) == len(students)
    assert all(40 < len(s) < 110 for s in slices), [len(s) for s in slices]
    assert {s for s in students[:100] if Shard(1, 4).holds(s)} <= slices[1], "depends on the id alone"
    for bad in ("4/4", "-1/4", "1", "a/b", "1/0"):
        with pytest.raises(ValueError):
            Shard.parse(bad)


def _course(tmp):
    """A course of one chapter, and a class's submissions in its autograder/submitted."""
    course = tmp / "course"
    for folder in ("solutions", "chapters"):
        shutil.copytree(ROOT / folder / CHAPTER, course / folder / CHAPTER)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    submitted = course / "autograder" / "submitted"
    for i, student in enumerate(STUDENTS):
        folder = submitted / student / CHAPTER
        folder.mkdir(parents=True)
        nbformat.write(solution(CHAPTER) if i % 2 == 0 else released(CHAPTER), folder / f"{CHAPTER}.ipynb")
        (folder / "timestamp.txt").write_text(f"2026-12-0{i + 1} 10:00:00.000000 UTC")
    (submitted / "fay" / CHAPTER).mkdir(parents=True)
    (submitted / "fay" / CHAPTER / f"{CHAPTER}.ipynb").write_text("{ not a notebook")
    return course, submitted


def _shell(command, course, **env):
    """A batch task's command, run as the batch system would, in the course root."""
    (course / "autograder" / "shards").mkdir(parents=True, exist_ok=True)
    path = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(command, cwd=course, env={**os.environ, "PATH": path, **env},
                          capture_output=True, text=True)
    assert done.returncode == 0, f"{command}: {done.stderr[-2000:]}"


def _slurm(course):
    """deploy/slurm: the array's N tasks, then the merge."""
    (course / ".venv").symlink_to(ROOT / ".venv")
    for k in range(N):
        _shell(["bash", str(ROOT / "deploy" / "slurm" / "grade.sbatch")], course, SLURM_SUBMIT_DIR=str(course),
               SLURM_ARRAY_TASK_ID=str(k), SLURM_ARRAY_TASK_COUNT=str(N), SLURM_CPUS_PER_TASK="2")
    _shell(["bash", str(ROOT / "deploy" / "slurm" / "merge.sbatch")], course, SLURM_SUBMIT_DIR=str(course))


def _kubernetes_commands(stub_dir, record) -> list:
    """deploy/kubernetes: what every pod of the Indexed Job, then the merge Job, runs, with
    a stand-in ``nntrain`` on PATH that only records its arguments."""
    import yaml
    stub = stub_dir / "nntrain"
    stub.write_text('#!/bin/sh\necho "$*" >> "$NNTRAIN_CALLS"\n')
    stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{stub_dir}{os.pathsep}{os.environ['PATH']}", "NNTRAIN_CALLS": str(record)}
    job = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "grade-job.yaml").read_text())
    merge = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "merge-job.yaml").read_text())
    assert job["spec"]["completionMode"] == "Indexed"
    for k in range(job["spec"]["completions"]):
        container = job["spec"]["template"]["spec"]["containers"][0]
        subprocess.run(container["command"] + container["args"], env={**env, "JOB_COMPLETION_INDEX": str(k)},
                       cwd=stub_dir, check=True)
    container = merge["spec"]["template"]["spec"]["containers"][0]
    subprocess.run(container["command"] + container["args"], env=env, cwd=stub_dir, check=True)
    return job["spec"]["completions"], record.read_text().splitlines()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same class graded once, and in N shards by the Slurm array's scripts, each in a
    course of its own."""
    one, submitted = _course(tmp_path_factory.mktemp("one"))
    assert main(["--root", str(one), "grade", str(submitted), "--jobs", "2", "--quiet"]) == 0
    slurm, _ = _course(tmp_path_factory.mktemp("slurm"))
    _slurm(slurm)
    return one, slurm


def test_the_kubernetes_job_runs_one_shard_per_pod_then_the_merge(tmp_path):
    """Pod K of the Indexed Job runs what Slurm's task K runs (which, merged, equals one run:
    the tests below): the same command with K = JOB_COMPLETION_INDEX and N = completions."""
    n, calls = _kubernetes_commands(tmp_path, tmp_path / "calls.txt")
    assert calls == [f"grade autograder/submitted --shard {k}/{n} --jobs 2 --quiet" for k in range(n)] + \
        ["merge autograder/shards/*/grades.csv"]
    slurm = (ROOT / "deploy" / "slurm" / "grade.sbatch").read_text()
    assert "nntrain grade autograder/submitted" in slurm and '--shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}"' in slurm


def _grades(course):
    return course / "autograder" / "grades" / "grades.csv"


def test_every_shard_graded_only_its_students(runs):
    _, sharded = runs
    seen = []
    for k in range(N):
        with open(sharded / "autograder" / "shards" / str(k) / "grades.csv", newline="") as f:
            students = {row["student"] for row in csv.DictReader(f)}
        assert students and all(Shard(k, N).holds(s) for s in students), (k, students)
        seen += students
    assert sorted(seen) == sorted(STUDENTS + ("fay",))


def test_merged_csvs_and_report_equal_one_run_byte_for_byte(runs):
    one, *merged = runs
    paths = [_grades(one), per_test_csv_path(_grades(one))] + \
        [_grades(one).with_name(f"grades_{name}") for name in REPORT]
    for sharded in merged:
        for path in paths:
            other = sharded / path.relative_to(one)
            assert other.read_bytes() == path.read_bytes(), f"{path.name} differs ({sharded.parent.name})"


def test_merged_feedback_and_notebooks_are_one_runs(runs):
    one, sharded = runs
    for folder in ("feedback", "autograded"):
        listing = sorted(p.relative_to(one / "autograder" / folder)
                         for p in (one / "autograder" / folder).rglob("*") if p.is_file())
        assert listing == sorted(p.relative_to(sharded / "autograder" / folder)
                                 for p in (sharded / "autograder" / folder).rglob("*") if p.is_file())
        assert len(listing) >= len(STUDENTS)


def test_the_merged_gradebook_exports_what_one_run_recorded(runs, tmp_path):
    exports = []
    for course in runs:
        nbgrader(course, "export", f"--to={tmp_path / course.parent.name}.csv")
        with open(tmp_path / f"{course.parent.name}.csv", newline="") as f:
            exports.append(sorted((r["student_id"], r["assignment"], r["score"], r["timestamp"]) for r in csv.DictReader(f)))
    assert exports[0] == exports[1] and len(exports[0]) == len(STUDENTS) + 1


def test_merge_refuses_an_incomplete_set_of_shards(runs, capsys):
    _, sharded = runs
    shards = [str(sharded / "autograder" / "shards" / str(k) / "grades.csv") for k in range(N - 1)]
    assert main(["--root", str(sharded), "merge", *shards, "--out", str(sharded / "x.csv")]) == 2
    assert "0/N ... N-1/N" in capsys.readouterr().err
