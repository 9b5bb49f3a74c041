"""Concerns (сигналы): a staff member flags a student; the school triages it."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.cases.models import SupportCase
from portal.db import Base
from portal.students.models import Student
from portal.web.i18n import lazy_gettext as _l

CATEGORIES = [
    ("physical_violence", _l("Physical violence")),
    ("psychological_violence", _l("Psychological violence")),
    ("sexual_violence", _l("Sexual violence")),
    ("neglect", _l("Neglect")),
    ("bullying", _l("Bullying (incl. cyberbullying)")),
    ("absence", _l("Systematic absence")),
    ("learning", _l("Learning difficulties")),
    ("antisocial", _l("Antisocial behaviour")),
    ("offence", _l("Offence")),
    ("difficult_situation", _l("Difficult life situation")),
    ("self_harm", _l("Self-harm risk")),
    ("substance_use", _l("Substance use")),
    ("other", _l("Other")),
]
CATEGORY_LABELS = dict(CATEGORIES)
VIOLENCE = {"physical_violence", "psychological_violence", "sexual_violence"}
URGENT_CATEGORIES = VIOLENCE | {"self_harm"}

SEVERITIES = [("low", _l("Low")), ("medium", _l("Medium")), ("high", _l("High"))]
SEVERITY_LABELS = dict(SEVERITIES)

# Statuses; the reporter sees them folded into a ladder (see LADDER).
SUBMITTED = "submitted"
ACKNOWLEDGED = "acknowledged"
MONITORING = "monitoring"
REFERRED = "referred"
CASE = "case"
CLOSED = "closed"
OPEN_STATUSES = (SUBMITTED, ACKNOWLEDGED, MONITORING)

STATUS_LABELS = {
    SUBMITTED: _l("Submitted"),
    ACKNOWLEDGED: _l("Acknowledged"),
    MONITORING: _l("Monitoring"),
    REFERRED: _l("Referred outside the school"),
    CASE: _l("Support case"),
    CLOSED: _l("Closed: no further action"),
}
LADDER = [("submitted", _l("Submitted")), ("acknowledged", _l("Acknowledged")), ("done", _l("Action taken / closed"))]

REFERRAL_TARGETS = [
    ("police", _l("Police")),
    ("health", _l("Health services")),
    ("guardianship", _l("Guardianship body")),
    ("other", _l("Other organisation")),
]
REFERRAL_LABELS = dict(REFERRAL_TARGETS)


class Concern(Base):
    __tablename__ = "concerns"
    __table_args__ = (UniqueConstraint("reporter_id", "submission_token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submission_token: Mapped[str] = mapped_column(String(36))
    severity: Mapped[str] = mapped_column(String(8))
    immediate_danger: Mapped[bool] = mapped_column(default=False)
    urgent: Mapped[bool] = mapped_column(default=False, index=True)
    occurred_at: Mapped[datetime]
    location: Mapped[str | None] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text)
    child_words: Mapped[str | None] = mapped_column(Text)
    witnesses: Mapped[str | None] = mapped_column(Text)
    immediate_action: Mapped[str | None] = mapped_column(Text)
    involves_staff: Mapped[bool] = mapped_column(default=False)
    involved_staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    ack_due_at: Mapped[datetime] = mapped_column(index=True)

    status: Mapped[str] = mapped_column(String(16), default=SUBMITTED, index=True)
    version: Mapped[int] = mapped_column(default=1)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    risk_level: Mapped[str | None] = mapped_column(String(8))
    risk_rationale: Mapped[str | None] = mapped_column(Text)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    monitor_until: Mapped[date | None]
    referral_to: Mapped[str | None] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("support_cases.id"), index=True)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    student: Mapped[Student] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    involved_staff: Mapped[User | None] = relationship(foreign_keys=[involved_staff_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    case: Mapped[SupportCase | None] = relationship()
    categories: Mapped[list["ConcernCategory"]] = relationship(
        cascade="all, delete-orphan", order_by="ConcernCategory.category", lazy="selectin"
    )
    addenda: Mapped[list["ConcernAddendum"]] = relationship(
        order_by="ConcernAddendum.id", back_populates="concern"
    )

    @property
    def category_codes(self) -> list[str]:
        return [c.category for c in self.categories]

    @property
    def ladder_step(self) -> str:
        if self.status == SUBMITTED:
            return "submitted"
        if self.status == ACKNOWLEDGED:
            return "acknowledged"
        return "done"


class ConcernCategory(Base):
    __tablename__ = "concern_categories"

    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class ConcernAddendum(Base):
    """A correction or addition; the concern itself is never edited."""

    __tablename__ = "concern_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    concern: Mapped[Concern] = relationship(back_populates="addenda")
    author: Mapped[User] = relationship()
