"""The escalation state machine as data, applied with a conditional UPDATE: one decision per submission."""

from sqlalchemy import update

from portal.escalations.models import (
    ACCEPTED,
    CLOSED,
    DECLINED,
    DRAFT,
    IN_REVIEW,
    RETURNED,
    SUBMITTED,
    Escalation,
)
from portal.extensions import db

# action → (states it may start from, state it leads to); None keeps the state (a recorded fact)
TRANSITIONS = {
    "edit": ({DRAFT, RETURNED}, None),
    "submit": ({DRAFT, RETURNED}, SUBMITTED),
    "claim": ({SUBMITTED}, IN_REVIEW),
    "accept": ({IN_REVIEW}, ACCEPTED),
    "return": ({IN_REVIEW}, RETURNED),
    "decline": ({IN_REVIEW}, DECLINED),
    "helproom": ({ACCEPTED}, None),
    "close": ({ACCEPTED}, CLOSED),
}
DECISIONS = ("accept", "return", "decline")


class TransitionRefused(Exception):
    """The escalation is no longer in the state (or version) the user saw: someone acted first."""


def allowed(escalation: Escalation, action: str) -> bool:
    return escalation.status in TRANSITIONS[action][0]


def apply(escalation: Escalation, action: str, version: int, *conditions, **values) -> None:
    sources, target = TRANSITIONS[action]
    if target is not None:
        values["status"] = target
    result = db.session.execute(
        update(Escalation)
        .where(Escalation.id == escalation.id, Escalation.status.in_(sources), Escalation.version == version,
               *conditions)
        .values(version=Escalation.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TransitionRefused(action)
    db.session.refresh(escalation)
