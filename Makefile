# The kit's commands. Each installs what it needs on first use (a virtual environment in .venv).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Exact versions of the grader's and the students' dependencies (see pyproject.toml): Gradescope's and the
# release's requirements.txt come from it, and DEV_LOCK is resolved within it.
LOCK := requirements.lock
# Every package .venv holds, transitive ones included, with hashes: `make lock` writes it, `uv pip sync` installs it.
DEV_LOCK := requirements-dev.lock
# uv installs DEV_LOCK in seconds; pip only installs uv itself, at the version DEV_LOCK pins, into a new .venv.
UV := $(VENV)/bin/uv
UV_VERSION = $(shell sed -n 's/^uv==\([0-9.]*\).*/\1/p' $(DEV_LOCK))
# The oldest Python the kit runs on: pyproject.toml's requires-python, read from there.
comma := ,
MIN_PYTHON := $(shell sed -n 's/^requires-python = ">=\([0-9.]*\)".*/\1/p' pyproject.toml)

# Why $(PYTHON) cannot make the virtual environment: missing, or older than MIN_PYTHON (pip would instead spend
# many minutes looking for versions of the dependencies this Python can install, and then fail). Empty if it can.
define python_problem_script
found=$$($(PYTHON) -c 'import sys; print("%d.%d.%d" % tuple(sys.version_info[:3]))' 2>/dev/null); \
if awk -v found="$$found" -v want=$(MIN_PYTHON) 'BEGIN { split(found, f, "."); split(want, w, "."); \
    exit !(found ~ /^[0-9]+\.[0-9]+/ && (f[1] > w[1] || (f[1] == w[1] && f[2] >= w[2]))) }'; then exit 0; fi; \
better=python$(MIN_PYTHON); \
for candidate in python3.14 python3.13 python3.12 python3.11; do \
  if $$candidate -c 'import sys; sys.exit(sys.version_info < ($(subst .,$(comma) ,$(MIN_PYTHON))))' > /dev/null 2>&1; then \
    better=$$candidate; break; fi; \
done; \
echo "$(PYTHON) is $${found:+Python }$${found:-not a working Python}, and the kit needs Python >= $(MIN_PYTHON):" \
  "run make $(or $(MAKECMDGOALS),demo) PYTHON=$$better"
endef
# Expanded only when a recipe that needs it is about to run; $(error) then stops make with that one line.
python_problem = $(shell $(python_problem_script))
check_python = $(if $(python_problem),$(error $(python_problem)))

# The browser the HTML report's test renders it in (tests/outputs/test_html_browser.py): Debian's chromium.
CHROMIUM := /usr/bin/chromium

.PHONY: check-python demo test fast lint lock browser release translations notebooks verdicts gradescope bench bench-scale help

help:
	@echo "make demo     grade the reference, the untouched release and example submissions (LANG_KIT=vi: in Vietnamese)"
	@echo "make test     lint (ruff), type-check (mypy) and run every test of the kit"
	@echo "make fast     the same checks, with the fast loop only: pytest -m \"not e2e\" (35 to 90 s of tests on 2 cores)"
	@echo "make lock     resolve requirements-dev.lock again after requirements.lock or pyproject.toml changed"
	@echo "make browser  install chromium (apt-get, as root), which the HTML report's test renders pages in"
	@echo "make release  regenerate assignment/backprop and assignment-vi/backprop from solutions/backprop"
	@echo "make translations extract every message, merge it into each language's catalog, compile them"
	@echo "make notebooks run the four notebooks headless, solved and as released"
	@echo "make verdicts grade both corpora over many seeds; print verdict and detection-bound tables"
	@echo "make gradescope build autograder.zip, the Gradescope autograder"
	@echo "make bench    measure the kit against nbgrader, CS231n's gradient check and its own budgets"
	@echo "make bench-scale grade 2,000 submissions on a 2-worker Dask LocalCluster, time the class report's code comparison; size a 30,000-student course"

check-python:
	$(check_python)

# The virtual environment is made by $(PYTHON) itself: the grader runs submissions with sys.executable.
$(UV):
	$(check_python)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# sync, not install: .venv ends up holding exactly DEV_LOCK (a package the lock dropped is removed), then the kit.
# The kit editable in compat mode: a .pth file naming this folder. setuptools' default, an import hook, costs
# every Python started in .venv 9 ms, as long again as Python takes to start (8.5 ms): the grader, its template,
# its seccomp test, each pytest worker, nbgrader and every kernel.
$(INSTALLED): pyproject.toml $(LOCK) $(DEV_LOCK) | $(UV)
	$(check_python)
	$(UV) pip sync --quiet --python $(PY) $(DEV_LOCK)
	$(UV) pip install --quiet --python $(PY) --no-deps --config-settings editable_mode=compat -e .
	touch $(INSTALLED)

# Python caches each module it compiles, unless PYTHONDONTWRITEBYTECODE is set (as on many CI images and
# containers): then every grade, its template and each fresh child would compile the kit's modules again,
# and numpy's (which pip compiles as it installs, and uv does not): 0.3 s more per Python that imports it.
# compileall writes the cache whatever that variable says, and only for files changed since.
KIT_SOURCES := $(shell find autograder -name '*.py' 2> /dev/null)
BYTECODE := $(VENV)/.bytecode
NUMPY_FOLDER = $(shell $(PY) -c 'import importlib.util, os; print(os.path.dirname(importlib.util.find_spec("numpy").origin))')
$(BYTECODE): $(INSTALLED) $(KIT_SOURCES)
	$(PY) -m compileall -q -j 0 autograder $(NUMPY_FOLDER) > /dev/null
	touch $(BYTECODE)

# The tests, the notebooks and the benchmarks also start nbgrader, Jupyter kernels (IPython, matplotlib),
# pytest and Dask, many times over; a confined kernel can never write their caches (Landlock), whatever
# PYTHONDONTWRITEBYTECODE says. Compiled once, all of .venv: about 20 s on 2 cores, after which importing
# nbgrader takes 2 s instead of 6, and pytest 0.3 s instead of 0.8 (python -c 'import nbgrader.apps', and pytest).
SITE_PACKAGES = $(shell $(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
ALL_BYTECODE := $(VENV)/.bytecode-all
$(ALL_BYTECODE): $(INSTALLED)
	@# A package may ship a file that does not compile (test data): Python never imports it, so only say so.
	$(PY) -m compileall -q -j 0 $(SITE_PACKAGES) > /dev/null \
	  || echo "some files in .venv do not compile: Python compiles each module it imports itself"
	touch $(ALL_BYTECODE)

# After editing LOCK or pyproject.toml's ranges: resolve every dependency again, within LOCK's pins, for every
# platform and Python from MIN_PYTHON on. Versions already in DEV_LOCK are kept where they still fit.
# Left out: rfc3987-syntax (and lark, which only it uses), which jupyter-events asks for through jsonschema's
# format-nongpl extra. jsonschema imports it when present, and it builds an Earley parser as it is imported:
# 0.9 s for every process that imports nbformat (each nbgrader command, each test worker). jsonschema
# works without it: it only checks the "iri" format then, which no notebook or nbgrader schema uses.
NOT_INSTALLED := rfc3987-syntax lark
lock: | $(UV)
	$(UV) pip compile --quiet --universal --python-version $(MIN_PYTHON) --generate-hashes \
	  pyproject.toml --extra dev -c $(LOCK) $(foreach package,$(NOT_INSTALLED),--no-emit-package $(package)) \
	  -o $(DEV_LOCK)

# LANG_KIT=vi: the reports in that language (README, Languages); unset, the grader's own choice (BACKPROP_LANG,
# then the locale). Not LANG, which is the locale's own variable.
LANG_FLAG = $(if $(LANG_KIT),--lang $(LANG_KIT))

demo: $(BYTECODE)
	$(PY) -m autograder demo $(LANG_FLAG)

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m mypy

# Installed once, with apt-get, as root; else one line says what to do.
$(CHROMIUM):
	@command -v apt-get > /dev/null || { echo "error: $(CHROMIUM) is missing and there is no apt-get: install chromium, which the HTML report's test needs" >&2; exit 1; }
	@test "$$(id -u)" = 0 || { echo "error: $(CHROMIUM) is missing: run sudo apt-get install -y chromium (the HTML report's test needs it)" >&2; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null

browser: $(CHROMIUM)

# Two workers, one per core (pytest-xdist: see pyproject.toml); PYTEST_WORKERS=0 runs the tests one at a time.
PYTEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadscope

test: lint $(CHROMIUM) $(BYTECODE) $(ALL_BYTECODE)
	$(PYTEST)

fast: lint $(BYTECODE) $(ALL_BYTECODE)
	$(PYTEST) -m "not e2e"

release: $(BYTECODE)
	$(PY) -m autograder release

# After changing a message: extract the English again, merge it into every .po, compile the .mo files.
translations: $(BYTECODE)
	$(PY) -m autograder translations

notebooks: $(BYTECODE) $(ALL_BYTECODE)
	$(PY) -m autograder notebooks

verdicts: $(BYTECODE)
	$(PY) tools/verdict_report.py
	$(PY) tools/detection_bounds.py

gradescope: $(BYTECODE)
	$(PY) -m autograder gradescope --out autograder.zip $(LANG_FLAG)

bench: $(BYTECODE) $(ALL_BYTECODE)
	$(PY) benchmarks/bench.py

bench-scale: $(BYTECODE) $(ALL_BYTECODE)
	$(PY) benchmarks/dask_scale.py
	$(PY) benchmarks/similarity_scale.py
