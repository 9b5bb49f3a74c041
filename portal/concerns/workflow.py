"""The concern state machine as data, and the one function that applies a transition exactly once."""

from sqlalchemy import update

from portal.concerns.models import ACKNOWLEDGED, CASE, CLOSED, MONITORING, REFERRED, SUBMITTED, Concern
from portal.extensions import db

# action → (states it may start from, state it leads to)
TRANSITIONS = {
    "acknowledge": ({SUBMITTED}, ACKNOWLEDGED),
    "open_case": ({ACKNOWLEDGED, MONITORING}, CASE),
    "attach_case": ({ACKNOWLEDGED, MONITORING}, CASE),
    "monitor": ({ACKNOWLEDGED, MONITORING}, MONITORING),  # from monitoring: a new end date
    "refer": ({ACKNOWLEDGED, MONITORING}, REFERRED),
    "no_action": ({ACKNOWLEDGED, MONITORING}, CLOSED),
}
DECISIONS = ("open_case", "attach_case", "monitor", "refer", "no_action")


class TransitionRefused(Exception):
    """The concern is no longer in a state (or version) that allows this step: someone got there first."""


def allowed(concern: Concern, action: str) -> bool:
    sources, _target = TRANSITIONS[action]
    return concern.status in sources


def apply(concern: Concern, action: str, version: int, **values) -> None:
    """Conditional UPDATE (status and version must still match), so double clicks and races change state once."""
    sources, target = TRANSITIONS[action]
    result = db.session.execute(
        update(Concern)
        .where(Concern.id == concern.id, Concern.status.in_(sources), Concern.version == version)
        .values(status=target, version=Concern.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TransitionRefused(action)
    db.session.refresh(concern)
