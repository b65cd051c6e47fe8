# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 5006
DEMO_MUNICIPALITY ?= 4228
DEMO_SEED ?= 1
# The municipality the demo dashboard opens on: Skien, where the numbers show (Sirdal's 534
# children make most counts too small to show).
DEMO_OPEN ?= 3807
# `make wheelhouse`: the extras whose dependencies go in too (e.g. WHEELHOUSE_EXTRAS=oauth,dev).
WHEELHOUSE_EXTRAS ?= oauth
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install demo demo-data test lint bench lab docs auth-pages wheelhouse clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo-data: install
	$(BIN)/bti demo-data --municipality $(DEMO_MUNICIPALITY) --seed $(DEMO_SEED) --out data/demo
	$(BIN)/bti demo-store --out data/store/demo.duckdb

demo: demo-data
	@echo "Serving the dashboard on http://localhost:$(PORT)"
	BTI_MUNICIPALITY=$(DEMO_OPEN) $(BIN)/bti serve --store data/store/demo.duckdb \
		--port $(PORT) --address 127.0.0.1

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python benchmarks/run.py

docs: install
	$(BIN)/python -c "from bti_workbench.ingest.contracts import contract_markdown as md; print(md(), end='')" > docs/data-contracts.md

# The login, logout and refusal pages of `bti serve`, written from the label catalogue.
auth-pages: install
	$(BIN)/python -c "from bti_workbench.dashboard.auth_pages import write_auth_pages as w; w()"

# Wheels of the workbench and of every dependency, for a server without the internet
# (docs/serving.md), at the versions `make test` ran with (.venv's; an extra's new packages at
# their newest). Build on a machine with the server's OS, CPU and Python version.
wheelhouse: install
	rm -rf wheelhouse && mkdir wheelhouse
	$(BIN)/python -m pip freeze --exclude-editable > wheelhouse/constraints.txt
	$(BIN)/python -m pip wheel --wheel-dir wheelhouse --constraint wheelhouse/constraints.txt \
		'.[$(WHEELHOUSE_EXTRAS)]'

lab: install
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf $(VENV) data/demo .pytest_cache .ruff_cache wheelhouse
