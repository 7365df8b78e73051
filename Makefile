# Hardware ERP. `make run` sets up and starts everything; `make test` runs the tests.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run setup test test-fast e2e lint check messages bench soak faults cluster security clean vendor

$(STAMP): requirements.txt
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is needed ($(PY) not found)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

venv: $(STAMP) var/secret_key var/field_encryption_key var/blind_index_key var/backup_key

var/secret_key var/field_encryption_key var/blind_index_key var/backup_key:
	@$(BIN)/python scripts/make_keys.py

# Database, roles, demo data (only into an empty database) and static files.
setup: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py sync_roles
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

# Starts gunicorn, the Celery worker and beat on http://$(BIND) (plain http on this machine; BIND=0.0.0.0:8080 make run
# listens elsewhere, SITE_URL is the address in e-mail links and defaults to http://$(BIND)).
BIND ?= 127.0.0.1:8000
SITE_URL ?= http://$(BIND)
run: export BIND := $(BIND)
run: export SITE_URL := $(SITE_URL)
run: export SECURE_SSL_REDIRECT ?= false
run: export SECURE_COOKIES ?= false
run: export SECURE_HSTS_SECONDS ?= 0
run: export OTP_ENFORCE ?= false  # the demo's managers sign in without an authenticator app
run: setup
	@echo ""
	@echo "Hardware ERP on $(SITE_URL)  (listening on $(BIND); Ctrl-C stops it)"
	@echo "Demo sign-ins, password hardware-demo-2026: gm salesmgr rep1 rep2 whmgr clerk purchaser finance itadmin trainer"
	@echo ""
	$(BIN)/honcho start -f Procfile

# The whole suite except browser tests; uses DATABASE_URL/REDIS_URL when set, SQLite and the file broker otherwise.
# Fault tests are left to `make faults` (TEST_MARKERS="not e2e" includes them).
# Parallel by default (one xdist worker per core, whole files per worker); PYTEST_ARGS= runs in one process.
TEST_MARKERS ?= not e2e and not faults
PYTEST_ARGS ?= -p xdist -n auto --dist loadfile --durations=15
test: venv
	$(BIN)/python manage.py check
	$(BIN)/pytest -m "$(TEST_MARKERS)" $(PYTEST_ARGS)

# Fault injection (tests/faults): private PostgreSQL, Redis, gunicorn and workers on loopback ports, killed for real.
faults: venv
	$(BIN)/pytest -m faults tests/faults $(PYTEST_ARGS)

# The multi-host layout on this machine (tests/faults/test_cluster.py, also part of `make faults`): PostgreSQL primary
# and streaming replica, an S3-compatible store (moto), Redis, two gunicorns, workers per queue, PgBouncer if installed.
cluster: venv
	$(BIN)/pytest -m faults tests/faults/test_cluster.py -p no:xdist -s

# Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium).
e2e: venv
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo --no-cache

check: venv
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

# Soak: make soak MINUTES=10 (mixed load on gunicorn + worker + beat over PostgreSQL and Redis, then check_integrity)
MINUTES ?= 10
soak: venv
	MINUTES=$(MINUTES) $(BIN)/python -m bench.soak

# Security: bandit (no medium or high finding in product code) and pip-audit against OSV on the pinned requirements,
# which says NOT CHECKED when no vulnerability database is reachable (scripts/audit_deps.py).
security: venv
	$(BIN)/bandit -q -r hardware_erp crm inventory orders governance training support performance -x "*/migrations/*" -ll
	$(BIN)/python scripts/audit_deps.py

# Extract and compile one app's translations: make messages APP=crm (APP=core for the kernel).
messages: venv
	$(BIN)/python manage.py appmessages $(APP)

# Benchmarks on a fresh PostgreSQL database hwerp_bench (see bench/README.md): make bench [BENCH=posting]
bench: venv
	$(BIN)/python -m bench $(BENCH)

vendor:
	bash scripts/vendor.sh

clean:
	rm -rf var/broker var/staticfiles var/test_db*.sqlite3
