# Two commands: `make run` (demo on SQLite, tasks inline) and `make test` (the whole suite).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Django 6 needs Python 3.12+: take the first one found (pyenv's versions included).
PYTHON ?= $(shell for p in python3.13 python3.12 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3; do \
	  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)
# Debian packages: the CJK font every PDF is set in (without it WeasyPrint prints boxes, so the
# app refuses to build one), and what the tests add: Chromium, gettext, poppler's pdftotext.
APT_RUN := fonts-noto-cjk
APT_TEST := $(APT_RUN) chromium gettext poppler-utils
PYTEST_ARGS ?=

.PHONY: run test venv venv-test system-run system-test migrate demo bench lint messages migrations-check check-deploy clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "需要 Python 3.12 或更高版本 (Python 3.12+ is required)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

migrate: venv
	$(PY) manage.py migrate --noinput -v0

demo: migrate system-run
	$(PY) manage.py load_demo

run: demo
	@echo "打开 http://127.0.0.1:8000 (open http://127.0.0.1:8000)"
	$(PY) manage.py runserver 127.0.0.1:8000

# $(call apt_ensure,PACKAGES): the Debian packages among these that are missing, installed
# where we are root; elsewhere it stops and names the command to run.
define apt_ensure
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "缺少系统软件包 (missing Debian packages):$$missing — sudo apt-get install$$missing"; exit 1; fi; fi
endef

system-run:
	$(call apt_ensure,$(APT_RUN))

system-test:
	$(call apt_ensure,$(APT_TEST))

# --no-loadscope-reorder keeps the collection order, so the longest file (tests/benchmarks, one
# test of several minutes) starts first instead of last, and both processes finish together.
test: venv-test system-test
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) -m pytest -p no:cacheprovider -n auto --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# Every benchmark, one table (workload, figure, goal, met); BENCH_ARGS=--small for the reduced size.
bench: venv-test
	$(PY) benchmarks/run_all.py $(BENCH_ARGS)

# ruff (rules and format), mypy with django-stubs, djLint over the templates: CI runs it before the suite.
lint: venv-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy monitoring_site rounds sampling logistics questionnaires results rectification regions
	$(VENV)/bin/djlint --lint templates */templates

messages: venv
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=benchmarks
	$(PY) manage.py compilemessages -v0 --ignore=.venv

migrations-check: venv
	$(PY) manage.py makemigrations --check --dry-run

check-deploy: venv
	DJANGO_SECURE=1 DJANGO_SECRET_KEY=$$(openssl rand -hex 32) DJANGO_ALLOWED_HOSTS=jiance.example.cn \
	  DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var test-artifacts
