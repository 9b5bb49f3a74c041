"""Server-side session rows: the cookie holds a random token, the row decides whether it is alive.

A row with a `stage` is a pending login (password right, second factor or enrolment still due): it makes nobody
the current user; the deny-by-default layer lets it reach only the views of its stage and logout."""

import hashlib
import secrets

from flask import current_app, g, request, session
from flask_login import current_user
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from portal.auth.models import User, UserSession
from portal.auth.two_factor import required_for
from portal.clock import now
from portal.db import built_once
from portal.extensions import db

SESSION_KEY = "sid"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, *, stage: str | None = None, next_path: str | None = None) -> UserSession:
    """Open a new session row and put a fresh token in a fresh cookie (no fixation).

    With a stage ("otp", "enrol") the row is a short-lived pending login, not a session yet."""
    token = secrets.token_urlsafe(32)
    current = now()
    lifetime = current_app.config["ABSOLUTE_TIMEOUT"]
    if stage is not None:
        lifetime = min(lifetime, current_app.config["TWO_FACTOR_PENDING_TIMEOUT"])
    row = UserSession(
        token_hash=_hash(token),
        user_id=user.id,
        created_at=current,
        last_seen_at=current,
        expires_at=current + lifetime,
        ip=request.remote_addr,
        user_agent=(request.user_agent.string or "")[:255],
        stage=stage,
        next_path=next_path if next_path and len(next_path) <= 500 else None,
    )
    db.session.add(row)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[SESSION_KEY] = token
    if stage is None:
        g.user_session = row
        g.pop("pending_session", None)
    else:
        g.pending_session = row
        g.pop("user_session", None)
    return row


def promote(row: UserSession) -> UserSession:
    """The second step is done: end the pending row and start a real session with a new token."""
    end(row, "second_factor_done")
    row.totp_candidate = None
    return start(row.user)


def pending(stage: str | None = None) -> UserSession | None:
    """The live pending login of this request (of the given stage), if any."""
    current_user._get_current_object()  # runs the request loader, which files a pending row under g
    row = g.get("pending_session")
    if row is None or (stage is not None and row.stage != stage):
        return None
    return row


def end(row: UserSession, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at = now()
        row.end_reason = reason


def end_all_for(user_id: int, reason: str) -> int:
    """End every live session of a user at once (disable, password reset, admin action)."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def idle_deadline(row: UserSession):
    return min(row.last_seen_at + current_app.config["IDLE_TIMEOUT"], row.expires_at)


def load_user_from_request(_request) -> User | None:
    """Flask-Login request loader: the user of a live session row, or nobody."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    # the session, its user, the user's school and the header's count of unread notifications in one query:
    # every page reads all four
    def build():
        from portal.notifications.services import unread_of

        return (select(UserSession, unread_of(UserSession.user_id))
                .options(joinedload(UserSession.user).joinedload(User.school))
                .where(UserSession.token_hash == bindparam("token_hash")))

    row, unread = db.session.execute(built_once("session_of_token", build),
                                     {"token_hash": _hash(token)}).one_or_none() or (None, None)
    if row is None or row.ended_at is not None:
        session.pop(SESSION_KEY, None)
        return None
    current = now()
    reason = None
    if current >= row.expires_at:
        reason = "absolute_timeout"
    elif current >= row.last_seen_at + current_app.config["IDLE_TIMEOUT"]:
        reason = "idle_timeout"
    elif not row.user.active:
        reason = "disabled"
    elif row.user.is_demo and not current_app.config.get("DEMO_MODE"):
        reason = "demo_off"
    elif row.stage == "enrol" and row.user.has_two_factor:
        reason = "enrolled_elsewhere"  # a forced enrolment must not replace a second factor set up meanwhile
    if reason:
        end(row, reason)
        db.session.commit()
        session.pop(SESSION_KEY, None)
        return None
    if row.stage is None and _second_factor_missing(row.user):
        # The role was put under 2FA, or an administrator reset it, while this session lived.
        row.stage = "enrol"
        db.session.commit()
    if row.stage is not None:
        g.pending_session = row
        return None
    g.user_session = row
    g.unread_notifications = (row.user_id, unread)
    if not _is_passive_request():
        touch_after = current_app.config["SESSION_TOUCH_SECONDS"]
        if (current - row.last_seen_at).total_seconds() >= touch_after:
            row.last_seen_at = current
            db.session.commit()
    return row.user


def _second_factor_missing(user: User) -> bool:
    return not user.has_two_factor and required_for(user)


def _is_passive_request() -> bool:
    if request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "_passive", False))
