"""Reads for administration, scoped to what the viewer manages."""

from flask import abort
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from portal.admin.models import Region, School
from portal.audit.services import record
from portal.auth import roles
from portal.auth.models import User
from portal.extensions import db


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.name_ru)))


def region_choices(locale: str) -> list[tuple[int, str]]:
    return sorted(((r.id, r.name(locale)) for r in regions()), key=lambda c: c[1])


def schools_with_regions() -> Select:
    return select(School).options(joinedload(School.region)).order_by(School.name)


def school_choices() -> list[tuple[int, str]]:
    return [(s.id, s.name) for s in db.session.scalars(select(School).order_by(School.name))]


def get_or_404(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def managed_users(viewer, q: str = "", role: str = "") -> Select:
    """Accounts the viewer manages: every account for a sysadmin, the school's staff for a school admin."""
    query = select(User).options(joinedload(User.school), joinedload(User.region))
    if viewer.role == roles.SCHOOL_ADMIN:
        query = query.where(User.school_id == viewer.school_id, User.role.in_(roles.SCHOOL_STAFF_MANAGED_BY_ADMIN))
    elif viewer.role != roles.SYSADMIN:
        query = query.where(False)
    if role in roles.ALL:
        query = query.where(User.role == role)
    q = (q or "").strip()
    if q:
        pattern = q.lower()
        query = query.where(
            or_(func.lower(User.email).contains(pattern, autoescape=True), User.full_name.contains(q, autoescape=True))
        )
    return query.order_by(User.full_name, User.id)


def get_user_for(viewer, user_id: int) -> User:
    user = db.session.scalar(managed_users(viewer).where(User.id == user_id))
    if user is None:
        record("authz.deny", object_type="user", object_id=user_id, outcome="denied")
        db.session.commit()
        abort(404)
    return user


def email_taken(email: str, exclude_id: int | None = None) -> bool:
    query = select(func.count()).select_from(User).where(func.lower(User.email) == email.lower())
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return db.session.scalar(query) > 0
