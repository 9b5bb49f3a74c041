"""Escalations to the regional child-rights directorate (PRODUCT.md §4.3).

The school drafts and submits; submission freezes a snapshot (a row that is never updated). Reviewers of the
school's region read snapshots only, never the live case. Every step is an event the school sees on its chronology.
"""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.admin.models import School
from portal.auth.models import User
from portal.cases.models import SupportCase
from portal.db import Base
from portal.students.models import Student
from portal.web.i18n import lazy_gettext as _l

DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
ACCEPTED = "accepted"
RETURNED = "returned"
DECLINED = "declined"
CLOSED = "closed"
STATUS_LABELS = {
    DRAFT: _l("Draft"),
    SUBMITTED: _l("Submitted to the directorate"),
    IN_REVIEW: _l("In review"),
    ACCEPTED: _l("Accepted, measures assigned"),
    RETURNED: _l("Returned for information"),
    DECLINED: _l("Declined"),
    CLOSED: _l("Closed with feedback"),
}
EDITABLE = (DRAFT, RETURNED)
AWAITING_DECISION = (SUBMITTED, IN_REVIEW)
FINISHED = (DECLINED, CLOSED)

URGENCIES = [("urgent", _l("Urgent (decision within 24 hours)")), ("standard", _l("Standard (5 working days)"))]
URGENCY_LABELS = {"urgent": _l("Urgent"), "standard": _l("Standard")}

REQUESTS = [
    ("help_room", _l("Help room for child victims of violence")),
    ("social_services", _l("Special social services")),
    ("guardianship", _l("Guardianship body")),
    ("juvenile_police", _l("Juvenile police inspector")),
    ("psych_centre", _l("Psychological support centre")),
    ("health", _l("Health services")),
    ("other", _l("Other")),
]
REQUEST_LABELS = dict(REQUESTS)

EVENT_LABELS = {
    "created": _l("Escalation drafted"),
    "submitted": _l("Escalation submitted to the directorate"),
    "resubmitted": _l("Escalation resubmitted with the information asked for"),
    "claimed": _l("Taken into review by the directorate"),
    "accepted": _l("Accepted by the directorate; measures assigned"),
    "returned": _l("Returned by the directorate for more information"),
    "declined": _l("Declined by the directorate"),
    "closed": _l("Measures implemented; closed with feedback"),
    "helproom_appointment": _l("Help-room appointment set"),
    "helproom_interview": _l("One-window interview held at the help room"),
}


class Escalation(Base):
    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("support_cases.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    version: Mapped[int] = mapped_column(default=1)
    # the draft the school writes; frozen into a snapshot at each submission
    urgency: Mapped[str] = mapped_column(String(8), default="standard")
    requested: Mapped[str] = mapped_column(String(200), default="")  # comma-separated request codes
    requested_other: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    measures_tried: Mapped[str] = mapped_column(Text, default="")
    chronology_keys: Mapped[str] = mapped_column(Text, default="")  # selected chronology entries
    answer: Mapped[str | None] = mapped_column(Text)  # the school's answer to a return
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]  # the latest submission
    first_submitted_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(Text)  # return comment or decline reason
    feedback: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    helproom_appointment_on: Mapped[date | None]
    helproom_interview_on: Mapped[date | None]

    case: Mapped[SupportCase] = relationship()
    school: Mapped[School] = relationship()
    student: Mapped[Student] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    measures: Mapped[list["EscalationMeasure"]] = relationship(order_by="EscalationMeasure.id",
                                                                cascade="all, delete-orphan")

    @property
    def request_codes(self) -> list[str]:
        return [r for r in self.requested.split(",") if r]

    @property
    def selected_keys(self) -> list[str]:
        return [k for k in self.chronology_keys.split(",") if k]


class EscalationSnapshot(Base):
    """What the directorate received at one submission. Written once, never updated."""

    __tablename__ = "escalation_snapshots"
    __table_args__ = (UniqueConstraint("escalation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime]
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    content: Mapped[dict] = mapped_column(JSON)

    submitted_by: Mapped[User] = relationship()


class EscalationMeasure(Base):
    """A measure the directorate assigned when it accepted: organisation, responsible, deadline."""

    __tablename__ = "escalation_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(300))
    responsible: Mapped[str] = mapped_column(String(200))
    deadline: Mapped[date]


class EscalationEvent(Base):
    """Each step, with its comment: the school's chronology and the regional history."""

    __tablename__ = "escalation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    on_date: Mapped[date | None]
    waited_minutes: Mapped[int | None]  # decisions: minutes from the submission decided on

    actor: Mapped[User] = relationship()
