"""The plan state machine as data, applied with a conditional UPDATE so a double click approves once."""

from sqlalchemy import update

from portal.extensions import db
from portal.plans.models import APPROVED, DRAFT, RETURNED, SUBMITTED, SUPERSEDED, Plan

TRANSITIONS = {
    "submit": ({DRAFT, RETURNED}, SUBMITTED),
    "approve": ({SUBMITTED}, APPROVED),
    "return": ({SUBMITTED}, RETURNED),
    "supersede": ({APPROVED}, SUPERSEDED),
}


class TransitionRefused(Exception):
    """The plan is no longer in the state (or version) the user saw."""


def apply(plan: Plan, action: str, lock_version: int, **values) -> None:
    sources, target = TRANSITIONS[action]
    result = db.session.execute(
        update(Plan)
        .where(Plan.id == plan.id, Plan.status.in_(sources), Plan.lock_version == lock_version)
        .values(status=target, lock_version=Plan.lock_version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TransitionRefused(action)
    db.session.refresh(plan)


def allowed(plan: Plan, action: str) -> bool:
    return plan.status in TRANSITIONS[action][0]
