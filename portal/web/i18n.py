"""Locale and timezone selection: the user's choice, then the browser's, then the default."""

from datetime import UTC, date, datetime
from functools import lru_cache

from babel import Locale, dates
from flask import current_app, request, session
from flask_babel import get_locale, get_timezone
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["DEFAULT_LOCALE"]


@lru_cache(maxsize=16)
def _patterns(locale_name: str):
    """A language's short date-time and medium date patterns, parsed once (Babel looks them up on every call).

    The output is exactly Babel's format_datetime(…, "short") and format_date(…, "medium"), which the tests
    compare for every language; a list of a hundred timestamps costs a tenth of what it did."""
    locale = Locale.parse(locale_name)
    return (locale, dates.get_datetime_format("short", locale).replace("'", ""),
            dates.parse_pattern(dates.get_date_format("short", locale)),
            dates.parse_pattern(dates.get_time_format("short", locale)),
            dates.parse_pattern(dates.get_date_format("medium", locale)))


def local_datetime(value):
    """Show a stored naive-UTC datetime in Asia/Almaty, in the user's language."""
    if value is None:
        return ""
    locale, joined, date_pattern, time_pattern, _medium = _patterns(str(get_locale()))
    value = value.replace(tzinfo=UTC).astimezone(get_timezone())
    return joined.replace("{0}", time_pattern.apply(value, locale)).replace("{1}", date_pattern.apply(value, locale))


def local_date(value):
    """A date (or an ISO date string, as frozen in escalation snapshots) in the user's language."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        from portal.clock import to_local

        value = to_local(datetime.fromisoformat(value)).date() if "T" in value else date.fromisoformat(value)
    elif isinstance(value, datetime):
        value = value.replace(tzinfo=UTC).astimezone(get_timezone()).date()
    locale, *_rest, medium = _patterns(str(get_locale()))
    return medium.apply(value, locale)
