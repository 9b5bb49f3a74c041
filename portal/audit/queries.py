"""Reading the audit log: the school's log for its administrators, and who viewed a case."""

from datetime import datetime, time, timedelta

from sqlalchemy import Integer, bindparam, or_, select, union_all
from sqlalchemy.orm import aliased

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.clock import from_local
from portal.db import built_once, run_rows
from portal.extensions import db

VIEW_ACTIONS = ("case.read", "case.chronology", "plan.read", "student.read", "escalation.read")


def school_scope(school_id: int):
    """Events about the school's records, and everything its staff did (logins included)."""
    return or_(AuditEvent.school_id == school_id, AuditEvent.actor_school_id == school_id)


def school_log(school_id: int, *, actor_id=None, action=None, outcome=None, date_from=None, date_to=None,
               before=None):
    """The school's events, newest first; `before` (an event id) gives the page after the one ending there."""
    query = select(AuditEvent).where(school_scope(school_id))
    if before:
        query = query.where(AuditEvent.id < before)
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action:
        query = query.where(or_(AuditEvent.action == action, AuditEvent.action.startswith(f"{action}.")))
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    if date_from:
        query = query.where(AuditEvent.at >= from_local(datetime.combine(date_from, time.min)))
    if date_to:
        query = query.where(AuditEvent.at < from_local(datetime.combine(date_to + timedelta(days=1), time.min)))
    return query.order_by(AuditEvent.id.desc())


def actors_of(items) -> dict[int, User]:
    ids = {e.actor_id for e in items if e.actor_id}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def viewers_of_case(case, limit: int, plan_ids, escalation_ids) -> list:
    """Who opened this case, its plans (`plan_ids`), its escalations (`escalation_ids`) or the student's profile:
    newest first. The caller has the case's plans and escalations loaded already.

    Rows of (at, action, object_id, actor_role, actor_name), actor_name None for an account since removed."""
    statement = built_once("viewers_of_case", _viewers_statement)
    return run_rows(statement, {"case_id": case.id, "school_id": case.school_id, "student_id": case.student_id,
                                "limit": limit, "plan_ids": list(plan_ids),
                                "escalation_ids": list(escalation_ids)}).all()


def _viewers_statement():
    # One branch per kind of record, each an index lookup on (object_type, object_id, id) read newest first and
    # stopped at the limit. The plans and escalations come as ids: joined or tested with IN (subquery), PostgreSQL
    # read every plan and escalation event of the region before filtering (8-12 ms at scale 1).
    columns = (AuditEvent.id, AuditEvent.at, AuditEvent.action, AuditEvent.object_id, AuditEvent.actor_role,
               AuditEvent.actor_id)
    seen = (AuditEvent.action.in_(VIEW_ACTIONS), AuditEvent.school_id == bindparam("school_id", type_=Integer))
    limit = bindparam("limit", type_=Integer)

    def latest(object_type, object_ids):
        query = select(*columns).where(*seen, AuditEvent.object_type == object_type, object_ids)
        return select(query.order_by(AuditEvent.id.desc()).limit(limit).subquery())

    openings = union_all(
        latest("case", AuditEvent.object_id == bindparam("case_id", type_=Integer)),
        latest("student", AuditEvent.object_id == bindparam("student_id", type_=Integer)),
        latest("plan", AuditEvent.object_id.in_(bindparam("plan_ids", expanding=True, type_=Integer))),
        latest("escalation", AuditEvent.object_id.in_(bindparam("escalation_ids", expanding=True, type_=Integer))),
    ).subquery()
    actor = aliased(User)
    return (
        select(openings.c.at, openings.c.action, openings.c.object_id, openings.c.actor_role,
               actor.full_name.label("actor_name"))
        .outerjoin(actor, actor.id == openings.c.actor_id)
        .order_by(openings.c.id.desc())
        .limit(limit)
    )
