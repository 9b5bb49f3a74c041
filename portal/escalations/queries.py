"""Every escalation SELECT starts from what the viewer may see.

School psychologists and administrators see their school's escalations (the live draft and every snapshot);
a regional reviewer sees submitted escalations of schools in their region, as snapshots only; nobody else any.
"""

from datetime import datetime
from statistics import median

from flask import abort
from sqlalchemy import ColumnElement, DateTime, Integer, and_, bindparam, case, false, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.admin.models import School
from portal.audit.services import record
from portal.auth import roles
from portal.clock import local_today
from portal.db import at_run, built_for, built_once, clock_now, run_rows
from portal.escalations.models import (
    ACCEPTED,
    AWAITING_DECISION,
    CLOSED,
    DECLINED,
    DRAFT,
    FINISHED,
    IN_REVIEW,
    RETURNED,
    Escalation,
    EscalationEvent,
    EscalationSnapshot,
)
from portal.extensions import db

SCHOOL_SIDE = (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)
DECISION_ACTIONS = ("accepted", "returned", "declined")


def escalation_scope(viewer) -> ColumnElement[bool]:
    if viewer.role in SCHOOL_SIDE and viewer.school_id:
        return Escalation.school_id == viewer.school_id
    if viewer.role == roles.REGIONAL_REVIEWER and viewer.region_id:
        return and_(Escalation.region_id == viewer.region_id, Escalation.status != DRAFT)
    return false()


def is_school_side(viewer, escalation: Escalation) -> bool:
    return viewer.role in SCHOOL_SIDE and viewer.school_id == escalation.school_id


def is_reviewer_of(viewer, escalation: Escalation) -> bool:
    return (viewer.role == roles.REGIONAL_REVIEWER and viewer.region_id == escalation.region_id
            and escalation.status != DRAFT)


def get_escalation_for(viewer, escalation_id: int) -> Escalation:
    escalation = db.session.scalar(
        select(Escalation)
        .options(joinedload(Escalation.school), joinedload(Escalation.claimed_by), joinedload(Escalation.decided_by),
                 selectinload(Escalation.measures))
        .where(Escalation.id == escalation_id, escalation_scope(viewer))
    )
    if escalation is None:
        record("authz.deny", object_type="escalation", object_id=escalation_id, outcome="denied")
        db.session.commit()
        abort(404)
    return escalation


def overdue_condition():
    return and_(Escalation.status.in_(AWAITING_DECISION), Escalation.due_at < clock_now())


def month_start() -> datetime:
    from portal.clock import from_local

    today = local_today()
    return from_local(datetime(today.year, today.month, 1))


SHOW = ("queue", "overdue", "mine", "accepted", "returned", "declined", "closed", "decided_month", "drafts",
        "open", "all")


def list_conditions(viewer) -> dict:
    """What each list (and each dashboard count, which links to its list) selects."""
    return {
        "queue": Escalation.status.in_(AWAITING_DECISION),
        "overdue": overdue_condition(),
        "mine": and_(Escalation.status == IN_REVIEW, Escalation.claimed_by_id == viewer.id),
        "accepted": Escalation.status.in_((ACCEPTED, CLOSED)),
        "returned": Escalation.status == RETURNED,
        "declined": Escalation.status == DECLINED,
        "closed": Escalation.status.in_(FINISHED),
        "decided_month": and_(Escalation.decided_at >= at_run(month_start, DateTime),
                              Escalation.status.in_((ACCEPTED, RETURNED, DECLINED, CLOSED))),
        "drafts": Escalation.status.in_((DRAFT, RETURNED)),
        "open": Escalation.status.not_in(FINISHED),
    }


COUNTED = ("queue", "overdue", "mine", "decided_month", "drafts")


def listing(viewer, show: str = "queue", school_id: int | None = None, *, reviewers: bool = True):
    """The queue (regional) or the school's list, filtered; urgent first, then by deadline (the home page's
    extract shows no reviewer, so it loads none)."""
    # A region's queue reads schools, children and reviewers for the page's rows only: joined before its
    # ORDER BY … LIMIT, PostgreSQL joined and sorted the whole region's queue (4.7 ms at scale 1, growing with the
    # region). A school's own list is short, and a join saves those queries.
    load = selectinload if viewer.role == roles.REGIONAL_REVIEWER else joinedload
    loads = [load(Escalation.school), load(Escalation.student)]
    if reviewers:
        loads.append(load(Escalation.claimed_by))
    query = select(Escalation).options(*loads).where(escalation_scope(viewer))
    if school_id is not None:
        query = query.where(Escalation.school_id == school_id)
    conditions = list_conditions(viewer)
    if show in conditions:
        query = query.where(conditions[show])
    return query.order_by(
        case((Escalation.status.in_(AWAITING_DECISION), 0), else_=1),
        case((Escalation.urgency == "urgent", 0), else_=1),
        Escalation.due_at.is_(None), Escalation.due_at, Escalation.id.desc(),
    )


def listing_page(viewer, show: str, school_id: int | None):
    """One page of listing(), from statements built once per kind of viewer, list and filter."""
    from portal.web.htmx import paginate_built

    filtered = school_id is not None
    statement, params = built_for(("escalations", show, filtered), viewer, lambda bound: listing(
        bound, show, bindparam("school_id", type_=Integer) if filtered else None))
    return paginate_built(statement, {**params, "school_id": school_id})


def counts_query(viewer):
    """One row: counts for the dashboards (see COUNTED); each links to the list it counts."""
    conditions = list_conditions(viewer)
    return select(
        *(func.count().filter(conditions[name]).label(f"escalations_{name}") for name in COUNTED)
    ).where(escalation_scope(viewer))


def counts(viewer, row=None) -> dict:
    if row is None:
        row = run_rows(*built_for("escalation_counts", viewer, counts_query)).one()
    return dict(zip(COUNTED, row, strict=True))


def snapshots(escalation_id: int) -> list[EscalationSnapshot]:
    return list(db.session.scalars(
        select(EscalationSnapshot).options(joinedload(EscalationSnapshot.submitted_by))
        .where(EscalationSnapshot.escalation_id == escalation_id).order_by(EscalationSnapshot.number)
    ))


def events(escalation_ids) -> list[EscalationEvent]:
    ids = list(escalation_ids)
    if not ids:
        return []
    return list(db.session.scalars(
        select(EscalationEvent).options(joinedload(EscalationEvent.actor))
        .where(EscalationEvent.escalation_id.in_(ids)).order_by(EscalationEvent.at, EscalationEvent.id)
    ))


def of_case(case_id: int) -> list[Escalation]:
    statement = built_once("escalations_of_case", lambda: select(Escalation)
                           .where(Escalation.case_id == bindparam("case_id", type_=Integer)).order_by(Escalation.id))
    return list(db.session.scalars(statement, {"case_id": case_id}))


def active_for_case(case_id: int) -> Escalation | None:
    return db.session.scalar(
        select(Escalation).where(Escalation.case_id == case_id, Escalation.status.not_in(FINISHED))
    )


def interview_recorded(student_id: int):
    """The date the child's account was recorded at a help room, if it was (the latest such date)."""
    statement = built_once("interview_recorded", lambda: select(func.max(Escalation.helproom_interview_on))
                           .where(Escalation.student_id == bindparam("student_id", type_=Integer)))
    return run_rows(statement, {"student_id": student_id}).scalar()


OVERVIEW_KEYS = ("queue", "accepted", "returned", "declined", "overdue")


def _outcome_conditions() -> dict:
    """What each count of the overview counts (see OVERVIEW_KEYS)."""
    return {
        "queue": Escalation.status.in_(AWAITING_DECISION),
        "accepted": Escalation.status.in_((ACCEPTED, CLOSED)),
        "returned": Escalation.status == RETURNED,
        "declined": Escalation.status == DECLINED,
        "overdue": overdue_condition(),
    }


def _outcome_counts() -> list:
    conditions = _outcome_conditions()
    return [func.count().filter(conditions[key]).label(key) for key in OVERVIEW_KEYS]


def _overview_rows(viewer, schools: list[School]) -> list[dict]:
    """Counts by outcome, overdue and the median time to decision for these schools only (a page of them)."""
    ids = [school.id for school in schools]
    if not ids:
        return []
    by_school_statement, params = built_for("overview_by_school", viewer, lambda bound: (
        select(Escalation.school_id, *_outcome_counts())
        .where(escalation_scope(bound), Escalation.school_id.in_(_school_ids())).group_by(Escalation.school_id)))
    waits_statement, _params = built_for("overview_waits", viewer, lambda bound: (
        select(Escalation.school_id, EscalationEvent.waited_minutes)
        .join(Escalation, Escalation.id == EscalationEvent.escalation_id)
        .where(escalation_scope(bound), Escalation.school_id.in_(_school_ids()),
               EscalationEvent.action.in_(DECISION_ACTIONS), EscalationEvent.waited_minutes.is_not(None))))
    params["school_ids"] = ids
    by_school = {r[0]: r[1:] for r in run_rows(by_school_statement, params)}
    waits: dict[int, list[int]] = {}
    for school_id, minutes in run_rows(waits_statement, params):
        waits.setdefault(school_id, []).append(minutes)
    rows = []
    for school in schools:
        counts = by_school.get(school.id, (0,) * len(OVERVIEW_KEYS))
        minutes = waits.get(school.id)
        rows.append({"school": school, **dict(zip(OVERVIEW_KEYS, counts, strict=True)),
                     "median_hours": round(median(minutes) / 60, 1) if minutes else None})
    return rows


def _school_ids():
    return bindparam("school_ids", expanding=True, type_=Integer)


def _region_id():
    return bindparam("region_id", type_=Integer)


def region_school_count(viewer) -> int:
    if viewer.role != roles.REGIONAL_REVIEWER or not viewer.region_id:
        return 0
    statement = built_once("region_school_count", lambda: select(func.count()).select_from(School)
                           .where(School.region_id == _region_id()))
    return run_rows(statement, {"region_id": viewer.region_id}).scalar()


def overview_page(viewer, page: int, per_page: int) -> tuple[list[dict], dict]:
    """One page of the region's schools (by name) with their counts, and the region's totals. Only the schools
    on the page are aggregated, so the page costs the same in a region of any size."""
    if viewer.role != roles.REGIONAL_REVIEWER or not viewer.region_id:
        return [], dict.fromkeys(OVERVIEW_KEYS, 0)
    totals_row = run_rows(*built_for("overview_totals", viewer, lambda bound: select(
        *_outcome_counts()).where(escalation_scope(bound)))).one()
    schools = db.session.scalars(
        built_once("overview_schools", lambda: select(School).where(School.region_id == _region_id())
                   .order_by(School.name, School.id).limit(bindparam("limit", type_=Integer))
                   .offset(bindparam("offset", type_=Integer))),
        {"region_id": viewer.region_id, "limit": per_page, "offset": (page - 1) * per_page}).all()
    return _overview_rows(viewer, schools), dict(zip(OVERVIEW_KEYS, totals_row, strict=True))


def needing_attention(viewer, limit: int = 10) -> list[dict]:
    """The schools with escalations awaiting a decision, overdue first, then the most awaiting (dashboard)."""
    if viewer.role != roles.REGIONAL_REVIEWER or not viewer.region_id:
        return []

    def build(bound):
        conditions = _outcome_conditions()
        awaiting, overdue = (func.count().filter(conditions[key]) for key in ("queue", "overdue"))
        return (select(Escalation.school_id).join(School, School.id == Escalation.school_id)
                .where(escalation_scope(bound), conditions["queue"])  # only what awaits is ranked
                .group_by(Escalation.school_id, School.name).having(awaiting > 0)
                .order_by(overdue.desc(), awaiting.desc(), School.name, Escalation.school_id)
                .limit(bindparam("limit", type_=Integer)))

    statement, params = built_for("needing_attention", viewer, build)
    top = run_rows(statement, {**params, "limit": limit}).scalars().all()
    schools_of = built_once("schools_by_id", lambda: select(School).where(School.id.in_(_school_ids())))
    schools = {s.id: s for s in db.session.scalars(schools_of, {"school_ids": top})} if top else {}
    return _overview_rows(viewer, [schools[i] for i in top])  # in the order chosen above


def school_in_region(viewer, school_id) -> int | None:
    """A school filter from the URL, kept only when the school is in the viewer's scope."""
    if school_id is None or not 0 < school_id < 2**31:  # beyond the column's range the database itself fails
        return None
    query = select(School.id).where(School.id == school_id)
    if viewer.role == roles.REGIONAL_REVIEWER:
        query = query.where(School.region_id == viewer.region_id)
    else:
        query = query.where(School.id == viewer.school_id)
    return db.session.scalar(query)
