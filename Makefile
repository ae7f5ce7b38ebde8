# Masthead's commands. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run dev cluster test test-fast lint format bench setup-demo browsers clean lock

# Installs come from the lock files, every package pinned with its hashes (`make lock`
# writes them from pyproject.toml): the runtime's for `make run`, the tests' on top for
# `make test` and `make lint`.
$(VENV)/.installed: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements-test.lock
	touch $@

# Refresh the lock files after a change to pyproject.toml's dependencies; pins that still
# fit are kept. `make lock UPGRADE=1` moves every package to its newest allowed release.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	$(if $(UPGRADE),--upgrade)
lock: $(VENV)/.installed
	$(PY) -m pip install --quiet "pip-tools>=7.4,<8"
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra test --constraint requirements.lock \
		--output-file requirements-test.lock pyproject.toml

setup-demo: $(VENV)/.installed
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	# With 90 days of synthetic readers and subscribers for the publisher's dashboard
	# (added once; a second run keeps them).
	$(PY) manage.py load_demo --events 30000

run: setup-demo
	scripts/serve.sh

cluster: $(VENV)/.installed
	scripts/cluster.sh

# No task worker beside runserver: the queue load_demo filled is worked through first,
# then tasks (e-mails) run inside the request.
dev: setup-demo
	$(PY) manage.py ensure_editor
	$(PY) manage.py db_worker --batch --no-startup-delay -v0
	DEBUG=1 TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)

AXE := tests/e2e/node_modules/axe-core/axe.min.js

browsers: $(AXE)
	@scripts/ensure-chromium.sh

# axe-core, which the accessibility journey injects into pages (tests/e2e/package.json).
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@command -v npm >/dev/null || { echo "npm is required for the browser tests (apt-get install npm)"; exit 1; }
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(VENV)/.installed-test browsers
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.installed-test
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var artifacts tests/e2e/node_modules
