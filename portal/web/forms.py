"""The base form: every text field is checked for characters a database or a reader cannot take."""

import re
from functools import lru_cache

import wtforms
from babel import support
from flask import Request, current_app
from flask_babel import get_locale
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.formparser import FormDataParser
from wtforms import Field, widgets
from wtforms.i18n import messages_path

from portal.web.i18n import lazy_gettext as _l

# Control characters, lone surrogates, and U+FFFD: the replacement character Werkzeug puts where the request
# carried bytes that are not UTF-8 (nobody types it; it means the input was not valid Unicode).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffd]")


@lru_cache(maxsize=16)
def _wtforms_catalog(locale: str):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class WTFormsMessages:
    """WTForms' own messages ("Not a valid choice.", field names it makes up) in the request's language.

    Flask-WTF gives the same, but reads and parses WTForms' catalog file again on every request that builds a form:
    a twentieth of a case page's time. Here each language's catalog is parsed once per process."""

    def gettext(self, string):
        locale = get_locale()
        return string if locale is None else _wtforms_catalog(str(locale)).ugettext(string)

    def ngettext(self, singular, plural, n):
        locale = get_locale()
        if locale is None:
            return singular if n == 1 else plural
        return _wtforms_catalog(str(locale)).ungettext(singular, plural, n)


_WTFORMS_MESSAGES = WTFormsMessages()


class SafeForm(FlaskForm):
    """FlaskForm that refuses NUL bytes, control characters and lone surrogates in any text."""

    class Meta:
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _WTFORMS_MESSAGES

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


class Select(widgets.Select):
    """WTForms' select, markup for markup, with each plain option written directly.

    WTForms builds every option through html_params() (sorting, cleaning and escaping its attributes one by one),
    after inspecting render_option's signature: a team's staff list of thirty options cost a tenth of the case
    page. Options with extra attributes, and groups, are left to WTForms."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = choice.value
        if isinstance(value, bool):
            value = str(value)
        # Markup's % escapes the value and the label
        if choice.selected:
            return Markup('<option selected value="%s">%s</option>') % (value, choice.label or choice.value)
        return Markup('<option value="%s">%s</option>') % (value, choice.label or choice.value)

    @classmethod
    def _dispatch_render_option(cls):
        # WTForms inspects render_option's signature on every render, for overrides of its pre-3.3 signature
        return cls.render_option


class SelectField(wtforms.SelectField):
    widget = Select()


def strip(value):
    return value.strip() if isinstance(value, str) else value


class EmptyForm(SafeForm):
    """CSRF-only form for POST buttons."""


class CsrfOnly:
    """What the layout's buttons (language, logout, plain POST buttons) need of a form: its CSRF field, rendered
    exactly as EmptyForm renders it, without building two WTForms objects for every page."""

    @property
    def csrf_token(self):
        from flask_wtf.csrf import generate_csrf

        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return ""
        return Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="%s">') % generate_csrf()


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


class StrictFormDataParser(FormDataParser):
    """Form bodies must be valid UTF-8: Werkzeug would otherwise keep undecodable bytes as "%ED%A0…" text."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        from urllib.parse import parse_qsl

        from werkzeug.exceptions import BadRequest

        try:
            items = parse_qsl(stream.read().decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError as error:
            raise BadRequest("The form was not valid Unicode (UTF-8).") from error
        return stream, self.cls(items), self.cls()


class PortalRequest(Request):
    form_data_parser_class = StrictFormDataParser
