# perhetyo: `make demo` and `make test` work on a fresh machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo demo-encrypted test lint typecheck pytest bench bench-smoke docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/perhetyo demo --url sqlite:///perhetyo-demo.db

# The same story, encrypted: the key is $$PERHETYO_MASTER_KEY, else perhetyo-demo-encrypted.db.key,
# made on the first run (the plain demo file holds unencrypted events: a key is refused there).
demo-encrypted: $(STAMP)
	$(BIN)/perhetyo demo --encrypted --url sqlite:///perhetyo-demo-encrypted.db

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n auto  # pytest-xdist: every core (tests isolate their stores)

test: lint typecheck pytest

# Every figure of issue 10 beside its floor (docs/performance.md); a few minutes on 2 cores.
# Sizes as arguments: make bench BENCH_ARGS="--size small" (or --rebuild-cases ..., see --help).
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# The smallest sizes: every benchmark must run (no target need be met). CI runs it.
bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks --size smoke --output benchmarks/results/smoke.json

# The documentation site (mkdocs.yml): --strict fails on any warning (a broken link or
# anchor, a docstring griffe cannot read); not --quiet, which hides warnings from the count
# --strict fails on. The pages' code is run by tests/test_docs.py.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) site perhetyo-demo.db* perhetyo-demo-encrypted.db* .pytest_cache .mypy_cache .ruff_cache .hypothesis
