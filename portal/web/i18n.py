"""Locale and timezone selection (the user's choice, then the browser's, then the default), the request's message
catalog, and dates in the user's language."""

import re
from datetime import UTC, date, datetime
from functools import lru_cache

import flask_babel
from babel import Locale, dates, support
from flask import current_app, g, request, session
from flask_babel import get_locale, get_timezone
from flask_babel.speaklater import LazyString
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["DEFAULT_LOCALE"]


def translations():
    """The request's message catalog (what Flask-Babel's get_translations() gives), found once per request.

    Flask-Babel finds it again on every call (the request's context, its locale, the locale's name, a cache lookup:
    six microseconds), and a page makes a hundred or more calls. It is kept where Flask-Babel keeps per-request
    language state, under the name its refresh() and force_locale() clear when the language changes mid-request."""
    try:
        namespace = g._get_current_object().__dict__.get("_flask_babel")
    except RuntimeError:  # no application context: Flask-Babel gives the untranslated catalog
        return support.NullTranslations()
    found = getattr(namespace, "babel_translations", None)
    if found is None:
        found = flask_babel.get_translations()
        flask_babel._get_current_context().babel_translations = found
    return found


def gettext(string, **variables):
    """Flask-Babel's gettext, through the request's catalog found once."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string, **variables):
    """Translated when shown, in the language of the request that shows it (labels, choices, form messages)."""
    return LazyString(gettext, string, **variables)


def install_gettext(jinja_env) -> None:
    """The templates' _(), gettext and ngettext, as Flask-Babel installs them, through the request's catalog."""
    jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


_NUMERIC = {
    "d": lambda v: str(v.day), "dd": lambda v: f"{v.day:02d}", "M": lambda v: str(v.month),
    "MM": lambda v: f"{v.month:02d}", "y": lambda v: str(v.year), "yy": lambda v: f"{v.year % 100:02d}",
    "H": lambda v: str(v.hour), "HH": lambda v: f"{v.hour:02d}", "h": lambda v: str(v.hour % 12 or 12),
    "mm": lambda v: f"{v.minute:02d}",
}
_FIELD = re.compile(r"%\((\w+)\)s")


def _formatter(pattern, locale):
    """A function giving what pattern.apply(value, locale) gives: plain arithmetic where every field of the
    pattern is a number (day, month, year, hour, minute), Babel's own formatting otherwise (month names)."""
    fields = set(_FIELD.findall(pattern.format))
    if not fields <= set(_NUMERIC):
        return lambda value: pattern.apply(value, locale)
    template = pattern.format
    return lambda value: template % {name: _NUMERIC[name](value) for name in fields}


@lru_cache(maxsize=16)
def _patterns(locale_name: str):
    """A language's short date-time and medium date patterns, parsed once (Babel looks them up on every call).

    The output is exactly Babel's format_datetime(…, "short") and format_date(…, "medium"), which the tests
    compare for every language; a list of a hundred timestamps costs a tenth of what it did."""
    locale = Locale.parse(locale_name)
    joined = dates.get_datetime_format("short", locale).replace("'", "")
    date_short = _formatter(dates.parse_pattern(dates.get_date_format("short", locale)), locale)
    time_short = _formatter(dates.parse_pattern(dates.get_time_format("short", locale)), locale)
    medium = _formatter(dates.parse_pattern(dates.get_date_format("medium", locale)), locale)
    return joined, date_short, time_short, medium


def _request_patterns():
    """This request's patterns and time zone (read once per request)."""
    found = g.get("_portal_dates")
    if found is None:
        found = g._portal_dates = (_patterns(str(get_locale())), get_timezone())
    return found


def local_datetime(value):
    """Show a stored naive-UTC datetime in Asia/Almaty, in the user's language."""
    if value is None:
        return ""
    (joined, date_short, time_short, _medium), zone = _request_patterns()
    value = value.replace(tzinfo=UTC).astimezone(zone)
    return joined.replace("{0}", time_short(value)).replace("{1}", date_short(value))


def local_date(value):
    """A date (or an ISO date string, as frozen in escalation snapshots) in the user's language."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        from portal.clock import to_local

        value = to_local(datetime.fromisoformat(value)).date() if "T" in value else date.fromisoformat(value)
    (*_short, medium), zone = _request_patterns()
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC).astimezone(zone).date()
    return medium(value)
