"""Logging in and out, and changing one's own password; each step is audited."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.audit.services import record
from portal.auth import sessions, throttle
from portal.auth.models import User, UserSession
from portal.auth.passwords import burn_verification, hash_password, needs_rehash, verify_password
from portal.extensions import db


class LoginRefused(Exception):
    def __init__(self, message: str, retry_at=None):
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str, *, demo_mode: bool) -> User:
    """Return the user for good credentials or raise LoginRefused with one message for every failure."""
    retry_at = throttle.blocked_until(email)
    if retry_at is not None:
        record("login.throttled", outcome="denied")
        raise LoginRefused(_("Too many failed attempts. Try again later."), retry_at)
    user = find_by_email(email)
    if user is None:
        burn_verification(password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password)
    usable = ok and user.active and (demo_mode or not user.is_demo)
    if not usable:
        throttle.register_failure(email)
        record("login.fail", actor=user, outcome="denied", object_type="user", object_id=user.id if user else None)
        raise LoginRefused(_("Wrong e-mail or password."))
    throttle.register_success(email)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    sessions.start(user)
    record("login.ok", actor=user, object_type="user", object_id=user.id)
    return user


def logout(user: User, row) -> None:
    if row is not None:
        sessions.end(row, "logout")
    record("logout", actor=user, object_type="user", object_id=user.id)


def change_password(user: User, new_password: str, keep_session) -> None:
    """Set a new password and end every other session of this user."""
    user.password_hash = hash_password(new_password)
    db.session.flush()
    others = db.session.scalars(
        select(UserSession).where(
            UserSession.user_id == user.id, UserSession.ended_at.is_(None), UserSession.id != keep_session.id
        )
    )
    for row in others:
        sessions.end(row, "password_change")
    record("user.password_change", actor=user, object_type="user", object_id=user.id, fields=["password"])
