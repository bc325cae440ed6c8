# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO_OUT ?= build/demo

.PHONY: demo test test-fast notebooks lab bench lint clean install browser serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,web,dask]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m policytekst ingest corpus --corpus $(DEMO_OUT)/corpus
	$(PY) -m policytekst status --corpus $(DEMO_OUT)/corpus
	$(PY) -m policytekst report --corpus $(DEMO_OUT)/corpus --out-dir $(DEMO_OUT)/report --split-year 2006
	@echo "Report: $(abspath $(DEMO_OUT)/report/index.html)"
	@echo "Run the command as $(VENV)/bin/policytekst (e.g. $(VENV)/bin/policytekst docs --corpus $(DEMO_OUT)/corpus),"
	@echo "or first 'source $(VENV)/bin/activate' and then just: policytekst --help"

# The local web app on the demo corpus (made by `make demo` when missing), at http://127.0.0.1:8765/
SERVE_ARGS ?=
serve: $(STAMP)
	@test -f $(DEMO_OUT)/corpus/corpus.sqlite || $(PY) -m policytekst ingest corpus --corpus $(DEMO_OUT)/corpus
	$(PY) -m policytekst serve --corpus $(DEMO_OUT)/corpus $(SERVE_ARGS)

# Headless Chromium for tests/test_browser.py and tests/test_web_browser.py: Debian's package, best effort (only as root; never fails the build).
browser: $(STAMP)
	@if command -v chromium >/dev/null 2>&1; then echo "chromium present: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-dejavu-core >/dev/null && echo "chromium installed") \
	  || echo "could not install chromium; tests/test_browser.py will skip"; \
	else echo "not root or no apt-get: chromium not installed; tests/test_browser.py will skip"; fi
	@$(PY) -m pip install --quiet -e '.[browser]' >/dev/null 2>&1 && echo "playwright (python package) installed" \
	  || echo "could not install playwright; tests/test_web_browser.py will skip"

# Everything: unit tests, real-data tests (../shared), notebooks, the browser check.
test: $(STAMP)
	$(PY) -m pytest -q

# The quick loop while working (under a minute): leaves out tests marked slow (real data, notebooks, browser).
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

# Re-execute the notebooks on the demo corpus and store their outputs in place (commit the result).
notebooks: $(STAMP)
	$(PY) scripts/execute_notebooks.py

# JupyterLab on the notebooks, bound to localhost. The browser opens by itself except under CI (CI set);
# as root (containers) Jupyter needs --allow-root. LAB_ARGS adds options, e.g. make lab LAB_ARGS=--port=8899
LAB_STAMP := $(VENV)/.lab-installed
LAB_ARGS ?=
$(LAB_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,notebooks]'
	touch $(LAB_STAMP)

lab: $(LAB_STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(if $(CI),--no-browser) \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks scripts

clean:
	rm -rf $(VENV) build .pytest_cache
