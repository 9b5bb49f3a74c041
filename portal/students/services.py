"""Writes to students; each records its audit event in the same transaction."""

from flask import abort

from portal.audit.services import record
from portal.auth.policy import can
from portal.extensions import db
from portal.students.models import ACTIVE, LEFT, Guardian, Student
from portal.students.queries import iin_taken, normalise_class, search_key

FIELDS = ("surname", "given_name", "patronymic", "class_name", "birth_date", "sex", "iin")


class StaleVersion(Exception):
    """The record changed since the form was opened."""

    def __init__(self, changed: list[str]):
        super().__init__(", ".join(changed))
        self.changed = changed


def _apply(student: Student, data: dict) -> list[str]:
    changed = []
    data = {**data, "class_name": normalise_class(data["class_name"]), "iin": data.get("iin") or None}
    for name in FIELDS:
        if getattr(student, name) != data.get(name):
            setattr(student, name, data.get(name))
            changed.append(name)
    student.search_name = search_key(student.surname, student.given_name, student.patronymic)
    return changed


def _apply_guardians(student: Student, rows: list[dict]) -> bool:
    wanted = [
        (r["full_name"], r["relation"] or "other", r.get("phone") or None) for r in rows if r.get("full_name")
    ]
    current = [(g.full_name, g.relation, g.phone) for g in student.guardians]
    if wanted == current:
        return False
    student.guardians.clear()
    for full_name, relation, phone in wanted:
        student.guardians.append(Guardian(full_name=full_name, relation=relation, phone=phone))
    return True


def duplicate_iin(iin: str | None, exclude_id: int | None = None) -> bool:
    return bool(iin) and iin_taken(iin, exclude_id=exclude_id)


def create(actor, school_id: int, data: dict, guardians: list[dict]) -> Student:
    if not can(actor, "student.manage"):
        abort(403)
    student = Student(school_id=school_id, status=ACTIVE)
    _apply(student, data)
    _apply_guardians(student, guardians)
    student.iin_duplicate = duplicate_iin(student.iin)
    db.session.add(student)
    db.session.flush()
    _flag_other_holders(student)
    record("student.create", object_type="student", object_id=student.id, school_id=school_id, fields=FIELDS)
    return student


def update(actor, student: Student, data: dict, guardians: list[dict], version: int | None) -> list[str]:
    if not can(actor, "student.manage", student):
        abort(404)
    _check_version(student, version, data)
    changed = _apply(student, data)
    if _apply_guardians(student, guardians):
        changed.append("guardians")
    if "iin" in changed:
        student.iin_duplicate = duplicate_iin(student.iin, student.id)
        _flag_other_holders(student)
    if changed:
        record("student.update", object_type="student", object_id=student.id, school_id=student.school_id,
               fields=changed)
    return changed


def mark_left(actor, student: Student, left_on, reason: str, version: int | None) -> None:
    if not can(actor, "student.manage", student):
        abort(404)
    _check_version(student, version, {})
    student.status = LEFT
    student.left_on = left_on
    student.left_reason = reason
    record("student.leave", object_type="student", object_id=student.id, school_id=student.school_id,
           fields=["status", "left_on", "left_reason"])


def reinstate(actor, student: Student, version: int | None) -> None:
    if not can(actor, "student.manage", student):
        abort(404)
    _check_version(student, version, {})
    student.status = ACTIVE
    student.left_on = None
    student.left_reason = None
    record("student.reinstate", object_type="student", object_id=student.id, school_id=student.school_id,
           fields=["status"])


def _check_version(student: Student, version: int | None, data: dict) -> None:
    if version is not None and version != student.version:
        changed = [name for name in FIELDS if name in data and getattr(student, name) != data[name]]
        raise StaleVersion(changed)


def _flag_other_holders(student: Student) -> None:
    """A duplicate is flagged on every holder, never merged."""
    if not student.iin:
        return
    others = db.session.scalars(
        db.select(Student).where(Student.iin == student.iin, Student.id != student.id)
    ).all()
    for other in others:
        other.iin_duplicate = True
    if others:
        student.iin_duplicate = True
