"""Support cases: list, case page, council decision, team, notes, close and reopen, chronology."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.audit import queries as audit_queries
from portal.audit.services import record
from portal.auth import roles
from portal.auth.models import User
from portal.cases import chronology, queries, services
from portal.cases.forms import CloseForm, CouncilForm, MemberForm, NoteForm, ReopenForm
from portal.cases.models import (
    CLOSE_OUTCOME_LABELS,
    CLOSED,
    GROUND_LABELS,
    RISK_LABELS,
    STATUS_LABELS,
    TEAM_ROLE_LABELS,
)
from portal.clock import local_today
from portal.escalations import queries as escalation_queries
from portal.escalations.models import STATUS_LABELS as ESCALATION_STATUS_LABELS
from portal.extensions import db
from portal.plans import queries as plan_queries
from portal.plans.models import REVIEW_DECISION_LABELS
from portal.plans.models import STATUS_LABELS as PLAN_STATUS_LABELS
from portal.web.access import roles as allow
from portal.web.forms import version_number
from portal.web.htmx import paginate
from portal.web.i18n import gettext as _

bp = Blueprint("cases", __name__, url_prefix="/cases")

MANAGERS = (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)
READERS = (roles.TEACHER, roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)
LABELS = {
    "status": STATUS_LABELS, "grounds": GROUND_LABELS, "risk": RISK_LABELS, "outcome": CLOSE_OUTCOME_LABELS,
    "team_role": TEAM_ROLE_LABELS, "plan_status": PLAN_STATUS_LABELS, "decision": REVIEW_DECISION_LABELS,
    "escalation_status": ESCALATION_STATUS_LABELS,
}


@bp.get("")
@allow(*READERS)
def index():
    """Cases of the school (or, for a teacher, the cases whose team they are on), review due dates first."""
    which = request.args.get("show", "open")
    if which not in ("open", "closed", "review_overdue", "mine", "all"):
        which = "open"
    return render_template(
        "cases/index.html", cases=paginate(queries.list_cases(current_user, which)), which=which,
        labels=LABELS, today=local_today(),
    )


def _page(case, status: int = 200, commit: bool = False, **forms):
    """The case page. `commit`: the view recorded an opening, committed once the page's data is read and before
    anything of it is rendered (one transaction, not a second one for the reading)."""
    manager = queries.is_case_manager(current_user, case)
    reads_confidential = queries.reads_confidential(current_user, case)
    member = queries.is_member(current_user, case)
    plans = plan_queries.versions_of(case.id)
    context = {
        "case": case,
        "labels": LABELS,
        "manager": manager,
        "member": member,
        "plans": plans,
        "in_force": plan_queries.in_force(plans),
        "working": plan_queries.working_version(plans),
        "reviews": plan_queries.reviews_of(case.id),
        "notes": queries.team_notes(case.id) if manager or member else [],
        "confidential": queries.confidential_notes(current_user, case),
        "reads_confidential": reads_confidential,
        "today": local_today(),
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "confidential_form": (forms.get("confidential_form") or NoteForm(formdata=None, prefix="confidential"))
        if reads_confidential else None,
        "problem": forms.get("problem"),
        "escalations": escalation_queries.of_case(case.id) if manager else [],
        "interview_on": escalation_queries.interview_recorded(case.student_id),
        "viewers": None,
        "viewers_on_page": VIEWERS_ON_PAGE,
    }
    if current_user.role == roles.SCHOOL_ADMIN and current_user.school_id == case.school_id:
        context["viewers"] = audit_queries.viewers_of_case(case, VIEWERS_ON_PAGE + 1, [p.id for p in plans],
                                                           [e.id for e in context["escalations"]])
    if manager:
        version = str(case.version)
        # only the forms the page shows: the council's for administrators, closing or reopening by the status
        if current_user.role == roles.SCHOOL_ADMIN:
            context["council_form"] = forms.get("council_form") or CouncilForm(formdata=None, obj=case, version=version)
        if case.status != CLOSED:
            context["close_form"] = forms.get("close_form") or CloseForm(formdata=None, version=version)
        else:
            context["reopen_form"] = forms.get("reopen_form") or ReopenForm(formdata=None, version=version)
        member_form = forms.get("member_form") or MemberForm(formdata=None)
        member_form.user_id.choices = _member_choices(case)
        context["member_form"] = member_form
        context["entries"] = chronology.for_case(current_user, case)
    if commit:
        db.session.commit()
    return render_template("cases/detail.html", **context), status


def _member_choices(case):
    taken = {m.user_id for m in case.members}
    return [(u.id, u.full_name) for u in queries.school_staff(case.school_id, roles.SCHOOL_ROLES) if u.id not in taken]


@bp.get("/<int:case_id>")
@allow(*READERS)
def detail(case_id: int):
    """The case page: grounds, risk, lead, team, council decision, plan, reviews, notes, chronology."""
    case = queries.get_case_for(current_user, case_id)
    record("case.read", object_type="case", object_id=case.id, school_id=case.school_id)
    return _page(case, commit=True)


@bp.get("/<int:case_id>/chronology")
@allow(*MANAGERS)
def chronology_page(case_id: int):
    """The student's full chronology, printable."""
    case = queries.get_case_for(current_user, case_id)
    record("case.chronology", object_type="case", object_id=case.id, school_id=case.school_id)
    db.session.commit()
    return render_template("cases/chronology.html", case=case, entries=chronology.for_case(current_user, case),
                           labels=LABELS)


VIEWERS_ON_PAGE = 20  # the case page shows the latest openings; the rest are one link away
VIEWERS_IN_FULL = 1000


@bp.get("/<int:case_id>/viewers")
@allow(roles.SCHOOL_ADMIN)
def viewers(case_id: int):
    """Who viewed this record, in full: every opening of the case, its plan, its escalations and the student's
    profile, newest first (the latest thousand; the school's audit log keeps every one)."""
    case = queries.get_case_for(current_user, case_id)
    record("audit.read", object_type="case", object_id=case.id, school_id=case.school_id)
    db.session.commit()
    viewers = audit_queries.viewers_of_case(case, VIEWERS_IN_FULL, [p.id for p in plan_queries.versions_of(case.id)],
                                            [e.id for e in escalation_queries.of_case(case.id)])
    return render_template("cases/viewers.html", case=case, limit=VIEWERS_IN_FULL, viewers=viewers)


def _stale(case):
    db.session.rollback()
    db.session.refresh(case)
    return _page(case, 409, problem=_("Someone else changed this case meanwhile. Nothing was saved; check the page and try again."))


@bp.post("/<int:case_id>/council")
@allow(roles.SCHOOL_ADMIN)
def council(case_id: int):
    """Record the prevention council's decision (date, protocol number)."""
    case = queries.get_case_for(current_user, case_id)
    form = CouncilForm()
    if not form.validate_on_submit():
        return _page(case, 400, council_form=form)
    if form.council_date.data > local_today():
        form.council_date.errors.append(_("The date cannot be in the future."))
        return _page(case, 400, council_form=form)
    try:
        services.record_council(current_user, case, version_number(form.version.data), form.council_date.data,
                                form.council_protocol.data)
    except services.StaleCase:
        return _stale(case)
    db.session.commit()
    flash(_("The council decision is recorded."), "success")
    return redirect(url_for("cases.detail", case_id=case.id), 303)


@bp.post("/<int:case_id>/team")
@allow(*MANAGERS)
def add_member(case_id: int):
    """Add a staff member of the school to the case team."""
    case = queries.get_case_for(current_user, case_id)
    form = MemberForm()
    form.user_id.choices = _member_choices(case)
    if not form.validate_on_submit():
        return _page(case, 400, member_form=form)
    services.add_member(current_user, case, db.session.get(User, form.user_id.data), form.team_role.data)
    db.session.commit()
    return redirect(url_for("cases.detail", case_id=case.id), 303)


@bp.post("/<int:case_id>/team/<int:user_id>/remove")
@allow(*MANAGERS)
def remove_member(case_id: int, user_id: int):
    """Take a staff member off the case team."""
    case = queries.get_case_for(current_user, case_id)
    services.remove_member(current_user, case, user_id)
    db.session.commit()
    return redirect(url_for("cases.detail", case_id=case.id), 303)


@bp.post("/<int:case_id>/notes")
@allow(*READERS)
def add_note(case_id: int):
    """A team note (read by the team and the school's administrators and psychologists)."""
    case = queries.get_case_for(current_user, case_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _page(case, 400, note_form=form)
    services.add_note(current_user, case, form.text.data)
    db.session.commit()
    return redirect(url_for("cases.detail", case_id=case.id) + "#notes", 303)


@bp.post("/<int:case_id>/confidential-notes")
@allow(roles.PSYCHOLOGIST)
def add_confidential_note(case_id: int):
    """A confidential note, kept apart and read only by the school's psychologists."""
    case = queries.get_case_for(current_user, case_id)
    form = NoteForm(prefix="confidential")
    if not form.validate_on_submit():
        return _page(case, 400, confidential_form=form)
    services.add_confidential_note(current_user, case, form.text.data)
    db.session.commit()
    return redirect(url_for("cases.detail", case_id=case.id) + "#confidential", 303)


@bp.post("/<int:case_id>/close")
@allow(*MANAGERS)
def close(case_id: int):
    """Close the case with an outcome and a reason."""
    case = queries.get_case_for(current_user, case_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _page(case, 400, close_form=form)
    try:
        services.close(current_user, case, version_number(form.version.data), form.outcome.data, form.reason.data)
    except services.StaleCase:
        return _stale(case)
    db.session.commit()
    flash(_("The case is closed."), "success")
    return redirect(url_for("cases.detail", case_id=case.id), 303)


@bp.post("/<int:case_id>/reopen")
@allow(*MANAGERS)
def reopen(case_id: int):
    """Reopen a closed case."""
    case = queries.get_case_for(current_user, case_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return _page(case, 400, reopen_form=form)
    if case.status != CLOSED:
        return _stale(case)
    if queries.open_case_for_student(case.student_id) is not None:
        return _page(case, 409, problem=_("The student already has another open case."))
    in_force = plan_queries.in_force(plan_queries.plans_of(case.id))
    try:
        services.reopen(current_user, case, version_number(form.version.data), form.reason.data, in_force is not None)
    except services.StaleCase:
        return _stale(case)
    db.session.commit()
    flash(_("The case is open again."), "success")
    return redirect(url_for("cases.detail", case_id=case.id), 303)
