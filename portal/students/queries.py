"""Every student SELECT starts from what the viewer may see."""

from flask import abort
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from portal.audit.services import record
from portal.auth import roles
from portal.auth.policy import can
from portal.extensions import db
from portal.students.models import ACTIVE, Student


def normalise_class(value: str | None) -> str:
    """'7 б' → '7Б': classes compare in one spelling."""
    return "".join((value or "").split()).upper()


def search_key(*parts: str | None) -> str:
    return " ".join(p.strip().casefold() for p in parts if p and p.strip())


def visible_students(viewer) -> Select:
    """Students the viewer may find in a search: their school's, for school staff; nothing otherwise."""
    query = select(Student)
    if viewer.role in (roles.TEACHER, roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN) and viewer.school_id:
        return query.where(Student.school_id == viewer.school_id)
    return query.where(False)


def search(viewer, q: str = "", class_name: str = "", status: str = ACTIVE) -> Select:
    query = visible_students(viewer)
    if status in ("active", "left"):
        query = query.where(Student.status == status)
    if class_name:
        query = query.where(Student.class_name == normalise_class(class_name))
    q = (q or "").strip()
    if q:
        compact = q.replace(" ", "")
        terms = [t for t in search_key(q).split(" ") if t]
        alternatives = [and_(*(Student.search_name.contains(term, autoescape=True) for term in terms))]
        if compact.isdigit():
            # Teachers may find a student by the whole IIN only: a prefix search would let them read IINs
            # of children whose profile they cannot open, digit by digit.
            if viewer.role == roles.TEACHER:
                alternatives.append(Student.iin == compact)
            else:
                alternatives.append(Student.iin.startswith(compact, autoescape=True))
        if len(compact) <= 4 and any(c.isdigit() for c in compact):
            alternatives.append(Student.class_name == normalise_class(compact))
        query = query.where(or_(*alternatives))
    return query.order_by(Student.class_name, Student.search_name, Student.id)


def get_student_for(viewer, student_id: int, *, action: str = "student.read") -> Student:
    """Load a student the viewer may open, or answer 404 (and audit the denial) exactly like a missing id."""
    student = db.session.scalar(
        select(Student).options(selectinload(Student.guardians)).where(Student.id == student_id)
    )
    if student is None or not can(viewer, action, student):
        record("authz.deny", object_type="student", object_id=student_id, outcome="denied", fields=action)
        db.session.commit()
        abort(404)
    return student


def iin_taken(iin: str, *, exclude_id: int | None = None) -> bool:
    """Another student anywhere in the deployment already has this IIN."""
    query = select(func.count()).select_from(Student).where(Student.iin == iin)
    if exclude_id is not None:
        query = query.where(Student.id != exclude_id)
    return db.session.scalar(query) > 0


def class_names(viewer, names=None) -> list[str]:
    """The school's classes in school order (5А before 10Б); `names` when the caller has read them already."""
    if names is None:
        names = db.session.scalars(class_names_query(viewer)).all()
    return sorted(names, key=lambda c: (int("".join(ch for ch in c if ch.isdigit()) or 0), c))


def class_names_query(viewer):
    return visible_students(viewer).with_only_columns(Student.class_name).where(Student.status == ACTIVE).distinct()
