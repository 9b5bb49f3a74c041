"""Concerns: flag a student, the triage queue, the concern page with acknowledge / decide / addenda."""

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.audit.services import record
from portal.auth import roles
from portal.auth.models import User
from portal.cases.models import GROUND_LABELS, RISK_LABELS
from portal.concerns import queries, services, workflow
from portal.concerns.forms import AcknowledgeForm, AddendumForm, ConcernForm, DecisionForm
from portal.concerns.models import (
    CATEGORY_LABELS,
    LADDER,
    REFERRAL_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
)
from portal.db import built_for
from portal.extensions import db
from portal.students import queries as student_queries
from portal.students.models import ACTIVE, Student
from portal.web.access import roles as allow
from portal.web.forms import query_text, version_number
from portal.web.htmx import paginate_built
from portal.web.i18n import gettext as _

bp = Blueprint("concerns", __name__, url_prefix="/concerns")

STAFF = (roles.TEACHER, roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)
TRIAGERS = (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)
LABELS = {
    "categories": CATEGORY_LABELS, "severity": SEVERITY_LABELS, "status": STATUS_LABELS, "ladder": LADDER,
    "risk": RISK_LABELS, "referral": REFERRAL_LABELS, "grounds": GROUND_LABELS,
}


@bp.get("")
@allow(*STAFF)
def index():
    """Triage queue for psychologists and administrators; everyone's own reports as a status ladder."""
    which = request.args.get("show", "open")
    if which not in ("open", "overdue", "closed", "all"):
        which = "open"
    context = {"labels": LABELS, "which": which, "now": _now()}
    if current_user.role in TRIAGERS:
        # the queue shows no reporters, so it loads none; statements built once per kind of viewer (portal.db)
        context["queue"] = paginate_built(*built_for(("triage_queue", which), current_user,
                                                     lambda v: queries.triage_queue(v, which)))
        context["counts"] = queries.queue_counts(current_user)
        context["patterns"] = queries.pattern_alerts(current_user)
    statement, params = built_for("my_reports", current_user, lambda v: queries.my_reports(v).limit(50))
    context["mine"] = db.session.scalars(statement, params).all()
    return render_template("concerns/index.html", **context)


def _student_for_flag(student_id: int) -> Student:
    """Any active student of the viewer's school may be flagged; anything else is 404 (audited).

    An id beyond the id column's range (the form's student_id is any integer) is missing too: the database itself
    would fail on it (SQLite: OverflowError), in the lookup and in the audit row.
    """
    in_range = 0 < student_id < 2**31
    student = db.session.scalar(
        student_queries.visible_students(current_user).where(Student.id == student_id, Student.status == ACTIVE)
    ) if in_range else None
    if student is None:
        record("authz.deny", object_type="student", object_id=student_id if in_range else None, outcome="denied",
               fields="concern.create")
        db.session.commit()
        abort(404)
    return student


def _staff_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(User.id, User.full_name)
        .where(User.school_id == current_user.school_id, User.active, User.role.in_(roles.SCHOOL_ROLES))
        .order_by(User.full_name)
    ).all()
    return [(0, "—"), *((row.id, row.full_name) for row in rows)]


def _student_matches(q: str):
    if len(q.strip()) < 2:
        return []
    return db.session.scalars(student_queries.search(current_user, q).limit(10)).all()


@bp.get("/student-search")
@allow(*STAFF)
def student_search():
    """Live student search inside the flag form (htmx); the form also works without it."""
    q = query_text("q")
    return render_template("concerns/_student_choices.html", matches=_student_matches(q), q=q, selected=None)


@bp.route("/new", methods=["GET", "POST"])
@allow(*STAFF)
def create():
    """Flag a concern about a student: quick, with clear fields, stored once even if sent twice."""
    form = ConcernForm()
    form.involved_staff_id.choices = _staff_choices()
    selected = None
    status = 200
    if request.method == "GET":
        form.token.data = str(uuid.uuid4())
        if request.args.get("student_id", type=int):
            selected = _student_for_flag(request.args.get("student_id", type=int))
    else:
        if form.student_id.data:
            selected = _student_for_flag(form.student_id.data)
        if form.validate_on_submit() and selected is not None:
            if form.involves_staff.data and form.involved_staff_id.data == current_user.id:
                form.involved_staff_id.errors = [_("You cannot name yourself; tell an administrator directly.")]
            else:
                concern, created = services.submit(current_user, selected, form.data, form.token.data)
                db.session.commit()
                if created:
                    flash(_("The concern has been submitted."), "success")
                return redirect(url_for("concerns.detail", concern_id=concern.id, submitted=1), 303)
        status = 400
    q = query_text("q")
    return render_template(
        "concerns/form.html", form=form, selected=selected, q=q, matches=_student_matches(q), labels=LABELS
    ), status


@bp.get("/<int:concern_id>")
@allow(*STAFF)
def detail(concern_id: int):
    """One concern: in full for those who triage it, as a status ladder for its reporter."""
    concern = queries.get_concern_for(current_user, concern_id)
    record("concern.read", object_type="concern", object_id=concern.id, school_id=concern.school_id)
    return _render_detail(concern, commit=True)


def _render_detail(concern, status: int = 200, decision_form=None, addendum_form=None, problem=None, commit=False):
    """`commit`: the view recorded an opening, committed once the page's data is read, before it is rendered."""
    triager = queries.is_triager(current_user, concern)
    context = {
        "concern": concern,
        "labels": LABELS,
        "triager": triager,
        "problem": problem,
        "addendum_form": addendum_form or AddendumForm(formdata=None),
        "just_submitted": request.args.get("submitted") == "1",
        "now": _now(),
    }
    if triager:
        context["ack_form"] = AcknowledgeForm(formdata=None, version=str(concern.version))
        context["decision_form"] = decision_form or DecisionForm(formdata=None, version=str(concern.version))
        context["open_case"] = services.open_case_of(concern.student_id)
        context["can_decide"] = any(workflow.allowed(concern, a) for a in workflow.DECISIONS)
        template = "concerns/detail.html"
    else:
        template = "concerns/ladder.html"
        context["own_addenda"] = [a for a in concern.addenda if a.author_id == current_user.id]
    if commit:
        db.session.commit()
    return render_template(template, **context), status


@bp.post("/<int:concern_id>/acknowledge")
@allow(*TRIAGERS)
def acknowledge(concern_id: int):
    """Acknowledge a concern: the deadline clock stops; applied once however often it is clicked."""
    concern = queries.get_concern_for(current_user, concern_id)
    if not queries.is_triager(current_user, concern):
        abort(404)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.acknowledge(current_user, concern, version_number(form.version.data))
    except workflow.TransitionRefused:
        db.session.rollback()
        db.session.refresh(concern)
        return _render_detail(concern, 409, problem=_("Someone has already acknowledged or changed this concern."))
    db.session.commit()
    flash(_("The concern is acknowledged."), "success")
    return redirect(url_for("concerns.detail", concern_id=concern.id), 303)


@bp.post("/<int:concern_id>/decide")
@allow(*TRIAGERS)
def decide(concern_id: int):
    """Record the triage decision (risk level with rationale, and the outcome)."""
    concern = queries.get_concern_for(current_user, concern_id)
    if not queries.is_triager(current_user, concern):
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_detail(concern, 400, decision_form=form)
    try:
        services.decide(current_user, concern, version_number(form.version.data), form.data)
    except services.DecisionRefused as refused:
        db.session.rollback()
        return _render_detail(concern, 409, decision_form=form, problem=refused.message)
    except workflow.TransitionRefused:
        db.session.rollback()
        db.session.refresh(concern)
        return _render_detail(concern, 409, problem=_("Someone has already decided on or changed this concern."))
    db.session.commit()
    flash(_("The decision has been recorded."), "success")
    return redirect(url_for("concerns.detail", concern_id=concern.id), 303)


@bp.post("/<int:concern_id>/addenda")
@allow(*STAFF)
def add_addendum(concern_id: int):
    """Append a correction or addition with its reason; the concern itself is never edited."""
    concern = queries.get_concern_for(current_user, concern_id)
    form = AddendumForm()
    if not form.validate_on_submit():
        return _render_detail(concern, 400, addendum_form=form)
    services.add_addendum(current_user, concern, form.reason.data, form.text.data)
    db.session.commit()
    flash(_("The addendum has been added."), "success")
    return redirect(url_for("concerns.detail", concern_id=concern.id), 303)


def _now():
    from portal.clock import now

    return now()
