"""Each role's home page in Kazakh, Russian and English: nothing left untranslated, accessible, and screenshotted.

The rule for "untranslated": every msgid of translations/messages.pot is cut at its placeholders (%(name)s, %d);
each piece of three or more words and 12 or more characters is English text a user would recognise as such. On a
kk or ru page, visible text containing such a piece is a msgid that leaked through (a string never marked for
translation cannot be caught this way, but one marked and left untranslated, or a catalog not compiled, is).
Pieces that a catalog itself keeps in English (the translation contains them too) are not counted. On every page,
in every language, a raw placeholder ("%(" or "%s") means a string was formatted wrongly.

Screenshots of the English home pages go to docs/screenshots/ when PORTAL_SCREENSHOTS_DIR says so (`make
screenshots`); otherwise to a temp folder, so the code path runs in every test run.
"""

import os
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.e2e.conftest import ROOT, click_and_wait, login, logout, visible_text

ROLES = {
    "teacher": "teacher@school1.demo",
    "psychologist": "psychologist@school1.demo",
    "school_admin": "admin@school1.demo",
    "regional_reviewer": "reviewer@astana.demo",
    "sysadmin": "sysadmin@portal.demo",
}
LANGUAGES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{|\}\}")


def _pieces(text: str) -> list[str]:
    return [p.strip(" .,:;—-–«»\"'()") for p in re.split(r"%\(\w+\)[sdif]|%[sdif]", text)]


@pytest.fixture(scope="module")
def english_pieces() -> dict[str, set[str]]:
    """English fragments of every msgid, per language, minus those the language's catalog keeps in English."""
    with open(ROOT / "translations" / "messages.pot", "rb") as handle:
        template = read_po(handle)
    candidates = set()
    for message in template:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            for piece in _pieces(msgid or ""):
                if len(piece) >= 12 and len(piece.split()) >= 3 and re.search(r"[A-Za-z]{3}", piece):
                    candidates.add(piece)
    per_language = {}
    for code in ("kk", "ru"):
        with open(ROOT / "translations" / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
            catalog = read_po(handle)
        kept = " ".join(s for m in catalog for s in (m.string if isinstance(m.string, tuple) else (m.string,)) if s)
        per_language[code] = {p for p in candidates if p not in kept}
    assert len(per_language["ru"]) > 200, "the rule found too few msgids to mean anything"
    return per_language


def _screenshot_dir(tmp_path_factory) -> Path:
    folder = os.environ.get("PORTAL_SCREENSHOTS_DIR")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


@pytest.mark.parametrize("role", list(ROLES))
def test_home_page_in_three_languages(role, server, new_context, axe, english_pieces, tmp_path_factory):
    page = new_context().new_page()
    login(page, server.url, ROLES[role])
    problems = []
    for code, label in LANGUAGES.items():
        click_and_wait(page, page.locator("form.lang-form").get_by_role("button", name=label))
        assert page.locator("html").get_attribute("lang") == code
        assert page.url.rstrip("/") == server.url, page.url
        text = visible_text(page)
        problems += [f"{code}: raw placeholder {m!r}" for m in PLACEHOLDER.findall(text)]
        if code != "en":
            problems += [f"{code}: untranslated {p!r}" for p in sorted(english_pieces[code]) if p in text]
        assert not axe.check(page, f"/ ({role}, {code})"), axe.report()
        if code == "en":
            folder = _screenshot_dir(tmp_path_factory)
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"home-{role.replace('_', '-')}.png"), full_page=True)
    assert not problems, "\n".join(problems)
    logout(page)


def test_the_rule_catches_a_leaked_msgid(english_pieces):
    """The detector itself: an English msgid on a Russian page is found, a Russian sentence is not."""
    leaked = "Мой класс. Write what you saw or heard. The school psychologist and administration will take it from here."
    assert any(p in leaked for p in english_pieces["ru"])
    assert not any(p in "Напишите, что вы видели или слышали." for p in english_pieces["ru"])
    assert PLACEHOLDER.search("Добро пожаловать, %(name)s")
