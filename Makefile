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

.PHONY: lab test exercises clean

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

exercises: $(TEST_STAMP)
	$(BIN)/python -m trustlab.exercises build

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis artifacts
