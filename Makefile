# The two commands (README): `make run` and `make test`. The rest are shortcuts for developers and
# assume `make run` or `make test` has installed everything once.
SHELL := /bin/bash
UV_RUN := UV_FROZEN=1 uv run

.PHONY: run test lint format typecheck pytest pg-start pg-stop help

help:
	@echo "make run        install what is missing, migrate, load demo data, serve http://127.0.0.1:8000 (Ctrl-C stops)"
	@echo "make test       install what tests need, lint, typecheck, pytest on SQLite then PostgreSQL"
	@echo "make lint       ruff check, ruff format --check, import-linter"
	@echo "make format     ruff format + ruff check --fix"
	@echo "make typecheck  mypy"
	@echo "make pytest     pytest on SQLite (pass ARGS=... for pytest options)"
	@echo "make pg-start / pg-stop  throwaway PostgreSQL on 127.0.0.1:54329 for DATABASE_URL=..."

run:
	bash scripts/run_embedded.sh

test:
	bash scripts/test_all.sh

lint:
	$(UV_RUN) ruff check .
	$(UV_RUN) ruff format --check .
	$(UV_RUN) lint-imports

format:
	$(UV_RUN) ruff format .
	$(UV_RUN) ruff check --fix .

typecheck:
	$(UV_RUN) mypy .

ARGS ?= -n 2
pytest:
	$(UV_RUN) pytest $(ARGS)

pg-start:
	@bash scripts/pg_throwaway.sh start

pg-stop:
	@bash scripts/pg_throwaway.sh stop
