"""Create and read notifications. The text is chosen by kind at display time; no child data is stored."""

from sqlalchemy import bindparam, func, select, update

from portal.clock import now
from portal.db import built_once, run_rows
from portal.extensions import db
from portal.notifications.models import Notification
from portal.web.i18n import lazy_gettext as _l

MESSAGES = {
    "concern.urgent": _l("An urgent concern needs attention now"),
    "concern.new": _l("A new concern needs attention"),
    "concern.acknowledged": _l("Your concern has been acknowledged"),
    "concern.decided": _l("A decision has been made on your concern"),
    "concern.addendum": _l("A concern has a new addendum"),
    "escalation.draft": _l("An escalation draft is waiting to be submitted"),
    "escalation.submitted": _l("A new escalation has arrived from a school"),
    "escalation.decided": _l("The directorate has acted on an escalation"),
}


def notify(user_ids, kind: str, link: str) -> int:
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind}")
    current = now()
    ids = sorted(set(user_ids))
    for user_id in ids:
        db.session.add(Notification(user_id=user_id, kind=kind, link=link, created_at=current))
    return len(ids)


def unread_of(user_id):
    """The number of unread notifications of `user_id` (a column or a bound parameter), as a scalar subquery."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None)).scalar_subquery())


def unread_count(user) -> int:
    """The header's count: read with the session at the start of the request (portal.auth.sessions), which no
    page changes before it shows the header (marking as read redirects), or counted now."""
    from flask import g

    found = g.get("unread_notifications")
    if found is not None and found[0] == user.id:
        return found[1]
    statement = built_once("unread_count", lambda: select(unread_of(bindparam("user_id"))))
    return run_rows(statement, {"user_id": user.id}).scalar()


def recent(user, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(limit)
        )
    )


def mark_read(user, notification_id: int) -> Notification | None:
    """Mark one of the user's own notifications read; someone else's answers None (the view gives 404)."""
    item = db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )
    if item is not None and item.read_at is None:
        item.read_at = now()
    return item


def mark_all_read(user) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now())
        .execution_options(synchronize_session=False)
    )
