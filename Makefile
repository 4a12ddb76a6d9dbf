# Building Therapeutic Trust: `make lab` to study, `make test` to check everything.
# Both create .venv on first use; it is reinstalled only when requirements.txt
# (or the package metadata) changes, so later runs start at once.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test exercises clean

$(STAMP): requirements.txt pyproject.toml jupyter-settings/pyproject.toml jupyter-settings/trustlab-settings.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the course's environment into $(VENV) (first run: a minute or two)..."
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb \
		$(if $(filter 0,$(shell id -u)),--allow-root)

test: $(STAMP)
	$(BIN)/python -m pytest

exercises: $(STAMP)
	$(BIN)/python -m trustlab.exercises build

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis artifacts
