"""TOTP two-factor authentication (SECURITY.md: Authentication; PRODUCT.md §6 `/login/otp`, §7 demo secret).

The rest of the suite runs with 2FA off (conftest.base_config); the `tfa` fixture here turns it on for the default
roles and enrols their demo accounts with the published demo secret, as `flask demo-load` does.
"""

import logging
import os
import re
import threading
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import func, select, text, update

from portal import clock, create_app
from portal import migrate as portal_migrate
from portal.audit.models import AuditEvent
from portal.auth.models import RecoveryCode, User, UserSession
from portal.auth.two_factor import DEMO_TOTP_SECRET
from portal.config import DEFAULT_TWO_FACTOR_ROLES, from_environment
from portal.extensions import db
from tests import conftest
from tests.conftest import Browser, audit_actions, in_app, user
from tests.security.test_access_matrix import MATRIX

ROLES_ON = tuple(DEFAULT_TWO_FACTOR_ROLES.split(","))
START = datetime(2026, 11, 25, 6, 0, 10)  # 10 s into a 30-second step
ADMIN = "admin@school1.demo"
TEACHER = "teacher@school1.demo"
SYSADMIN = "sysadmin@portal.demo"
COOKIE = "portal_session"
SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7 ]+)</code>')
CODES_RE = re.compile(r"<li><code>([A-Z2-7]{5}-[A-Z2-7]{5})</code></li>")


@pytest.fixture
def tfa(app):
    """2FA required for school admins, reviewers and the sysadmin; their demo accounts enrolled."""
    app.config["TWO_FACTOR_ROLES"] = ROLES_ON
    clock.freeze(START)
    with in_app():
        db.session.execute(
            update(User).where(User.role.in_(ROLES_ON)).values(totp_secret=DEMO_TOTP_SECRET, totp_enrolled_at=START)
        )
        db.session.commit()
    return app


class AuthenticatorApp(pyotp.TOTP):
    min_secret_length_bits = 80  # apps take the 80-bit demo secret; pyotp's own floor is 112


def totp(secret: str = DEMO_TOTP_SECRET, steps: int = 0) -> str:
    """The code an authenticator app shows now (or `steps` time steps away)."""
    return AuthenticatorApp(secret).at(clock.now().replace(tzinfo=UTC) + timedelta(seconds=30 * steps))


def next_step() -> None:
    clock.advance(timedelta(seconds=30))


def password_step(app, email: str, *, expect: str = "/login/otp", **extra) -> Browser:
    b = Browser(app, app.test_client())
    data = {"email": email, "password": "demo-portal-2026", "csrf_token": b.csrf("/login"), **extra}
    response = b.client.post("/login", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert response.headers["Location"] == expect
    return b


def send_code(b: Browser, code: str):
    return b.client.post("/login/otp", data={"code": code, "csrf_token": b.csrf("/login/otp")})


def full_login(app, email: str) -> Browser:
    b = password_step(app, email)
    response = send_code(b, totp())
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return b


def user_secret(email: str) -> str | None:
    return user(email).totp_secret


def code_hashes(email: str) -> list[str]:
    with in_app():
        uid = db.session.scalar(select(User.id).where(User.email == email))
        return sorted(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == uid)))


def new_recovery_codes(b: Browser) -> list[str]:
    """Make new recovery codes through the account page (password and a current code)."""
    response = b.post("/account/2fa/recovery-codes", {"codes-password": "demo-portal-2026", "codes-code": totp()},
                      token_from="/account/2fa")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    codes = CODES_RE.findall(response.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    next_step()
    return codes


# --- the password alone ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", [ADMIN, "reviewer@astana.demo", SYSADMIN])
def test_password_alone_opens_no_page(tfa, email):
    b = password_step(tfa, email)
    checked = 0
    for route in MATRIX:
        if route.public or route.rule == "/logout":
            continue
        path = re.sub(r"<int:\w+>", "1", route.rule)
        if route.method == "GET":
            response = b.get(path)
            if response.status_code == 302:
                assert response.headers["Location"] == "/login/otp", (path, response.headers["Location"])
            else:
                assert response.status_code in (401, 403), (path, response.status_code)
        else:
            response = b.client.post(path, data={"csrf_token": b.csrf("/login/otp")})
            assert response.status_code in (401, 403), (route.method, path, response.status_code)
        checked += 1
    assert checked > 50
    for path in ("/", "/students", "/cases", "/escalations", "/admin/users", "/account"):
        assert b.get(path).headers["Location"] == "/login/otp"
    htmx = b.get("/students?q=a", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/login/otp"
    page = b.get("/login/otp").get_data(as_text=True)
    assert user(email).full_name not in page  # nobody is logged in yet
    assert send_code(b, totp()).status_code == 303
    assert b.get("/").status_code == 200


def test_a_correct_code_finishes_the_login_with_a_new_token(tfa):
    b = password_step(tfa, ADMIN, next="/students?q=a")
    pending_cookie = b.client.get_cookie(COOKIE).value
    response = send_code(b, totp())
    assert response.status_code == 303 and response.headers["Location"] == "/students?q=a"
    assert b.client.get_cookie(COOKIE).value != pending_cookie
    assert "Серик Жаксылыков" in b.get("/").get_data(as_text=True)
    thief = tfa.test_client()
    thief.set_cookie(COOKIE, pending_cookie)
    assert thief.get("/").headers["Location"].startswith("/login")
    assert [e.action for e in audit_actions() if e.action.startswith("login.")] == [
        "login.password_ok", "login.otp_ok", "login.ok"]


def test_the_same_code_is_accepted_once(tfa):
    code = totp()
    b = password_step(tfa, ADMIN)
    assert send_code(b, code).status_code == 303
    b.logout()
    again = password_step(tfa, ADMIN)
    response = send_code(again, code)
    assert response.status_code == 401
    assert 'id="code-error"' in response.get_data(as_text=True)  # the message sits at the field
    next_step()
    assert send_code(again, totp()).status_code == 303


def test_codes_one_step_away_pass_and_far_ones_do_not(tfa):
    b = password_step(tfa, ADMIN)
    for steps in (-2, 2, 40, -3000):  # four failures: below the throttle's delay
        assert send_code(b, totp(steps=steps)).status_code == 401, steps
    assert send_code(b, totp(steps=-1)).status_code == 303  # a phone a little behind
    b.logout()
    b = password_step(tfa, ADMIN)
    assert send_code(b, totp(steps=-1)).status_code == 401  # that step is spent; so is every earlier one
    assert send_code(b, totp(steps=1)).status_code == 303  # a phone a little ahead


def test_wrong_codes_are_throttled_like_wrong_passwords(tfa):
    b = password_step(tfa, ADMIN)
    for _ in range(5):
        response = send_code(b, "000000" if totp() != "000000" else "111111")
        assert response.status_code == 401
    refused = send_code(b, totp())  # the right code right away: refused like the right password is
    assert refused.status_code == 429
    assert 'id="code-error"' in refused.get_data(as_text=True)
    # giving the password again does not buy fresh guesses: the count is per account
    assert Browser(tfa, tfa.test_client()).login(ADMIN).status_code == 429
    assert len(audit_actions("login.otp_fail")) == 5
    for _ in range(5):
        clock.advance(timedelta(seconds=20))
        assert send_code(b, "999999" if totp() != "999999" else "888888").status_code == 401
    clock.advance(timedelta(seconds=40))
    assert send_code(b, totp()).status_code == 429  # ten failures: locked
    clock.advance(timedelta(minutes=16))
    assert b.get("/login/otp").headers["Location"] == "/login"  # the pending login expired meanwhile
    b = password_step(tfa, ADMIN)
    assert send_code(b, totp()).status_code == 303


def test_pending_login_can_be_cancelled_and_expires(tfa):
    b = password_step(tfa, ADMIN)
    response = b.client.post("/logout", data={"csrf_token": b.csrf("/login/otp")})
    assert response.status_code == 303
    assert b.get("/login/otp").headers["Location"] == "/login"
    b = password_step(tfa, ADMIN)
    clock.advance(timedelta(minutes=11))
    assert b.get("/login/otp").headers["Location"] == "/login"
    assert b.get("/").headers["Location"].startswith("/login?")


@pytest.mark.parametrize("bad", ["12345a", "1234567", "12345", "12345\x00", "1" * 5000, "١٢٣٤٥٦", "ABCDE-FGHI",
                                 "ABCDE-FGHIJ1", " ", "12 34 5"])
def test_malformed_codes_get_400_not_500(tfa, bad):
    b = password_step(tfa, ADMIN)
    response = send_code(b, bad)
    assert response.status_code == 400, (bad, response.status_code)
    assert audit_actions("login.otp_fail") == []


def test_otp_page_without_a_pending_login_goes_to_login(app, client, login_as):
    assert client.get("/login/otp").headers["Location"] == "/login"
    b = Browser(app, client)
    assert b.client.post("/login/otp", data={"code": "123456", "csrf_token": b.csrf("/login")}).status_code == 303
    teacher = login_as(TEACHER)
    assert teacher.get("/login/otp").headers["Location"] == "/"


# --- recovery codes --------------------------------------------------------------------------------------------


def test_recovery_codes_are_shown_once_stored_hashed_and_work_once_each(tfa):
    b = full_login(tfa, ADMIN)
    next_step()
    codes = new_recovery_codes(b)
    hashes = code_hashes(ADMIN)
    assert len(hashes) == 10
    for code in codes:
        assert code not in hashes and code.replace("-", "") not in " ".join(hashes)
    page = b.get("/account/2fa").get_data(as_text=True)
    assert not any(code in page for code in codes)
    assert "<dd>10</dd>" in page
    b.logout()
    for i, code in enumerate(codes):
        first = password_step(tfa, ADMIN)
        typed = code.lower().replace("-", " ") if i % 2 else code  # as people type them
        assert send_code(first, typed).status_code == 303, code
        first.logout()
        second = password_step(tfa, ADMIN)
        assert send_code(second, code).status_code == 401, code
    assert len(audit_actions("2fa.recovery_used")) == 10
    with in_app():
        assert db.session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.used_at.is_(None))) == 0


def _race(app, email: str, code: str) -> list[int]:
    """Two browsers past the password step submit the same code at the same moment."""
    browsers = [password_step(app, email) for _ in range(2)]
    tokens = [b.csrf("/login/otp") for b in browsers]
    barrier = threading.Barrier(2)
    results = [None, None]

    def submit(i):
        barrier.wait()
        results[i] = browsers[i].client.post("/login/otp", data={"code": code, "csrf_token": tokens[i]}).status_code

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_parallel_redemption_of_one_recovery_code_succeeds_at_most_once(tfa):
    b = full_login(tfa, ADMIN)
    next_step()
    codes = new_recovery_codes(b)
    for code in codes[:3]:
        statuses = _race(tfa, ADMIN, code)
        assert sorted(statuses) == [303, 401], statuses
    assert len(audit_actions("2fa.recovery_used")) == 3


def test_parallel_submission_of_one_totp_code_succeeds_at_most_once(tfa):
    for _ in range(3):
        statuses = _race(tfa, ADMIN, totp())
        assert sorted(statuses) == [303, 401], statuses
        next_step()


# --- enrolment -------------------------------------------------------------------------------------------------


def _remove_second_factor(email: str) -> None:
    with in_app():
        db.session.execute(update(User).where(User.email == email).values(totp_secret=None, totp_enrolled_at=None))
        db.session.commit()


def _enrol_page_secret(b: Browser) -> str:
    page = b.get("/account/2fa")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    match = SECRET_RE.search(html)
    assert match, html[:500]
    return match.group(1).replace(" ", "")


def test_required_role_without_2fa_is_sent_to_enrolment_and_nothing_else(tfa, caplog):
    caplog.set_level(logging.DEBUG)
    _remove_second_factor(ADMIN)
    b = password_step(tfa, ADMIN, expect="/account/2fa")
    for path in ("/", "/students", "/cases", "/escalations", "/admin/users", "/account", "/login/otp"):
        assert b.get(path).headers["Location"] == "/account/2fa", path
    for path in ("/account/2fa/recovery-codes", "/account/2fa/disable", "/notifications/read-all"):
        assert b.client.post(path, data={"csrf_token": b.csrf("/account/2fa")}).status_code == 401, path
    page = b.get("/account/2fa")
    html = page.get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert svg, "the QR code is inline SVG"
    assert "style=" not in svg.group(0) and "<script" not in svg.group(0)
    assert "<img" not in html and "http://" not in svg.group(0) and "https://" not in html
    assert "otpauth" not in html  # the URI lives only in the QR geometry
    secret = _enrol_page_secret(b)
    assert len(secret) == 32 and secret != DEMO_TOTP_SECRET
    pending_cookie = b.client.get_cookie(COOKIE).value

    token = b.csrf("/account/2fa")
    assert b.client.post("/account/2fa", data={"code": "12ab56", "csrf_token": token}).status_code == 400
    wrong = b.client.post("/account/2fa", data={"code": totp(secret, steps=5), "csrf_token": token})
    assert wrong.status_code == 400
    assert user_secret(ADMIN) is None
    done = b.client.post("/account/2fa", data={"code": totp(secret), "csrf_token": token})
    assert done.status_code == 200
    codes = CODES_RE.findall(done.get_data(as_text=True))
    assert len(codes) == 10
    assert user_secret(ADMIN) == secret
    assert b.client.get_cookie(COOKIE).value != pending_cookie
    assert b.get("/").status_code == 200
    assert [e.action for e in audit_actions("2fa.enrol")] == ["2fa.enrol"]
    # from now on the login asks for a code from this secret
    b.logout()
    next_step()
    again = password_step(tfa, ADMIN)
    assert send_code(again, totp(secret)).status_code == 303
    _assert_secret_nowhere_in_audit_or_logs([secret, *codes], caplog)


def test_enrolment_confirmed_twice_enrols_once(tfa):
    _remove_second_factor(ADMIN)
    b = password_step(tfa, ADMIN, expect="/account/2fa")
    secret = _enrol_page_secret(b)
    token = b.csrf("/account/2fa")
    assert b.client.post("/account/2fa", data={"code": totp(secret), "csrf_token": token}).status_code == 200
    assert b.client.post("/account/2fa", data={"code": totp(secret), "csrf_token": token}).status_code == 400
    assert len(audit_actions("2fa.enrol")) == 1
    assert len(code_hashes(ADMIN)) == 10


def test_a_role_put_under_2fa_during_a_session_must_enrol_first(app, login_as):
    teacher = login_as(TEACHER)
    assert teacher.get("/").status_code == 200
    app.config["TWO_FACTOR_ROLES"] = ("teacher",)
    assert teacher.get("/").headers["Location"] == "/account/2fa"
    page = teacher.get("/account/2fa").get_data(as_text=True)
    assert "/account/2fa/start" in page
    token = teacher.csrf("/account/2fa")
    assert teacher.client.post("/account/2fa/start", data={"password": "wrong-password-1", "csrf_token": token}
                               ).status_code == 403
    assert teacher.client.post("/account/2fa/start", data={"password": "demo-portal-2026", "csrf_token": token}
                               ).status_code == 303
    secret = _enrol_page_secret(teacher)
    assert teacher.client.post("/account/2fa", data={"code": totp(secret), "csrf_token": token}).status_code == 200
    assert teacher.get("/").status_code == 200


def test_optional_enrolment_for_a_teacher_then_disabling_it(tfa, login_as):
    teacher = login_as(TEACHER)  # no 2FA required: straight in
    page = teacher.get("/account").get_data(as_text=True)
    assert "/account/2fa" in page
    token = teacher.csrf("/account/2fa")
    assert teacher.client.post("/account/2fa/start", data={"password": "", "csrf_token": token}).status_code == 400
    assert teacher.client.post("/account/2fa/start", data={"password": "wrong-password-1", "csrf_token": token}
                               ).status_code == 403
    assert teacher.client.post("/account/2fa/start", data={"password": "demo-portal-2026", "csrf_token": token}
                               ).status_code == 303
    secret = _enrol_page_secret(teacher)
    done = teacher.client.post("/account/2fa", data={"code": totp(secret), "csrf_token": token})
    assert done.status_code == 200 and len(CODES_RE.findall(done.get_data(as_text=True))) == 10
    teacher.logout()

    next_step()
    b = password_step(tfa, TEACHER)  # enrolled: the code is asked for now
    assert send_code(b, totp(secret)).status_code == 303
    next_step()
    bad = b.post("/account/2fa/disable", {"disable-password": "demo-portal-2026", "disable-code": "000000"},
                 token_from="/account/2fa")
    assert bad.status_code == 403 and user_secret(TEACHER) == secret
    off = b.post("/account/2fa/disable", {"disable-password": "demo-portal-2026", "disable-code": totp(secret)},
                 token_from="/account/2fa")
    assert off.status_code == 303
    assert user_secret(TEACHER) is None and code_hashes(TEACHER) == []
    assert len(audit_actions("2fa.disable")) == 1
    b.logout()
    password_step(tfa, TEACHER, expect="/")


def test_required_roles_cannot_disable_2fa(tfa):
    b = full_login(tfa, ADMIN)
    next_step()
    assert "/account/2fa/disable" not in b.get("/account/2fa").get_data(as_text=True)
    response = b.post("/account/2fa/disable", {"disable-password": "demo-portal-2026", "disable-code": totp()},
                      token_from="/account/2fa")
    assert response.status_code == 403
    assert user_secret(ADMIN) == DEMO_TOTP_SECRET


def test_reauthentication_is_required_to_regenerate_recovery_codes(tfa):
    b = full_login(tfa, ADMIN)
    next_step()
    codes = new_recovery_codes(b)
    before = code_hashes(ADMIN)
    attempts = [
        ({"codes-password": "wrong-password-1", "codes-code": totp()}, 403),
        ({"codes-password": "demo-portal-2026", "codes-code": "000000" if totp() != "000000" else "111111"}, 403),
        ({"codes-password": "demo-portal-2026", "codes-code": "ZZZZZ-ZZZZZ"}, 403),
        ({"codes-password": "demo-portal-2026"}, 400),
        ({"codes-code": totp()}, 400),
        ({"codes-password": "demo-portal-2026\x00", "codes-code": totp()}, 400),
        ({"codes-password": "demo-portal-2026", "codes-code": "1" * 500}, 400),
    ]
    for data, status in attempts:
        response = b.post("/account/2fa/recovery-codes", data, token_from="/account/2fa")
        assert response.status_code == status, (data, response.status_code)
        assert code_hashes(ADMIN) == before
    assert len(audit_actions("2fa.reauth_fail")) == 3
    # a recovery code counts as the second factor here too, and is used up by it
    fresh = b.post("/account/2fa/recovery-codes", {"codes-password": "demo-portal-2026", "codes-code": codes[0]},
                   token_from="/account/2fa")
    assert fresh.status_code == 200
    new_codes = CODES_RE.findall(fresh.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    assert code_hashes(ADMIN) != before
    assert len(audit_actions("2fa.recovery_regenerated")) == 2
    b.logout()
    old = password_step(tfa, ADMIN)
    assert send_code(old, codes[1]).status_code == 401  # the old set no longer works


def test_reauthentication_is_required_to_set_up_a_new_authenticator(tfa):
    b = full_login(tfa, ADMIN)
    next_step()
    token = b.csrf("/account/2fa")
    start = {"password": "demo-portal-2026", "csrf_token": token}
    assert b.client.post("/account/2fa/start", data=start).status_code == 400  # the code is missing
    assert b.client.post("/account/2fa/start", data={**start, "code": "000000"}).status_code in (403, 400)
    assert "totp-secret" not in b.get("/account/2fa").get_data(as_text=True)
    assert b.client.post("/account/2fa/start", data={**start, "code": totp()}).status_code == 303
    secret = _enrol_page_secret(b)
    assert user_secret(ADMIN) == DEMO_TOTP_SECRET  # not replaced until confirmed
    assert b.client.post("/account/2fa", data={"code": totp(secret), "csrf_token": token}).status_code == 200
    assert user_secret(ADMIN) == secret


# --- administration, demo, configuration -----------------------------------------------------------------------


def test_sysadmin_resets_2fa_and_the_user_enrols_again(tfa):
    victim = full_login(tfa, ADMIN)
    next_step()
    new_recovery_codes(victim)
    admin_id = user(ADMIN).id
    sysadmin = full_login(tfa, SYSADMIN)
    detail = sysadmin.get(f"/admin/users/{admin_id}").get_data(as_text=True)
    assert f"/admin/users/{admin_id}/reset-2fa" in detail
    assert f"/admin/users/{admin_id}/reset-2fa" in sysadmin.get(f"/admin/users/{admin_id}/edit").get_data(as_text=True)
    response = sysadmin.post(f"/admin/users/{admin_id}/reset-2fa")
    assert response.status_code == 303
    assert user_secret(ADMIN) is None and code_hashes(ADMIN) == []
    assert victim.get("/").headers["Location"].startswith("/login")  # its sessions ended
    [event] = audit_actions("2fa.reset")
    assert event.actor_id == user(SYSADMIN).id and event.object_id == admin_id
    password_step(tfa, ADMIN, expect="/account/2fa")
    # not on oneself: that goes through the account page with password and code
    assert sysadmin.post(f"/admin/users/{user(SYSADMIN).id}/reset-2fa").status_code == 400


def test_school_admin_cannot_reset_2fa(tfa):
    b = full_login(tfa, ADMIN)
    target = user("teacher2@school1.demo").id
    assert b.post(f"/admin/users/{target}/reset-2fa").status_code == 403


def _assert_secret_nowhere_in_audit_or_logs(secrets_: list[str], caplog) -> None:
    with in_app():
        rows = db.session.execute(select(AuditEvent)).scalars().all()
        dumped = " ".join(str(getattr(r, c.key)) for r in rows for c in AuditEvent.__table__.columns)
    for secret in secrets_:
        for form in {secret, secret.replace("-", ""), secret.lower()}:
            assert form not in dumped
            assert form not in caplog.text


def test_secrets_never_reach_the_audit_table(tfa, caplog):
    caplog.set_level(logging.DEBUG)
    b = full_login(tfa, ADMIN)
    next_step()
    codes = new_recovery_codes(b)
    b.post("/account/2fa/recovery-codes", {"codes-password": "demo-portal-2026", "codes-code": codes[0]},
           token_from="/account/2fa")
    next_step()
    b.post("/account/2fa/start", {"password": "demo-portal-2026", "code": totp()}, token_from="/account/2fa")
    candidate = _enrol_page_secret(b)
    assert len(audit_actions()) > 5
    _assert_secret_nowhere_in_audit_or_logs([DEMO_TOTP_SECRET, candidate, *codes], caplog)


def test_demo_secret_is_on_the_login_page_in_demo_mode_only(tfa):
    client = tfa.test_client()
    assert DEMO_TOTP_SECRET in client.get("/login").get_data(as_text=True)
    b = password_step(tfa, ADMIN)
    assert DEMO_TOTP_SECRET in b.get("/login/otp").get_data(as_text=True)
    tfa.config["DEMO_MODE"] = False
    assert DEMO_TOTP_SECRET not in client.get("/login").get_data(as_text=True)


def test_demo_secret_is_not_shown_when_no_role_needs_2fa(app, client):
    assert DEMO_TOTP_SECRET not in client.get("/login").get_data(as_text=True)


@pytest.fixture
def empty_url(tmp_path):
    if conftest.PG_URL:
        admin = conftest._pg_admin()
        name = f"portal_tfa_{os.getpid()}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield conftest._pg_url_for(name)
        conftest._pg_drop(admin, name)
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'demo.sqlite'}"


def test_demo_load_enrols_the_2fa_roles_with_the_published_secret(empty_url):
    portal_migrate.upgrade(empty_url)
    app = create_app({**conftest.base_config(empty_url), "TWO_FACTOR_ROLES": ROLES_ON})
    result = app.test_cli_runner().invoke(args=["demo-load"])
    assert result.exit_code == 0, result.output
    assert DEMO_TOTP_SECRET in result.output
    with app.app_context():
        for role, secret in db.session.execute(select(User.role, User.totp_secret)):
            assert secret == (DEMO_TOTP_SECRET if role in ROLES_ON else None), role
        db.session.remove()
        db.engine.dispose()


def test_the_setting_reads_role_codes(monkeypatch):
    monkeypatch.delenv("PORTAL_2FA_ROLES", raising=False)
    assert from_environment(with_secret=False)["TWO_FACTOR_ROLES"] == ROLES_ON
    monkeypatch.setenv("PORTAL_2FA_ROLES", " sysadmin , teacher,")
    assert from_environment(with_secret=False)["TWO_FACTOR_ROLES"] == ("sysadmin", "teacher")
    monkeypatch.setenv("PORTAL_2FA_ROLES", "")
    assert from_environment(with_secret=False)["TWO_FACTOR_ROLES"] == ()
    monkeypatch.setenv("PORTAL_2FA_ROLES", "sysadmn")
    with pytest.raises(RuntimeError, match="sysadmn"):
        from_environment(with_secret=False)


def test_pending_rows_are_short_lived_and_a_new_login_ends_the_old_one(tfa):
    b = password_step(tfa, ADMIN)
    with in_app():
        first = db.session.scalar(select(UserSession).order_by(UserSession.id.desc()))
        assert first.stage == "otp" and first.expires_at <= clock.now() + timedelta(minutes=10)
    b.client.post("/login", data={"email": ADMIN, "password": "demo-portal-2026", "csrf_token": b.csrf("/login")})
    with in_app():
        assert db.session.get(UserSession, first.id).end_reason == "login_restarted"
    assert send_code(b, totp()).status_code == 303


def test_a_second_forced_enrolment_dies_once_the_first_one_enrolled(tfa):
    _remove_second_factor(ADMIN)
    first = password_step(tfa, ADMIN, expect="/account/2fa")
    second = password_step(tfa, ADMIN, expect="/account/2fa")
    secret = _enrol_page_secret(first)
    other_secret = _enrol_page_secret(second)
    token = second.csrf("/account/2fa")
    done = first.client.post("/account/2fa", data={"code": totp(secret), "csrf_token": first.csrf("/account/2fa")})
    assert done.status_code == 200
    late = second.client.post("/account/2fa", data={"code": totp(other_secret), "csrf_token": token})
    assert late.status_code == 401
    assert user_secret(ADMIN) == secret
