"""argon2id hashing and the password policy of SECURITY.md."""

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

from portal.web.i18n import gettext as _

# the published demo password (PRODUCT.md §7); refused outside demo mode
DEMO_PASSWORD = "demo-portal-2026"  # nosec B105
MIN_LENGTH = 10
MAX_LENGTH = 128


def hasher() -> PasswordHasher:
    params = current_app.config.get("ARGON2_PARAMS") or {}
    return PasswordHasher(**params)  # argon2-cffi's defaults are argon2id, RFC 9106 low-memory


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash(params: tuple) -> str:
    return PasswordHasher(**dict(params)).hash("not-a-real-password-0000")


def burn_verification(password: str) -> None:
    """Spend the same work as a real check, so an unknown e-mail answers as slowly as a known one."""
    params = tuple(sorted((current_app.config.get("ARGON2_PARAMS") or {}).items()))
    verify_password(_dummy_hash(params), password)


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().casefold() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("The password must be at least %(n)d characters long.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("The password must be at most %(n)d characters long.", n=MAX_LENGTH)
    folded = password.casefold()
    if folded == DEMO_PASSWORD and not current_app.config.get("DEMO_MODE"):
        return _("This password is publicly known; choose another one.")
    if folded in common_passwords():
        return _("This password is too common; choose another one.")
    if email and folded == email.casefold():
        return _("The password must not be the same as the e-mail address.")
    return None
