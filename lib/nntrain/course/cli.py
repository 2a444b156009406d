"""The ``nntrain`` command: ``release``, ``grade``, ``merge``, ``student-edition``, ``book``, ``normalize`` (see README)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _cmd_release(args):
    from .layout import find_root
    from .release import release
    root = find_root(args.root)
    changed = release(root, args.chapters or None, check_only=args.check)
    if args.check:
        if changed:
            print("out of date: " + ", ".join(changed) + " (run `nntrain release`)")
            return 1
        print("chapters/ is up to date")
        return 0
    print(("regenerated: " + ", ".join(changed)) if changed else "chapters/ already up to date")
    return 0


#: where `nntrain grade` writes its CSVs unless told (`nbgrader export` writes ./grades.csv)
DEFAULT_OUT = Path("autograder") / "grades" / "grades.csv"


def _cmd_grade(args):
    from ..grading import execute, sandbox
    from ..grading.grade import grade, summary
    from ..grading.results import per_test_csv_path
    from .layout import find_root
    root = find_root(args.root)
    resources = sandbox.Resources(memory_bytes=int(args.memory_gb * 1024 ** 3))
    limits = execute.Limits(cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                            resources=resources)
    feedback = Path(args.feedback) if args.feedback else root / "autograder" / "feedback"
    out = Path(args.out) if args.out else root / DEFAULT_OUT
    if out.resolve() == (root / "grades.csv").resolve():
        print(f"warning: {out} is where `nbgrader export` writes by default; it would replace these "
              f"grades (the default --out is {DEFAULT_OUT})", file=sys.stderr)
    mode = sandbox.detect(args.sandbox)
    weaker = sandbox.why_not_stronger(mode)
    print(f"sandbox: {mode}" + (f"; stronger modes not used ({weaker})" if weaker else ""), file=sys.stderr)
    if mode == "none":
        print("warning: no sandbox on this machine; kernels run with resource limits only and can "
              "read what the grader's user can read", file=sys.stderr)
    shard = args.shard
    if shard and not args.out:
        out = root / "autograder" / "shards" / str(shard.index) / "grades.csv"
    if shard and not args.feedback:
        feedback = out.parent / "feedback"
    try:
        rows = grade(root, Path(args.submitted), out, feedback=feedback,
                     chapters=args.chapter or None, students=args.student or None, limits=limits,
                     jobs=args.jobs, progress=not args.quiet, sandbox_mode=mode, record=not args.no_gradebook,
                     shard=shard, warm_kernels=not args.cold_kernels)
    except KeyboardInterrupt:
        print(f"interrupted: {out} lists what was graded; the rest is needs_review "
              "(not graded)", file=sys.stderr)
        return 130
    print(summary(rows))
    print(f"sandbox: {mode}")
    print(f"wrote {out}, {per_test_csv_path(out)}, the class report beside them "
          f"and feedback under {feedback}")
    return 0


def _shard(text):
    """``--shard K/N``, or argparse's error saying what is wrong with it."""
    from ..grading.submissions import Shard
    try:
        return Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _cmd_merge(args):
    from ..grading.grade import summary
    from ..grading.merge import merge
    from .layout import find_root
    root = find_root(args.root)
    out = Path(args.out) if args.out else root / DEFAULT_OUT
    feedback = Path(args.feedback) if args.feedback else root / "autograder" / "feedback"
    rows = merge(root, args.shards, out, feedback=feedback, record=not args.no_gradebook)
    print(summary(rows))
    print(f"merged {len(args.shards)} shard(s) into {out}, the class report beside it and feedback under {feedback}")
    return 0


def _cmd_student_edition(args):
    import time
    from .edition import EditionError, build
    from .layout import find_root
    t0 = time.perf_counter()
    try:
        chapters = build(find_root(args.root), Path(args.out), jobs=args.jobs)
    except EditionError as exc:
        print(f"nntrain: {exc}", file=sys.stderr)
        return 2
    print(f"wrote the student edition ({len(chapters)} chapters) to {args.out} in "
          f"{time.perf_counter() - t0:.0f} s")
    return 0


def _cmd_normalize(args):
    from .notebook import normalize_file
    changed = [p for p in args.paths if normalize_file(Path(p))]
    for p in changed:
        print(f"normalized {p}")
    return 1 if (args.check and changed) else 0


def main(argv=None):
    """The ``nntrain`` command; returns its exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["book"]:           # the book builder has its own options
        from .book import main as book_main
        return book_main(argv[1:])
    parser = argparse.ArgumentParser(prog="nntrain", description=__doc__)
    parser.add_argument("--root", help="course root (default: found from the current folder)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="regenerate chapters/ (student versions) from solutions/")
    p.add_argument("chapters", nargs="*", help="chapter ids (default: all)")
    p.add_argument("--check", action="store_true", help="only report chapters that are out of date")
    p.set_defaults(func=_cmd_release)

    from ..grading.execute import Limits
    from ..grading.sandbox import MODES, Resources
    p = sub.add_parser("grade", help="grade SUBMITTED/<student>/<chapter>/<chapter>.ipynb")
    p.add_argument("submitted", help="folder of submissions")
    p.add_argument("--out", help=f"CSV of grades to write, the per-test CSV and the class report beside it "
                                 f"(default {DEFAULT_OUT}: never the course root's grades.csv, which "
                                 f"`nbgrader export` writes)")
    p.add_argument("--feedback", help="folder for feedback HTML (default autograder/feedback)")
    p.add_argument("--chapter", action="append",
                   help="grade only this chapter (repeatable); the other rows of the CSVs stay")
    p.add_argument("--student", action="append",
                   help="grade only this student (repeatable); the other rows of the CSVs stay")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks graded at once")
    p.add_argument("--timeout", type=float, default=Limits.cell_timeout, help="seconds per cell")
    p.add_argument("--notebook-timeout", type=float, default=Limits.notebook_timeout,
                   help="seconds per notebook")
    p.add_argument("--memory-gb", type=float, default=Resources.memory_bytes / 1024 ** 3,
                   help="address-space limit of a kernel")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-gradebook", action="store_true",
                   help="do not record the results in nbgrader's gradebook (autograder/gradebook.db)")
    p.add_argument("--sandbox", default="auto", choices=["auto", *MODES],
                   help="how kernels are confined (default: the strongest this machine allows)")
    p.add_argument("--cold-kernels", action="store_true",
                   help="start every kernel as a new Python instead of forking it from the warm "
                        "kernel factory (slower; the same sandbox)")
    p.add_argument("--shard", metavar="K/N", type=_shard,
                   help="grade only slice K (0 ... N-1) of N of the students, for `nntrain merge` "
                        "(a Slurm array task or a Kubernetes Indexed Job each; see deploy/)")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("merge", help="put the shards of `nntrain grade --shard K/N` together")
    p.add_argument("shards", nargs="+", help="the grades CSV of every shard")
    p.add_argument("--out", help=f"merged grades CSV (default {DEFAULT_OUT})")
    p.add_argument("--feedback", help="folder for the feedback pages (default autograder/feedback)")
    p.add_argument("--no-gradebook", action="store_true", help="do not record the results in nbgrader's gradebook")
    p.set_defaults(func=_cmd_merge)

    p = sub.add_parser("student-edition", help="write the course as a class receives it (no answers)")
    p.add_argument("out", help="the edition's folder (empty, or an earlier edition)")
    p.add_argument("--jobs", type=int, default=2, help="solution notebooks run at once (default 2)")
    p.set_defaults(func=_cmd_student_edition)

    sub.add_parser("book", help="build the static HTML book (nntrain book -h for its options)")

    p = sub.add_parser("normalize", help="strip outputs and volatile metadata from notebooks")
    p.add_argument("paths", nargs="+")
    p.add_argument("--check", action="store_true", help="exit 1 if a notebook was not normalized")
    p.set_defaults(func=_cmd_normalize)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:
        from .layout import CourseError
        if isinstance(exc, CourseError):
            print(f"nntrain: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
