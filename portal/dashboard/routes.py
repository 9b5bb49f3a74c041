"""GET /: each role's home page."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import raiseload

from portal.admin.models import Region, School
from portal.auth import roles
from portal.auth.models import User
from portal.cases import queries as case_queries
from portal.clock import local_today, now
from portal.concerns import queries as concern_queries
from portal.concerns.models import Concern
from portal.concerns.routes import LABELS as CONCERN_LABELS
from portal.db import built_for, built_once, run_rows, side_by_side, split_row
from portal.escalations import queries as escalation_queries
from portal.escalations.routes import LABELS as ESCALATION_LABELS
from portal.extensions import db
from portal.plans import queries as plan_queries
from portal.plans.models import MEASURE_LABELS
from portal.students import queries as student_queries
from portal.students.models import ACTIVE, Student

bp = Blueprint("dashboard", __name__)

# the home page's concern extracts show no categories: not loaded (and an error if a template starts to show them)
NO_CATEGORIES = raiseload(Concern.categories)


@bp.get("/")
def index():
    """The home dashboard that fits the user's role."""
    role = current_user.role
    context = {"now": now(), "labels": CONCERN_LABELS, "labels_measure": MEASURE_LABELS}
    if role in roles.SCHOOL_ROLES:
        context["mine"] = _built("mine", lambda v: concern_queries.my_reports(v).options(NO_CATEGORIES).limit(5)
                                 ).scalars().all()
    if role in (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN):
        context.update(_school_counts())
        context["queue"] = _built("queue", lambda v: concern_queries.triage_queue(v, "open").options(NO_CATEGORIES)
                                  .limit(8)).scalars().all()
        context["patterns"] = concern_queries.pattern_alerts(current_user)
    if role in roles.SCHOOL_ROLES:
        context["tasks"] = _built("tasks", lambda v: plan_queries.my_tasks(v, details=False).limit(10)).scalars().all()
        context["today"] = local_today()
    if role == roles.PSYCHOLOGIST:
        context["my_cases"] = _built("my_cases", lambda v: case_queries.list_cases(v, "mine").limit(10)).scalars().all()
    if role == roles.REGIONAL_REVIEWER:
        context["escalation_counts"] = escalation_queries.counts(current_user)
    if role in (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN, roles.REGIONAL_REVIEWER):
        show = "queue" if role == roles.REGIONAL_REVIEWER else "open"
        context["escalations"] = _built(("escalations", show), lambda v: escalation_queries.listing(
            v, show, reviewers=False).limit(8)).scalars().all()
        context["escalation_labels"] = ESCALATION_LABELS
    if role == roles.SCHOOL_ADMIN:
        context["awaiting"] = _built("awaiting", plan_queries.awaiting_approval_query).scalars().all()
        context["overdue_reviews"] = _built("overdue_reviews", lambda v: case_queries.list_cases(
            v, "review_overdue").limit(10)).scalars().all()
    if role == roles.TEACHER:
        if current_user.class_name:
            context["my_class"] = _built("my_class", lambda v: student_queries.visible_students(v).where(
                Student.class_name == v.class_name, Student.status == ACTIVE).order_by(Student.search_name)
            ).scalars().all()
    elif role in (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN):
        context["classes"] = student_queries.class_names(
            current_user, _built("classes", student_queries.class_names_query).scalars().all())
    elif role == roles.REGIONAL_REVIEWER:
        # the schools that need the directorate first: overdue, then most awaiting; the rest are in the overview
        context["overview"] = escalation_queries.needing_attention(current_user, 10)
    elif role == roles.SYSADMIN:
        statement, widths = built_once("sysadmin_counts", lambda: side_by_side(
            *(select(func.count()).select_from(model) for model in (Region, School, User))))
        regions, schools, users = split_row(run_rows(statement).one(), widths)
        context["counts"] = {"regions": regions[0], "schools": schools[0], "users": users[0]}
    return render_template(f"dashboard/{role}.html", **context)


def _built(name, build):
    """Run a home-page statement built once per kind of viewer: `build` gets a BoundViewer (portal.db)."""
    return db.session.execute(*built_for(("home", name), current_user, build))


def _school_counts() -> dict:
    """Every count of a psychologist's or administrator's home page, in one query (built once per kind of viewer)."""
    (statement, widths), params = built_for("school_counts", current_user, _school_counts_statement)
    queue, cases, escalations, students, staff = split_row(run_rows(statement, params).one(), widths)
    context = {
        "queue_counts": concern_queries.queue_counts(current_user, queue),
        "case_counts": case_queries.case_counts(current_user, cases),
        "escalation_counts": escalation_queries.counts(current_user, escalations),
        "student_count": students[0],
    }
    if current_user.role == roles.SCHOOL_ADMIN:
        context["staff_count"] = staff[0]
    return context


def _school_counts_statement(viewer):
    return side_by_side(
        concern_queries.queue_counts_query(viewer),
        case_queries.case_counts_query(viewer),
        escalation_queries.counts_query(viewer),
        student_queries.visible_students(viewer).where(Student.status == ACTIVE).with_only_columns(func.count()),
        select(func.count()).select_from(User).where(User.school_id == viewer.school_id, User.active),
    )
