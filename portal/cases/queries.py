"""Every case SELECT starts from what the viewer may see.

Psychologists and administrators see their school's cases; a teacher sees the cases whose team they are on and
the plan summary of their own class (never confidential notes); nobody outside the school sees any.
"""


from flask import abort
from sqlalchemy import ColumnElement, Integer, and_, bindparam, exists, false, or_, select
from sqlalchemy.orm import joinedload

from portal.audit.services import record
from portal.auth import roles
from portal.cases.models import CLOSED, CaseMember, CaseNote, ConfidentialNote, SupportCase
from portal.db import built_for, built_once, clock_today, run_rows
from portal.extensions import db
from portal.students.models import Student


def case_scope(viewer) -> ColumnElement[bool]:
    if viewer.role in (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN) and viewer.school_id:
        return SupportCase.school_id == viewer.school_id
    if viewer.role == roles.TEACHER and viewer.school_id:
        on_team = exists().where(CaseMember.case_id == SupportCase.id, CaseMember.user_id == viewer.id)
        own_class = exists().where(
            Student.id == SupportCase.student_id, Student.class_name == viewer.class_name
        ) if viewer.class_name else false()
        return and_(SupportCase.school_id == viewer.school_id, or_(on_team, own_class))
    return false()


def is_member(viewer, case: SupportCase) -> bool:
    return any(m.user_id == viewer.id for m in case.members)


def is_case_manager(viewer, case: SupportCase) -> bool:
    """Psychologists and administrators of the school run the case."""
    return viewer.role in (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN) and viewer.school_id == case.school_id


def reads_confidential(viewer, case: SupportCase) -> bool:
    return viewer.role == roles.PSYCHOLOGIST and viewer.school_id == case.school_id


def get_case_for(viewer, case_id: int) -> SupportCase:
    statement, params = built_for("case_for", viewer, lambda bound: (
        select(SupportCase)
        .options(
            joinedload(SupportCase.student),
            joinedload(SupportCase.lead),
            joinedload(SupportCase.members).joinedload(CaseMember.user),
        )
        .where(SupportCase.id == bindparam("case_id", type_=Integer), case_scope(bound))))
    case = db.session.scalars(statement, {**params, "case_id": case_id}).unique().one_or_none()
    if case is None:
        record("authz.deny", object_type="case", object_id=case_id, outcome="denied")
        db.session.commit()
        abort(404)
    return case


def list_cases(viewer, which: str = "open"):
    query = (
        select(SupportCase)
        .options(joinedload(SupportCase.student), joinedload(SupportCase.lead))
        .where(case_scope(viewer))
    )
    if which == "open":
        query = query.where(SupportCase.status != CLOSED)
    elif which == "closed":
        query = query.where(SupportCase.status == CLOSED)
    elif which == "review_overdue":
        query = query.where(review_overdue())
    elif which == "mine":
        query = query.where(SupportCase.lead_id == viewer.id, SupportCase.status != CLOSED)
    return query.order_by(SupportCase.next_review_date.is_(None), SupportCase.next_review_date, SupportCase.id)


def review_overdue():
    return and_(SupportCase.status != CLOSED, SupportCase.next_review_date < clock_today())


def review_due_soon():
    return and_(
        SupportCase.status != CLOSED,
        SupportCase.next_review_date >= clock_today(),
        SupportCase.next_review_date <= clock_today(days=7),
    )


def team_notes(case_id: int) -> list[CaseNote]:
    statement = built_once("team_notes", lambda: select(CaseNote).options(joinedload(CaseNote.author))
                           .where(CaseNote.case_id == bindparam("case_id", type_=Integer)).order_by(CaseNote.id))
    return list(db.session.scalars(statement, {"case_id": case_id}))


def confidential_notes(viewer, case: SupportCase) -> list[ConfidentialNote]:
    """Only psychologists of the school; anyone else gets nothing, whatever the caller asked."""
    if not reads_confidential(viewer, case):
        return []
    statement = built_once("confidential_notes", lambda: (
        select(ConfidentialNote).options(joinedload(ConfidentialNote.author))
        .where(ConfidentialNote.case_id == bindparam("case_id", type_=Integer)).order_by(ConfidentialNote.id)))
    return list(db.session.scalars(statement, {"case_id": case.id}))


def open_case_for_student(student_id: int) -> SupportCase | None:
    return db.session.scalar(
        select(SupportCase).where(SupportCase.student_id == student_id, SupportCase.status != CLOSED)
    )


def school_staff(school_id: int, roles_wanted=None) -> list:
    """The school's active staff as rows of (id, full_name, role), by name: what choice lists and filters show."""
    from portal.auth.models import User

    key = ("school_staff", tuple(roles_wanted) if roles_wanted else None)

    def build():
        query = select(User.id, User.full_name, User.role).where(
            User.school_id == bindparam("school_id", type_=Integer), User.active)
        if roles_wanted:
            query = query.where(User.role.in_(roles_wanted))
        return query.order_by(User.full_name, User.id)

    return run_rows(built_once(key, build), {"school_id": school_id}).all()



CASE_COUNTS = ("open", "review_overdue", "review_due_soon", "mine")


def case_counts_query(viewer):
    """One row: counts for the dashboards (see CASE_COUNTS), each of which links to the list it counts."""
    from sqlalchemy import func

    return select(
        func.count().filter(SupportCase.status != CLOSED).label("cases_open"),
        func.count().filter(review_overdue()).label("cases_review_overdue"),
        func.count().filter(review_due_soon()).label("cases_review_due_soon"),
        func.count().filter(and_(SupportCase.lead_id == viewer.id, SupportCase.status != CLOSED)).label("cases_mine"),
    ).where(case_scope(viewer))


def case_counts(viewer, row=None) -> dict:
    row = row or db.session.execute(case_counts_query(viewer)).one()
    return dict(zip(CASE_COUNTS, row, strict=True))
