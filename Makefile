# Two commands matter: `make run` and `make test`. Both create .venv and install what they need.
PYTHON ?= python3
VENV ?= .venv
MAGENTO_VERSION ?= 2.4.8-p2
PY := $(VENV)/bin/python

.PHONY: install run lint test test-python test-fast test-magento test-module bench bench-magento soak sample-lookup clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

## Install the bridge and its dependencies into .venv (what a production VM needs).
install: $(VENV)/.installed

## Start the bridge under gunicorn on 127.0.0.1:8000 (with the sandbox store when no Magento is configured).
run: $(VENV)/.installed
	$(PY) -m bridge.cli.quickstart

## Print a freshly signed sample lookup for the running bridge.
sample-lookup: $(VENV)/.installed
	$(PY) -m bridge.cli.quickstart --sample-only

## Every check: ruff, pytest, then the Magento module (PHPUnit, XSD validation, php -l, PSR-12).
test: lint test-python test-module

## ruff over the Python code (ruff.toml).
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .

test-python: $(VENV)/.installed-test
	$(PY) -m pytest -q

## Inner loop: unit tests only (no gunicorn processes, no real Magento), about a minute.
test-fast: $(VENV)/.installed-test
	$(PY) -m pytest -q -m "not e2e and not magento"

## The real-Magento suite alone (tests/real_magento): the newest kit version from ../shared/magento, installed on the
## first run (BRIDGE_TEST_MAGENTO_VERSIONS=all: every version this PHP runs; _THOROUGH=1: also the production-mode pass and the
## README's install routes).
test-magento: $(VENV)/.installed-test
	$(PY) -m pytest -q -m magento

test-module:
	sh dev/ensure-php-tools.sh
	$(MAKE) -C magento-module test

## Lookup benchmark against the sandbox store; last line is JSON.
bench: $(VENV)/.installed-test
	$(PY) -m bench

## Both call plans side by side on production Magento with 40,000 generated orders (MAGENTO_VERSION=2.4.6 too); last line is JSON.
bench-magento: $(VENV)/.installed-test
	$(PY) -m bench.magento --magento $(MAGENTO_VERSION) $(BENCH_MAGENTO_ARGS)

## Soak: 60 s at 200 concurrent detailed lookups, then 60 s with a Magento outage inside; last line is JSON.
soak: $(VENV)/.installed-test
	$(PY) -m bench.soak

clean:
	rm -rf $(VENV) var .pytest_cache
