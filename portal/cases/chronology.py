"""One timeline per student: concerns, addenda, triage, case events, plan versions, work done, reviews.

Each source is one query, so the page costs the same however long the history is.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.cases.models import CLOSE_OUTCOME_LABELS, SupportCase
from portal.concerns import queries as concern_queries
from portal.concerns.models import STATUS_LABELS as CONCERN_STATUS
from portal.extensions import db
from portal.plans.models import REVIEW_DECISION_LABELS, MeasureLog, Plan, Review
from portal.plans.models import STATUS_LABELS as PLAN_STATUS


@dataclass
class Entry:
    at: datetime
    what: str
    who: str | None = None
    link: str | None = None
    detail: str | None = None
    key: str = ""  # stable reference, e.g. "concern:12", for choosing entries for an escalation


def _day(value: date) -> datetime:
    return datetime.combine(value, time(12, 0))


def for_case(viewer, case: SupportCase) -> list[Entry]:
    from flask import url_for

    entries: list[Entry] = []
    for c in concern_queries.for_student(viewer, case.student_id):
        link = url_for("concerns.detail", concern_id=c.id)
        entries.append(Entry(c.created_at, str(_l("Concern #%(id)d submitted", id=c.id)), c.reporter.full_name, link, key=f"concern:{c.id}"))
        for a in c.addenda:
            entries.append(Entry(a.created_at, str(_l("Addendum to concern #%(id)d", id=c.id)), a.author.full_name, link, a.reason, key=f"addendum:{a.id}"))
        if c.acknowledged_at:
            entries.append(Entry(c.acknowledged_at, str(_l("Concern #%(id)d acknowledged", id=c.id)), c.acknowledged_by.full_name, link, key=f"ack:{c.id}"))
        if c.decided_at:
            entries.append(Entry(c.decided_at, str(_l("Concern #%(id)d: %(status)s", id=c.id, status=CONCERN_STATUS[c.status])), c.decided_by.full_name, link, key=f"triage:{c.id}"))
    cases = db.session.scalars(
        select(SupportCase).options(joinedload(SupportCase.lead)).where(SupportCase.student_id == case.student_id)
    ).all()
    for k in cases:
        link = url_for("cases.detail", case_id=k.id)
        entries.append(Entry(k.created_at, str(_l("Support case #%(id)d opened", id=k.id)), k.lead.full_name, link, key=f"case:{k.id}"))
        if k.council_date:
            entries.append(Entry(_day(k.council_date), str(_l("Prevention council decision, protocol %(no)s", no=k.council_protocol)), None, link, key=f"council:{k.id}"))
        if k.closed_at:
            entries.append(Entry(k.closed_at, str(_l("Case #%(id)d closed: %(outcome)s", id=k.id, outcome=CLOSE_OUTCOME_LABELS.get(k.close_outcome, "—"))), None, link, k.close_reason, key=f"closed:{k.id}"))
        if k.reopened_at:
            entries.append(Entry(k.reopened_at, str(_l("Case #%(id)d reopened", id=k.id)), None, link, k.reopen_reason, key=f"reopened:{k.id}"))
    case_ids = [k.id for k in cases]
    plans = db.session.scalars(
        select(Plan).options(joinedload(Plan.author), joinedload(Plan.decided_by)).where(Plan.case_id.in_(case_ids))
    ).all()
    for p in plans:
        link = url_for("plans.version", case_id=p.case_id, plan_id=p.id)
        entries.append(Entry(p.created_at, str(_l("Plan version %(n)d started", n=p.version_no)), p.author.full_name, link, key=f"plan:{p.id}"))
        if p.submitted_at:
            entries.append(Entry(p.submitted_at, str(_l("Plan version %(n)d submitted", n=p.version_no)), None, link, key=f"plansubmit:{p.id}"))
        if p.decided_at:
            entries.append(Entry(p.decided_at, str(_l("Plan version %(n)d: %(status)s", n=p.version_no, status=PLAN_STATUS[p.status])), p.decided_by.full_name if p.decided_by else None, link, key=f"plandecision:{p.id}"))
    for log in _logs(case_ids):
        attended = _l("attended") if log.attended else _l("did not attend")
        entries.append(Entry(_day(log.done_on), str(_l("Measure done: %(what)s (%(attended)s)", what=log.measure.description, attended=attended)), log.author.full_name, None, log.note, key=f"log:{log.id}"))
    reviews = db.session.scalars(
        select(Review).options(joinedload(Review.author)).where(Review.case_id.in_(case_ids))
    ).all()
    for r in reviews:
        entries.append(Entry(_day(r.held_on), str(_l("Review: %(decision)s", decision=REVIEW_DECISION_LABELS[r.decision])), r.author.full_name, url_for("cases.detail", case_id=r.case_id), r.rationale, key=f"review:{r.id}"))
    entries.extend(_escalation_entries(case_ids))
    entries.sort(key=lambda e: e.at)
    return entries


def _escalation_entries(case_ids) -> list[Entry]:
    """Every step of the escalations of the student's cases, with the directorate's comments."""
    from flask import url_for

    from portal.escalations.models import EVENT_LABELS
    from portal.escalations.queries import events_of_cases

    entries = []
    for event in events_of_cases(case_ids):
        what = str(EVENT_LABELS.get(event.action, event.action))
        if event.on_date:
            what = f"{what}: {format_date(event.on_date)}"
        entries.append(Entry(event.at, what, event.actor.full_name,
                             url_for("escalations.detail", escalation_id=event.escalation_id), event.comment,
                             key=f"escalation:{event.id}"))
    return entries


def _logs(case_ids):
    from portal.plans.models import Measure

    return db.session.scalars(
        select(MeasureLog).options(joinedload(MeasureLog.author), joinedload(MeasureLog.measure))
        .join(Measure, Measure.id == MeasureLog.measure_id).join(Plan, Plan.id == Measure.plan_id)
        .where(Plan.case_id.in_(case_ids))
    ).all()
