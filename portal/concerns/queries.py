"""Every concern SELECT starts from what the viewer may see.

Psychologists see their school's concerns except those that involve a member of staff (those go to
school administrators only); administrators see all of their school's concerns except one that names
them; everybody sees what they reported themselves, as a status ladder.
"""

from datetime import timedelta

from flask import abort, current_app
from sqlalchemy import ColumnElement, DateTime, and_, case, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.audit.services import record
from portal.auth import roles
from portal.clock import now
from portal.concerns.models import OPEN_STATUSES, SUBMITTED, Concern, ConcernAddendum
from portal.db import at_run, built_for, clock_now, run_rows
from portal.extensions import db
from portal.students.models import Student


def triage_scope(viewer) -> ColumnElement[bool]:
    """Concerns the viewer triages (reads in full)."""
    if viewer.role == roles.PSYCHOLOGIST and viewer.school_id:
        return and_(Concern.school_id == viewer.school_id, Concern.involves_staff.is_(False))
    if viewer.role == roles.SCHOOL_ADMIN and viewer.school_id:
        return and_(
            Concern.school_id == viewer.school_id,
            or_(Concern.involved_staff_id.is_(None), Concern.involved_staff_id != viewer.id),
        )
    return false()


def visible_scope(viewer) -> ColumnElement[bool]:
    """Triage scope plus one's own reports (never a report that names the viewer)."""
    own = and_(
        Concern.reporter_id == viewer.id,
        or_(Concern.involved_staff_id.is_(None), Concern.involved_staff_id != viewer.id),
    )
    return or_(triage_scope(viewer), own)


def is_triager(viewer, concern: Concern) -> bool:
    if viewer.role not in (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN) or concern.school_id != viewer.school_id:
        return False
    if concern.involved_staff_id == viewer.id:
        return False
    return viewer.role == roles.SCHOOL_ADMIN or not concern.involves_staff


def get_concern_for(viewer, concern_id: int) -> Concern:
    """Load a concern the viewer may see, or 404 (audited) exactly like a missing id."""
    concern = db.session.scalar(
        select(Concern)
        .options(
            selectinload(Concern.addenda).joinedload(ConcernAddendum.author),
            joinedload(Concern.student),
            joinedload(Concern.reporter),
            joinedload(Concern.case),
        )
        .where(Concern.id == concern_id, visible_scope(viewer))
    )
    if concern is None:
        record("authz.deny", object_type="concern", object_id=concern_id, outcome="denied")
        db.session.commit()
        abort(404)
    return concern


def overdue_condition():
    return and_(Concern.status == SUBMITTED, Concern.ack_due_at < clock_now())


def triage_queue(viewer, which: str = "open"):
    """The queue: unacknowledged first, urgent before the rest, longest waiting first (its lists show no reporter,
    so none is loaded)."""
    query = select(Concern).options(joinedload(Concern.student)).where(triage_scope(viewer))
    if which == "open":
        query = query.where(Concern.status.in_(OPEN_STATUSES))
    elif which == "overdue":
        query = query.where(overdue_condition())
    elif which == "closed":
        query = query.where(Concern.status.not_in(OPEN_STATUSES))
    return query.order_by(
        case((Concern.status == SUBMITTED, 0), else_=1),
        Concern.urgent.desc(),
        Concern.created_at,
        Concern.id,
    )


def my_reports(viewer):
    return (
        select(Concern)
        .options(joinedload(Concern.student))
        .where(Concern.reporter_id == viewer.id, visible_scope(viewer))
        .order_by(Concern.created_at.desc(), Concern.id.desc())
    )


QUEUE_COUNTS = ("open", "unacknowledged", "overdue", "urgent")


def queue_counts_query(viewer):
    """One row: the triage queue's counts (see QUEUE_COUNTS)."""
    return select(
        func.count().filter(Concern.status.in_(OPEN_STATUSES)).label("concerns_open"),
        func.count().filter(Concern.status == SUBMITTED).label("concerns_unacknowledged"),
        func.count().filter(overdue_condition()).label("concerns_overdue"),
        func.count().filter(and_(Concern.urgent.is_(True), Concern.status == SUBMITTED)).label("concerns_urgent"),
    ).where(triage_scope(viewer))


def queue_counts(viewer, row=None) -> dict:
    row = row or run_rows(*built_for("queue_counts", viewer, queue_counts_query)).one()
    return dict(zip(QUEUE_COUNTS, row, strict=True))


def pattern_alerts(viewer) -> list[tuple[Student, int, int]]:
    """Students with several concerns from several staff members within the window (settings)."""
    rows = db.session.execute(*built_for(("pattern_alerts", *pattern_settings()), viewer, pattern_alerts_query))
    return [(student, concerns, reporters) for student, concerns, reporters in rows]


def pattern_settings() -> tuple:
    """The settings pattern_alerts_query builds in (part of the key of a statement built once)."""
    config = current_app.config
    return config["PATTERN_WINDOW_DAYS"], config["PATTERN_MIN_CONCERNS"], config["PATTERN_MIN_REPORTERS"]


def pattern_alerts_query(viewer):
    config = current_app.config
    window = timedelta(days=config["PATTERN_WINDOW_DAYS"])
    since = at_run(lambda: now() - window, DateTime)
    grouped = (
        select(
            Concern.student_id,
            func.count().label("concerns"),
            func.count(func.distinct(Concern.reporter_id)).label("reporters"),
        )
        .where(triage_scope(viewer), Concern.created_at >= since)
        .group_by(Concern.student_id)
        .having(
            func.count() >= config["PATTERN_MIN_CONCERNS"],
            func.count(func.distinct(Concern.reporter_id)) >= config["PATTERN_MIN_REPORTERS"],
        )
        .subquery()
    )
    return (
        select(Student, grouped.c.concerns, grouped.c.reporters)
        .join(grouped, grouped.c.student_id == Student.id)
        .order_by(grouped.c.concerns.desc(), Student.search_name)
    )


def for_student(viewer, student_id: int) -> list[Concern]:
    """The concerns about one student the viewer may see, oldest first (for the chronology)."""
    return list(
        db.session.scalars(
            select(Concern)
            .options(
                selectinload(Concern.addenda).joinedload(ConcernAddendum.author),
                joinedload(Concern.reporter),
                joinedload(Concern.acknowledged_by),
                joinedload(Concern.decided_by),
            )
            .where(Concern.student_id == student_id, visible_scope(viewer))
            .order_by(Concern.created_at, Concern.id)
        )
    )
