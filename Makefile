# Cakupan — social-security coverage and budget reports for Indonesian regions.
# Every target that needs Python builds .venv from pyproject.toml first (when missing or stale).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PERIOD ?= 2024
PROVINCE ?= 52
LANG_REPORT ?= id
JOBS ?= 2
NATIONAL_SCALE ?= 0.01        # the national sample's size (1 = every resident of Indonesia)
REPORT_OPTIONS ?=            # e.g. --force (render unchanged reports too), --timeout 3600, --pdf

.DEFAULT_GOAL := help
.PHONY: help setup data test test-fast reports national lab bench docs wheel clean system

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Cakupan needs Python 3.11 or newer (set PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name cakupan --display-name "Python (cakupan)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install the package with its test extras

data/sample/manifest.json: | $(STAMP)
	$(BIN)/cakupan sample

data: data/sample/manifest.json ## generate the synthetic NTB registries if missing (data/sample)

system: ## make sure Java 17+ (Spark engine) and Chromium (browser tests, PDF) are installed
	@bash scripts/ensure_java.sh
	@bash scripts/ensure_chromium.sh

# Three workers on two cores: part of the suite waits (kernels and browsers starting,
# batches being stopped); a third worker keeps both cores busy meanwhile (1.8 of 2 in use
# over a fresh-clone run). Whole files per worker, the slowest files first
# (tests/conftest.py, SLOW_FILES_FIRST), so the run does not end on one long file.
test: $(STAMP) data system ## run the whole test suite
	$(BIN)/python -m pytest -q -n 3 --dist loadfile --no-loadscope-reorder --durations=25

test-fast: $(STAMP) ## unit tests only: no kernel, browser, Spark or full sample (about a minute)
	$(BIN)/python -m pytest -q -m "not (slow or kernel or browser or spark)" -n 2 --dist loadfile

reports: $(STAMP) data ## render every NTB report for the default period; prints reports/index.html
	$(BIN)/cakupan reports --province $(PROVINCE) --period $(PERIOD) --lang $(LANG_REPORT) --jobs $(JOBS) $(REPORT_OPTIONS)

data/national/manifest.json: | $(STAMP)
	$(BIN)/cakupan sample --national --scale $(NATIONAL_SCALE) --jobs $(JOBS)

national: $(STAMP) data/national/manifest.json ## every province of Indonesia and the national page (reports/national/)
	$(BIN)/cakupan reports --national --period $(PERIOD) --lang $(LANG_REPORT) --jobs $(JOBS) $(REPORT_OPTIONS)

lab: $(STAMP) data ## JupyterLab on the project kernel
	$(BIN)/jupyter lab notebooks/ --MappingKernelManager.default_kernel_name=cakupan $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP) ## benchmarks (not part of the test suite); results in bench/results.md
	$(BIN)/python bench/run.py

docs: $(STAMP) ## regenerate docs/methodology.md from the indicator definitions
	$(BIN)/python -m helpers.report.methodology docs/methodology.md

wheel: $(STAMP) ## build the wheel into dist/ (then: pip install dist/cakupan-*.whl; cakupan init DIR)
	$(BIN)/python -m pip wheel . --no-deps --quiet -w dist
	@ls dist/cakupan-*.whl

clean: ## remove generated data, caches and reports (keeps .venv)
	rm -rf data/sample/*.parquet data/sample/manifest.json data/national data/cache reports/*/ reports/index.html reports/manifest.json
