"""Every concern write: submit, acknowledge, decide, add an addendum. Each is audited in its transaction."""

from flask import abort, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.audit.services import record
from portal.auth import roles
from portal.auth.models import User
from portal.cases.models import OPEN as CASE_OPEN
from portal.cases.models import SupportCase
from portal.clock import from_local, now
from portal.concerns import workflow
from portal.concerns.deadlines import ack_deadline
from portal.concerns.models import URGENT_CATEGORIES, Concern, ConcernAddendum, ConcernCategory
from portal.concerns.queries import is_triager
from portal.extensions import db
from portal.notifications.services import notify
from portal.web.i18n import lazy_gettext as _l

TEXT_FIELDS = ("location", "facts", "child_words", "witnesses", "immediate_action")
ALREADY_OPEN = _l("The student already has an open support case: attach the concern to it instead.")
NO_OPEN_CASE = _l("The student has no open support case to attach to: open one instead.")


class DecisionRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def existing_submission(reporter, token: str) -> Concern | None:
    return db.session.scalar(
        select(Concern).where(Concern.reporter_id == reporter.id, Concern.submission_token == token)
    )


def triagers_for(concern: Concern) -> list[int]:
    """Who is told: psychologists (unless staff are involved) and administrators of the school,
    never the staff member the concern is about, never the reporter."""
    wanted = [roles.SCHOOL_ADMIN] if concern.involves_staff else [roles.SCHOOL_ADMIN, roles.PSYCHOLOGIST]
    ids = db.session.scalars(
        select(User.id).where(User.school_id == concern.school_id, User.role.in_(wanted), User.active)
    ).all()
    return [i for i in ids if i not in (concern.involved_staff_id, concern.reporter_id)]


def submit(actor, student, data: dict, token: str) -> tuple[Concern, bool]:
    """Store a concern (once per form token) and notify the school. Returns (concern, created)."""
    earlier = existing_submission(actor, token)
    if earlier is not None:
        return earlier, False
    categories = sorted(set(data["categories"]))
    urgent = bool(data["immediate_danger"]) or bool(URGENT_CATEGORIES & set(categories))
    created_at = now()
    concern = Concern(
        school_id=student.school_id,
        student_id=student.id,
        reporter_id=actor.id,
        submission_token=token,
        severity=data["severity"],
        immediate_danger=bool(data["immediate_danger"]),
        urgent=urgent,
        occurred_at=from_local(data["occurred_at"]),
        involves_staff=bool(data["involves_staff"]),
        involved_staff_id=data["involved_staff_id"] if data["involves_staff"] else None,
        created_at=created_at,
        ack_due_at=ack_deadline(created_at, urgent),
        **{name: (data.get(name) or None) for name in TEXT_FIELDS},
    )
    concern.categories = [ConcernCategory(category=c) for c in categories]
    try:
        with db.session.begin_nested():
            db.session.add(concern)
            db.session.flush()
    except IntegrityError:
        # The same form was submitted twice at once: the other request stored it.
        earlier = existing_submission(actor, token)
        if earlier is None:
            raise
        return earlier, False
    link = url_for("concerns.detail", concern_id=concern.id)
    notify(triagers_for(concern), "concern.urgent" if urgent else "concern.new", link)
    record("concern.create", object_type="concern", object_id=concern.id, school_id=concern.school_id,
           fields=["categories", "severity", *(n for n in TEXT_FIELDS if data.get(n))])
    return concern, True


def acknowledge(actor, concern: Concern, version: int) -> None:
    if not is_triager(actor, concern):
        abort(404)
    workflow.apply(concern, "acknowledge", version, acknowledged_at=now(), acknowledged_by_id=actor.id)
    notify([concern.reporter_id], "concern.acknowledged", url_for("concerns.detail", concern_id=concern.id))
    record("concern.acknowledge", object_type="concern", object_id=concern.id, school_id=concern.school_id,
           fields=["status"])


def open_case_of(student_id: int) -> SupportCase | None:
    return db.session.scalar(
        select(SupportCase).options(joinedload(SupportCase.lead))
        .where(SupportCase.student_id == student_id, SupportCase.status != "closed")
    )


def decide(actor, concern: Concern, version: int, data: dict) -> None:
    """Record the triage decision: risk level with rationale, then one outcome."""
    if not is_triager(actor, concern):
        abort(404)
    outcome = data["outcome"]
    values = {
        "risk_level": data["risk_level"],
        "risk_rationale": data["risk_rationale"],
        "outcome_note": data.get("outcome_note") or None,
        "decided_at": now(),
        "decided_by_id": actor.id,
    }
    current_case = open_case_of(concern.student_id)
    if outcome == "open_case":
        if current_case is not None:
            raise DecisionRefused(ALREADY_OPEN)
        case = SupportCase(
            school_id=concern.school_id, student_id=concern.student_id, grounds=",".join(sorted(data["grounds"])),
            risk_level=data["risk_level"], lead_id=actor.id, status=CASE_OPEN, created_at=now(),
            created_by_id=actor.id,
        )
        db.session.add(case)
        db.session.flush()
        values["case_id"] = case.id
        record("case.open", object_type="case", object_id=case.id, school_id=case.school_id,
               fields=["grounds", "risk_level", "lead_id"])
    elif outcome == "attach_case":
        if current_case is None:
            raise DecisionRefused(NO_OPEN_CASE)
        values["case_id"] = current_case.id
    elif outcome == "monitor":
        values["monitor_until"] = data["monitor_until"]
    elif outcome == "refer":
        values["referral_to"] = data["referral_to"]
    workflow.apply(concern, outcome, version, **values)
    notify([concern.reporter_id], "concern.decided", url_for("concerns.detail", concern_id=concern.id))
    record(f"concern.{outcome}", object_type="concern", object_id=concern.id, school_id=concern.school_id,
           fields=["status", *sorted(k for k in values if k not in ("decided_at", "decided_by_id"))])


def add_addendum(actor, concern: Concern, reason: str, text: str) -> ConcernAddendum:
    """Corrections never edit the concern; they are appended with a reason."""
    if concern.reporter_id != actor.id and not is_triager(actor, concern):
        abort(404)
    addendum = ConcernAddendum(concern_id=concern.id, author_id=actor.id, reason=reason, text=text, created_at=now())
    db.session.add(addendum)
    db.session.flush()
    if actor.id == concern.reporter_id:
        notify(triagers_for(concern), "concern.addendum", url_for("concerns.detail", concern_id=concern.id))
    record("concern.addendum", object_type="concern", object_id=concern.id, school_id=concern.school_id,
           fields=["reason", "text"])
    return addendum
