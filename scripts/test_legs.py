"""Run the whole suite on SQLite, then on PostgreSQL, and say which legs ran.

PostgreSQL: TEST_DATABASE_URL when set, else 127.0.0.1:5432 (user postgres, database test) when it answers.
With REQUIRE_POSTGRES=1 (set by .ci/run under CI) a PostgreSQL leg that cannot run is a failure.
Then the browser suite (tests/e2e, Playwright driving Debian's /usr/bin/chromium) runs once, on its own server;
without Chromium it is SKIPPED with the reason, and with REQUIRE_BROWSER=1 (CI) that is a failure.
"""

import os
import subprocess  # nosec B404
import sys

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CHROMIUM = "/usr/bin/chromium"


def pytest(extra_env: dict, label: str, args: list[str] | None = None) -> int:
    print(f"\n=== test leg: {label} ===", flush=True)
    env = {**os.environ, **extra_env}
    code = subprocess.call([sys.executable, "-m", "pytest", *(sys.argv[1:] if args is None else args)],  # nosec B603
                           env=env)
    if code == 5:
        print(f"{label}: pytest collected no tests — treated as a failure")
        return 1
    return code


def postgres_url() -> tuple[str | None, str]:
    url = os.environ.get("TEST_DATABASE_URL")
    candidate = url or DEFAULT_PG
    try:
        import psycopg

        plain = candidate.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means the leg cannot run
        where = "TEST_DATABASE_URL" if url else "127.0.0.1:5432"
        return None, f"PostgreSQL at {where} did not answer ({type(error).__name__}: {str(error).strip()[:200]})"
    return candidate, ""


def main() -> int:
    results = {}
    sqlite_env = {"TEST_DATABASE_URL": ""}
    results["sqlite"] = pytest(sqlite_env, "SQLite")
    url, why_not = postgres_url()
    if url:
        results["postgresql"] = pytest({"TEST_DATABASE_URL": url}, "PostgreSQL")
    browser_missing = not os.path.exists(CHROMIUM)
    if not browser_missing:
        results["browser"] = pytest({"PORTAL_E2E": "1", "TEST_DATABASE_URL": ""}, "browser", ["tests/e2e"])
    print("\n=== test legs ===")
    for leg, code in results.items():
        print(f"{leg}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    failed = any(code != 0 for code in results.values())
    if not url:
        print(f"postgresql: SKIPPED — {why_not}")
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            print("REQUIRE_POSTGRES=1: the PostgreSQL leg is required here, so this run fails.")
            failed = True
    if browser_missing:
        print(f"browser: SKIPPED — {CHROMIUM} not found (install the Debian package chromium)")
        if os.environ.get("REQUIRE_BROWSER") == "1":
            print("REQUIRE_BROWSER=1: the browser leg is required here, so this run fails.")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
