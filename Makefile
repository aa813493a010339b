.PHONY: run test ci lint format benchmark

run:  ## set up and run the portal with demo data (SQLite, ORM broker, one worker)
	scripts/run

test:  ## set up and run the whole test suite
	scripts/test

ci:  ## what CI runs: the suite on SQLite, then on PostgreSQL + Redis, plus checks
	bash .ci/run

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .
