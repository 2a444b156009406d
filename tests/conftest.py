"""Shared pytest setup: figures render off-screen (no display needed), and the long test files
start first, so that `make test`'s two workers (`--dist loadfile`: a file stays on one worker)
finish together instead of one waiting for the other's last long file."""
import os

os.environ["MPLBACKEND"] = "Agg"

#: the files that take longest, about longest first (worker seconds in a run of `make test` on 2 cores,
#: 2026-12-07).  The book, the edition and the browser share one cold execution of the solution
#: notebooks (a file lock per chapter): whichever starts first pays for it.
LONG_FIRST = ("test_browser.py",          # 76 s: JupyterLab runs a chapter four times
              "test_edition_solved.py",   # 56 s: one test, every chapter of the edition
              "test_book.py",             # 16 s, or 60 s when it runs the solution notebooks
              "test_edition.py",          # 33 s
              "test_sandbox.py",          # 37 s: time limits, mostly waiting
              "test_sandbox_warm.py",     # 35 s: the same with warm kernels
              "test_exchange.py",         # 34 s: nbgrader's commands
              "test_grading.py",          # 34 s
              "test_gradebook.py",        # 17 s
              "test_shards.py",           # 17 s
              "test_release.py",          # 14 s
              "test_adversarial.py")      # 12 s


def pytest_collection_modifyitems(session, config, items):
    def rank(item):
        name = item.path.name
        return LONG_FIRST.index(name) if name in LONG_FIRST else len(LONG_FIRST)
    items.sort(key=rank)          # stable: the order within a file, and of the others, stays
