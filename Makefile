# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO_OUT ?= build/demo

.PHONY: demo test bench lint clean install browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m policytekst ingest corpus --corpus $(DEMO_OUT)/corpus
	$(PY) -m policytekst status --corpus $(DEMO_OUT)/corpus
	$(PY) -m policytekst report --corpus $(DEMO_OUT)/corpus --out $(DEMO_OUT)/report --split-year 2006
	@echo "Report: $(abspath $(DEMO_OUT)/report/index.html)"

# Headless Chromium for tests/test_browser.py: Debian's package, best effort (only as root; never fails the build).
browser:
	@if command -v chromium >/dev/null 2>&1; then echo "chromium present: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-dejavu-core >/dev/null && echo "chromium installed") \
	  || echo "could not install chromium; tests/test_browser.py will skip"; \
	else echo "not root or no apt-get: chromium not installed; tests/test_browser.py will skip"; fi

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) build .pytest_cache
