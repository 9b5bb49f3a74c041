"""Login, logout, throttling and enumeration resistance (SECURITY.md: Authentication)."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from portal import clock
from portal.auth.models import User, UserSession
from portal.extensions import db
from tests.conftest import Browser, audit_actions, in_app, user


def test_login_with_good_credentials_lands_on_role_home(browser):
    response = browser.login("psychologist@school1.demo")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    page = browser.get("/").get_data(as_text=True)
    assert "Айгерим Нурпеисова" in page
    assert [e.action for e in audit_actions("login.ok")] == ["login.ok"]


def test_login_follows_only_same_site_next(browser):
    token = browser.csrf("/login")
    response = browser.client.post("/login", data={
        "email": "admin@school1.demo", "password": "demo-portal-2026", "csrf_token": token,
        "next": "/students?q=a",
    })
    assert response.headers["Location"] == "/students?q=a"
    other = Browser(browser.app, browser.app.test_client())
    token = other.csrf("/login")
    response = other.client.post("/login", data={
        "email": "admin@school1.demo", "password": "demo-portal-2026", "csrf_token": token,
        "next": "//evil.example/steal",
    })
    assert response.headers["Location"] == "/"


def test_unknown_email_and_wrong_password_get_the_same_answer(app):
    first = Browser(app, app.test_client()).login("nobody@school1.demo", "demo-portal-2026")
    second = Browser(app, app.test_client()).login("teacher3@school1.demo", "wrong-password-123")
    assert first.status_code == second.status_code == 401
    text_a = first.get_data(as_text=True)
    text_b = second.get_data(as_text=True)
    for text in (text_a, text_b):
        assert "Wrong e-mail or password." in text or "Неверный" in text or "қате" in text.lower()
    assert _normalise(text_a, "nobody@school1.demo") == _normalise(text_b, "teacher3@school1.demo")
    assert len(audit_actions("login.fail")) == 2


def _normalise(page: str, email: str) -> str:
    """The page minus what differs per response anyway (tokens, nonces) and the echoed e-mail."""
    page = re.sub(r'(content|value|nonce)="[A-Za-z0-9_.\-]{20,}"', "TOKEN", page)
    return page.replace(email, "EMAIL")


def test_missing_fields_get_400_and_no_session(browser):
    token = browser.csrf("/login")
    response = browser.client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    assert response.status_code == 400
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"email": "teacher@school1.demo", "password": "demo-portal-2026"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_growing_delay_after_five_failures_then_lock_after_ten(app):
    clock.freeze(clock.now())
    b = Browser(app, app.test_client())
    for _ in range(5):
        assert b.login("teacher@school1.demo", "wrong-password-123").status_code == 401
    # the sixth attempt right away is refused even with the right password
    refused = b.login("teacher@school1.demo")
    assert refused.status_code == 429
    clock.advance(timedelta(seconds=2))
    assert b.login("teacher@school1.demo", "wrong-password-123").status_code == 401
    for _ in range(4):
        clock.advance(timedelta(seconds=60))
        b.login("teacher@school1.demo", "wrong-password-123")
    # ten failures: locked for 15 minutes, the right password does not help
    clock.advance(timedelta(minutes=5))
    assert b.login("teacher@school1.demo").status_code == 429
    clock.advance(timedelta(minutes=11))
    assert b.login("teacher@school1.demo").status_code == 303


def test_throttle_applies_to_unknown_emails_too(app):
    """Unknown e-mails are throttled exactly like real ones, so the lock reveals nothing."""
    clock.freeze(clock.now())
    b = Browser(app, app.test_client())
    for _ in range(5):
        b.login("ghost@school1.demo", "whatever-123456")
    assert b.login("ghost@school1.demo", "whatever-123456").status_code == 429


def test_throttle_is_per_account_not_per_school_ip(app):
    clock.freeze(clock.now())
    b = Browser(app, app.test_client())
    for _ in range(6):
        b.login("teacher@school1.demo", "wrong-password-123")
    # a colleague behind the same school NAT still logs in
    assert Browser(app, app.test_client()).login("teacher2@school1.demo").status_code == 303


def test_per_ip_limit_answers_429(app):
    app.config["LOGIN_LIMIT_PER_IP"] = "3 per minute"
    b = Browser(app, app.test_client())
    codes = [b.login(f"user{i}@school1.demo", "wrong-password-123").status_code for i in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429


def test_disabled_account_cannot_log_in(app):
    with in_app():
        db.session.execute(db.update(User).where(User.email == "teacher@school1.demo").values(active=False))
        db.session.commit()
    assert Browser(app, app.test_client()).login("teacher@school1.demo").status_code == 401


def test_demo_accounts_refused_when_demo_mode_is_off(app):
    app.config["DEMO_MODE"] = False
    assert Browser(app, app.test_client()).login("teacher@school1.demo").status_code == 401


def test_password_is_stored_as_argon2id(app):
    assert user("teacher@school1.demo").password_hash.startswith("$argon2id$")


def test_production_uses_argon2_defaults():
    from portal.config import DEFAULTS

    assert DEFAULTS["ARGON2_PARAMS"] == {}


def test_weak_parameters_are_rehashed_on_login(app):
    before = user("teacher@school1.demo").password_hash
    app.config["ARGON2_PARAMS"] = {"time_cost": 2, "memory_cost": 2048, "parallelism": 1}
    assert Browser(app, app.test_client()).login("teacher@school1.demo").status_code == 303
    after = user("teacher@school1.demo").password_hash
    assert after != before and "m=2048,t=2" in after
