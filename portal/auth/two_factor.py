"""TOTP second factor: secrets, codes accepted once, single-use recovery codes, and the QR code drawn here."""

import base64
import hashlib
import re
import secrets
from datetime import UTC

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from pyotp.exceptions import OTPVerificationError
from sqlalchemy import delete, func, or_, select, update

from portal.auth.models import RecoveryCode, User
from portal.clock import now
from portal.extensions import db

# the published demo secret (PRODUCT.md §7); demo accounts exist only in demo mode
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # nosec B105
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
VALID_WINDOW = 1  # one 30-second step either side, for phones whose clock drifts a little

TOTP_RE = re.compile(r"[0-9]{6}")  # ASCII digits only (\d also matches other scripts' digits)
RECOVERY_RE = re.compile(rf"[A-Z2-7]{{{RECOVERY_CODE_LENGTH}}}")
_SEPARATORS = re.compile(r"[\s\-]")


class _DemoTOTP(pyotp.TOTP):
    # PRODUCT.md §7 fixes the demo secret at 80 bits, below pyotp's 112-bit floor; it is published anyway and its
    # accounts log in only in demo mode. Every secret the portal generates has 160 bits.
    min_secret_length_bits = 80


def _totp(secret: str) -> pyotp.TOTP:
    return _DemoTOTP(secret) if secret == DEMO_TOTP_SECRET else pyotp.TOTP(secret)


def required_for(user: User) -> bool:
    """Whether the user's role must use a second factor (the PORTAL_2FA_ROLES setting)."""
    return user.role in current_app.config.get("TWO_FACTOR_ROLES", ())


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits from `secrets`


def grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i:i + size] for i in range(0, len(text), size))


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config["TWO_FACTOR_ISSUER"]
    return _totp(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """The otpauth URI as inline SVG markup drawn by the portal: no external service, no style attributes."""
    code = segno.make(uri, error="m")
    # segno draws only geometry and presentation attributes (fill, stroke) from the encoded bytes; no text of
    # the URI ends up in the markup, so it is safe to embed as is.
    return Markup(code.svg_inline(scale=5, border=4, light="#fff", dark="#000", svgclass="qr", lineclass=None))  # nosec B704


def _aware_now():
    return now().replace(tzinfo=UTC)  # pyotp reads a naive datetime as local time


def matching_step(secret: str, code: str) -> int | None:
    """The time step a 6-digit code belongs to (the portal clock's now ± VALID_WINDOW), or None."""
    if not TOTP_RE.fullmatch(code):
        return None
    try:
        return _totp(secret).verify_and_get_timecode(code, for_time=_aware_now(), valid_window=VALID_WINDOW)
    except OTPVerificationError:
        return None


def claim_step(user_id: int, step: int) -> bool:
    """Record `step` as the last one accepted, only if it is later than the last: a code is accepted once.

    A conditional UPDATE, so two requests with the same code cannot both succeed, whatever their timing."""
    result = db.session.execute(
        update(User)
        .where(User.id == user_id, User.totp_secret.is_not(None),
               or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def normalise_code(raw: str) -> str:
    return _SEPARATORS.sub("", raw or "").upper()


def code_kind(raw: str) -> str | None:
    """"totp", "recovery", or None for something that is neither shape."""
    code = normalise_code(raw)
    if TOTP_RE.fullmatch(code):
        return "totp"
    if RECOVERY_RE.fullmatch(code):
        return "recovery"
    return None


def _recovery_hash(user_id: int, code: str) -> str:
    # The codes carry 50 random bits each, so a fast hash is enough; the user id keeps equal codes of two
    # accounts apart.
    return hashlib.sha256(f"{user_id}:{normalise_code(code)}".encode()).hexdigest()


def _random_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode()[:RECOVERY_CODE_LENGTH]
    return f"{raw[:5]}-{raw[5:]}"


def replace_recovery_codes(user: User) -> list[str]:
    """Drop the user's recovery codes and make ten new ones; the plain codes exist only in the return value."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = _random_recovery_code()
        if code not in codes:
            codes.append(code)
    current = now()
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user.id, code), created_at=current) for code in codes
    )
    return codes


def redeem_recovery_code(user_id: int, raw: str) -> bool:
    """Use up one recovery code: a conditional UPDATE, so a code is redeemed once even by parallel requests."""
    if not RECOVERY_RE.fullmatch(normalise_code(raw)):
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.code_hash == _recovery_hash(user_id, raw),
               RecoveryCode.used_at.is_(None))
        .values(used_at=now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def recovery_codes_left(user_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )


def clear(user: User) -> None:
    """Remove the second factor and its recovery codes (disable, or an administrator's reset)."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
