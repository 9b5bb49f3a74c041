"""The header's count of unread notifications (read with the session lookup at the start of each request)."""

import re

from portal.extensions import db
from tests.conftest import in_app, user

COUNT = re.compile(r'<span class="count">(\d+)</span>')


def shown(page) -> int:
    found = COUNT.search(page.get_data(as_text=True))
    return int(found.group(1)) if found else 0


def notify(email: str, n: int) -> None:
    from portal.notifications.services import notify as send

    with in_app():
        for i in range(n):
            send([user(email).id], "concern.new", f"/concerns/{i + 1}")
        db.session.commit()


def test_the_header_counts_the_users_own_unread_notifications(login_as):
    psychologist = login_as("psychologist@school1.demo")
    before = shown(psychologist.get("/"))
    notify("psychologist@school1.demo", 3)
    notify("admin@school1.demo", 2)  # someone else's
    assert shown(psychologist.get("/")) == before + 3
    assert shown(psychologist.get("/notifications/badge")) == before + 3
    assert shown(psychologist.get("/cases")) == before + 3


def test_reading_notifications_lowers_the_count_on_the_next_page(login_as):
    from sqlalchemy import select

    from portal.notifications.models import Notification

    psychologist = login_as("psychologist@school1.demo")
    notify("psychologist@school1.demo", 2)
    total = shown(psychologist.get("/"))
    assert total >= 2
    with in_app():
        first = db.session.scalar(select(Notification.id).where(
            Notification.user_id == user("psychologist@school1.demo").id, Notification.read_at.is_(None)))
    response = psychologist.post(f"/notifications/{first}/read")
    assert response.status_code == 303
    assert shown(psychologist.get("/")) == total - 1
    response = psychologist.post("/notifications/read-all", follow_redirects=True)
    assert response.status_code == 200 and shown(response) == 0
    assert 'class="notification-badge"' in psychologist.get("/notifications/badge").get_data(as_text=True)
