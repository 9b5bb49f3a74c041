"""Logging in and out, the second factor, and changing one's own password; each step is audited."""

from sqlalchemy import func, select, update

from portal.audit.services import record
from portal.auth import sessions, throttle, two_factor
from portal.auth.models import User, UserSession
from portal.auth.passwords import burn_verification, hash_password, needs_rehash, verify_password
from portal.clock import now
from portal.extensions import db
from portal.web.i18n import gettext as _


class LoginRefused(Exception):
    def __init__(self, message: str, retry_at=None):
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


class ReauthRefused(Exception):
    """The password or code given to confirm a change of the second factor was wrong (or attempts are locked)."""

    def __init__(self, field: str, message: str, status: int):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def authenticate(email: str, password: str, *, demo_mode: bool, next_path: str | None = None) -> UserSession:
    """Check e-mail and password; raise LoginRefused with one message for every failure.

    Returns the new session row: a full session, or a pending one when a second factor (stage "otp") or a
    forced enrolment (stage "enrol") is still due."""
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
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.has_two_factor:
        # The failure count stays until the code is right: a known password must not buy fresh code guesses.
        row = sessions.start(user, stage="otp", next_path=next_path)
        record("login.password_ok", actor=user, object_type="user", object_id=user.id, fields=["otp"])
        return row
    throttle.register_success(email)
    if two_factor.required_for(user):
        row = sessions.start(user, stage="enrol", next_path=next_path)
        row.totp_candidate = two_factor.new_secret()
        record("login.password_ok", actor=user, object_type="user", object_id=user.id, fields=["enrol"])
        return row
    row = sessions.start(user)
    record("login.ok", actor=user, object_type="user", object_id=user.id)
    return row


def _check_code(user: User, raw_code: str) -> str | None:
    """Accept a current TOTP code (each time step once) or an unused recovery code (once): "totp",
    "recovery", or None. Both are claimed by conditional UPDATEs, so parallel requests succeed at most once."""
    if not user.has_two_factor:
        return None
    kind = two_factor.code_kind(raw_code)
    code = two_factor.normalise_code(raw_code)
    if kind == "totp":
        step = two_factor.matching_step(user.totp_secret, code)
        if step is not None and two_factor.claim_step(user.id, step):
            return "totp"
    elif kind == "recovery" and two_factor.redeem_recovery_code(user.id, code):
        record("2fa.recovery_used", actor=user, object_type="user", object_id=user.id)
        return "recovery"
    return None


def complete_login(row: UserSession, raw_code: str) -> tuple[UserSession, str | None]:
    """The second step: a right code turns the pending row into a real session (new token).

    Wrong codes count toward the same per-account throttle as wrong passwords."""
    user = row.user
    retry_at = throttle.blocked_until(user.email)
    if retry_at is not None:
        record("login.throttled", actor=user, outcome="denied", object_type="user", object_id=user.id)
        raise LoginRefused(_("Too many failed attempts. Try again later."), retry_at)
    method = _check_code(user, raw_code)
    if method is None:
        throttle.register_failure(user.email)
        record("login.otp_fail", actor=user, outcome="denied", object_type="user", object_id=user.id)
        raise LoginRefused(_("The code is wrong or has already been used."))
    throttle.register_success(user.email)
    record("login.otp_ok", actor=user, object_type="user", object_id=user.id, fields=[method])
    next_path = row.next_path
    new_row = sessions.promote(row)
    record("login.ok", actor=user, object_type="user", object_id=user.id)
    return new_row, next_path


def reauthenticate(user: User, password: str, raw_code: str | None, *, require_code: bool = True) -> None:
    """Before the second factor changes: the current password and a current code (or a recovery code)."""
    retry_at = throttle.blocked_until(user.email)
    if retry_at is not None:
        record("login.throttled", actor=user, outcome="denied", object_type="user", object_id=user.id)
        raise ReauthRefused("password", _("Too many failed attempts. Try again later."), 429)
    if not verify_password(user.password_hash, password or ""):
        throttle.register_failure(user.email)
        record("2fa.reauth_fail", actor=user, outcome="denied", object_type="user", object_id=user.id,
               fields=["password"])
        raise ReauthRefused("password", _("The current password is wrong."), 403)
    if require_code and _check_code(user, raw_code or "") is None:
        throttle.register_failure(user.email)
        record("2fa.reauth_fail", actor=user, outcome="denied", object_type="user", object_id=user.id,
               fields=["code"])
        raise ReauthRefused("code", _("The code is wrong or has already been used."), 403)


def begin_enrolment(user: User, row: UserSession, password: str, raw_code: str | None) -> None:
    """Offer a new secret on this session; replacing an existing one needs a current code as well."""
    reauthenticate(user, password, raw_code, require_code=user.has_two_factor)
    row.totp_candidate = two_factor.new_secret()


def confirm_enrolment(user: User, row: UserSession, raw_code: str) -> list[str] | None:
    """A code from the offered secret makes it the account's second factor; returns the new recovery codes
    (shown once), or None when the code does not match. A pending enrolment becomes a real session."""
    secret = row.totp_candidate
    if not secret:
        return None
    step = two_factor.matching_step(secret, two_factor.normalise_code(raw_code))
    if step is None:
        return None
    claimed = db.session.execute(
        update(UserSession)
        .where(UserSession.id == row.id, UserSession.totp_candidate == secret)
        .values(totp_candidate=None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # a double-submitted form: the first one enrolled
        return None
    row.totp_candidate = None
    user.totp_secret = secret
    user.totp_enrolled_at = now()
    user.totp_last_step = step
    codes = two_factor.replace_recovery_codes(user)
    record("2fa.enrol", actor=user, object_type="user", object_id=user.id,
           fields=["totp_secret", "recovery_codes"])
    if row.pending:
        throttle.register_success(user.email)
        sessions.promote(row)
        record("login.ok", actor=user, object_type="user", object_id=user.id)
    else:
        _end_other_sessions(user, row, "2fa_changed")
    return codes


def regenerate_recovery_codes(user: User, password: str, raw_code: str) -> list[str]:
    reauthenticate(user, password, raw_code)
    codes = two_factor.replace_recovery_codes(user)
    record("2fa.recovery_regenerated", actor=user, object_type="user", object_id=user.id,
           fields=["recovery_codes"])
    return codes


def disable_two_factor(user: User, row: UserSession, password: str, raw_code: str) -> None:
    """Turn the second factor off (only where the role does not require it); other sessions end."""
    reauthenticate(user, password, raw_code)
    two_factor.clear(user)
    record("2fa.disable", actor=user, object_type="user", object_id=user.id,
           fields=["totp_secret", "recovery_codes"])
    _end_other_sessions(user, row, "2fa_changed")


def reset_two_factor(actor: User, user: User) -> None:
    """An administrator's reset (a lost phone): no secret, no recovery codes, every session ended; the user
    enrols again at the next login where the role requires it."""
    two_factor.clear(user)
    sessions.end_all_for(user.id, "2fa_reset")
    record("2fa.reset", actor=actor, object_type="user", object_id=user.id, school_id=user.school_id,
           fields=["totp_secret", "recovery_codes"])


def _end_other_sessions(user: User, keep: UserSession, reason: str) -> None:
    others = db.session.scalars(
        select(UserSession).where(
            UserSession.user_id == user.id, UserSession.ended_at.is_(None), UserSession.id != keep.id
        )
    )
    for other in others:
        sessions.end(other, reason)


def logout(user: User | None, row) -> None:
    if row is not None:
        sessions.end(row, "logout")
    if user is not None:
        record("logout", actor=user, object_type="user", object_id=user.id)


def change_password(user: User, new_password: str, keep_session) -> None:
    """Set a new password and end every other session of this user."""
    user.password_hash = hash_password(new_password)
    db.session.flush()
    _end_other_sessions(user, keep_session, "password_change")
    record("user.password_change", actor=user, object_type="user", object_id=user.id, fields=["password"])
