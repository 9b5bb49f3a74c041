"""Support cases (педагогическое сопровождение). Issue 3 opens them; the plan work fills them later."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base
from portal.students.models import Student
from portal.web.i18n import lazy_gettext as _l

OPEN = "open"
ACTIVE = "active"
CLOSED = "closed"
STATUS_LABELS = {OPEN: _l("Open"), ACTIVE: _l("Active"), CLOSED: _l("Closed")}

# The six grounds named by the Ministry for pedagogical support (PRODUCT.md §1).
GROUNDS = [
    ("learning", _l("Learning difficulties")),
    ("absence", _l("Systematic absence without valid reason")),
    ("antisocial", _l("Antisocial behaviour")),
    ("offence", _l("Has committed an offence")),
    ("violence", _l("Has been subjected to violence")),
    ("difficult_situation", _l("Is in a difficult life situation")),
]
GROUND_LABELS = dict(GROUNDS)

RISK_LEVELS = [("low", _l("Low")), ("medium", _l("Medium")), ("high", _l("High"))]
RISK_LABELS = dict(RISK_LEVELS)


class SupportCase(Base):
    __tablename__ = "support_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    grounds: Mapped[str] = mapped_column(String(200))  # comma-separated ground codes
    risk_level: Mapped[str] = mapped_column(String(8))
    lead_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default=OPEN, index=True)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    council_date: Mapped[date | None]
    council_protocol: Mapped[str | None] = mapped_column(String(50))
    next_review_date: Mapped[date | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    close_outcome: Mapped[str | None] = mapped_column(String(20))
    close_reason: Mapped[str | None] = mapped_column(Text)
    reopened_at: Mapped[datetime | None]
    reopen_reason: Mapped[str | None] = mapped_column(Text)

    student: Mapped[Student] = relationship()
    lead: Mapped[User] = relationship(foreign_keys=[lead_id])
    members: Mapped[list["CaseMember"]] = relationship(order_by="CaseMember.added_at", cascade="all, delete-orphan")

    @property
    def ground_codes(self) -> list[str]:
        return [g for g in self.grounds.split(",") if g]


CLOSE_OUTCOMES = [
    ("goals_achieved", _l("Goals achieved")),
    ("partly_achieved", _l("Goals partly achieved")),
    ("not_achieved", _l("Goals not achieved")),
    ("transferred", _l("Transferred to another organisation")),
    ("left_school", _l("The student left the school")),
]
CLOSE_OUTCOME_LABELS = dict(CLOSE_OUTCOMES)
TEAM_ROLES = [("class_teacher", _l("Class teacher")), ("member", _l("Team member"))]
TEAM_ROLE_LABELS = dict(TEAM_ROLES)


class CaseMember(Base):
    """The case team: class teacher and others; they read the case and its team notes."""

    __tablename__ = "case_members"

    case_id: Mapped[int] = mapped_column(ForeignKey("support_cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    team_role: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime]

    user: Mapped[User] = relationship()


class CaseNote(Base):
    """Team notes: read by the case team and the school's administrators and psychologists."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("support_cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    author: Mapped[User] = relationship()


class ConfidentialNote(Base):
    """Psychologists' confidential notes, in their own table: only psychologists of the school read them."""

    __tablename__ = "confidential_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("support_cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    author: Mapped[User] = relationship()
