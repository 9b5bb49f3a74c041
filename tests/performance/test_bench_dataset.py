"""The benchmark's dataset generator, and the query budget on the region it generates (issue 7).

The generated region is loaded at scale 0.1 and at scale 1 (200,000 students) once per test leg; every page the
benchmark drives must stay within 15 SQL statements, and the same number at both scales.
"""

import itertools
import os

import pyotp
import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from bench import generate, run
from portal import create_app
from portal import migrate as portal_migrate
from portal.extensions import db
from tests.conftest import CSRF_RE, FAST_ARGON2, PG_URL, base_config

BUDGET = 15
SCALES = (0.1, 1)
_names = itertools.count()


def _empty_database(tmp_path) -> tuple[str, callable]:
    if PG_URL:
        name = f"portal_bench_t_{os.getpid()}_{next(_names)}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), drop
    return f"sqlite:///{tmp_path / f'bench_{next(_names)}.sqlite'}", lambda: None


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """The generated region at each scale, in its own migrated database."""
    folder = tmp_path_factory.mktemp("bench")
    fast_hash = PasswordHasher(**FAST_ARGON2).hash(generate.BENCH_PASSWORD)
    made, drops = {}, []
    try:
        for scale in SCALES:
            url, drop = _empty_database(folder)
            drops.append(drop)
            portal_migrate.upgrade(url)
            made[scale] = (url, generate.generate(url, scale, password_hash=fast_hash, echo=lambda _m: None))
        yield made
    finally:
        for drop in drops:
            drop()


def test_scale_1_is_the_region_the_issue_describes():
    counts = generate.totals(1)
    assert counts == {"schools": 400, "students": 200_000, "concerns": 20_000, "cases": 8_000,
                      "chronology": 100_000, "escalations": 1_500, "staff": 12_000, "audit": 300_000}
    assert generate.totals(0.1)["students"] == 20_000


@pytest.mark.parametrize("scale", [0, -1, 11])
def test_absurd_scales_are_refused(scale):
    with pytest.raises(generate.Refused):
        generate.totals(scale)


def test_the_dataset_is_deterministic_from_its_seed():
    def rows(seed):
        built = generate.build(0.005, seed, region_id=1, other_region_id=2, password_hash="x")
        return {name: built.rows[name] for name in ("students", "concerns", "support_cases", "escalations")}

    assert rows(7) == rows(7)
    assert rows(7) != rows(8)


def test_the_generated_region_has_every_figure_of_its_scale(datasets):
    url, written = datasets[1]
    assert written["schools"] == 400
    assert written["students"] == 200_000
    assert written["concerns"] == 20_000
    assert written["support_cases"] == 8_000
    assert written["escalations"] == 1_500
    chronology = sum(written[t] for t in ("case_notes", "confidential_notes", "measure_logs", "concern_addenda",
                                          "escalation_events"))
    assert 100_000 <= chronology < 101_000
    engine = create_engine(url)
    with engine.connect() as conn:
        staff = conn.scalar(text("SELECT count(*) FROM users WHERE school_id IS NOT NULL"))
        plans_in_force = conn.scalar(text("SELECT count(*) FROM plans WHERE status = 'approved'"))
        states = {row[0] for row in conn.execute(text("SELECT DISTINCT status FROM escalations"))}
        iins = conn.scalar(text("SELECT count(DISTINCT iin) FROM students"))
    engine.dispose()
    assert staff == 12_000
    assert plans_in_force > 5_000
    assert states == {"draft", "submitted", "in_review", "returned", "accepted", "declined", "closed"}
    assert iins == 200_000  # every invented IIN is valid and different
    app = create_app(base_config(url))
    with app.app_context():
        from portal.audit.chain import verify

        verdict = verify(db.session)
        assert verdict.ok and verdict.rows == 300_000 == written["audit_events"]  # the log's chain holds
        db.engine.dispose()


def test_the_generator_refuses_a_database_with_accounts(datasets):
    url, _written = datasets[0.1]
    with pytest.raises(generate.Refused):
        generate.generate(url, 0.1, password_hash="x", echo=lambda _m: None)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(db.metadata.tables["schools"])) == 40  # nothing added
    engine.dispose()


def _login(app, email: str, secret: str | None):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": email, "password": generate.BENCH_PASSWORD,
                                           "csrf_token": CSRF_RE.search(page).group(1)})
    assert response.status_code == 303, email
    if "/login/otp" in response.headers["Location"]:
        page = client.get("/login/otp").get_data(as_text=True)
        response = client.post("/login/otp", data={"code": pyotp.TOTP(secret).now(),
                                                    "csrf_token": CSRF_RE.search(page).group(1)})
        assert response.status_code == 303 and "/login" not in response.headers["Location"], email
    return client


def _page_counts(url: str) -> dict:
    """SQL statements per benchmark page (the most over its first twelve records), the session touched on
    every request so that the count is the worst case."""
    app = create_app({**base_config(url), "SESSION_TOUCH_SECONDS": 0})
    targets = run.pick_targets(url)
    clients = {role: _login(app, email, targets["secrets"][role]) for role, email in targets["emails"].items()}
    with app.app_context():
        engine = db.engine
    statements = []
    listener = lambda *_args: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    counts = {}
    try:
        for page in run.pages(targets):
            worst = 0
            for path in page.paths[:12]:
                statements.clear()
                response = clients[page.role].get(path)
                assert response.status_code == 200, path
                assert len(response.data) <= run.BUDGET_HTML, f"{path}: {len(response.data)} bytes of HTML"
                worst = max(worst, len(statements))
            counts[page.name] = worst
    finally:
        event.remove(engine, "before_cursor_execute", listener)
        with app.app_context():
            db.engine.dispose()
    return counts


def test_every_benchmark_page_stays_within_budget_and_the_same_at_both_scales(datasets):
    small = _page_counts(datasets[0.1][0])
    large = _page_counts(datasets[1][0])
    assert len(small) == len(run.pages(run.pick_targets(datasets[0.1][0]))) == 16
    over = {name: n for name, n in large.items() if n > BUDGET}
    assert not over, f"over {BUDGET} queries: {over}"
    assert small == large
