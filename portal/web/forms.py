"""The base form: every text field is checked for characters a database or a reader cannot take."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field

_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class SafeForm(FlaskForm):
    """FlaskForm that refuses NUL bytes, control characters and lone surrogates in any text."""

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            if _has_forbidden(field):
                field.errors = [*field.errors, _l("Contains characters that are not allowed.")]
                ok = False
        return ok


def _has_forbidden(field: Field) -> bool:
    raw = getattr(field, "raw_data", None) or []
    return any(isinstance(v, str) and _FORBIDDEN.search(v) for v in raw)


def strip(value):
    return value.strip() if isinstance(value, str) else value


class EmptyForm(SafeForm):
    """CSRF-only form for POST buttons."""


def query_text(name: str, limit: int = 100) -> str:
    """A search parameter from the URL, cut to length; characters no database can store answer 400."""
    from flask import abort, request

    value = request.args.get(name, "")[:limit]
    if _FORBIDDEN.search(value):
        abort(400)
    return value


def version_number(raw) -> int:
    """The hidden lock-version field of a form: a positive 32-bit integer, or 400.

    Beyond the column's range the database itself fails (SQLite raises OverflowError), so the range is checked here.
    """
    from flask import abort

    try:
        number = int(raw)
    except (TypeError, ValueError):
        abort(400)
    if not 0 <= number < 2**31:
        abort(400)
    return number
