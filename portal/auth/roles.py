"""The five roles of PRODUCT.md §2."""

from portal.web.i18n import lazy_gettext as _l

TEACHER = "teacher"
PSYCHOLOGIST = "psychologist"
SCHOOL_ADMIN = "school_admin"
REGIONAL_REVIEWER = "regional_reviewer"
SYSADMIN = "sysadmin"

ALL = (TEACHER, PSYCHOLOGIST, SCHOOL_ADMIN, REGIONAL_REVIEWER, SYSADMIN)
SCHOOL_ROLES = (TEACHER, PSYCHOLOGIST, SCHOOL_ADMIN)
SCHOOL_STAFF_MANAGED_BY_ADMIN = (TEACHER, PSYCHOLOGIST)

LABELS = {
    TEACHER: _l("Teacher"),
    PSYCHOLOGIST: _l("School psychologist"),
    SCHOOL_ADMIN: _l("School administrator"),
    REGIONAL_REVIEWER: _l("Regional reviewer"),
    SYSADMIN: _l("System administrator"),
}
