# Building Therapeutic Trust: `make lab` to study, `make test` to check everything.
# Both create .venv on first use. `make lab` installs only what learners need
# (requirements.txt); `make test` adds the test tools (requirements-test.txt).
# Each set is reinstalled only when its file (or the package metadata) changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LAB_STAMP  := $(VENV)/.installed-lab
TEST_STAMP := $(VENV)/.installed-test
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

# Instructors who grade with nbgrader get their own environment (requirements-instructors.txt),
# so learners never install nbgrader: `make test-nbgrader` makes it and runs the grading round.
INSTRUCTORS       := .venv-instructors
INSTRUCTORS_STAMP := $(INSTRUCTORS)/.installed-instructors

.PHONY: lab test test-nbgrader test-hub exercises clean

$(LAB_STAMP): requirements.txt pyproject.toml jupyter-settings/pyproject.toml jupyter-settings/trustlab-settings.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the course's environment into $(VENV) (first run: a minute or two)..."
	$(PIP) -r requirements.txt
	@touch $@

$(TEST_STAMP): $(LAB_STAMP) requirements-test.txt
	@echo "Adding the test tools to $(VENV)..."
	$(PIP) -r requirements-test.txt
	@touch $@

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb \
		$(if $(filter 0,$(shell id -u)),--allow-root)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

$(INSTRUCTORS_STAMP): requirements-instructors.txt requirements.txt pyproject.toml jupyter-settings/pyproject.toml
	@test -x $(INSTRUCTORS)/bin/python || $(PYTHON) -m venv $(INSTRUCTORS)
	@echo "Installing nbgrader and the course into $(INSTRUCTORS) (first run: a minute or two)..."
	$(INSTRUCTORS)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-instructors.txt
	@touch $@

# pyproject's addopts and timeout need the test tools of requirements-test.txt (xdist, nbval,
# pytest-timeout): this run sets its own options and ignores the warning about the timeout
test-nbgrader: $(INSTRUCTORS_STAMP)
	$(INSTRUCTORS)/bin/python -m pytest -o addopts="-p no:cacheprovider -ra" \
		-W ignore::pytest.PytestConfigWarning tests/nbgrader

# A class of two on a real local JupyterHub (tests/hub/test_hub.py) and repo2docker's build plan for the hub's image.
# The students' servers run in .venv-hub: requirements.txt plus requirements-hub.txt, what a hub's image holds.
# It is made from the system's Python, which the students' own users can run (a Python under root's
# home cannot be). The test itself (pytest, Playwright) runs from .venv. The proxy comes from npm
# (tests/hub/package.json). It creates two system users and starts servers as them, so it runs as root.
HUB_VENV   := .venv-hub
HUB_PYTHON ?= $(firstword $(wildcard /usr/bin/python3) $(PYTHON))
HUB_STAMP  := $(HUB_VENV)/.installed-hub
HUB_PROXY  := tests/hub/node_modules/.bin/configurable-http-proxy
SUDO       := $(if $(filter 0,$(shell id -u)),,sudo)

$(HUB_STAMP): requirements.txt requirements-hub.txt pyproject.toml jupyter-settings/pyproject.toml jupyter-settings/trustlab-settings.json
	@test -x $(HUB_VENV)/bin/python || $(HUB_PYTHON) -m venv $(HUB_VENV)
	@echo "Installing the students' environment and JupyterHub into $(HUB_VENV) (first run: a minute or two)..."
	$(HUB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-hub.txt
	@touch $@

$(HUB_PROXY): tests/hub/package.json tests/hub/package-lock.json
	cd tests/hub && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test-hub: $(TEST_STAMP) $(HUB_STAMP) $(HUB_PROXY)
	$(SUDO) $(BIN)/python -m pytest -o addopts="-p no:cacheprovider -ra" tests/hub

exercises: $(TEST_STAMP)
	$(BIN)/python -m trustlab.exercises build

clean:
	rm -rf $(VENV) $(INSTRUCTORS) $(HUB_VENV) tests/hub/node_modules .pytest_cache .hypothesis artifacts
