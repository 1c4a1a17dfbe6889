# Two commands are the contract: `make lab` and `make test`. Everything else is optional.
# `make test-all` is what CI runs (.ci/run): `make test` plus the slow tier of real clients.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root unless told; only root gets the flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
# The folder JupyterLab serves: the lessons, or the student copies (`make lab-student`).
LAB_DIR ?= notebooks
PYTEST_ARGS ?=
# Intel MKL's reproducible code path: the same float rounding on every x86 CPU (AVX2, AVX-512 …),
# so the stored outputs match wherever a lesson runs; the lessons' matrices are tiny, so it costs nothing.
export MKL_CBWR ?= COMPATIBLE

.PHONY: setup lab lab-student test test-all lint notebooks student present bench check-wheel readme-images clean

# Jupyter settings for the class environment: Notebook 7 would take a focused slider's arrow keys
# for its heading navigation (jupyter/overrides.json leaves them to the slider, as JupyterLab does).
SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

setup: $(STAMP) $(SETTINGS)

$(SETTINGS): jupyter/overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp jupyter/overrides.json $@

# Re-runs only when the dependencies change: a second `make test` starts testing at once.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=$(LAB_DIR) --ServerApp.ip=127.0.0.1 $(ROOT_FLAG) $(LAB_ARGS)

# The student copies (written by `make student` if missing; a student's answers are kept) in JupyterLab.
lab-student: student
	$(MAKE) lab LAB_DIR=student

# Between edits: unit tests, pytest --nbval over every lesson, and the quick real-client checks
# (the apps in a kernel). Tests marked `slow` are left to `make test-all`.
test: setup
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

# Everything (CI): the above plus the slow tier — a real nbgrader course, a student copy run, the
# browser tests (JupyterLab, Notebook 7, Voilà) and the wheel in a clean environment. Each lesson
# runs at most twice in all: once under nbval, once in the slow check tests/slow_tier.py gives it.
test-all: setup site-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .

# Re-execute every lesson in a fresh kernel and store its outputs (after editing a notebook).
notebooks: setup
	OMP_NUM_THREADS=1 $(PY) -m tools.execute_notebooks $(NOTEBOOKS)

# Student copies: solutions replaced by stubs, outputs cleared; never overwrites a student's
# file unless FORCE=1.
student: setup
	$(PY) -m tools.student notebooks student $(if $(FORCE),--force,)

# Lecture mode: the widget apps in apps/ with Voilà (no code shown), on 127.0.0.1 with a token.
present: setup
	$(PY) -m tools.voila_driver $(PRESENT_ARGS)

# Benchmarks print figures (medians, ratios); they never pass or fail on time.
# (`make test`'s own wall time, before/after a change: python -m benchmarks.bench_make_test OLD NEW.)
bench: setup
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_trajectory
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_widget
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_momentum_widget
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_race_widget
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_browser
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_sweep
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_derivative_costs
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_curvature
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_seed_vs_lessons
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_nbval
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_voila

# What a class server gets from `pip install .`: build the wheel, install it (not editable) into
# a clean virtual environment and run every lesson's exercise checks there (`make test-all` runs
# it on one lesson, tests/test_wheel.py).
check-wheel: setup
	$(PY) -m tools.check_wheel

# The README's pictures: a stored figure of lesson 02 and a real JupyterLab screenshot.
readme-images: setup
	OMP_NUM_THREADS=1 $(PY) -m tools.readme_images

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# --- The course as a website (issue 25) -----------------------------------------------------
# `make site` builds build/site/html from the stored notebooks with Sphinx + MyST-NB (nothing is
# executed); `make site SERVE=1` then serves it on http://127.0.0.1:8000/. Python pins: the
# `site` extra in pyproject.toml and constraints.txt; MathJax and Tippy (so that the pages work
# offline) from npm, pinned by site/package-lock.json. Warnings (a broken link) fail the build.
SITE_STAMP := $(VENV)/.installed-site
NPM_STAMP  := site/node_modules/.installed

.PHONY: site site-deps
site-deps: $(SITE_STAMP) $(NPM_STAMP)

site: site-deps
	$(PY) -m tools.site $(if $(SERVE),--serve,)

$(SITE_STAMP): $(STAMP) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet -c constraints.txt -e ".[site]"
	touch $(SITE_STAMP)

$(NPM_STAMP): site/package.json site/package-lock.json
	npm ci --prefix site --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# --- hub (issue 24): a class on JupyterHub (README "Running a class on JupyterHub") -----------------
# hub/.venv is the class environment that every student's Unix user runs, so it is built from a
# Python outside /root (Debian's); hub/node_modules holds configurable-http-proxy from
# hub/package-lock.json. TORCH_INDEX=https://download.pytorch.org/whl/cpu installs torch from
# PyTorch's CPU index first (a plain `pip install torch` on a class server pulls the CUDA build).
HUB_PYTHON ?= /usr/bin/python3.11
HUB_VENV   := hub/.venv
HUB_STAMP  := $(HUB_VENV)/.installed
TORCH_INDEX ?=
STUDENTS ?= 3
.PHONY: hub-setup hub-test bench-hub

hub-setup: $(HUB_STAMP) $(HUB_VENV)/etc/ipython/kernel_startup.py hub/node_modules/.package-lock.json

$(HUB_STAMP): pyproject.toml constraints.txt
	test -x $(HUB_VENV)/bin/python || $(HUB_PYTHON) -m venv $(HUB_VENV)
	$(HUB_VENV)/bin/python -m pip install --quiet --upgrade pip
	# soupsieve 4 needs Python >= 3.11.5 (Debian 12 has 3.11.2): there that one pin is left to pip.
	if $(HUB_VENV)/bin/python -c 'import sys; sys.exit(sys.version_info >= (3, 11, 5))'; \
	  then grep -v '^soupsieve==' constraints.txt > $(HUB_VENV)/constraints.txt; \
	  else cp constraints.txt $(HUB_VENV)/constraints.txt; fi
	$(if $(TORCH_INDEX),$(HUB_VENV)/bin/python -m pip install --quiet torch==2.13.0 --index-url $(TORCH_INDEX))
	$(HUB_VENV)/bin/python -m pip install --quiet -c $(HUB_VENV)/constraints.txt -e ".[hub]"
	touch $(HUB_STAMP)

# Every kernel of the class environment reads its IPython config from {sys.prefix}/etc/ipython.
$(HUB_VENV)/etc/ipython/kernel_startup.py: hub/ipython_kernel_config.py hub/kernel_startup.py $(HUB_STAMP)
	mkdir -p $(HUB_VENV)/etc/ipython
	cp hub/ipython_kernel_config.py hub/kernel_startup.py $(HUB_VENV)/etc/ipython/

hub/node_modules/.package-lock.json: hub/package.json hub/package-lock.json
	cd hub && npm ci --no-audit --no-fund

# The hub tests (root: they create Unix users, always removed afterwards).
hub-test: setup hub-setup
	$(PY) -m pytest -n0 tests/test_hub.py

# The load test: STUDENTS students on a real hub on 127.0.0.1 (prints the sizing figures).
bench-hub: setup hub-setup
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.bench_hub --students $(STUDENTS)
# --- end hub
