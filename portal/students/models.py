"""Students and their guardians."""

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.admin.models import School
from portal.db import Base, Timestamped

ACTIVE = "active"
LEFT = "left"


class Student(Timestamped, Base):
    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    class_name: Mapped[str] = mapped_column(String(8), index=True)
    surname: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date]
    sex: Mapped[str] = mapped_column(String(1))
    iin: Mapped[str | None] = mapped_column(String(12), index=True)
    iin_duplicate: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(8), default=ACTIVE, index=True)
    left_on: Mapped[date | None]
    left_reason: Mapped[str | None] = mapped_column(String(300))
    # Case-folded "surname given patronymic": SQLite's lower() ignores Cyrillic.
    search_name: Mapped[str] = mapped_column(String(310), index=True)
    version: Mapped[int] = mapped_column(default=1)

    school: Mapped[School] = relationship()
    guardians: Mapped[list["Guardian"]] = relationship(
        back_populates="student", order_by="Guardian.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)


class Guardian(Base):
    __tablename__ = "guardians"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))

    student: Mapped[Student] = relationship(back_populates="guardians")
