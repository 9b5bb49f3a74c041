"""Server-side sessions: logout, idle and absolute timeouts and disabling make a captured cookie useless."""

from datetime import timedelta

import pytest

from portal import clock
from tests.conftest import Browser

COOKIE = "portal_session"


def _captured(browser: Browser) -> str:
    return browser.client.get_cookie(COOKIE).value


def _replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie)
    return thief.get("/")


def test_logout_ends_the_session_on_the_server(app, login_as):
    teacher = login_as("teacher@school1.demo")
    cookie = _captured(teacher)
    assert _replay(app, cookie).status_code == 200
    response = teacher.logout()
    assert response.status_code == 303
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert _replay(app, cookie).status_code == 302


def test_logout_needs_post_and_csrf(login_as):
    teacher = login_as("teacher@school1.demo")
    assert teacher.get("/logout").status_code == 405
    assert teacher.client.post("/logout").status_code == 400
    assert teacher.get("/").status_code == 200


def test_idle_timeout_ends_the_session(app, login_as):
    clock.freeze(clock.now())
    teacher = login_as("teacher@school1.demo")
    clock.advance(timedelta(minutes=14))
    assert teacher.get("/").status_code == 200  # activity restarts the idle clock
    clock.advance(timedelta(minutes=14))
    assert teacher.get("/").status_code == 200
    clock.advance(timedelta(minutes=15, seconds=1))
    response = teacher.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_polling_does_not_keep_the_session_alive(login_as):
    clock.freeze(clock.now())
    teacher = login_as("teacher@school1.demo")
    for _ in range(3):
        clock.advance(timedelta(minutes=4))
        status = teacher.get("/session/status", headers={"HX-Request": "true"})
        assert status.status_code == 200
    assert status.get_json()["remaining"] == 180
    clock.advance(timedelta(minutes=3, seconds=1))
    assert teacher.get("/session/status", headers={"HX-Request": "true"}).status_code == 401
    assert teacher.get("/").status_code == 302


def test_expired_htmx_request_tells_htmx_to_go_to_login(login_as):
    clock.freeze(clock.now())
    teacher = login_as("teacher@school1.demo")
    clock.advance(timedelta(minutes=16))
    response = teacher.get("/students?q=a", headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_absolute_timeout_ends_even_an_active_session(login_as):
    clock.freeze(clock.now())
    teacher = login_as("teacher@school1.demo")
    for _ in range(9 * 6):
        clock.advance(timedelta(minutes=10))
        assert teacher.get("/session/status").status_code in (200,)
        assert teacher.get("/").status_code == 200
    clock.advance(timedelta(minutes=61))
    assert teacher.get("/").status_code == 302


def test_each_login_gets_a_new_token(app):
    b = Browser(app, app.test_client())
    b.client.get("/login")
    before = b.client.get_cookie(COOKIE).value
    b.login("teacher@school1.demo")
    first = _captured(b)
    assert first != before
    b.logout()
    b.login("teacher@school1.demo")
    second = _captured(b)
    assert second != first
    assert _replay(app, first).status_code == 302
    assert _replay(app, second).status_code == 200


def test_pre_login_cookie_cannot_be_fixed(app):
    """A cookie planted before login (session fixation) is not the one that becomes authenticated."""
    attacker = app.test_client()
    attacker.get("/login")
    planted = attacker.get_cookie(COOKIE).value
    victim = Browser(app, app.test_client())
    victim.client.set_cookie(COOKIE, planted)
    victim.login("teacher@school1.demo")
    assert _replay(app, planted).status_code == 302


def test_password_change_ends_other_sessions(app, login_as):
    one = login_as("teacher@school1.demo")
    two = login_as("teacher@school1.demo")
    response = one.post("/account", data={
        "current_password": "demo-portal-2026",
        "new_password": "a long new passphrase 2026",
        "confirm": "a long new passphrase 2026",
    })
    assert response.status_code == 303
    assert one.get("/").status_code == 200
    assert two.get("/").status_code == 302
    assert Browser(app, app.test_client()).login("teacher@school1.demo", "a long new passphrase 2026").status_code == 303


def test_password_change_refuses_bad_input(login_as):
    teacher = login_as("teacher@school1.demo")
    cases = [
        ({"current_password": "wrong-one-123", "new_password": "a long new passphrase", "confirm": "a long new passphrase"}, "current"),
        ({"current_password": "demo-portal-2026", "new_password": "short", "confirm": "short"}, "10"),
        ({"current_password": "demo-portal-2026", "new_password": "qwertyuiop", "confirm": "qwertyuiop"}, "common"),
        ({"current_password": "demo-portal-2026", "new_password": "a long new passphrase", "confirm": "different one here"}, "differ"),
    ]
    for data, _hint in cases:
        response = teacher.post("/account", data=data)
        assert response.status_code == 400
        assert 'class="error"' in response.get_data(as_text=True)
    teacher.logout()


def test_cookie_flags(app):
    b = Browser(app, app.test_client())
    response = b.login("teacher@school1.demo")
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Expires" not in header  # gone when the browser closes; no "remember me"


def test_production_cookie_is_host_prefixed_and_secure(monkeypatch):
    from portal.config import from_environment

    monkeypatch.delenv("PORTAL_INSECURE_COOKIES", raising=False)
    settings = from_environment(with_secret=False)
    assert settings["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_idle_minutes_accept_fractions_and_refuse_nonsense(monkeypatch):
    from datetime import timedelta

    from portal.config import from_environment

    monkeypatch.delenv("PORTAL_IDLE_MINUTES", raising=False)
    assert from_environment(with_secret=False)["IDLE_TIMEOUT"] == timedelta(minutes=15)
    monkeypatch.setenv("PORTAL_IDLE_MINUTES", "0.25")  # the browser suite's idle test: 15 seconds
    assert from_environment(with_secret=False)["IDLE_TIMEOUT"] == timedelta(seconds=15)
    monkeypatch.setenv("PORTAL_IDLE_MINUTES", "20")
    assert from_environment(with_secret=False)["IDLE_TIMEOUT"] == timedelta(minutes=20)
    for bad in ("0", "-5", "nan", "inf", "ten"):
        monkeypatch.setenv("PORTAL_IDLE_MINUTES", bad)
        with pytest.raises((RuntimeError, ValueError)):
            from_environment(with_secret=False)
