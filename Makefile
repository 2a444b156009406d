# `make test` and `make lab` work on a fresh machine with only Python 3 (>= 3.10) and pip:
# they create .venv if it is missing and install the project into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_NB := --nbval-lax --nbval-current-env --nbval-cell-timeout=300
# Tests and benchmarks: one BLAS thread per process. The matrices here are small, and
# OpenBLAS threads fighting over 2 cores (pytest + kernels) made runs up to 30x slower.
TEST_ENV := MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
# pytest-xdist workers; --dist loadfile keeps each notebook's cells (and each test file)
# on one worker, in order, and --no-loadscope-reorder hands the files out in the order
# tests/conftest.py gives them, the longest first (pytest-xdist 3.8 otherwise sorts them by
# their number of tests, which left the two longest, with one and five tests, for the end)
JOBS ?= 2
XDIST := -n $(JOBS) --dist loadfile --no-loadscope-reorder

.PHONY: install test test-lib test-notebooks test-browser lab book student-edition release check-release bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## every test: library, repository checks, release in sync, grading round trip, and every
## solution notebook executed with nbval
test: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -q $(XDIST) tests solutions $(PYTEST_NB)

test-lib: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -q tests/lib

test-notebooks: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -q solutions $(PYTEST_NB)

## JupyterLab in headless Chromium (needs /usr/bin/chromium: apt-get install chromium);
## installs Playwright for Python into .venv if missing (never `playwright install`)
test-browser: $(STAMP)
	$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet playwright
	$(TEST_ENV) $(BIN)/python -m pytest -q tests/test_browser.py

## JupyterLab on the student chapters
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=chapters

## the textbook as static HTML: build/book/index.html (runs every solution notebook, 2 at a time)
book: $(STAMP)
	$(BIN)/python -m nntrain.course.book --out build/book --jobs 2

## the course as a class receives it, no answers: build/student-edition/ (see README)
student-edition: $(STAMP)
	$(BIN)/nntrain student-edition build/student-edition

## regenerate chapters/ from solutions/
release: $(STAMP)
	$(BIN)/nntrain release

check-release: $(STAMP)
	$(BIN)/nntrain release --check

## timings: every solution notebook, grading one full submission, grading a class with
## nbgrader autograde vs nntrain grade, and the student edition's cold and cached builds
bench: $(STAMP)
	$(TEST_ENV) $(BIN)/python benchmarks/bench.py
	$(TEST_ENV) $(BIN)/python benchmarks/grading.py
	$(TEST_ENV) $(BIN)/python benchmarks/edition.py

clean:
	rm -rf autograder/work autograder/feedback autograder/autograded .pytest_cache
