# Two commands are the contract: `make lab` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root unless told; only root gets the flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
PYTEST_ARGS ?=

.PHONY: setup lab test lint notebooks student bench readme-images clean

setup: $(STAMP)

# Re-runs only when the dependencies change: a second `make test` starts testing at once.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --ServerApp.ip=127.0.0.1 $(ROOT_FLAG) $(LAB_ARGS)

test: setup
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

# Benchmarks print figures (medians, ratios); they never pass or fail on time.
bench: setup
	OMP_NUM_THREADS=1 $(PY) benchmarks/bench_trajectory.py
	OMP_NUM_THREADS=1 $(PY) benchmarks/bench_widget.py
	OMP_NUM_THREADS=1 $(PY) benchmarks/bench_browser.py
	OMP_NUM_THREADS=1 $(PY) benchmarks/bench_sweep.py
	OMP_NUM_THREADS=1 $(PY) benchmarks/bench_derivative_costs.py
	OMP_NUM_THREADS=1 $(PY) benchmarks/bench_seed_vs_lessons.py
	OMP_NUM_THREADS=1 $(PY) benchmarks/bench_nbval.py

# The README's pictures: a stored figure of lesson 02 and a real JupyterLab screenshot.
readme-images: setup
	OMP_NUM_THREADS=1 $(PY) -m tools.readme_images

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
