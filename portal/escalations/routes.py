"""Escalations: the school drafts and submits; the region's reviewers claim, decide, refer and close."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.audit.services import record
from portal.auth import roles
from portal.cases import chronology
from portal.cases import queries as case_queries
from portal.cases.models import GROUND_LABELS, RISK_LABELS
from portal.clock import now, to_local
from portal.escalations import queries, services, workflow
from portal.escalations.forms import (
    AcceptForm,
    CloseForm,
    DeclineForm,
    DraftForm,
    HelpRoomForm,
    ReturnForm,
    VersionForm,
)
from portal.escalations.models import (
    AWAITING_DECISION,
    EVENT_LABELS,
    REQUEST_LABELS,
    STATUS_LABELS,
    URGENCY_LABELS,
)
from portal.extensions import db
from portal.plans.models import MEASURE_LABELS, REVIEW_DECISION_LABELS
from portal.web.access import roles as allow
from portal.web.forms import version_number
from portal.web.htmx import Pager, page_number
from portal.web.i18n import gettext as _

bp = Blueprint("escalations", __name__)

SCHOOL_SIDE = (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)
READERS = (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN, roles.REGIONAL_REVIEWER)
OVERVIEW_PAGE_SIZE = 50  # schools per page of the regional overview

LABELS = {
    "status": STATUS_LABELS, "urgency": URGENCY_LABELS, "request": REQUEST_LABELS, "event": EVENT_LABELS,
    "grounds": GROUND_LABELS, "risk": RISK_LABELS, "measure": MEASURE_LABELS, "decision": REVIEW_DECISION_LABELS,
}
COMPARED = ("urgency", "requested", "requested_other", "summary", "measures_tried", "answer", "chronology",
            "plan_measures", "latest_review", "case")


@bp.get("/escalations")
@allow(*READERS)
def index():
    """The regional queue (urgent first, then by deadline) or the school's escalations."""
    reviewer = current_user.role == roles.REGIONAL_REVIEWER
    show = request.args.get("show", "queue" if reviewer else "open")
    if show not in queries.SHOW:
        show = "queue" if reviewer else "open"
    school_id = queries.school_in_region(current_user, request.args.get("school", type=int))
    return render_template(
        "escalations/index.html", items=queries.listing_page(current_user, show, school_id), show=show,
        school_id=school_id, labels=LABELS, now=now(), reviewer=reviewer, counts=queries.counts(current_user),
    )


@bp.get("/escalations/overview")
@allow(roles.REGIONAL_REVIEWER)
def overview():
    """Per school of the region: counts by outcome, overdue, median time to decision. No child names."""
    # a region has hundreds of schools: one page of them, with the region's totals
    pager = Pager(page_number(), -(-queries.region_school_count(current_user) // OVERVIEW_PAGE_SIZE))
    rows, total = queries.overview_page(current_user, pager.page, OVERVIEW_PAGE_SIZE)
    return render_template("escalations/overview.html", rows=rows, total=total, page=pager)


def _draft_form(case, escalation=None, formdata=None, **defaults) -> DraftForm:
    if escalation is not None and formdata is None:
        form = DraftForm(formdata=None, obj=escalation, version=str(escalation.version))
        form.requested.data = escalation.request_codes
        form.chronology_keys.data = escalation.selected_keys
    elif formdata is None:
        form = DraftForm(formdata=None, **defaults)
    else:
        form = DraftForm()
    form.chronology_keys.choices = [
        (e.key, f"{to_local(e.at):%d.%m.%Y} — {e.what}") for e in chronology.for_case(current_user, case) if e.key
    ]
    return form


@bp.route("/cases/<int:case_id>/escalations/new", methods=["GET", "POST"])
@allow(*SCHOOL_SIDE)
def create(case_id: int):
    """Draft an escalation from a case (a school administrator submits it)."""
    case = case_queries.get_case_for(current_user, case_id)
    existing = queries.active_for_case(case.id)
    if existing is not None:
        flash(_("This case already has an escalation in progress."), "error")
        return redirect(url_for("escalations.detail", escalation_id=existing.id), 303)
    if request.method == "GET":
        form = _draft_form(case, measures_tried=services.default_measures_text(case), urgency="standard")
        return render_template("escalations/new.html", case=case, form=form, labels=LABELS)
    form = _draft_form(case, formdata=True)
    if not form.validate_on_submit():
        return render_template("escalations/new.html", case=case, form=form, labels=LABELS), 400
    try:
        escalation = services.create(current_user, case, form.values())
    except services.Refused as refused:
        db.session.rollback()
        return render_template("escalations/new.html", case=case, form=form, labels=LABELS,
                               problem=refused.message), 409
    db.session.commit()
    flash(_("The escalation draft is saved. A school administrator submits it to the directorate."), "success")
    return redirect(url_for("escalations.detail", escalation_id=escalation.id), 303)


def _snapshot_number(snapshots) -> int | None:
    if not snapshots:
        return None
    wanted = request.args.get("v", type=int)
    numbers = [s.number for s in snapshots]
    return wanted if wanted in numbers else numbers[-1]


def _changes(snapshots, number):
    """What changed in snapshot `number` since the one before: field names, and the earlier content."""
    by_number = {s.number: s for s in snapshots}
    current, previous = by_number.get(number), by_number.get((number or 0) - 1)
    if current is None or previous is None:
        return [], None
    changed = [k for k in COMPARED if current.content.get(k) != previous.content.get(k)]
    return changed, previous.content


def _page(escalation, status: int = 200, commit: bool = False, **forms):
    """`commit`: the view recorded an opening, committed once the page's data is read, before it is rendered."""
    reviewer = queries.is_reviewer_of(current_user, escalation)
    snapshots = queries.snapshots(escalation.id)
    number = _snapshot_number(snapshots)
    shown = next((s for s in snapshots if s.number == number), None)
    changed, previous = _changes(snapshots, number)
    version = str(escalation.version)
    context = {
        "escalation": escalation, "labels": LABELS, "reviewer": reviewer, "snapshots": snapshots,
        "snapshot": shown, "changed": changed, "previous": previous, "now": now(),
        "events": queries.events([escalation.id]), "problem": forms.pop("problem", None),
        "awaiting": escalation.status in AWAITING_DECISION,
        "version_form": VersionForm(formdata=None, version=version),
    }
    if reviewer:
        context.update(
            accept_form=forms.get("accept_form") or AcceptForm(formdata=None, version=version),
            return_form=forms.get("return_form") or ReturnForm(formdata=None, version=version),
            decline_form=forms.get("decline_form") or DeclineForm(formdata=None, version=version),
            helproom_form=forms.get("helproom_form") or HelpRoomForm(
                formdata=None, version=version, appointment_on=escalation.helproom_appointment_on,
                interview_on=escalation.helproom_interview_on),
            close_form=forms.get("close_form") or CloseForm(formdata=None, version=version),
        )
    else:
        context["case"] = escalation.case
        if workflow.allowed(escalation, "edit"):
            context["draft_form"] = forms.get("draft_form") or _draft_form(escalation.case, escalation)
        context["is_admin"] = current_user.role == roles.SCHOOL_ADMIN
    if commit:
        db.session.commit()
    return render_template("escalations/detail.html", **context), status


@bp.get("/escalations/<int:escalation_id>")
@allow(*READERS)
def detail(escalation_id: int):
    """School side: the draft, every snapshot and the directorate's decisions. Reviewers: the snapshots only."""
    escalation = queries.get_escalation_for(current_user, escalation_id)
    record("escalation.read", object_type="escalation", object_id=escalation.id, school_id=escalation.school_id)
    return _page(escalation, commit=True)


def _stale(escalation, message=None):
    db.session.rollback()
    db.session.refresh(escalation)
    return _page(escalation, 409, problem=message or _(
        "This escalation has changed meanwhile (someone else acted on it). Nothing was saved; check the page."))


def _act(escalation_id: int, form_class, form_name: str, action, success: str):
    escalation = queries.get_escalation_for(current_user, escalation_id)
    form = form_class()
    if not form.validate_on_submit():
        return _page(escalation, 400, **{form_name: form})
    try:
        action(escalation, form, version_number(form.version.data))
    except services.Refused as refused:
        db.session.rollback()
        db.session.refresh(escalation)
        return _page(escalation, 409, problem=refused.message, **{form_name: form})
    except workflow.TransitionRefused:
        return _stale(escalation)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("escalations.detail", escalation_id=escalation.id), 303)


@bp.post("/escalations/<int:escalation_id>/edit")
@allow(*SCHOOL_SIDE)
def edit(escalation_id: int):
    """Save the draft (or the answer to a return); a stale save answers 409."""
    escalation = queries.get_escalation_for(current_user, escalation_id)
    if not queries.is_school_side(current_user, escalation):
        abort(404)
    form = _draft_form(escalation.case, formdata=True)
    if not form.validate_on_submit():
        return _page(escalation, 400, draft_form=form)
    try:
        services.update_draft(current_user, escalation, version_number(form.version.data), form.values())
    except services.Refused as refused:
        db.session.rollback()
        return _page(escalation, 409, problem=refused.message)
    except workflow.TransitionRefused:
        db.session.rollback()
        db.session.refresh(escalation)
        form.version.data = str(escalation.version)
        return _page(escalation, 409, draft_form=form, problem=_(
            "Not saved: someone else saved this draft first. Your text is kept below; compare and save again."))
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("escalations.detail", escalation_id=escalation.id), 303)


@bp.post("/escalations/<int:escalation_id>/submit")
@allow(roles.SCHOOL_ADMIN)
def submit(escalation_id: int):
    """Submit to the regional directorate: freezes a snapshot and starts the decision deadline."""
    return _act(escalation_id, VersionForm, "version_form",
                lambda e, f, v: services.submit(current_user, e, v),
                _("Submitted to the directorate. The snapshot sent is frozen."))


@bp.post("/escalations/<int:escalation_id>/claim")
@allow(roles.REGIONAL_REVIEWER)
def claim(escalation_id: int):
    """Take a submitted escalation into review (one reviewer only)."""
    return _act(escalation_id, VersionForm, "version_form",
                lambda e, f, v: services.claim(current_user, e, v), _("You have taken it into review."))


@bp.post("/escalations/<int:escalation_id>/accept")
@allow(roles.REGIONAL_REVIEWER)
def accept(escalation_id: int):
    """Accept and assign measures (organisation, responsible, deadline); optionally a help-room appointment."""
    return _act(escalation_id, AcceptForm, "accept_form",
                lambda e, f, v: services.accept(current_user, e, v, f.rows(), f.appointment_on.data),
                _("Accepted; the school has been told."))


@bp.post("/escalations/<int:escalation_id>/return")
@allow(roles.REGIONAL_REVIEWER)
def return_escalation(escalation_id: int):
    """Return to the school for more information."""
    return _act(escalation_id, ReturnForm, "return_form",
                lambda e, f, v: services.return_for_information(current_user, e, v, f.comment.data),
                _("Returned to the school for information."))


@bp.post("/escalations/<int:escalation_id>/decline")
@allow(roles.REGIONAL_REVIEWER)
def decline(escalation_id: int):
    """Decline, with the reason."""
    return _act(escalation_id, DeclineForm, "decline_form",
                lambda e, f, v: services.decline(current_user, e, v, f.reason.data),
                _("Declined; the school has been told."))


@bp.post("/escalations/<int:escalation_id>/helproom")
@allow(roles.REGIONAL_REVIEWER)
def helproom(escalation_id: int):
    """Help-room referral: appointment date, then the date of the one-window interview."""
    return _act(escalation_id, HelpRoomForm, "helproom_form",
                lambda e, f, v: services.helproom(current_user, e, v, f.appointment_on.data, f.interview_on.data),
                _("The help-room referral is recorded."))


@bp.post("/escalations/<int:escalation_id>/close")
@allow(roles.REGIONAL_REVIEWER)
def close(escalation_id: int):
    """Measures implemented: close with feedback to the school."""
    return _act(escalation_id, CloseForm, "close_form",
                lambda e, f, v: services.close(current_user, e, v, f.feedback.data),
                _("Closed; the feedback is sent to the school."))
