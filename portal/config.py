"""Settings from the environment, with safe defaults."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _minutes(name: str, default: int) -> timedelta:
    """A number of minutes; fractions are accepted (the browser tests run with an idle limit of seconds)."""
    value = os.environ.get(name)
    if value in (None, ""):
        return timedelta(minutes=default)
    minutes = float(value)
    if not 0 < minutes < 100_000:  # also refuses nan and inf
        raise RuntimeError(f"{name}: expected a positive number of minutes, got {value!r}.")
    return timedelta(minutes=minutes)


DEFAULT_TWO_FACTOR_ROLES = "school_admin,regional_reviewer,sysadmin"


def _roles(name: str, default: str) -> tuple[str, ...]:
    """A comma-separated list of role codes; a misspelt code fails loudly rather than dropping 2FA silently."""
    from portal.auth.roles import ALL

    value = os.environ.get(name)
    codes = tuple(code.strip() for code in (default if value is None else value).split(",") if code.strip())
    unknown = [code for code in codes if code not in ALL]
    if unknown:
        raise RuntimeError(f"{name}: unknown role codes {', '.join(unknown)} (known: {', '.join(ALL)}).")
    return codes


def _secret_key(demo: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not demo:
        raise RuntimeError("SECRET_KEY must be set outside demo mode (PORTAL_DEMO=1).")
    # Demo installs keep a generated key in instance/ so restarts do not log everyone out.
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(with_secret: bool = True) -> dict:
    """Build the configuration mapping from environment variables."""
    demo = _flag("PORTAL_DEMO")
    insecure_cookies = _flag("PORTAL_INSECURE_COOKIES")
    settings = {
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite'}"
        ),
        "DEMO_MODE": demo,
        "SESSION_COOKIE_NAME": "portal_session" if insecure_cookies else "__Host-portal_session",
        "SESSION_COOKIE_SECURE": not insecure_cookies,
        "IDLE_TIMEOUT": _minutes("PORTAL_IDLE_MINUTES", 15),
        "ABSOLUTE_TIMEOUT": timedelta(hours=_int("PORTAL_ABSOLUTE_HOURS", 10)),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_LIMIT_PER_IP": os.environ.get("PORTAL_LOGIN_LIMIT_PER_IP", "60 per minute"),
        "LOGIN_LIMIT_GLOBAL": os.environ.get("PORTAL_LOGIN_LIMIT_GLOBAL", "600 per minute"),
        "DEFAULT_LOCALE": os.environ.get("PORTAL_DEFAULT_LOCALE", "ru"),
        "PROXY_HOPS": _int("PORTAL_PROXY_HOPS", 0),
        "CONCERN_ACK_URGENT_HOURS": _int("PORTAL_CONCERN_ACK_URGENT_HOURS", 2),
        "CONCERN_ACK_SCHOOL_DAYS": _int("PORTAL_CONCERN_ACK_SCHOOL_DAYS", 2),
        "SCHOOL_WEEK_DAYS": _int("PORTAL_SCHOOL_WEEK_DAYS", 5),
        "PATTERN_MIN_CONCERNS": _int("PORTAL_PATTERN_MIN_CONCERNS", 3),
        "PATTERN_MIN_REPORTERS": _int("PORTAL_PATTERN_MIN_REPORTERS", 2),
        "PATTERN_WINDOW_DAYS": _int("PORTAL_PATTERN_WINDOW_DAYS", 30),
        "PLAN_REVIEW_WEEKS": _int("PORTAL_PLAN_REVIEW_WEEKS", 6),
        "ESCALATION_URGENT_HOURS": _int("PORTAL_ESCALATION_URGENT_HOURS", 24),
        "ESCALATION_WORKING_DAYS": _int("PORTAL_ESCALATION_WORKING_DAYS", 5),
        "NOTIFICATION_POLL_SECONDS": _int("PORTAL_NOTIFICATION_POLL_SECONDS", 60),
        "TWO_FACTOR_ROLES": _roles("PORTAL_2FA_ROLES", DEFAULT_TWO_FACTOR_ROLES),
    }
    if with_secret:
        settings["SECRET_KEY"] = _secret_key(demo)
    return settings


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_PATH": "/",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_HEADERS": ["X-CSRFToken"],
    "BABEL_DEFAULT_TIMEZONE": "Asia/Almaty",
    "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
    "LANGUAGES": ("kk", "ru", "en"),
    "RATELIMIT_HEADERS_ENABLED": False,
    "RATELIMIT_STRATEGY": "moving-window",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "PAGE_SIZE": 25,
    "LOGIN_DELAY_AFTER": 5,
    "LOGIN_LOCK_AFTER": 10,
    "LOGIN_LOCK_MINUTES": 15,
    "SESSION_TOUCH_SECONDS": 15,
    "ARGON2_PARAMS": {},
    # How long the step between a right password and the second factor (or a forced enrolment) may take.
    "TWO_FACTOR_PENDING_TIMEOUT": timedelta(minutes=10),
    "TWO_FACTOR_ISSUER": "Pedagogical support portal",
}
