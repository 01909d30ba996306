# 包联 Baolian — the two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi
export BAOLIAN_ENV ?= development

.PHONY: run serve test test-sqlite test-postgres bench clean pwa

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

## run: set up, migrate, load the demo district if empty, print the demo logins, serve.
run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo "演示账号（手机号 / 密码 / 角色 / 姓名 / 组织）："
	@$(BIN)/flask demo-users
	@echo "打开 http://127.0.0.1:$(PORT)/ ；接口文档 http://127.0.0.1:$(PORT)/api/docs"
	@$(MAKE) --no-print-directory serve

## serve: only the serving part of `run`: gunicorn, threaded workers (WORKERS, THREADS); two
## processes on PostgreSQL, one on SQLite (one writer anyway). The periodic jobs run in one of
## them (app/scheduler.py). bench/hotpath_bench.py serves through this target; WSGI_APP picks
## another WSGI app on the same server setup.
WSGI_APP ?= wsgi:app
WORKERS ?= $(if $(filter postgres%,$(DATABASE_URL)),2,1)
THREADS ?= 8
serve: $(VENV)/.installed
	BAOLIAN_SCHEDULER=1 $(BIN)/gunicorn --worker-class gthread --workers $(WORKERS) --threads $(THREADS) \
		--bind 127.0.0.1:$(PORT) $(NO_CONTROL_SOCKET) '$(WSGI_APP)'
# gunicorn 27 opens ~/.gunicorn/gunicorn.ctl, one path for every instance of the user
NO_CONTROL_SOCKET = $(shell $(BIN)/gunicorn --help 2>/dev/null | grep -q -- --no-control-socket && echo --no-control-socket)

## test: lint, the phone app's unit tests (Node), then the whole suite on SQLite and again on
## PostgreSQL when TEST_DATABASE_URL is set. pytest-randomly shuffles the order and prints its
## seed ("Using --randomly-seed=N"); `make test PYTEST_ARGS=--randomly-seed=N` replays that order.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	node --test tests/pwa/
	env -u TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL (browser tests use their own SQLite server, so once is enough)"; \
		$(BIN)/pytest --ignore=tests/browser $(PYTEST_ARGS); \
	fi

## pwa: rebuild the phone app's committed build output (bundle, precache list, .br/.gz copies)
## after changing anything under pwa/; esbuild comes from pwa/package-lock.json (npm ci).
pwa: $(VENV)/.installed
	@[ -x pwa/node_modules/.bin/esbuild ] || npm ci --prefix pwa --no-audit --no-fund
	$(BIN)/python scripts/build_pwa.py

bench: $(VENV)/.installed-test
	@for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python "$$b" || exit 1; done

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
