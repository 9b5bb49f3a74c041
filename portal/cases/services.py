"""Case writes: council decision, team, notes, close and reopen. Each is audited in its transaction."""

from flask import abort
from sqlalchemy import update

from portal.audit.services import record
from portal.auth import roles
from portal.cases.models import ACTIVE, CLOSED, OPEN, CaseMember, CaseNote, ConfidentialNote, SupportCase
from portal.cases.queries import is_case_manager, is_member, reads_confidential
from portal.clock import now
from portal.extensions import db


class StaleCase(Exception):
    """The case changed since the page was opened."""


def _conditional(case: SupportCase, version: int, **values) -> None:
    """Write only if nobody changed the case meanwhile: a stale or repeated click changes nothing."""
    result = db.session.execute(
        update(SupportCase)
        .where(SupportCase.id == case.id, SupportCase.version == version)
        .values(version=SupportCase.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleCase()
    db.session.refresh(case)


def _audit(action: str, case: SupportCase, fields=None) -> None:
    record(action, object_type="case", object_id=case.id, school_id=case.school_id, fields=fields)


def record_council(actor, case: SupportCase, version: int, council_date, protocol: str) -> None:
    """The prevention council's decision (date, protocol number); recorded by a school administrator."""
    if actor.role != roles.SCHOOL_ADMIN or actor.school_id != case.school_id:
        abort(403)
    _conditional(case, version, council_date=council_date, council_protocol=protocol)
    _audit("case.council", case, ["council_date", "council_protocol"])


def add_member(actor, case: SupportCase, user, team_role: str) -> None:
    if not is_case_manager(actor, case):
        abort(403)
    if user.school_id != case.school_id or any(m.user_id == user.id for m in case.members):
        abort(400)
    db.session.add(CaseMember(case_id=case.id, user_id=user.id, team_role=team_role, added_at=now()))
    _audit("case.member_add", case, ["members"])


def remove_member(actor, case: SupportCase, user_id: int) -> None:
    if not is_case_manager(actor, case):
        abort(403)
    member = next((m for m in case.members if m.user_id == user_id), None)
    if member is None:
        abort(404)
    db.session.delete(member)
    _audit("case.member_remove", case, ["members"])


def _repeated(model, actor, case: SupportCase, text: str) -> bool:
    """The same text by the same author on the same case within a minute is a double click, not a new note."""
    from datetime import timedelta

    from sqlalchemy import select

    return db.session.scalar(
        select(model.id).where(model.case_id == case.id, model.author_id == actor.id, model.text == text,
                               model.created_at >= now() - timedelta(minutes=1)).limit(1)
    ) is not None


def add_note(actor, case: SupportCase, text: str) -> None:
    if not (is_case_manager(actor, case) or is_member(actor, case)):
        abort(403)
    if _repeated(CaseNote, actor, case, text):
        return
    db.session.add(CaseNote(case_id=case.id, author_id=actor.id, text=text, created_at=now()))
    _audit("case.note", case, ["note"])


def add_confidential_note(actor, case: SupportCase, text: str) -> None:
    if not reads_confidential(actor, case):
        abort(404)
    if _repeated(ConfidentialNote, actor, case, text):
        return
    db.session.add(ConfidentialNote(case_id=case.id, author_id=actor.id, text=text, created_at=now()))
    _audit("case.confidential_note", case, ["confidential_note"])


def close(actor, case: SupportCase, version: int, outcome: str, reason: str) -> None:
    if not is_case_manager(actor, case):
        abort(403)
    if case.status == CLOSED:
        raise StaleCase()
    _conditional(case, version, status=CLOSED, closed_at=now(), close_outcome=outcome, close_reason=reason)
    _audit("case.close", case, ["status", "close_outcome", "close_reason"])


def reopen(actor, case: SupportCase, version: int, reason: str, has_plan_in_force: bool) -> None:
    if not is_case_manager(actor, case):
        abort(403)
    if case.status != CLOSED:
        raise StaleCase()
    _conditional(case, version, status=ACTIVE if has_plan_in_force else OPEN, reopened_at=now(), reopen_reason=reason)
    _audit("case.reopen", case, ["status"])
