"""can(user, action, obj): who may do what. Queries enforce scope in SQL; this decides buttons and actions."""

from portal.auth import roles

STUDENT_READERS = (roles.TEACHER, roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)


def can(user, action: str, obj=None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    rule = RULES.get(action)
    return bool(rule and rule(user, obj))


def _same_school(user, obj) -> bool:
    return obj is not None and user.school_id is not None and obj.school_id == user.school_id


def _student_search(user, _obj) -> bool:
    return user.role in STUDENT_READERS


def _student_read(user, student) -> bool:
    """Full profile: psychologists and admins of the school; teachers only for their own class."""
    if not _same_school(user, student):
        return False
    if user.role in (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN):
        return True
    return user.role == roles.TEACHER and user.class_name is not None and student.class_name == user.class_name


def _student_manage(user, student) -> bool:
    if user.role != roles.SCHOOL_ADMIN:
        return False
    return student is None or _same_school(user, student)


def _user_manage(user, target) -> bool:
    if user.role == roles.SYSADMIN:
        return True
    if user.role != roles.SCHOOL_ADMIN:
        return False
    if target is None:
        return True
    return target.school_id == user.school_id and target.role in roles.SCHOOL_STAFF_MANAGED_BY_ADMIN


def _sysadmin(user, _obj) -> bool:
    return user.role == roles.SYSADMIN


def _concern_create(user, _obj) -> bool:
    return user.role in STUDENT_READERS and user.school_id is not None


def _concern_triage(user, _obj) -> bool:
    return user.role in (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)


def _escalation_read(user, _obj) -> bool:
    return user.role in (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN, roles.REGIONAL_REVIEWER)


RULES = {
    "escalation.read": _escalation_read,
    "concern.create": _concern_create,
    "concern.triage": _concern_triage,
    "student.search": _student_search,
    "student.read": _student_read,
    "student.manage": _student_manage,
    "user.manage": _user_manage,
    "reference.manage": _sysadmin,
}
