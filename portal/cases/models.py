"""Support cases (педагогическое сопровождение). Issue 3 opens them; the plan work fills them later."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base
from portal.students.models import Student

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

    student: Mapped[Student] = relationship()
    lead: Mapped[User] = relationship(foreign_keys=[lead_id])

    @property
    def ground_codes(self) -> list[str]:
        return [g for g in self.grounds.split(",") if g]
