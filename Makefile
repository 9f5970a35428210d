# Fangxin — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FANGXIN := $(BIN)/fangxin
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := fangxin/static/vendor
PYTEST_ARGS ?=

.PHONY: run serve setup install assets db browser test lint bench clean

run: setup db ## install, migrate, load reference and demo data, serve on http://127.0.0.1:8000
	@echo "放心消费创建平台：http://$(HOST):$(PORT)/  （工作台 /workbench/，管理后台 /admin/，API 文档 /api/v1/docs）"
	$(FANGXIN) runserver --noreload $(HOST):$(PORT)

setup: install assets

install: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,deploy]"
	touch $@

assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	touch $@

db: install ## migrate the database (SQLite under var/ unless DATABASE_URL is set), load reference and demo data
	$(FANGXIN) migrate --noinput -v0
	$(FANGXIN) load_reference
	$(FANGXIN) demo

browser: ## Debian's Chromium and CJK fonts for the browser tests (installed once, as root)
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "安装 chromium 与 fonts-noto-cjk…"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

test: setup browser ## the whole suite (DATABASE_URL=postgres://… runs it on PostgreSQL)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var/static
