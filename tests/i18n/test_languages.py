"""Three languages: chosen by the user and remembered, first guessed from the browser, default Russian."""

from datetime import UTC
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import user

ROOT = Path(__file__).resolve().parents[2]


def test_default_language_is_russian(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert "Войти" in html


@pytest.mark.parametrize("header,lang,word", [
    ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk", "Кіру"),
    ("en-US,en;q=0.9", "en", "Log in"),
    ("de-DE,de;q=0.9", "ru", "Войти"),
])
def test_first_guess_comes_from_the_browser(client, header, lang, word):
    html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert word in html


def test_anonymous_switch_is_kept_in_the_session(browser):
    token = browser.csrf("/login")
    response = browser.client.post("/language", data={"lang": "kk", "next": "/login", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert '<html lang="kk">' in browser.get("/login").get_data(as_text=True)


def test_switch_is_remembered_on_the_account(app, login_as):
    from tests.conftest import Browser

    teacher = login_as("teacher@school1.demo")
    teacher.post("/language", data={"lang": "en", "next": "/"})
    assert user("teacher@school1.demo").locale == "en"
    teacher.logout()
    # another computer, a Russian browser: the account's choice wins after login
    other = Browser(app, app.test_client())
    other.login("teacher@school1.demo")
    html = other.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "My class" in html


def test_language_switch_ignores_foreign_next(login_as):
    teacher = login_as("teacher@school1.demo")
    response = teacher.post("/language", data={"lang": "kk", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_unknown_language_is_ignored(login_as):
    teacher = login_as("teacher@school1.demo")
    response = teacher.post("/language", data={"lang": "de", "next": "/"})
    assert response.status_code == 303
    assert user("teacher@school1.demo").locale is None


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_catalog_is_complete(lang):
    """Every extracted string has a translation: nothing empty, nothing fuzzy."""
    template = read_po((ROOT / "translations" / "messages.pot").open("rb"))
    catalog = read_po((ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb"))
    missing, fuzzy = [], []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id)
        if entry is None:
            missing.append(message.id)
            continue
        strings = entry.string if isinstance(entry.string, (list, tuple)) else [entry.string]
        if not all(strings):
            missing.append(message.id)
        if entry.fuzzy:
            fuzzy.append(message.id)
    assert not missing, f"{lang}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{lang}: fuzzy entries {fuzzy[:5]}"


def test_kazakh_is_not_a_copy_of_english():
    catalog = read_po((ROOT / "translations" / "kk" / "LC_MESSAGES" / "messages.po").open("rb"))
    entries = [m for m in catalog if m.id and isinstance(m.id, str) and len(m.id) > 12]
    same = [m.id for m in entries if m.string == m.id]
    assert len(same) <= len(entries) // 20, f"Kazakh strings identical to English: {same[:10]}"


def test_times_are_shown_in_almaty_time(app):
    from datetime import datetime

    from flask_babel import force_locale

    from portal.web.i18n import local_datetime

    with app.test_request_context(), force_locale("ru"):
        shown = local_datetime(datetime(2026, 3, 2, 4, 30))
    assert "09:30" in shown


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_dates_read_as_babel_writes_them_in_every_language(app, lang):
    """The portal's own date formatting (patterns parsed once) says exactly what Babel's would, across midnight
    in Almaty, old summer-time dates, the turn of the year and a leap day; datetimes given to local_date are
    shown on their Almaty day."""
    from datetime import date, datetime, timedelta

    from flask_babel import force_locale, format_date, format_datetime

    from portal.web.i18n import local_date, local_datetime

    moments = [datetime(2026, 11, 25, 18, 59), datetime(2026, 11, 25, 19, 0), datetime(1999, 7, 1, 20, 30),
               datetime(2024, 2, 29, 0, 5), datetime(2025, 12, 31, 23, 59, 59)]
    moments += [datetime(2026, 1, 1) + timedelta(days=37 * n, minutes=611 * n) for n in range(12)]
    days = [m.date() for m in moments] + [date(2026, m, 1) for m in range(1, 13)]
    with app.test_request_context(), force_locale(lang):
        for moment in moments:
            assert local_datetime(moment) == format_datetime(moment.replace(tzinfo=UTC), "short")
            assert local_date(moment) == format_date(moment.replace(tzinfo=UTC), "medium")
        for day in days:
            assert local_date(day) == format_date(day, "medium")
            assert local_date(day.isoformat()) == format_date(day, "medium")
        assert local_date(datetime(2026, 11, 25, 19, 30)) == format_date(date(2026, 11, 26), "medium")
        assert local_datetime(None) == local_date(None) == local_date("") == ""


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_request_catalog_says_what_flask_babel_says(app, lang):
    """The portal finds the request's catalog once per request; every message of the catalog must read exactly as
    Flask-Babel's own gettext gives it, in Python, lazily and in templates."""
    import flask_babel
    from flask import render_template_string

    from portal.web.i18n import gettext, lazy_gettext

    with (ROOT / f"translations/{lang}/LC_MESSAGES/messages.po").open("rb") as f:
        ids = [m.id for m in read_po(f) if m.id and isinstance(m.id, str) and "%" not in m.id]
    assert len(ids) > 300
    with app.test_request_context(headers={"Accept-Language": lang}):
        for msgid in ids:
            assert gettext(msgid) == flask_babel.gettext(msgid) == str(lazy_gettext(msgid))
        assert gettext("Concern #%(id)d submitted", id=7) == flask_babel.gettext("Concern #%(id)d submitted", id=7)
        assert render_template_string("{{ _('Support case') }}") == flask_babel.gettext("Support case")
        many = render_template_string("{{ ngettext('%(num)d school', '%(num)d schools', 5) }}")
        assert many == flask_babel.ngettext("%(num)d school", "%(num)d schools", 5)


def test_the_request_catalog_follows_a_language_change_mid_request(app):
    """A language forced or refreshed during a request (Flask-Babel's force_locale, refresh) changes what is
    said from then on, in Python, in lazy strings and in templates; outside a request the text is untranslated."""
    from flask import render_template_string
    from flask_babel import force_locale

    from portal.web.i18n import gettext, lazy_gettext

    label = lazy_gettext("Support case")
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert gettext("Support case") == str(label) == "Случай педагогического сопровождения"
        with force_locale("kk"):
            assert gettext("Support case") == str(label) == render_template_string("{{ _('Support case') }}")
            assert gettext("Support case") == "Педагогикалық сүйемелдеу ісі"
        assert render_template_string("{{ _('Support case') }}") == str(label) == "Случай педагогического сопровождения"
    assert gettext("Support case") == str(label) == "Support case"
