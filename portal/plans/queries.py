"""Plan reads, always through the case the viewer may see."""

from flask import abort
from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from portal.audit.services import record
from portal.auth import roles
from portal.cases.models import CLOSED, SupportCase
from portal.cases.queries import case_scope
from portal.db import built_once
from portal.extensions import db
from portal.plans.models import (
    APPROVED,
    EDITABLE,
    SUBMITTED,
    SUPERSEDED,
    Goal,
    Measure,
    Plan,
    Review,
)


def _plan_options():
    return (
        selectinload(Plan.goals),
        selectinload(Plan.measures).joinedload(Measure.responsible),
        joinedload(Plan.editors),
        joinedload(Plan.author),
        joinedload(Plan.decided_by),  # the version page names who approved it
    )


def plans_of(case_id: int) -> list[Plan]:
    return list(db.session.scalars(
        select(Plan).options(*_plan_options()).where(Plan.case_id == case_id).order_by(Plan.version_no.desc())
    ).unique())


def versions_of(case_id: int) -> list[Plan]:
    """Every version of a case's plan, newest first, without goals and measures (for lists and summaries)."""
    statement = built_once("versions_of", lambda: select(Plan).where(Plan.case_id == bindparam("case_id", type_=Integer))
                           .order_by(Plan.version_no.desc()))
    return list(db.session.scalars(statement, {"case_id": case_id}))


def in_force(plans: list[Plan]) -> Plan | None:
    return next((p for p in plans if p.status == APPROVED), None)


def in_force_of(case_id: int) -> Plan | None:
    """The approved version of a case's plan, without its goals and measures (for a summary line)."""
    return db.session.scalar(select(Plan).where(Plan.case_id == case_id, Plan.status == APPROVED))


def working_version(plans: list[Plan]) -> Plan | None:
    """The version being written or waiting for approval, if any."""
    return next((p for p in plans if p.status in (*EDITABLE, SUBMITTED)), None)


def get_plan_for(viewer, case_id: int, plan_id: int) -> Plan:
    """A plan version through its case: another case's plan id answers 404 like a missing one. Only those who
    run the case (psychologists, administrators) see versions that were never approved; a teacher sees the plan
    in force and the versions it replaced."""
    query = (
        select(Plan).options(*_plan_options())
        .join(SupportCase, SupportCase.id == Plan.case_id)
        .where(Plan.id == plan_id, Plan.case_id == case_id, case_scope(viewer))
    )
    if viewer.role not in (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN):
        query = query.where(Plan.status.in_((APPROVED, SUPERSEDED)))
    plan = db.session.scalars(query).unique().one_or_none()
    if plan is None:
        record("authz.deny", object_type="plan", object_id=plan_id, outcome="denied")
        db.session.commit()
        abort(404)
    return plan


def get_goal(plan: Plan, goal_id: int) -> Goal:
    goal = next((g for g in plan.goals if g.id == goal_id), None)
    if goal is None:
        abort(404)
    return goal


def get_measure(plan: Plan, measure_id: int) -> Measure:
    measure = next((m for m in plan.measures if m.id == measure_id), None)
    if measure is None:
        abort(404)
    return measure


def my_tasks(viewer, *, details: bool = True):
    """Measures of plans in force, open cases, that the viewer is responsible for.

    With details (the tasks page) each comes with its plan, the plan's goals and the work logged; the home page
    lists the measures alone."""
    query = select(Measure)
    if details:
        query = query.options(joinedload(Measure.plan).joinedload(Plan.goals), selectinload(Measure.logs))
    return (
        query
        .join(Plan, Plan.id == Measure.plan_id)
        .join(SupportCase, SupportCase.id == Plan.case_id)
        .where(
            Measure.responsible_id == viewer.id,
            Plan.status == APPROVED,
            SupportCase.status != CLOSED,
            SupportCase.school_id == viewer.school_id,
        )
        .order_by(Measure.end_date, Measure.id)
    )


def get_task_for(viewer, measure_id: int) -> Measure:
    measure = db.session.scalar(my_tasks(viewer).where(Measure.id == measure_id))
    if measure is None:
        record("authz.deny", object_type="measure", object_id=measure_id, outcome="denied")
        db.session.commit()
        abort(404)
    return measure


def reviews_of(case_id: int) -> list[Review]:
    statement = built_once("reviews_of", lambda: (
        select(Review).options(joinedload(Review.author), joinedload(Review.goals))
        .where(Review.case_id == bindparam("case_id", type_=Integer)).order_by(Review.held_on.desc(), Review.id.desc())))
    return list(db.session.scalars(statement, {"case_id": case_id}).unique())


def awaiting_approval_query(viewer):
    """Submitted versions of the administrator's school, oldest first."""
    return (
        select(Plan).options(joinedload(Plan.author))
        .join(SupportCase, SupportCase.id == Plan.case_id)
        .options(joinedload(Plan.case).joinedload(SupportCase.student))
        .where(Plan.status == SUBMITTED, SupportCase.school_id == viewer.school_id, case_scope(viewer))
        .order_by(Plan.submitted_at)
    )
