# The kit's commands. Each installs what it needs on first use (a virtual environment in .venv).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: demo test fast lint release notebooks verdicts gradescope bench help

help:
	@echo "make demo     grade the reference, the untouched release and example submissions"
	@echo "make test     lint (ruff), type-check (mypy) and run every test of the kit"
	@echo "make fast     the same checks, with the fast loop only: pytest -m \"not e2e\" (under a minute)"
	@echo "make release  regenerate assignment/backprop from solutions/backprop (nbgrader for the notebooks)"
	@echo "make notebooks run the four notebooks headless, solved and as released"
	@echo "make verdicts grade both corpora over many seeds; print verdict and detection-bound tables"
	@echo "make gradescope build autograder.zip, the Gradescope autograder"
	@echo "make bench    measure the kit against nbgrader, CS231n's gradient check and its own budgets"

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(PY) -m autograder demo

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m mypy

test: lint
	$(PY) -m pytest

fast: lint
	$(PY) -m pytest -m "not e2e"

release: $(INSTALLED)
	$(PY) -m autograder release

notebooks: $(INSTALLED)
	$(PY) -m autograder notebooks

verdicts: $(INSTALLED)
	$(PY) tools/verdict_report.py
	$(PY) tools/detection_bounds.py

gradescope: $(INSTALLED)
	$(PY) -m autograder gradescope --out autograder.zip

bench: $(INSTALLED)
	$(PY) benchmarks/bench.py
