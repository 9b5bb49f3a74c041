"""In-app notifications through HTTP: the header badge, the list, mark as read, no child data, and badge
polling that must not keep an idle session alive."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import clock
from portal.auth.models import User, UserSession
from portal.extensions import db
from portal.notifications.models import Notification
from tests.concerns.test_flagging import (
    acknowledge,
    badge_count,
    flag,
    notifications_of,
    quiet_students,
    version_on,
)
from tests.conftest import audit_actions, in_app, user

PSYCHOLOGIST = "psychologist@school1.demo"
ADMIN = "admin@school1.demo"
TEACHER = "teacher@school1.demo"
ITEM_RE = re.compile(r'<li class="(unread|read)">\s*<form method="post" action="/notifications/(\d+)/read">')


@pytest.fixture
def as_user(login_as):
    def _as(email):
        b = login_as(email)
        b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return b

    return _as


def unread_in_db(email: str) -> int:
    return sum(1 for n in notifications_of(email) if n.read_at is None)


def listed(browser) -> list[tuple[int, str]]:
    """(notification id, "unread"/"read") in the order of the notifications page."""
    page = browser.get("/notifications").get_data(as_text=True)
    return [(int(nid), state) for state, nid in ITEM_RE.findall(page)]


def decide_no_action(browser, concern_id: int, note: str = "Не требуется", rationale: str = "Низкий риск"):
    page = browser.get(f"/concerns/{concern_id}").get_data(as_text=True)
    return browser.post(f"/concerns/{concern_id}/decide", data={
        "version": version_on(page), "risk_level": "low", "risk_rationale": rationale, "outcome": "no_action",
        "outcome_note": note})


# --- the badge ----------------------------------------------------------------------------------


def test_the_badge_counts_unread_notifications_of_the_user_only(as_user):
    psychologist = as_user(PSYCHOLOGIST)
    admin = as_user(ADMIN)
    teacher = as_user(TEACHER)
    other_school = as_user("psychologist@school2.demo")
    start = {b: badge_count(b) for b in (psychologist, admin, teacher, other_school)}
    assert start[psychologist] == unread_in_db(PSYCHOLOGIST) > 0  # the demo has urgent concerns waiting
    assert start[teacher] == 0

    urgent = flag(teacher, quiet_students("school1", "8А")[0].id, categories=["sexual_violence"])
    assert badge_count(psychologist) == start[psychologist] + 1
    assert badge_count(admin) == start[admin] + 1
    assert badge_count(teacher) == 0  # one is not notified of one's own report
    assert badge_count(other_school) == start[other_school]
    assert badge_count(as_user("teacher2@school1.demo")) == 0

    flag(teacher, quiet_students("school1", "8А")[1].id, categories=["learning"])
    assert badge_count(psychologist) == start[psychologist] + 2

    # the header of every page shows the same number
    home = psychologist.get("/").get_data(as_text=True)
    assert re.search(rf'id="notification-badge"[^>]*>\s*Notifications <span class="count">{start[psychologist] + 2}<',
                     home)

    assert acknowledge(psychologist, urgent).status_code == 303
    assert badge_count(teacher) == 1
    assert decide_no_action(psychologist, urgent).status_code == 303
    assert badge_count(teacher) == 2
    page = teacher.get("/notifications").get_data(as_text=True)
    assert "Your concern has been acknowledged" in page and "A decision has been made on your concern" in page
    # the reporter's addendum is announced to the school
    assert teacher.post(f"/concerns/{urgent}/addenda", data={"reason": "Уточнение", "text": "Ещё факт"}).status_code == 303
    assert badge_count(admin) == start[admin] + 3
    assert "A concern has a new addendum" in admin.get("/notifications").get_data(as_text=True)


def test_an_empty_badge_shows_no_number(as_user):
    teacher = as_user(TEACHER)
    response = teacher.get("/notifications/badge", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert 'id="notification-badge"' in body and 'class="count"' not in body
    assert "<html" not in body
    assert "No notifications." in teacher.get("/notifications").get_data(as_text=True)


def test_notifications_carry_no_child_data(as_user):
    teacher = as_user(TEACHER)
    student = next(s for s in quiet_students("school1", "7Б") if len(s.surname) >= 6)
    secret = {name: f"{name}-{uuid.uuid4().hex[:12]}" for name in ("facts", "words", "place", "witness", "action")}
    concern_id = flag(teacher, student.id, categories=["physical_violence"], immediate_danger="y",
                      facts=f"Факты {secret['facts']}", child_words=secret["words"], location=secret["place"],
                      witnesses=secret["witness"], immediate_action=secret["action"])
    psychologist = as_user(PSYCHOLOGIST)
    assert acknowledge(psychologist, concern_id).status_code == 303
    assert decide_no_action(psychologist, concern_id, note="note-" + secret["facts"],
                            rationale="why-" + secret["facts"]).status_code == 303
    forbidden = [student.surname, student.given_name, student.full_name, student.iin, *secret.values()]

    for email, browser in ((PSYCHOLOGIST, psychologist), (ADMIN, as_user(ADMIN)), (TEACHER, teacher)):
        mine = [n for n in notifications_of(email) if n.link == f"/concerns/{concern_id}"]
        assert mine, email  # each of them was told something about this concern
        for path in ("/notifications", "/notifications/badge"):
            body = browser.get(path).get_data(as_text=True)
            leaked = [text for text in forbidden if text in body]
            assert leaked == [], (email, path, leaked)
        listing = browser.get("/notifications").get_data(as_text=True)
        assert any(phrase in listing for phrase in (
            "An urgent concern needs attention now", "Your concern has been acknowledged"))
    with in_app():
        stored = db.session.scalars(select(Notification).where(Notification.link == f"/concerns/{concern_id}")).all()
    assert {n.link for n in stored} == {f"/concerns/{concern_id}"}


# --- reading ------------------------------------------------------------------------------------


def test_marking_one_as_read_follows_its_link(as_user):
    teacher = as_user(TEACHER)
    concern_id = flag(teacher, quiet_students("school1", "5А")[0].id, categories=["self_harm"])
    admin = as_user(ADMIN)
    before = badge_count(admin)
    (item,) = [n for n in notifications_of(ADMIN) if n.link == f"/concerns/{concern_id}"]
    assert (item.id, "unread") in listed(admin)

    response = admin.post(f"/notifications/{item.id}/read", token_from="/notifications")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/concerns/{concern_id}")
    assert admin.get(response.headers["Location"]).status_code == 200
    assert badge_count(admin) == before - 1
    assert (item.id, "read") in listed(admin)
    with in_app():
        assert db.session.get(Notification, item.id).read_at is not None

    again = admin.post(f"/notifications/{item.id}/read")
    assert again.status_code == 303 and badge_count(admin) == before - 1
    # the psychologist's copy is still unread
    (theirs,) = [n for n in notifications_of(PSYCHOLOGIST) if n.link == f"/concerns/{concern_id}"]
    assert theirs.read_at is None


def test_the_list_is_newest_first(as_user):
    teacher = as_user(TEACHER)
    first = flag(teacher, quiet_students("school1", "5А")[0].id, categories=["learning"])
    second = flag(teacher, quiet_students("school1", "5А")[1].id, categories=["absence"])
    ids = [nid for nid, _ in listed(as_user(PSYCHOLOGIST))]
    with in_app():
        by_link = {n.link: n.id for n in db.session.scalars(
            select(Notification).where(Notification.user_id == user(PSYCHOLOGIST).id))}
    assert ids.index(by_link[f"/concerns/{second}"]) < ids.index(by_link[f"/concerns/{first}"])
    assert ids == sorted(ids, reverse=True)


def test_mark_all_as_read(as_user):
    teacher = as_user(TEACHER)
    flag(teacher, quiet_students("school1", "6Б")[0].id, categories=["physical_violence"])
    psychologist = as_user(PSYCHOLOGIST)
    admin_unread = unread_in_db(ADMIN)
    assert badge_count(psychologist) >= 2
    response = psychologist.post("/notifications/read-all", token_from="/notifications")
    assert response.status_code == 303 and response.headers["Location"].endswith("/notifications")
    assert badge_count(psychologist) == 0
    assert unread_in_db(PSYCHOLOGIST) == 0
    states = {state for _, state in listed(psychologist)}
    assert states == {"read"}
    assert "· unread" not in psychologist.get("/notifications").get_data(as_text=True)
    assert unread_in_db(ADMIN) == admin_unread  # nobody else's


def test_someone_elses_notification_answers_404(as_user):
    teacher = as_user(TEACHER)
    flag(teacher, quiet_students("school1", "6Б")[0].id, categories=["self_harm"])
    foreign = notifications_of(PSYCHOLOGIST)[-1]
    for email in (TEACHER, ADMIN, "psychologist@school2.demo"):
        response = as_user(email).post(f"/notifications/{foreign.id}/read")
        assert response.status_code == 404, email
        denials = [e for e in audit_actions("authz.deny")
                   if e.object_type == "notification" and e.object_id == foreign.id and e.actor_id == user(email).id]
        assert len(denials) == 1, email
    assert as_user(TEACHER).post("/notifications/999999/read").status_code == 404
    with in_app():
        assert db.session.get(Notification, foreign.id).read_at is None
    assert (foreign.id, "unread") in listed(as_user(PSYCHOLOGIST))


def test_every_notification_leads_to_a_page_its_owner_may_open(as_user):
    """A psychologist is never told about a concern that involves staff (demo data included)."""
    with in_app():
        owners = db.session.execute(
            select(User.email, Notification.id, Notification.link).join(User, User.id == Notification.user_id)
            .order_by(Notification.id)
        ).all()
    assert owners
    broken = []
    for email in sorted({row.email for row in owners}):
        browser = as_user(email)
        for row in (r for r in owners if r.email == email):
            if browser.get(row.link).status_code != 200:
                broken.append((email, row.link))
    assert broken == []


# --- polling and the idle timeout ----------------------------------------------------------------


def _session_row(email: str) -> UserSession:
    with in_app():
        return db.session.scalars(
            select(UserSession).where(UserSession.user_id == user(email).id).order_by(UserSession.id.desc())
        ).first()


def test_badge_polling_does_not_keep_an_idle_session_alive(app, as_user):
    assert app.config["IDLE_TIMEOUT"] == timedelta(minutes=15)
    clock.freeze(clock.now().replace(microsecond=0))
    psychologist = as_user(PSYCHOLOGIST)
    assert psychologist.get("/").status_code == 200
    for _ in range(3):  # minutes 4, 8 and 12: the open tab keeps polling, nobody touches the keyboard
        clock.advance(timedelta(minutes=4))
        poll = psychologist.get("/notifications/badge", headers={"HX-Request": "true"})
        assert poll.status_code == 200
        assert 'id="notification-badge"' in poll.get_data(as_text=True)
    clock.advance(timedelta(minutes=3))  # 15 minutes after the last real request

    home = psychologist.get("/")
    assert home.status_code == 302
    assert "/login" in home.headers["Location"]
    assert _session_row(PSYCHOLOGIST).end_reason == "idle_timeout"
    poll = psychologist.get("/notifications/badge", headers={"HX-Request": "true"})
    assert poll.status_code == 401 and poll.headers["HX-Redirect"].endswith("/login")


def test_a_real_request_does_keep_the_session_alive(as_user):
    """The control for the test above: the same timeline with one page view at minute 12."""
    clock.freeze(clock.now().replace(microsecond=0))
    psychologist = as_user(PSYCHOLOGIST)
    for minute in (4, 8, 12):
        clock.advance(timedelta(minutes=4))
        assert psychologist.get("/notifications/badge", headers={"HX-Request": "true"}).status_code == 200
        if minute == 12:
            assert psychologist.get("/notifications").status_code == 200
    clock.advance(timedelta(minutes=3))
    assert psychologist.get("/").status_code == 200
    assert _session_row(PSYCHOLOGIST).ended_at is None
