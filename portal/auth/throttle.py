"""Login throttling keyed on the submitted e-mail: a growing delay, then a lock."""

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from portal.auth.models import LoginThrottle
from portal.clock import now
from portal.extensions import db


def key_for(email: str) -> str:
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()


def _row(email: str) -> LoginThrottle | None:
    return db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == key_for(email)))


def blocked_until(email: str) -> datetime | None:
    """When the next attempt for this e-mail is allowed, if not now."""
    row = _row(email)
    if row is None or row.last_failure_at is None:
        return None
    current = now()
    if row.locked_until and row.locked_until > current:
        return row.locked_until
    delay_after = current_app.config["LOGIN_DELAY_AFTER"]
    if row.failures >= delay_after and not row.locked_until:
        wait = timedelta(seconds=2 ** (row.failures - delay_after))
        if row.last_failure_at + wait > current:
            return row.last_failure_at + wait
    return None


def register_failure(email: str) -> None:
    row = _row(email)
    current = now()
    if row is None:
        row = LoginThrottle(key=key_for(email), failures=0)
        db.session.add(row)
    if row.locked_until and row.locked_until <= current:
        row.failures = 0
        row.locked_until = None
    row.failures += 1
    row.last_failure_at = current
    if row.failures >= current_app.config["LOGIN_LOCK_AFTER"]:
        row.locked_until = current + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def register_success(email: str) -> None:
    row = _row(email)
    if row is not None:
        db.session.delete(row)
