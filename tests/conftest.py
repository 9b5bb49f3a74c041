"""Test fixtures: one migrated database with demo data per run, copied fresh for every test.

TEST_DATABASE_URL selects PostgreSQL (each test gets `CREATE DATABASE ... TEMPLATE`); without it
the suite runs on SQLite files (each test gets a copy of the template file).
"""

import itertools
import os
import re
import shutil

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import clock, create_app
from portal import migrate as portal_migrate
from portal.extensions import db, limiter

# The browser suite (tests/e2e) runs once, in its own leg of scripts/test_legs.py, not in the SQLite and
# PostgreSQL legs: it starts its own server on its own SQLite database.
collect_ignore = [] if os.environ.get("PORTAL_E2E") == "1" else ["e2e"]

PG_URL = os.environ.get("TEST_DATABASE_URL") or None
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
_counter = itertools.count()


def base_config(url: str) -> dict:
    return {
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "TESTING": True,
        "DEMO_MODE": True,
        "ARGON2_PARAMS": FAST_ARGON2,
        "SESSION_COOKIE_NAME": "portal_session",
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # 2FA off by default: the suite logs in as administrators hundreds of times. tests/auth/test_two_factor.py
        # turns it on (and the demo template is built without enrolments for the same reason).
        "TWO_FACTOR_ROLES": (),
    }


def _pg_url_for(dbname: str) -> str:
    return make_url(PG_URL).set(database=dbname).render_as_string(hide_password=False)


def _pg_admin():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_size=1)


def _build(url: str) -> None:
    portal_migrate.upgrade(url)
    app = create_app(base_config(url))
    with app.app_context():
        from portal import demo

        demo.load()
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """Migrate and load demo data once; yields a factory that returns a fresh database URL per call."""
    if PG_URL:
        admin = _pg_admin()
        template = f"portal_tpl_{os.getpid()}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{template}"'))
            conn.execute(text(f'CREATE DATABASE "{template}"'))
        _build(_pg_url_for(template))
        created = []

        def fresh():
            name = f"portal_t_{os.getpid()}_{next(_counter)}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            created.append(name)
            return _pg_url_for(name)

        fresh.drop = lambda url: _pg_drop(admin, make_url(url).database)
        yield fresh
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
        admin.dispose()
    else:
        folder = tmp_path_factory.mktemp("db")
        template = folder / "template.sqlite"
        _build(f"sqlite:///{template}")

        def fresh():
            target = folder / f"test_{next(_counter)}.sqlite"
            shutil.copyfile(template, target)
            return f"sqlite:///{target}"

        fresh.drop = lambda url: os.unlink(url.removeprefix("sqlite:///"))
        yield fresh


def _pg_drop(admin, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


_current = {}


@pytest.fixture
def app(template_db):
    """A fresh app on a fresh copy of the demo database. No app context stays pushed: requests must not
    share `g` (Flask reuses an active app context), so helpers open their own with `in_app()`."""
    url = template_db()
    application = create_app(base_config(url))
    _current["app"] = application
    with application.app_context():
        limiter.reset()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    _current.clear()
    template_db.drop(url)


def in_app():
    """An app context on the current test's app, for reading or preparing data."""
    return _current["app"].app_context()


@pytest.fixture(autouse=True)
def _reset_clock():
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Browser:
    """A test client that behaves like a browser: it reads the CSRF token from pages and logs in."""

    def __init__(self, app, client):
        self.app = app
        self.client = client
        self.anonymous = False

    def csrf(self, path: str = "/login") -> str:
        response = self.client.get(path)
        match = CSRF_RE.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {path} ({response.status_code})"
        return match.group(1)

    def login(self, email: str, password: str = "demo-portal-2026"):
        token = self.csrf("/login")
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf("/account")})

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path, data=None, token_from: str | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf(token_from or "/account"))
        return self.client.post(path, data=data, **kwargs)


@pytest.fixture
def browser(app, client):
    return Browser(app, client)


@pytest.fixture
def login_as(app):
    """login_as(email) → a Browser logged in through the real login form (fresh client each call)."""

    def _login(email: str) -> Browser:
        b = Browser(app, app.test_client())
        response = b.login(email)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return b

    return _login


def user(email: str):
    from sqlalchemy import select

    from portal.auth.models import User

    with in_app():
        return db.session.scalar(select(User).where(User.email == email))


def student_of(school_key: str, *, class_name: str | None = None, not_class: str | None = None):
    """A demo student of school1/school2/school3, optionally of (or not of) a class."""
    from sqlalchemy import select

    from portal.admin.models import School
    from portal.students.models import Student

    number = school_key[-1]
    query = select(Student).join(School).where(School.name.contains(f"№ {number} "))
    if class_name:
        query = query.where(Student.class_name == class_name)
    if not_class:
        query = query.where(Student.class_name != not_class)
    with in_app():
        return db.session.scalars(query.order_by(Student.id)).first()


def audit_actions(action: str | None = None):
    from sqlalchemy import select

    from portal.audit.models import AuditEvent

    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    with in_app():
        return db.session.scalars(query).all()


def concern_of(school_key: str, *, reporter: str | None = None, not_reporter: str | None = None,
               involves_staff: bool = False, status: str | None = None):
    """A demo concern of school1/2/3, optionally by (or not by) a reporter e-mail, with or without staff involved."""
    from sqlalchemy import select

    from portal.admin.models import School
    from portal.auth.models import User
    from portal.concerns.models import Concern

    number = school_key[-1]
    query = (
        select(Concern).join(School, School.id == Concern.school_id).join(User, User.id == Concern.reporter_id)
        .where(School.name.contains(f"№ {number} "), Concern.involves_staff.is_(involves_staff))
    )
    if reporter:
        query = query.where(User.email == reporter)
    if not_reporter:
        query = query.where(User.email != not_reporter)
    if status:
        query = query.where(Concern.status == status)
    with in_app():
        return db.session.scalars(query.order_by(Concern.id)).first()
