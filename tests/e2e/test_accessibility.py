"""Keyboard-only flagging, the login pages under axe, and a check that the axe harness can fail at all."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.e2e.conftest import PASSWORD, login, visible_text


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element is focused: it must be reachable by keyboard, in order."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_concern_form_can_be_completed_with_the_keyboard_only(server, new_context):
    page = new_context().new_page()
    login(page, server.url, "teacher@school1.demo")
    student = server.student()
    _tab_to(page, "nav.main-nav a[href$='/concerns/new']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/concerns/new")
    _tab_to(page, "#student-q")
    page.keyboard.type(student["iin"])
    choice = f"input[name=student_id][value='{student['id']}']"
    page.locator(choice).wait_for()
    _tab_to(page, choice)
    page.keyboard.press("Space")
    _tab_to(page, "input[name=categories][value=physical_violence]")
    page.keyboard.press("Space")
    _tab_to(page, "input[name=severity]")
    page.keyboard.press("Space")  # the first option; arrows move within the group
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "#immediate_danger")
    page.keyboard.press("Space")
    _tab_to(page, "#occurred_at")
    when = datetime.now(ZoneInfo("Asia/Almaty"))
    # Chromium lays the control out in its own UI language (en-US here): mm/dd/yyyy, then Tab to hh:mm AM/PM.
    page.keyboard.type(when.strftime("%m%d%Y"))
    page.keyboard.press("Tab")
    page.keyboard.type(when.strftime("%I%M") + ("A" if when.hour < 12 else "P"))
    assert page.input_value("#occurred_at") == when.strftime("%Y-%m-%dT%H:%M")
    _tab_to(page, "#facts")
    page.keyboard.type("Crying in class; said someone at home hits her.")
    assert page.locator("input[name=severity][value=high]").is_checked()
    assert page.locator("#immediate_danger").is_checked()
    _tab_to(page, ".concern-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    text = visible_text(page)
    assert "The concern has been submitted." in text, text[:1500]
    assert page.locator(".call-now").is_visible() and "112" in page.locator(".call-now").inner_text()


def test_login_pages_have_no_serious_violations(server, new_context, axe):
    page = new_context().new_page()
    page.goto(f"{server.url}/login")
    assert not axe.check(page, "/login"), axe.report()
    page.locator("#email").fill("admin@school2.demo")
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login/otp" in page.url
    assert not axe.check(page, "/login/otp"), axe.report()


def test_the_axe_harness_reports_what_it_should(new_context, axe):
    """Without this, a harness that silently checked nothing would pass every page."""
    page = new_context().new_page()
    page.set_content("<html><body><form><input type='text' name='q'></form>"
                     "<p style='color:#bbb;background:#fff'>faint text</p></body></html>")
    found = {v["id"] for v in axe.check(page, "(harness self-test)")}
    axe.seen.pop("/(harness self-test)", None)
    assert {"label", "field-without-label", "color-contrast"} <= found, found
