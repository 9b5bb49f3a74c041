"""One timeline per student: concerns, addenda, triage, case events, plan versions, work done, reviews, escalations.

Every source is one branch of a single UNION ALL query, so the page costs one query however long the history is
and however many kinds of entry it merges.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    String,
    bindparam,
    case,
    cast,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from portal.auth.models import User
from portal.cases.models import CLOSE_OUTCOME_LABELS, SupportCase
from portal.concerns.models import STATUS_LABELS as CONCERN_STATUS
from portal.concerns.models import Concern, ConcernAddendum
from portal.db import built_for, run_rows
from portal.plans.models import REVIEW_DECISION_LABELS, Measure, MeasureLog, Plan, Review
from portal.plans.models import STATUS_LABELS as PLAN_STATUS
from portal.web.i18n import gettext as _
from portal.web.i18n import local_date


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


# The order of the kinds breaks ties between entries of the same moment (a concern before its acknowledgement).
KINDS = ["concern", "addendum", "ack", "triage", "case", "council", "closed", "reopened", "plan", "plansubmit",
         "plandecision", "log", "review", "escalation"]
ORDER = {kind: n for n, kind in enumerate(KINDS)}


def _branch(kind, source, *, id_, ref, at=None, day=None, n=None, code=None, who=None, text1=None, text2=None):
    """One source as rows of the common shape: kind, id, ref, at, day, n, code, who, text1, text2."""
    # Values keep their column's type (type_coerce: SQLite would turn CAST(... AS DATETIME) into a number); a
    # missing value is a typed NULL (PostgreSQL resolves a chain of UNIONs pairwise and would call it text).
    def typed(value, type_):
        return type_coerce(value, type_) if value is not None else cast(null(), type_)

    return select(
        literal(kind, String).label("kind"), typed(id_, Integer).label("id"), typed(ref, Integer).label("ref"),
        typed(at, DateTime).label("at"), typed(day, Date).label("day"), typed(n, Integer).label("n"),
        typed(code, String).label("code"), typed(who.full_name if who is not None else None, String).label("who"),
        typed(text1, String).label("text1"), typed(text2, String).label("text2"),
    ).select_from(source)


def _rows(viewer, student_id: int):
    # one statement per kind of viewer, built once (the concern scope branches on the role in Python)
    statement, params = built_for("chronology", viewer, _statement)
    return run_rows(statement, {**params, "student_id": student_id}).all()


def _statement(viewer):
    from portal.concerns.queries import visible_scope
    from portal.escalations.models import Escalation, EscalationEvent

    author, acker, decider = aliased(User), aliased(User), aliased(User)
    student_id = bindparam("student_id", type_=Integer)
    seen = (Concern.student_id == student_id) & visible_scope(viewer)
    student_case = SupportCase.student_id == student_id
    concern_with_people = (
        Concern.__table__.outerjoin(author, author.id == Concern.reporter_id)
        .outerjoin(acker, acker.id == Concern.acknowledged_by_id).outerjoin(decider, decider.id == Concern.decided_by_id)
    )
    case_with_lead = SupportCase.__table__.outerjoin(author, author.id == SupportCase.lead_id)
    plan_source = (Plan.__table__.join(SupportCase, SupportCase.id == Plan.case_id)
                   .outerjoin(author, author.id == Plan.author_id).outerjoin(decider, decider.id == Plan.decided_by_id))
    branches = [
        _branch("concern", concern_with_people, id_=Concern.id, ref=Concern.id, at=Concern.created_at, who=author)
        .where(seen),
        _branch("addendum", ConcernAddendum.__table__.join(Concern, Concern.id == ConcernAddendum.concern_id)
                .outerjoin(author, author.id == ConcernAddendum.author_id), id_=ConcernAddendum.id, ref=Concern.id,
                at=ConcernAddendum.created_at, who=author, text1=ConcernAddendum.reason).where(seen),
        _branch("ack", concern_with_people, id_=Concern.id, ref=Concern.id, at=Concern.acknowledged_at, who=acker)
        .where(seen, Concern.acknowledged_at.is_not(None)),
        _branch("triage", concern_with_people, id_=Concern.id, ref=Concern.id, at=Concern.decided_at,
                code=Concern.status, who=decider).where(seen, Concern.decided_at.is_not(None)),
        _branch("case", case_with_lead, id_=SupportCase.id, ref=SupportCase.id, at=SupportCase.created_at, who=author)
        .where(student_case),
        _branch("council", SupportCase, id_=SupportCase.id, ref=SupportCase.id, day=SupportCase.council_date,
                text2=SupportCase.council_protocol).where(student_case, SupportCase.council_date.is_not(None)),
        _branch("closed", SupportCase, id_=SupportCase.id, ref=SupportCase.id, at=SupportCase.closed_at,
                code=SupportCase.close_outcome, text1=SupportCase.close_reason)
        .where(student_case, SupportCase.closed_at.is_not(None)),
        _branch("reopened", SupportCase, id_=SupportCase.id, ref=SupportCase.id, at=SupportCase.reopened_at,
                text1=SupportCase.reopen_reason).where(student_case, SupportCase.reopened_at.is_not(None)),
        _branch("plan", plan_source, id_=Plan.id, ref=Plan.case_id, at=Plan.created_at, n=Plan.version_no, who=author)
        .where(student_case),
        _branch("plansubmit", plan_source, id_=Plan.id, ref=Plan.case_id, at=Plan.submitted_at, n=Plan.version_no)
        .where(student_case, Plan.submitted_at.is_not(None)),
        _branch("plandecision", plan_source, id_=Plan.id, ref=Plan.case_id, at=Plan.decided_at, n=Plan.version_no,
                code=Plan.status, who=decider).where(student_case, Plan.decided_at.is_not(None)),
        _branch("log", MeasureLog.__table__.join(Measure, Measure.id == MeasureLog.measure_id)
                .join(Plan, Plan.id == Measure.plan_id).join(SupportCase, SupportCase.id == Plan.case_id)
                .outerjoin(author, author.id == MeasureLog.author_id), id_=MeasureLog.id, ref=Plan.case_id,
                day=MeasureLog.done_on, code=case((MeasureLog.attended.is_(True), "y"), else_="n"), who=author,
                text1=MeasureLog.note, text2=Measure.description).where(student_case),
        _branch("review", Review.__table__.join(SupportCase, SupportCase.id == Review.case_id)
                .outerjoin(author, author.id == Review.author_id), id_=Review.id, ref=Review.case_id,
                day=Review.held_on, code=Review.decision, who=author, text1=Review.rationale).where(student_case),
        _branch("escalation", EscalationEvent.__table__.join(Escalation, Escalation.id == EscalationEvent.escalation_id)
                .join(SupportCase, SupportCase.id == Escalation.case_id)
                .outerjoin(author, author.id == EscalationEvent.actor_id), id_=EscalationEvent.id,
                ref=EscalationEvent.escalation_id, at=EscalationEvent.at, day=EscalationEvent.on_date,
                code=EscalationEvent.action, who=author, text1=EscalationEvent.comment).where(student_case),
    ]
    return union_all(*branches)


def for_case(viewer, case: SupportCase) -> list[Entry]:
    """The student's whole timeline (every case of theirs), oldest first."""
    from flask import url_for

    from portal.escalations.models import EVENT_LABELS

    entries: list[tuple] = []
    for r in _rows(viewer, case.student_id):
        kind = r.kind
        at = r.at  # None for the date-only kinds (council, logged work, reviews), which use r.day
        if kind == "concern":
            entry = Entry(at, _("Concern #%(id)d submitted", id=r.ref), r.who, url_for("concerns.detail", concern_id=r.ref))
        elif kind == "addendum":
            entry = Entry(at, _("Addendum to concern #%(id)d", id=r.ref), r.who, url_for("concerns.detail", concern_id=r.ref), r.text1)
        elif kind == "ack":
            entry = Entry(at, _("Concern #%(id)d acknowledged", id=r.ref), r.who, url_for("concerns.detail", concern_id=r.ref))
        elif kind == "triage":
            entry = Entry(at, _("Concern #%(id)d: %(status)s", id=r.ref, status=CONCERN_STATUS[r.code]), r.who, url_for("concerns.detail", concern_id=r.ref))
        elif kind == "case":
            entry = Entry(at, _("Support case #%(id)d opened", id=r.ref), r.who, url_for("cases.detail", case_id=r.ref))
        elif kind == "council":
            entry = Entry(_day(r.day), _("Prevention council decision, protocol %(no)s", no=r.text2), None, url_for("cases.detail", case_id=r.ref))
        elif kind == "closed":
            entry = Entry(at, _("Case #%(id)d closed: %(outcome)s", id=r.ref, outcome=CLOSE_OUTCOME_LABELS.get(r.code, "—")), None, url_for("cases.detail", case_id=r.ref), r.text1)
        elif kind == "reopened":
            entry = Entry(at, _("Case #%(id)d reopened", id=r.ref), None, url_for("cases.detail", case_id=r.ref), r.text1)
        elif kind == "plan":
            entry = Entry(at, _("Plan version %(n)d started", n=r.n), r.who, url_for("plans.version", case_id=r.ref, plan_id=r.id))
        elif kind == "plansubmit":
            entry = Entry(at, _("Plan version %(n)d submitted", n=r.n), None, url_for("plans.version", case_id=r.ref, plan_id=r.id))
        elif kind == "plandecision":
            entry = Entry(at, _("Plan version %(n)d: %(status)s", n=r.n, status=PLAN_STATUS[r.code]), r.who, url_for("plans.version", case_id=r.ref, plan_id=r.id))
        elif kind == "log":
            attended = _("attended") if r.code == "y" else _("did not attend")
            entry = Entry(_day(r.day), _("Measure done: %(what)s (%(attended)s)", what=r.text2, attended=attended), r.who, None, r.text1)
        elif kind == "review":
            entry = Entry(_day(r.day), _("Review: %(decision)s", decision=REVIEW_DECISION_LABELS[r.code]), r.who, url_for("cases.detail", case_id=r.ref), r.text1)
        else:  # escalation
            what = str(EVENT_LABELS.get(r.code, r.code))
            if r.day:
                what = f"{what}: {local_date(r.day)}"
            entry = Entry(at, what, r.who, url_for("escalations.detail", escalation_id=r.ref), r.text1)
        entry.key = f"{kind}:{r.id}"
        entries.append((entry.at, ORDER[kind], r.id, entry))
    entries.sort(key=lambda item: item[:3])
    return [item[3] for item in entries]
