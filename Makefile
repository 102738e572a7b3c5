# The commands the README gives. `make run` and `make test` work on a fresh machine with
# Python 3.11: the first call creates .venv and installs the project into it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

# Dependencies come from the hash-pinned lock files (requirements/*.lock, written by `make lock`):
# make, CI and the Docker image install exactly the same versions.
LOCK_TOOL ?= /tmp/wuye-yanglao-lock-tool
LOCK_ARGS ?=

.PHONY: install run migrate demo test e2e worker beat lint format messages check lock

$(STAMP): pyproject.toml requirements/dev.lock
	@echo "Installing the dependencies into $(VENV) (first run or changed lock files: 1-3 minutes)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)
	@echo "Dependencies installed."

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: export DEBUG ?= 1
run: demo
	@echo "物业+养老试点管理平台: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, API docs: http://$(HOST):$(PORT)/api/v1/docs/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The suite runs on every core (pytest-xdist; tests handed out in collection order, so that the
# transactional ones, which empty the tables, still run last in each worker): TEST_WORKERS=0
# runs it in one process.
TEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

e2e: install
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A config worker --loglevel=info

beat: install
	$(BIN)/celery -A config beat --loglevel=info

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	cd $(CURDIR) && $(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests && \
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

# Re-resolve the lock files after a change of pyproject.toml's dependencies (existing pins are
# kept; `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed versions). uv runs
# from a throwaway virtualenv, never from .venv.
lock:
	@test -x $(LOCK_TOOL)/bin/uv || { $(PYTHON) -m venv $(LOCK_TOOL) && $(LOCK_TOOL)/bin/pip install --quiet uv; }
	$(LOCK_TOOL)/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --quiet \
		--custom-compile-command "make lock" $(LOCK_ARGS) -o requirements/base.lock
	$(LOCK_TOOL)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --quiet \
		--custom-compile-command "make lock" $(LOCK_ARGS) -o requirements/dev.lock
