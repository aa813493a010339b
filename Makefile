.PHONY: run test ci lint format benchmark prod load faults

run:  ## set up and run the portal with demo data (SQLite, ORM broker, one worker)
	scripts/run

test:  ## set up and run the whole test suite
	scripts/test

prod:  ## the production shape on one machine: gunicorn (2 processes) and 2 qclusters on PostgreSQL and Redis
	scripts/prod

load:  ## load test (locust, loopback only, bounded) against the production shape on a throwaway database
	scripts/load

faults:  ## PostgreSQL restarted under traffic, on a private cluster: requests fail cleanly and recover
	scripts/faults

ci:  ## what CI runs: the suite on SQLite, then on PostgreSQL + Redis, plus checks
	bash .ci/run

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .
