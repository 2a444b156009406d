"""Shared pytest setup: figures render off-screen (no display needed), and the long test files
start first, so that `make test`'s two workers (`--dist loadfile`: a file stays on one worker)
finish together instead of one waiting for the other's last long file."""
import os

os.environ["MPLBACKEND"] = "Agg"

#: the files that take longest (tens of seconds to minutes): first the adversarial corpus, whose
#: time limits mostly wait (so the other worker's notebooks have the cores), then the longest
LONG_FIRST = ("test_adversarial.py", "test_edition_solved.py", "test_grading.py", "test_edition.py",
              "test_book.py", "test_sandbox.py", "test_browser.py", "test_gradebook.py")


def pytest_collection_modifyitems(session, config, items):
    def rank(item):
        name = item.path.name
        return LONG_FIRST.index(name) if name in LONG_FIRST else len(LONG_FIRST)
    items.sort(key=rank)          # stable: the order within a file, and of the others, stays
