"""Escalation writes: draft, submit (freezing a snapshot), claim, decisions, help-room referral, closing.

Each write is audited in its transaction and applied through the transition table, so a double click or two
reviewers acting at once change the escalation exactly once.
"""

from datetime import timedelta

from flask import abort, current_app
from sqlalchemy import func, select

from portal.audit.services import record
from portal.auth import roles
from portal.auth.models import User
from portal.cases import chronology
from portal.cases.models import CLOSED as CASE_CLOSED
from portal.cases.models import SupportCase
from portal.cases.queries import school_staff
from portal.clock import local_today, now
from portal.concerns.deadlines import add_school_days
from portal.escalations import workflow
from portal.escalations.models import (
    DRAFT,
    RETURNED,
    Escalation,
    EscalationEvent,
    EscalationMeasure,
    EscalationSnapshot,
)
from portal.escalations.queries import active_for_case, is_reviewer_of, is_school_side
from portal.extensions import db
from portal.notifications.services import notify
from portal.plans import queries as plan_queries
from portal.web.i18n import lazy_gettext as _l

DRAFT_FIELDS = ("urgency", "requested", "requested_other", "summary", "measures_tried", "chronology_keys", "answer")


class Refused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _audit(action: str, escalation: Escalation, fields=None) -> None:
    record(action, object_type="escalation", object_id=escalation.id, school_id=escalation.school_id, fields=fields)


def _event(escalation: Escalation, actor, action: str, comment=None, on_date=None, waited_minutes=None) -> None:
    db.session.add(EscalationEvent(escalation_id=escalation.id, at=now(), actor_id=actor.id, action=action,
                                   comment=comment, on_date=on_date, waited_minutes=waited_minutes))


def _school_staff_ids(school_id: int, wanted=(roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)) -> list[int]:
    return [u.id for u in school_staff(school_id, wanted)]


def _reviewer_ids(region_id: int) -> list[int]:
    return list(db.session.scalars(select(User.id).where(
        User.region_id == region_id, User.active, User.role == roles.REGIONAL_REVIEWER)))


def _link(escalation: Escalation) -> str:
    return f"/escalations/{escalation.id}"


def default_measures_text(case: SupportCase) -> str:
    """A starting text for "measures tried": the measures of the plan in force, as the school wrote them."""
    plan = plan_queries.in_force(plan_queries.plans_of(case.id))
    if plan is None:
        return ""
    return "\n".join(f"— {m.description} ({m.frequency})" for m in plan.measures)


def create(actor, case: SupportCase, data: dict) -> Escalation:
    if not (actor.role in (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN) and actor.school_id == case.school_id):
        abort(403)
    if case.status == CASE_CLOSED:
        raise Refused(_l("The case is closed; reopen it before escalating."))
    if active_for_case(case.id) is not None:
        raise Refused(_l("This case already has an escalation in progress."))
    escalation = Escalation(
        case_id=case.id, school_id=case.school_id, region_id=case.student.school.region_id,
        student_id=case.student_id, status=DRAFT, created_at=now(), created_by_id=actor.id,
        **{n: data[n] for n in DRAFT_FIELDS if n != "answer"},
    )
    db.session.add(escalation)
    db.session.flush()
    _event(escalation, actor, "created")
    _audit("escalation.create", escalation, [n for n in DRAFT_FIELDS if n != "answer"])
    admins = [uid for uid in _school_staff_ids(case.school_id, (roles.SCHOOL_ADMIN,)) if uid != actor.id]
    notify(admins, "escalation.draft", _link(escalation))
    return escalation


def update_draft(actor, escalation: Escalation, version: int, data: dict) -> None:
    if not is_school_side(actor, escalation):
        abort(403)
    if not workflow.allowed(escalation, "edit"):
        raise Refused(_l("This escalation has been submitted and can no longer be changed."))
    workflow.apply(escalation, "edit", version, **{n: data[n] for n in DRAFT_FIELDS})
    _audit("escalation.update", escalation, list(DRAFT_FIELDS))


def due_at(submitted_at, urgency: str):
    config = current_app.config
    if urgency == "urgent":
        return submitted_at + timedelta(hours=config["ESCALATION_URGENT_HOURS"])
    return add_school_days(submitted_at, config["ESCALATION_WORKING_DAYS"], 5)


def build_snapshot(escalation: Escalation, actor) -> dict:
    """Everything the directorate receives, frozen: codes for fixed lists (shown in the reader's language),
    the school's own words as written."""
    case = escalation.case
    student = case.student
    plan = plan_queries.in_force(plan_queries.plans_of(case.id))
    measures = []
    if plan is not None:
        for m in plan.measures:
            logs = m.logs
            measures.append({
                "type": m.type, "description": m.description, "frequency": m.frequency,
                "responsible": m.responsible.full_name if m.responsible else "",
                "start": m.start_date.isoformat(), "end": m.end_date.isoformat(),
                "sessions": len(logs), "attended": sum(1 for log in logs if log.attended),
                "last_done": max(log.done_on for log in logs).isoformat() if logs else None,
            })
    reviews = plan_queries.reviews_of(case.id)
    latest = reviews[0] if reviews else None
    chosen = set(escalation.selected_keys)
    entries = [
        {"at": e.at.isoformat(), "what": e.what, "who": e.who, "detail": e.detail}
        for e in chronology.for_case(actor, case) if e.key in chosen
    ]
    return {
        "student": {"name": student.full_name, "birth_date": student.birth_date.isoformat(),
                    "class": student.class_name, "sex": student.sex},
        "school": escalation.school.name,
        "case": {"id": case.id, "grounds": case.ground_codes, "risk": case.risk_level,
                 "opened": case.created_at.date().isoformat(), "lead": case.lead.full_name,
                 "council_date": case.council_date.isoformat() if case.council_date else None,
                 "council_protocol": case.council_protocol},
        "urgency": escalation.urgency,
        "requested": escalation.request_codes,
        "requested_other": escalation.requested_other or "",
        "summary": escalation.summary,
        "measures_tried": escalation.measures_tried,
        "plan_measures": measures,
        "latest_review": {"held_on": latest.held_on.isoformat(), "decision": latest.decision,
                          "rationale": latest.rationale} if latest else None,
        "chronology": entries,
        "answer": escalation.answer or "",
        "submitted_by": actor.full_name,
    }


def submit(actor, escalation: Escalation, version: int) -> EscalationSnapshot:
    """A school administrator sends it: a new snapshot version, a deadline, the region's reviewers told."""
    if not (actor.role == roles.SCHOOL_ADMIN and actor.school_id == escalation.school_id):
        abort(403)
    if not workflow.allowed(escalation, "submit"):
        raise workflow.TransitionRefused("submit")
    if not escalation.summary.strip() or not escalation.request_codes:
        raise Refused(_l("Write the summary and choose what is asked for before submitting."))
    resubmission = escalation.status == RETURNED
    if resubmission and not (escalation.answer or "").strip():
        raise Refused(_l("Answer the directorate's question before resubmitting."))
    content = build_snapshot(escalation, actor)
    current = now()
    workflow.apply(escalation, "submit", version, submitted_at=current, due_at=due_at(current, escalation.urgency),
                   first_submitted_at=escalation.first_submitted_at or current, claimed_by_id=None, claimed_at=None)
    number = (db.session.scalar(select(func.max(EscalationSnapshot.number))
                                .where(EscalationSnapshot.escalation_id == escalation.id)) or 0) + 1
    snapshot = EscalationSnapshot(escalation_id=escalation.id, number=number, created_at=current,
                                  submitted_by_id=actor.id, content=content)
    db.session.add(snapshot)
    _event(escalation, actor, "resubmitted" if resubmission else "submitted", escalation.answer if resubmission else None)
    _audit("escalation.submit", escalation, ["status", "snapshot"])
    notify(_reviewer_ids(escalation.region_id), "escalation.submitted", _link(escalation))
    return snapshot


def _reviewer(actor, escalation: Escalation) -> None:
    if not is_reviewer_of(actor, escalation):
        abort(404)


def claim(actor, escalation: Escalation, version: int) -> None:
    _reviewer(actor, escalation)
    workflow.apply(escalation, "claim", version, claimed_by_id=actor.id, claimed_at=now())
    _event(escalation, actor, "claimed")
    _audit("escalation.claim", escalation, ["status", "claimed_by"])


def _decide(actor, escalation: Escalation, version: int, action: str, event: str, comment: str | None,
            **values) -> None:
    _reviewer(actor, escalation)
    if escalation.claimed_by_id not in (None, actor.id):
        raise Refused(_l("Another reviewer has taken this escalation into review."))
    current = now()
    workflow.apply(escalation, action, version, Escalation.claimed_by_id == actor.id,
                   decided_by_id=actor.id, decided_at=current, **values)
    waited = int((current - escalation.submitted_at).total_seconds() // 60) if escalation.submitted_at else None
    _event(escalation, actor, event, comment, waited_minutes=waited)
    _audit(f"escalation.{action}", escalation, ["status", *values])
    notify(_school_staff_ids(escalation.school_id), "escalation.decided", _link(escalation))


def accept(actor, escalation: Escalation, version: int, measures: list[dict], appointment_on=None) -> None:
    if not measures:
        raise Refused(_l("Assign at least one measure: organisation, responsible, deadline."))
    if any(m["deadline"] < local_today() for m in measures):
        raise Refused(_l("A deadline cannot be in the past."))
    _not_before_submission(escalation, appointment_on)
    _decide(actor, escalation, version, "accept", "accepted", _measures_text(measures), decision_comment=None,
            helproom_appointment_on=appointment_on)
    for m in measures:
        db.session.add(EscalationMeasure(escalation_id=escalation.id, **m))
    if appointment_on:
        _event(escalation, actor, "helproom_appointment", on_date=appointment_on)


def _not_before_submission(escalation: Escalation, *dates) -> None:
    """A help-room date before the school first asked for help is a typing mistake."""
    from portal.clock import to_local

    first = escalation.first_submitted_at or escalation.submitted_at
    if first is None:
        return
    if any(d is not None and d < to_local(first).date() for d in dates):
        raise Refused(_l("The date cannot be before the escalation was submitted."))


def _measures_text(measures: list[dict]) -> str:
    return "\n".join(f"{m['organisation']} — {m['responsible']} — {m['deadline'].isoformat()}" for m in measures)


def return_for_information(actor, escalation: Escalation, version: int, comment: str) -> None:
    _decide(actor, escalation, version, "return", "returned", comment, decision_comment=comment, answer=None)


def decline(actor, escalation: Escalation, version: int, reason: str) -> None:
    _decide(actor, escalation, version, "decline", "declined", reason, decision_comment=reason)


def helproom(actor, escalation: Escalation, version: int, appointment_on, interview_on) -> None:
    """The help-room referral: an appointment date, then the date the one-window interview was held."""
    _reviewer(actor, escalation)
    if interview_on and interview_on > local_today():
        raise Refused(_l("The interview date cannot be in the future."))
    if not appointment_on and not interview_on:
        raise Refused(_l("Enter the appointment date or the date the interview was held."))
    _not_before_submission(escalation, appointment_on, interview_on)
    values = {}
    if appointment_on and appointment_on != escalation.helproom_appointment_on:
        values["helproom_appointment_on"] = appointment_on
    if interview_on and interview_on != escalation.helproom_interview_on:
        values["helproom_interview_on"] = interview_on
    if not values:
        return
    workflow.apply(escalation, "helproom", version, **values)
    if "helproom_appointment_on" in values:
        _event(escalation, actor, "helproom_appointment", on_date=appointment_on)
    if "helproom_interview_on" in values:
        _event(escalation, actor, "helproom_interview", on_date=interview_on)
    _audit("escalation.helproom", escalation, list(values))
    notify(_school_staff_ids(escalation.school_id), "escalation.decided", _link(escalation))


def close(actor, escalation: Escalation, version: int, feedback: str) -> None:
    _reviewer(actor, escalation)
    workflow.apply(escalation, "close", version, feedback=feedback, closed_at=now())
    _event(escalation, actor, "closed", feedback)
    _audit("escalation.close", escalation, ["status", "feedback"])
    notify(_school_staff_ids(escalation.school_id), "escalation.decided", _link(escalation))
