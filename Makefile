# Two commands from a fresh clone: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
STAMP  := $(VENV)/.installed

# Material 9.8 prints an end-of-life banner on every run.
export NO_MKDOCS_2_WARNING := 1
# nbconvert (under mkdocs-jupyter) otherwise loads and configures each of its
# exporters on import to list the enabled ones: a third of a second per build.
export NBCONVERT_DISABLE_CONFIG_EXPORTERS := 1
# Some machines set PYTHONDONTWRITEBYTECODE: every build, figure worker and test
# process would then compile snippets/ and the hooks again (gitignored __pycache__).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: serve build test bench bench-build frameworks audit clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	touch $(STAMP)

# mkdocs.yml names a Markdown extension of this repository (snippets.values), which
# MkDocs imports before any hook runs. Only the build sees the repository: the code
# that readers copy runs in tests without it (`python -m mkdocs` from here also works).
MKDOCS := PYTHONPATH=$(CURDIR) $(BIN)/mkdocs

serve: $(STAMP)  ## build and serve at http://127.0.0.1:8000 with live reload
	$(MKDOCS) serve --dev-addr 127.0.0.1:8000

build: $(STAMP)  ## write the static site to site/
	$(MKDOCS) build --strict

test: $(STAMP)  ## the whole test suite
	$(BIN)/pytest

frameworks: $(STAMP)  ## PyTorch, JAX/Optax, Keras and MLX, for the comparison tests
	$(PIP) install -r requirements-frameworks.txt

bench: $(STAMP)  ## Adam.step against the textbook step, torch and memory bandwidth
	$(BIN)/python -m snippets.benchmark

bench-build: $(STAMP)  ## cold build, and rebuild with no change
	$(BIN)/python tests/bench_build.py

audit: $(STAMP)  ## Lighthouse, axe and links on the built site (needs npm)
	$(MKDOCS) build --strict
	rm -rf /tmp/site-audit && cp -r ../shared/audit /tmp/site-audit && /tmp/site-audit/setup.sh
	/tmp/site-audit/site-audit.sh site /tmp/site-audit-out

clean:
	rm -rf site .cache
