"""``nntrain merge``: the shards of a class graded apart, put together as one run would have.

A class too large for one machine is graded in N slices on the batch system it already has
(a Slurm job array, a Kubernetes Indexed Job; see ``deploy/``): ``nntrain grade --shard K/N``
grades the students of slice K (:class:`.submissions.Shard`: stable, by student id), writes
its CSVs, feedback pages and executed notebooks into folders of its own and a manifest
beside its CSV (``<stem>_shard.json``), and leaves the gradebook alone.  Then ``nntrain merge
SHARD_CSV...`` checks that the N shards are all there, and writes what one run would have:

- the CSVs, byte for byte: the rows in one run's order (by student, then chapter);
- the feedback pages and the executed notebooks, in the course's folders;
- the gradebook records (:func:`.gradebook.record`, from the CSVs' rows);
- the class report (:mod:`.report`).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import NamedTuple

from ..course.files import atomic_write
from ..course.layout import CourseError
from . import gradebook, report, results
from .submissions import Shard


class Manifest(NamedTuple):
    """What one shard wrote, and where (``<stem>_shard.json`` beside its grades CSV)."""
    shard: Shard
    grades: Path
    feedback: str | None
    autograded: str | None
    partial: bool


def manifest_path(out: Path) -> Path:
    """Where the shard that writes the grades CSV ``out`` describes itself."""
    return Path(out).with_name(Path(out).stem + "_shard.json")


def write_manifest(out: Path, shard: Shard, feedback: Path | None, autograded: Path | None, partial: bool):
    """Describe the shard that wrote ``out`` (called by :func:`.grade.grade`)."""
    record = {"shard": f"{shard.index}/{shard.count}", "feedback": str(feedback) if feedback else None,
              "autograded": str(autograded) if autograded else None, "partial": partial}
    atomic_write(manifest_path(out), json.dumps(record, indent=1) + "\n")


def _read_manifests(grades_csvs) -> list:
    """The manifests of the shards' grades CSVs, checked to be all N shards of one class."""
    found = []
    for csv_path in map(Path, grades_csvs):
        path = manifest_path(csv_path)
        if not path.is_file():
            raise CourseError(f"{csv_path} was not written by `nntrain grade --shard` (no {path.name})")
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append(Manifest(Shard.parse(data["shard"]), csv_path, data["feedback"], data["autograded"],
                              data["partial"]))
    counts = {m.shard.count for m in found}
    have = sorted(m.shard.index for m in found)
    if len(counts) != 1 or have != list(range(next(iter(counts)))):
        raise CourseError(f"the shards must be 0/N ... N-1/N of one class, each once; got "
                          f"{', '.join(f'{m.shard.index}/{m.shard.count}' for m in found)}")
    return found


def merge(root: Path, grades_csvs, out: Path, feedback: Path | None = None, record: bool = True) -> list:
    """Put the shards together (see the module's docstring); return the merged rows."""
    root, out = Path(root), Path(out)
    shards = _read_manifests(grades_csvs)
    lines, test_lines = [], []
    for m in shards:
        lines += results.read_lines(m.grades)
        test_lines += results.read_lines(results.per_test_csv_path(m.grades))
    order = {key: i for i, key in enumerate(sorted({(x["student"], x["chapter"]) for x in lines}))}
    lines.sort(key=lambda x: order[x["student"], x["chapter"]])
    test_lines.sort(key=lambda x: order[x["student"], x["chapter"]])    # stable: tests keep their order
    results.write_lines(out, lines, test_lines, partial=any(m.partial for m in shards))
    for m in shards:
        _copy_submissions(m.feedback, feedback)
        if record:
            _copy_submissions(m.autograded, root / "autograder" / "autograded")
    rows = results.rows_from(lines, test_lines)
    if record:
        gradebook.record(gradebook.Course.read(root), rows)
    report.write_report(out)
    return rows


def _copy_submissions(source: str | None, target: Path | None):
    """Each ``<student>/<chapter>/`` folder of ``source`` into ``target``, replacing it there."""
    if source is None or target is None or not Path(source).is_dir():
        return
    for folder in sorted(Path(source).glob("*/*")):
        if folder.is_dir():
            dest = Path(target) / folder.parent.name / folder.name
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(folder, dest)
