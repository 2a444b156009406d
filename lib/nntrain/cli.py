"""The ``nntrain`` command: ``release``, ``grade``, ``student-edition``, ``book``, ``normalize`` (see README)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _cmd_release(args):
    from .grading.course import find_root
    from .grading.release import release
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


def _cmd_grade(args):
    from .grading import execute
    from .grading.course import find_root
    from .grading.grade import grade, summary, per_test_csv_path
    root = find_root(args.root)
    limits = execute.Limits(cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                            memory_bytes=int(args.memory_gb * 1024 ** 3))
    feedback = Path(args.feedback) if args.feedback else root / "autograder" / "feedback"
    from .grading import sandbox
    mode = sandbox.detect(args.sandbox)
    weaker = sandbox.why_not_stronger(mode)
    print(f"sandbox: {mode}" + (f"; stronger modes not used ({weaker})" if weaker else ""), file=sys.stderr)
    if mode == "none":
        print("warning: no sandbox on this machine; kernels run with resource limits only and can "
              "read what the grader's user can read", file=sys.stderr)
    try:
        rows = grade(root, Path(args.submitted), Path(args.out), feedback=feedback,
                     chapters=args.chapter or None, limits=limits, jobs=args.jobs,
                     progress=not args.quiet, sandbox_mode=mode, record=not args.no_gradebook)
    except KeyboardInterrupt:
        print(f"interrupted: {args.out} lists what was graded; the rest is needs_review "
              "(not graded)", file=sys.stderr)
        return 130
    print(summary(rows))
    print(f"sandbox: {mode}")
    print(f"wrote {args.out}, {per_test_csv_path(Path(args.out))} and feedback under {feedback}")
    return 0


def _cmd_student_edition(args):
    import time
    from .edition import EditionError, build
    from .grading.course import find_root
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
    from .grading.notebook import normalize_file
    changed = [p for p in args.paths if normalize_file(Path(p))]
    for p in changed:
        print(f"normalized {p}")
    return 1 if (args.check and changed) else 0


def main(argv=None):
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

    p = sub.add_parser("grade", help="grade SUBMITTED/<student>/<chapter>/<chapter>.ipynb")
    p.add_argument("submitted", help="folder of submissions")
    p.add_argument("--out", required=True, help="CSV of grades to write")
    p.add_argument("--feedback", help="folder for feedback HTML (default autograder/feedback)")
    p.add_argument("--chapter", action="append", help="grade only this chapter (repeatable)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks graded at once")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per cell")
    p.add_argument("--notebook-timeout", type=float, default=600.0, help="seconds per notebook")
    p.add_argument("--memory-gb", type=float, default=4.0, help="address-space limit of a kernel")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-gradebook", action="store_true",
                   help="do not record the results in nbgrader's gradebook (autograder/gradebook.db)")
    p.add_argument("--sandbox", default="auto", choices=["auto", "root", "userns", "none"],
                   help="how kernels are confined (default: the strongest this machine allows)")
    p.set_defaults(func=_cmd_grade)

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
        from .grading.course import CourseError
        if isinstance(exc, CourseError):
            print(f"nntrain: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
