"""Writes for administration; each is audited in the same transaction."""

from portal.admin.models import Region, School
from portal.audit.services import record
from portal.auth import sessions
from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.students.queries import normalise_class

USER_FIELDS = ("full_name", "email", "role", "school_id", "region_id", "class_name")


def _assign(obj, data: dict, names) -> list[str]:
    changed = []
    for name in names:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    return changed


def save_region(region: Region | None, data: dict) -> Region:
    created = region is None
    region = region or Region()
    changed = _assign(region, data, ("code", "name_kk", "name_ru", "name_en"))
    db.session.add(region)
    db.session.flush()
    record("region.create" if created else "region.update", object_type="region", object_id=region.id, fields=changed)
    return region


def save_school(school: School | None, data: dict) -> School:
    created = school is None
    school = school or School()
    changed = _assign(school, data, ("name", "region_id", "district", "is_active"))
    db.session.add(school)
    db.session.flush()
    record("school.create" if created else "school.update", object_type="school", object_id=school.id,
           school_id=school.id, fields=changed)
    return school


def clean_user_data(data: dict) -> dict:
    """Keep only the attachments a role has: a school for school roles, a region for reviewers."""
    from portal.auth import roles

    data = dict(data)
    if data["role"] in roles.SCHOOL_ROLES:
        data["region_id"] = None
    elif data["role"] == roles.REGIONAL_REVIEWER:
        data["school_id"] = None
    else:
        data["school_id"] = data["region_id"] = None
    data["class_name"] = normalise_class(data.get("class_name")) or None if data["role"] == roles.TEACHER else None
    return data


def save_user(actor, user: User | None, data: dict, password: str | None) -> User:
    created = user is None
    user = user or User(active=True)
    changed = _assign(user, clean_user_data(data), USER_FIELDS)
    if password:
        user.password_hash = hash_password(password)
        changed.append("password")
    db.session.add(user)
    db.session.flush()
    if not created and ("password" in changed or "role" in changed or "school_id" in changed or "region_id" in changed):
        sessions.end_all_for(user.id, "account_changed")
    record("user.create" if created else "user.update", actor=actor, object_type="user", object_id=user.id,
           school_id=user.school_id, fields=changed)
    return user


def set_active(actor, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions at once."""
    user.active = active
    if not active:
        sessions.end_all_for(user.id, "disabled")
    record("user.enable" if active else "user.disable", actor=actor, object_type="user", object_id=user.id,
           school_id=user.school_id, fields=["active"])


def end_sessions(actor, user: User) -> int:
    count = sessions.end_all_for(user.id, "ended_by_admin")
    record("user.end_sessions", actor=actor, object_type="user", object_id=user.id, school_id=user.school_id)
    return count
