"""Browser suite: Playwright (Python) driving Debian's Chromium against a real server on a free local port.

Each server is the real app under gunicorn, on a fresh SQLite database in a temp dir, migrated with
`flask db-upgrade` and filled with `flask demo-load`, exactly as `make run` does. Every test gets a clean browser
context. The machine has no network beyond the package registries, so Chromium is started with everything that
would phone home switched off, and Playwright never downloads a browser of its own.
"""

import json
import os
import re
import socket
import sqlite3
import subprocess  # nosec B404
import sys
import time
import urllib.request
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "demo-portal-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"
TWO_FACTOR = ("admin@", "reviewer@", "sysadmin@")
BIN = Path(sys.executable).parent

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not found (install the Debian package chromium)", allow_module_level=True)


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    db_path: Path
    process: subprocess.Popen

    def student(self, school: str = "school1", class_name: str = "7Б") -> dict:
        """An active student of that school and class with no concern and no case yet (a fresh start)."""
        with closing(sqlite3.connect(self.db_path)) as conn:
            row = conn.execute(
                """
                SELECT s.id, s.surname, s.given_name, s.patronymic, s.iin FROM students s
                JOIN schools sc ON sc.id = s.school_id
                JOIN users u ON u.school_id = sc.id AND u.email = ?
                WHERE s.class_name = ? AND s.status = 'active' AND s.iin IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM concerns c WHERE c.student_id = s.id)
                  AND NOT EXISTS (SELECT 1 FROM support_cases k WHERE k.student_id = s.id)
                ORDER BY s.id
                """,
                (f"teacher@{school}.demo", class_name),
            ).fetchone()
        assert row, f"no untouched student in {class_name} of {school}"
        return {"id": row[0], "name": " ".join(p for p in row[1:4] if p), "surname": row[1], "iin": row[4]}

    def staff_name(self, email: str) -> str:
        with closing(sqlite3.connect(self.db_path)) as conn:
            return conn.execute("SELECT full_name FROM users WHERE email = ?", (email,)).fetchone()[0]


def start_server(tmp: Path, **env_extra: str) -> Server:
    """Migrate a fresh SQLite database, load the demo data and serve the app under gunicorn."""
    db_path = tmp / "portal.sqlite"
    env = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SECRET_KEY": "e2e-" + os.urandom(16).hex(),
        "PORTAL_DEMO": "1",
        "PORTAL_INSECURE_COOKIES": "1",
        "PYTHONUNBUFFERED": "1",
        **env_extra,
    }
    env.pop("TEST_DATABASE_URL", None)
    for command in (["db-upgrade"], ["demo-load"]):
        subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env, check=True,  # nosec B603
                       capture_output=True, timeout=180)
    port = _free_port()
    log = open(tmp / "server.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(  # nosec B603
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
         "--timeout", "60", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:  # nosec B310 - local test server
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"test server did not start: {(tmp / 'server.log').read_text()[-2000:]}")
        time.sleep(0.2)
    return Server(url=url, db_path=db_path, process=process)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The shared server for journeys, languages and screenshots (idle limit: the default 15 minutes)."""
    running = start_server(tmp_path_factory.mktemp("server"))
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser):
    """Clean browser contexts (no cookies, no storage), closed after the test."""
    opened = []

    def make(javascript: bool = True, locale: str = "en-GB", **options):
        context = browser.new_context(java_script_enabled=javascript, locale=locale,
                                      viewport={"width": 1280, "height": 900}, **options)
        context.set_default_timeout(15_000)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


class DemoTOTP(pyotp.TOTP):
    min_secret_length_bits = 80  # the published 80-bit demo secret, as an authenticator app takes it


_last_step: dict[str, int] = {}


def totp_code(email: str) -> str:
    """A fresh TOTP code: the server accepts each 30-second step once per user, so wait for the next step when
    this user already used the current one."""
    totp = DemoTOTP(TOTP_SECRET)
    step = int(time.time()) // 30
    if _last_step.get(email, -1) >= step:
        time.sleep((step + 1) * 30 - time.time() + 0.5)
        step = int(time.time()) // 30
    _last_step[email] = step
    return totp.at(step * 30)


def click_and_wait(page, locator) -> None:
    """Click something that loads a new page (a plain form post or a link) and wait for that page."""
    with page.expect_navigation():
        locator.click()


def login(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    click_and_wait(page, page.locator("main form[action$='/login'] button[type=submit]"))
    if email.startswith(TWO_FACTOR):
        assert "/login/otp" in page.url, f"no second step for {email}: {page.url}"
        page.locator("#code").fill(totp_code(email))
        click_and_wait(page, page.locator("main form[action$='/login/otp'] button[type=submit]"))
    assert page.locator("form.logout-form").count() == 1, f"login as {email} failed at {page.url}"


def logout(page) -> None:
    click_and_wait(page, page.locator("form.logout-form button"))
    assert "/login" in page.url


class Axe:
    """axe-core, injected into the page by the test (never served by the portal)."""

    BLOCKING = ("serious", "critical")

    def __init__(self):
        if not AXE.exists():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True,  # nosec
                           timeout=300)
        self.source = AXE.read_text()
        self.seen: dict[str, list] = {}

    def check(self, page, name: str | None = None) -> list:
        """Run axe on the page as it is now; record serious and critical violations under the page's name."""
        if not page.evaluate("() => !!window.axe"):
            page.evaluate(self.source)
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
            }"""
        )
        unlabelled = page.evaluate(UNLABELLED_FIELDS)
        if unlabelled:
            result.append({"id": "field-without-label", "impact": "critical", "help": "form field without a label",
                           "nodes": unlabelled})
        blocking = [v for v in result if v["impact"] in self.BLOCKING]
        key = name or re.sub(r"\d+", "N", page.url.split("//", 1)[1].split("/", 1)[1].split("?")[0].split("#")[0] or "/")
        self.seen.setdefault("/" + key.lstrip("/"), []).extend(blocking)
        return blocking

    def report(self) -> str:
        lines = []
        for page, violations in self.seen.items():
            for v in violations:
                lines.append(f"{page}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}")
        return "\n".join(lines)


# Every visible input, select and textarea must have a label an assistive technology reads out.
UNLABELLED_FIELDS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture(scope="session")
def axe():
    return Axe()


def visible_text(page) -> str:
    return page.evaluate("() => document.body.innerText")


def local_storage_report(page) -> dict:
    return page.evaluate(
        """async () => ({
            local: Object.keys(localStorage).length,
            session: Object.keys(sessionStorage).length,
            caches: ('caches' in window) ? (await caches.keys()).length : 0,
        })"""
    )


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)
