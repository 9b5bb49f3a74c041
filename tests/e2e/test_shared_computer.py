"""Shared school computers: the next person at the PC must find nothing of the child.

Idle timeout takes the page off the screen by itself (the header's countdown, not the server, drives it; htmx polling
of the notification badge must not keep the session alive), and neither the back button nor the browser's cache
brings the child's page back after a timeout or a logout.
"""

import re

import pytest

from tests.e2e.conftest import local_storage_report, login, logout, start_server, stop_server, visible_text

IDLE_SECONDS = 15


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory):
    running = start_server(
        tmp_path_factory.mktemp("idle"),
        PORTAL_IDLE_MINUTES=str(IDLE_SECONDS / 60),
        PORTAL_NOTIFICATION_POLL_SECONDS="2",  # the badge polls often; that must not count as activity
    )
    yield running
    stop_server(running)


def _open_child(page, server) -> tuple[str, str]:
    """Open a student profile of the teacher's class; returns its URL and the child's surname."""
    student = server.student()
    url = f"{server.url}/students/{student['id']}"
    response = page.goto(url)
    assert response.status == 200
    assert response.headers["cache-control"].startswith("no-store")
    assert student["surname"] in visible_text(page)
    return url, student["surname"]


def _nothing_of_the_child(page, surname: str, where: str):
    page.wait_for_load_state("networkidle")
    for _attempt in range(20):  # a redirect (to the login page) may still be under way
        try:
            content = page.content()
            break
        except Exception:  # noqa: BLE001 - "the page is navigating": read it once it has settled
            page.wait_for_timeout(250)
    assert surname not in content, f"the child's name is still in the page {where}"


def _back_shows_nothing(page, child_url: str, surname: str):
    page.go_back()
    _nothing_of_the_child(page, surname, f"after going back ({page.url})")
    # The cache must not hold the page either: offline, the browser has nothing to show for it.
    page.context.set_offline(True)
    try:
        page.goto(child_url)
    except Exception as error:  # noqa: BLE001 - net::ERR_INTERNET_DISCONNECTED is the expected outcome
        assert "ERR_INTERNET_DISCONNECTED" in str(error), error
    _nothing_of_the_child(page, surname, "offline, from the browser cache")
    page.context.set_offline(False)


def test_idle_timeout_leaves_the_screen_and_back_shows_nothing(idle_server, new_context):
    page = new_context().new_page()
    login(page, idle_server.url, "teacher@school1.demo")
    child_url, surname = _open_child(page, idle_server)
    assert page.locator("[data-countdown]").is_visible()
    page.wait_for_url(re.compile(r"/login"), timeout=(IDLE_SECONDS + 30) * 1000)
    _nothing_of_the_child(page, surname, "after the idle timeout")
    assert page.locator("form.logout-form").count() == 0
    _back_shows_nothing(page, child_url, surname)
    page.goto(child_url)
    assert "/login" in page.url, "the session was still alive on the server after the idle timeout"
    _nothing_of_the_child(page, surname, "when reopening its address")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_logout_leaves_no_child_data_in_the_browser(server, new_context, javascript):
    context = new_context(javascript=javascript)
    page = context.new_page()
    login(page, server.url, "teacher@school1.demo")
    child_url, surname = _open_child(page, server)
    logout(page)
    _nothing_of_the_child(page, surname, "after logout")
    if javascript:
        assert local_storage_report(page) == {"local": 0, "session": 0, "caches": 0}
    _back_shows_nothing(page, child_url, surname)
    response = page.goto(child_url)
    assert "/login" in page.url and response.status == 200
    _nothing_of_the_child(page, surname, "when reopening its address after logout")
    if javascript:
        assert local_storage_report(page) == {"local": 0, "session": 0, "caches": 0}
    assert page.locator("form.logout-form").count() == 0  # signed out: nothing offers to sign out
