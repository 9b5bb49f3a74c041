"""Locale and timezone selection: the user's choice, then the browser's, then the default."""

from flask import current_app, request, session
from flask_babel import format_date, format_datetime
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["DEFAULT_LOCALE"]


def local_datetime(value):
    """Show a stored naive-UTC datetime in Asia/Almaty, in the user's language."""
    if value is None:
        return ""
    from datetime import UTC

    return format_datetime(value.replace(tzinfo=UTC), "short")


def local_date(value):
    """A date (or an ISO date string, as frozen in escalation snapshots) in the user's language."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        from datetime import date, datetime

        from portal.clock import to_local

        value = to_local(datetime.fromisoformat(value)).date() if "T" in value else date.fromisoformat(value)
    return format_date(value, "medium")
