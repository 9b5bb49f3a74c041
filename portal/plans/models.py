"""Individual plans of preventive work: versioned, with goals, measures, logs of what was done, and reviews."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.cases.models import SupportCase
from portal.db import Base
from portal.web.i18n import lazy_gettext as _l

DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
RETURNED = "returned"
SUPERSEDED = "superseded"
EDITABLE = (DRAFT, RETURNED)
STATUS_LABELS = {
    DRAFT: _l("Draft"),
    SUBMITTED: _l("Submitted for approval"),
    APPROVED: _l("Approved (in force)"),
    RETURNED: _l("Returned for revision"),
    SUPERSEDED: _l("Replaced by a newer version"),
}

MEASURE_TYPES = [
    ("counselling", _l("Individual counselling")),
    ("group_session", _l("Group session")),
    ("academic_support", _l("Academic support")),
    ("parent_meeting", _l("Parent meeting")),
    ("home_visit", _l("Home visit")),
    ("specialist_referral", _l("Referral to a specialist")),
    ("extracurricular", _l("Extracurricular involvement")),
    ("mentoring", _l("Mentoring")),
    ("anti_bullying", _l("Anti-bullying measures")),
    ("other", _l("Other")),
]
MEASURE_LABELS = dict(MEASURE_TYPES)

PROGRESS = [
    ("not_started", _l("Not started")),
    ("progressing", _l("Progressing")),
    ("achieved", _l("Achieved")),
    ("not_achieved", _l("Not achieved")),
]
PROGRESS_LABELS = dict(PROGRESS)

REVIEW_DECISIONS = [
    ("continue", _l("Continue the plan")),
    ("revise", _l("Revise the plan (new version)")),
    ("close_case", _l("Close the case")),
    ("escalate", _l("Escalate to the regional directorate")),
]
REVIEW_DECISION_LABELS = dict(REVIEW_DECISIONS)


class Plan(Base):
    """One version of a case's plan. Only an approved version is in force; a newer draft does not replace it
    until that draft is approved."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("case_id", "version_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("support_cases.id"), index=True)
    version_no: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    strengths: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[str | None] = mapped_column(Text)
    guardian_involvement: Mapped[str | None] = mapped_column(Text)
    next_review_date: Mapped[date | None]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    return_comment: Mapped[str | None] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(default=1)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    case: Mapped["SupportCase"] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    goals: Mapped[list["Goal"]] = relationship(order_by="Goal.id", cascade="all, delete-orphan")
    measures: Mapped[list["Measure"]] = relationship(order_by="Measure.id", cascade="all, delete-orphan")
    editors: Mapped[list["PlanEditor"]] = relationship(cascade="all, delete-orphan")


class PlanEditor(Base):
    """Everyone who wrote part of a version: none of them may approve it."""

    __tablename__ = "plan_editors"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class Goal(Base):
    __tablename__ = "plan_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    what: Mapped[str] = mapped_column(String(500))
    indicator: Mapped[str] = mapped_column(String(500))
    baseline: Mapped[str | None] = mapped_column(String(300))
    target: Mapped[str] = mapped_column(String(300))
    target_date: Mapped[date]
    lock_version: Mapped[int] = mapped_column(default=1)


class Measure(Base):
    __tablename__ = "plan_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    type: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(String(1000))
    responsible_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    frequency: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date]
    end_date: Mapped[date]
    lock_version: Mapped[int] = mapped_column(default=1)

    plan: Mapped[Plan] = relationship(back_populates="measures")
    responsible: Mapped[User] = relationship()
    logs: Mapped[list["MeasureLog"]] = relationship(order_by="MeasureLog.done_on", back_populates="measure")


class MeasureLog(Base):
    """What was done for a measure: date, note, whether the student attended."""

    __tablename__ = "measure_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("plan_measures.id"), index=True)
    done_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text)
    attended: Mapped[bool]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]

    measure: Mapped[Measure] = relationship(back_populates="logs")
    author: Mapped[User] = relationship()


class Review(Base):
    __tablename__ = "plan_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("support_cases.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    held_on: Mapped[date]
    decision: Mapped[str] = mapped_column(String(12))
    rationale: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]

    author: Mapped[User] = relationship()
    goals: Mapped[list["ReviewGoal"]] = relationship(cascade="all, delete-orphan")


class ReviewGoal(Base):
    __tablename__ = "plan_review_goals"

    review_id: Mapped[int] = mapped_column(ForeignKey("plan_reviews.id"), primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goals.id"), primary_key=True)
    progress: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(String(1000))

    goal: Mapped[Goal] = relationship()
