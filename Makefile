# Two commands for a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi.py

.PHONY: run test test-sqlite test-postgres test-browser screenshots e2e-tools lint i18n-extract i18n-update i18n-compile bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

i18n-compile: $(STAMP)
	@$(BIN)/pybabel compile -d translations

## Run the portal with demo data on SQLite at http://127.0.0.1:5000
run: $(STAMP) i18n-compile
	PORTAL_DEMO=1 PORTAL_INSECURE_COOKIES=1 $(BIN)/flask db-upgrade
	PORTAL_DEMO=1 PORTAL_INSECURE_COOKIES=1 $(BIN)/flask demo-load --if-empty
	PORTAL_DEMO=1 PORTAL_INSECURE_COOKIES=1 $(BIN)/flask run --host 127.0.0.1 --port 5000

AXE := tests/e2e/node_modules/axe-core/axe.min.js

## Run the whole suite on SQLite, then on PostgreSQL (TEST_DATABASE_URL or 127.0.0.1:5432), then the browser suite
test: $(STAMP) i18n-compile e2e-tools
	$(BIN)/python scripts/test_legs.py

## Only the browser suite (Playwright + Debian's /usr/bin/chromium)
test-browser: $(STAMP) i18n-compile e2e-tools
	PORTAL_E2E=1 $(BIN)/pytest tests/e2e

## Screenshots of each role's home page into docs/screenshots/
screenshots: $(STAMP) i18n-compile e2e-tools
	PORTAL_E2E=1 PORTAL_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest tests/e2e/test_home_pages.py

## Test-only tools of the browser suite (axe-core from the npm registry, pinned by tests/e2e/package-lock.json)
e2e-tools: $(AXE)

$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@if command -v npm >/dev/null; then cd tests/e2e && npm ci --no-audit --no-fund --silent && touch node_modules/axe-core/axe.min.js; \
	else echo "npm not found: the browser suite needs it for axe-core (tests/e2e/package.json)"; fi

## Static checks: ruff, bandit (security lint of the portal's code), pip-audit (known vulnerabilities)
lint: $(STAMP)
	$(BIN)/ruff check portal tests scripts bench
	$(BIN)/bandit -q -r portal scripts bench
	$(BIN)/python scripts/audit_deps.py

i18n-extract: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k lazy_gettext -k _l -o translations/messages.pot .

i18n-update: i18n-extract
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations

## Load benchmark on PostgreSQL (bench/README.md): generate or reuse the region at scale 0.1 and 1, serve it
## with gunicorn, drive every role's main pages with 8 concurrent clients, print per-page figures and one summary line
bench: $(STAMP) i18n-compile
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance .pytest_cache tests/e2e/node_modules
