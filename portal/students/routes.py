"""Students: live search, profile, and the school administrator's add / edit / leave."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.audit.services import record
from portal.auth import roles
from portal.concerns import queries as concern_queries
from portal.concerns import services as concern_services
from portal.concerns.routes import LABELS as CONCERN_LABELS
from portal.escalations import queries as escalation_queries
from portal.extensions import db
from portal.plans import queries as plan_queries
from portal.students import queries, services
from portal.students.forms import RELATION_LABELS, LeaveForm, StudentForm
from portal.students.models import ACTIVE
from portal.web.access import roles as allow
from portal.web.forms import query_text
from portal.web.htmx import paginate, render_page_or_partial
from portal.web.i18n import gettext as _

bp = Blueprint("students", __name__)

STUDENT_ROLES = (roles.TEACHER, roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)


@bp.get("/students")
@allow(*STUDENT_ROLES)
def index():
    """Search the school's students by name, class or IIN; paginated; htmx swaps only the results."""
    q = query_text("q")
    class_name = query_text("class", 8)
    status = request.args.get("status", ACTIVE)
    if status not in ("active", "left", "all"):
        status = ACTIVE
    pagination = paginate(queries.search(current_user, q, class_name, status))
    record("student.search", outcome="ok", fields=[f for f, v in (("q", q), ("class", class_name)) if v])
    db.session.commit()
    return render_page_or_partial(
        "students/index.html",
        "students/_results.html",
        pagination=pagination,
        q=q,
        class_name=class_name,
        status=status,
        classes=queries.class_names(current_user),
    )


@bp.get("/students/<int:student_id>")
@allow(*STUDENT_ROLES)
def detail(student_id: int):
    """A student's profile, for those who may read it; everyone else gets 404."""
    student = queries.get_student_for(current_user, student_id)
    concerns = concern_queries.for_student(current_user, student.id)
    open_case = concern_services.open_case_of(student.id)
    plan = plan_queries.in_force_of(open_case.id) if open_case else None
    record("student.read", object_type="student", object_id=student.id, school_id=student.school_id)
    context = {
        "student": student,
        "relation_labels": RELATION_LABELS,
        "concerns": concerns,
        "triager_of": {c.id: concern_queries.is_triager(current_user, c) for c in concerns},
        "open_case": open_case if current_user.role != roles.TEACHER else None,
        "plan_in_force": plan,
        "plan_case_id": open_case.id if open_case else None,
        "interview_on": escalation_queries.interview_recorded(student.id),
        "labels": CONCERN_LABELS,
    }
    db.session.commit()  # the opening is on record before anything of the profile is rendered
    return render_template("students/detail.html", **context)


def _form_data(form: StudentForm) -> tuple[dict, list[dict]]:
    data = {name: getattr(form, name).data for name in services.FIELDS}
    guardians = [entry.form.data for entry in form.guardians.entries]
    return data, guardians


def _duplicate_needs_confirmation(form: StudentForm, exclude_id=None) -> bool:
    if form.iin.data and services.duplicate_iin(form.iin.data, exclude_id) and not form.confirm_duplicate_iin.data:
        form.iin.errors = [
            *form.iin.errors,
            _("Another student in the portal already has this IIN. Check it; if it is right, tick the box below."),
        ]
        return True
    return False


@bp.route("/admin/students/new", methods=["GET", "POST"])
@allow(roles.SCHOOL_ADMIN)
def create():
    """Add a student to the administrator's school."""
    form = StudentForm()
    if form.validate_on_submit() and not _duplicate_needs_confirmation(form):
        data, guardians = _form_data(form)
        student = services.create(current_user, current_user.school_id, data, guardians)
        db.session.commit()
        flash(_("The student has been added."), "success")
        return redirect(url_for("students.detail", student_id=student.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("students/form.html", form=form, student=None), status


@bp.route("/admin/students/<int:student_id>/edit", methods=["GET", "POST"])
@allow(roles.SCHOOL_ADMIN)
def edit(student_id: int):
    """Edit a student's details and guardians; a stale form is refused with 409."""
    student = queries.get_student_for(current_user, student_id, action="student.manage")
    if request.method == "GET":
        form = StudentForm(obj=student, version=str(student.version))
        while len(form.guardians.entries) > 0:
            form.guardians.pop_entry()
        for guardian in student.guardians[:4]:
            form.guardians.append_entry(guardian)
        while len(form.guardians.entries) < 2:
            form.guardians.append_entry()
        return render_template("students/form.html", form=form, student=student)
    form = StudentForm()
    if form.validate_on_submit() and not _duplicate_needs_confirmation(form, student.id):
        data, guardians = _form_data(form)
        try:
            changed = services.update(current_user, student, data, guardians, _version(form))
        except services.StaleVersion as stale:
            db.session.rollback()
            return render_template("students/form.html", form=form, student=student, stale=stale), 409
        db.session.commit()
        flash(_("Saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("students.detail", student_id=student.id), 303)
    return render_template("students/form.html", form=form, student=student), 400


@bp.route("/admin/students/<int:student_id>/leave", methods=["GET", "POST"])
@allow(roles.SCHOOL_ADMIN)
def leave(student_id: int):
    """Mark a student as having left the school (kept, never deleted)."""
    student = queries.get_student_for(current_user, student_id, action="student.manage")
    form = LeaveForm(version=str(student.version)) if request.method == "GET" else LeaveForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.mark_left(current_user, student, form.left_on.data, form.reason.data, _version(form))
            except services.StaleVersion as stale:
                db.session.rollback()
                return render_template("students/leave.html", form=form, student=student, stale=stale), 409
            db.session.commit()
            flash(_("The student is marked as having left."), "success")
            return redirect(url_for("students.detail", student_id=student.id), 303)
        return render_template("students/leave.html", form=form, student=student), 400
    return render_template("students/leave.html", form=form, student=student)


@bp.post("/admin/students/<int:student_id>/reinstate")
@allow(roles.SCHOOL_ADMIN)
def reinstate(student_id: int):
    """Bring a student who had left back to the active list."""
    student = queries.get_student_for(current_user, student_id, action="student.manage")
    services.reinstate(current_user, student, None)
    db.session.commit()
    flash(_("The student is active again."), "success")
    return redirect(url_for("students.detail", student_id=student.id), 303)


def _version(form) -> int | None:
    try:
        number = int(form.version.data)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**31 else None
