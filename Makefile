# Masthead's commands. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run dev cluster test test-fast lint format bench setup-demo browsers clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

setup-demo: $(VENV)/.installed
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_demo

run: setup-demo
	scripts/serve.sh

cluster: $(VENV)/.installed
	scripts/cluster.sh

dev: setup-demo
	$(PY) manage.py ensure_editor
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

AXE := tests/e2e/node_modules/axe-core/axe.min.js

browsers: $(AXE)
	@scripts/ensure-chromium.sh

# axe-core, which the accessibility journey injects into pages (tests/e2e/package.json).
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@command -v npm >/dev/null || { echo "npm is required for the browser tests (apt-get install npm)"; exit 1; }
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(VENV)/.installed browsers
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.installed
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var artifacts tests/e2e/node_modules
