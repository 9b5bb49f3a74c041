"""Plans of preventive work: versions, inline goals and measures, submit / approve / return, reviews, my tasks."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.audit.services import record
from portal.auth import roles
from portal.auth.models import User
from portal.cases import queries as case_queries
from portal.cases.routes import LABELS as CASE_LABELS
from portal.clock import local_today
from portal.extensions import db
from portal.plans import queries, services, workflow
from portal.plans.forms import GoalForm, LogForm, MeasureForm, PlanForm, ReturnForm, ReviewForm, VersionForm
from portal.plans.models import (
    EDITABLE,
    MEASURE_LABELS,
    PROGRESS_LABELS,
    REVIEW_DECISION_LABELS,
    STATUS_LABELS,
)
from portal.web.access import roles as allow
from portal.web.forms import version_number
from portal.web.htmx import is_htmx, wants_partial
from portal.web.i18n import gettext as _

bp = Blueprint("plans", __name__)

MANAGERS = (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)
READERS = (roles.TEACHER, roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)
LABELS = {**CASE_LABELS, "plan_status": STATUS_LABELS, "measure": MEASURE_LABELS, "progress": PROGRESS_LABELS,
          "decision": REVIEW_DECISION_LABELS}
FIELD_LABELS = {
    "strengths": PlanForm.strengths.args[0], "needs": PlanForm.needs.args[0],
    "guardian_involvement": PlanForm.guardian_involvement.args[0], "next_review_date": PlanForm.next_review_date.args[0],
    "what": GoalForm.what.args[0], "indicator": GoalForm.indicator.args[0], "baseline": GoalForm.baseline.args[0],
    "target": GoalForm.target.args[0], "target_date": GoalForm.target_date.args[0], "type": MeasureForm.type.args[0],
    "description": MeasureForm.description.args[0], "responsible_id": MeasureForm.responsible_id.args[0],
    "frequency": MeasureForm.frequency.args[0], "start_date": MeasureForm.start_date.args[0],
    "end_date": MeasureForm.end_date.args[0],
}


def _staff_choices(case):
    return [(u.id, u.full_name) for u in case_queries.school_staff(case.school_id, roles.SCHOOL_ROLES)]


def _load(case_id: int, plan_id: int):
    case = case_queries.get_case_for(current_user, case_id)
    plan = queries.get_plan_for(current_user, case_id, plan_id)
    return case, plan


def _context(case, plan, **extra):
    manager = case_queries.is_case_manager(current_user, case)
    editable = manager and plan.status in EDITABLE
    plans = queries.versions_of(case.id)  # the list of versions; `plan` carries its goals and measures
    goal_form = extra.pop("goal_form", None) or GoalForm(formdata=None)
    measure_form = extra.pop("measure_form", None) or MeasureForm(formdata=None)
    measure_form.responsible_id.choices = _staff_choices(case)
    edit_goal_id = extra.pop("edit_goal_id", None) or request.args.get("edit_goal", type=int)
    edit_measure_id = extra.pop("edit_measure_id", None) or request.args.get("edit_measure", type=int)
    edit_goal_form = extra.pop("edit_goal_form", None)
    if edit_goal_form is None and edit_goal_id:
        goal = queries.get_goal(plan, edit_goal_id)
        edit_goal_form = GoalForm(formdata=None, obj=goal, lock_version=str(goal.lock_version))
    edit_measure_form = extra.pop("edit_measure_form", None)
    if edit_measure_form is None and edit_measure_id:
        measure = queries.get_measure(plan, edit_measure_id)
        edit_measure_form = MeasureForm(formdata=None, obj=measure, lock_version=str(measure.lock_version))
    if edit_measure_form is not None:
        edit_measure_form.responsible_id.choices = _staff_choices(case)
    context = {
        "case": case, "plan": plan, "plans": plans, "labels": LABELS, "manager": manager, "editable": editable,
        "in_force": queries.in_force(plans), "field_labels": FIELD_LABELS,
        "plan_form": extra.pop("plan_form", None) or PlanForm(formdata=None, obj=plan, lock_version=str(plan.lock_version)),
        "goal_form": goal_form, "measure_form": measure_form,
        "edit_goal": edit_goal_id if editable else None, "edit_measure": edit_measure_id if editable else None,
        "edit_goal_form": edit_goal_form, "edit_measure_form": edit_measure_form,
        "version_form": VersionForm(formdata=None, lock_version=str(plan.lock_version)),
        "return_form": extra.pop("return_form", None) or ReturnForm(formdata=None, lock_version=str(plan.lock_version)),
        "is_admin": current_user.role == roles.SCHOOL_ADMIN and current_user.school_id == case.school_id,
        "wrote_it": plan.author_id == current_user.id or any(e.user_id == current_user.id for e in plan.editors),
    }
    context.update(extra)
    return context


def _render(case, plan, status=200, section=None, commit=False, **extra):
    """The version page, or only the goals / measures section for htmx. `commit`: the view recorded an opening,
    committed once the page's data is read and before anything of it is rendered."""
    context = _context(case, plan, **extra)
    if commit:
        db.session.commit()
    if section and wants_partial():
        return render_template(f"plans/_{section}.html", **context), status
    return render_template("plans/version.html", **context), status


@bp.get("/cases/<int:case_id>/plan")
@allow(*READERS)
def current(case_id: int):
    """The plan of a case: the version being worked on if any, else the one in force."""
    case = case_queries.get_case_for(current_user, case_id)
    plans = queries.versions_of(case.id)
    chosen = queries.working_version(plans) if case_queries.is_case_manager(current_user, case) else None
    chosen = chosen or queries.in_force(plans)
    if chosen is None:
        return render_template("plans/none.html", case=case, labels=LABELS,
                               manager=case_queries.is_case_manager(current_user, case),
                               version_form=VersionForm(formdata=None, lock_version="0"))
    return redirect(url_for("plans.version", case_id=case.id, plan_id=chosen.id))


@bp.post("/cases/<int:case_id>/plan/new")
@allow(*MANAGERS)
def new_version(case_id: int):
    """Start a new version (a copy of the plan in force, which stays in force until the new one is approved)."""
    case = case_queries.get_case_for(current_user, case_id)
    try:
        plan = services.new_draft(current_user, case, queries.plans_of(case.id))
    except services.Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return redirect(url_for("plans.current", case_id=case.id), 303)
    db.session.commit()
    return redirect(url_for("plans.version", case_id=case.id, plan_id=plan.id), 303)


@bp.get("/cases/<int:case_id>/plan/<int:plan_id>")
@allow(*READERS)
def version(case_id: int, plan_id: int):
    """One version of the plan; editable while it is a draft or returned. Printable."""
    case, plan = _load(case_id, plan_id)
    record("plan.read", object_type="plan", object_id=plan.id, school_id=case.school_id)
    return _render(case, plan, commit=True)


def _lock(form) -> int:
    return version_number(form.lock_version.data)


def _done(case, plan, section, message=None):
    """After a successful change: htmx gets the fresh section, a plain form a redirect."""
    db.session.commit()
    if is_htmx() and section:
        return _render(case, plan, section=section)
    if message:
        flash(message, "success")
    return redirect(url_for("plans.version", case_id=case.id, plan_id=plan.id), 303)


def _stale_message(stale: services.Stale):
    who = db.session.get(User, stale.by).full_name if stale.by else "—"
    fields = ", ".join(str(FIELD_LABELS.get(n, n)) for n in stale.changed) or _("the order of items")
    return _("Not saved: %(who)s saved this first. Changed since you opened it: %(fields)s. Your text is kept below; compare and save again.", who=who, fields=fields)


@bp.post("/cases/<int:case_id>/plan/<int:plan_id>/edit")
@allow(*MANAGERS)
def edit(case_id: int, plan_id: int):
    """Save strengths, needs, guardian involvement and the next review date (stale saves answer 409)."""
    case, plan = _load(case_id, plan_id)
    form = PlanForm()
    if not form.validate_on_submit():
        return _render(case, plan, 400, plan_form=form)
    try:
        services.update_plan(current_user, case, plan, _lock(form), {n: form[n].data for n in services.PLAN_FIELDS})
    except services.Stale as stale:
        db.session.rollback()
        form.lock_version.data = str(plan.lock_version)
        return _render(case, plan, 409, plan_form=form, problem=_stale_message(stale))
    except services.Refused as refused:
        db.session.rollback()
        return _render(case, plan, 409, plan_form=form, problem=refused.message)
    return _done(case, plan, None, _("Saved."))


def _item_routes(kind: str, form_class, getter, fields):
    """Add, edit and remove goals or measures: the same four views for both."""

    def section_view(case_id: int, plan_id: int):
        case, plan = _load(case_id, plan_id)
        return _render(case, plan, section=f"{kind}s")

    def add(case_id: int, plan_id: int):
        case, plan = _load(case_id, plan_id)
        form = form_class()
        if kind == "measure":
            form.responsible_id.choices = _staff_choices(case)
        if not form.validate_on_submit():
            return _render(case, plan, 400, section=f"{kind}s", **{f"{kind}_form": form})
        try:
            services.save_item(current_user, case, plan, None, {n: form[n].data for n in fields}, None)
        except services.Refused as refused:
            db.session.rollback()
            return _render(case, plan, 409, section=f"{kind}s", problem=refused.message)
        return _done(case, plan, f"{kind}s", _("Saved."))

    def save(case_id: int, plan_id: int, item_id: int):
        case, plan = _load(case_id, plan_id)
        item = getter(plan, item_id)
        form = form_class()
        if kind == "measure":
            form.responsible_id.choices = _staff_choices(case)
        edit_args = {f"edit_{kind}_form": form, f"edit_{kind}_id": item.id}
        if not form.validate_on_submit():
            return _render(case, plan, 400, section=f"{kind}s", **edit_args)
        try:
            services.save_item(current_user, case, plan, item, {n: form[n].data for n in fields}, _lock(form))
        except services.Stale as stale:
            db.session.rollback()
            form.lock_version.data = str(getter(plan, item_id).lock_version)
            return _render(case, plan, 409, section=f"{kind}s", problem=_stale_message(stale), **edit_args)
        except services.Refused as refused:
            db.session.rollback()
            return _render(case, plan, 409, section=f"{kind}s", problem=refused.message)
        return _done(case, plan, f"{kind}s", _("Saved."))

    def delete(case_id: int, plan_id: int, item_id: int):
        case, plan = _load(case_id, plan_id)
        item = getter(plan, item_id)
        try:
            services.delete_item(current_user, case, plan, item)
        except services.Refused as refused:
            db.session.rollback()
            return _render(case, plan, 409, section=f"{kind}s", problem=refused.message)
        db.session.flush()  # write the removal and the editor first: expiring unflushed changes would drop them
        db.session.expire(plan)
        return _done(case, plan, f"{kind}s", _("Removed."))

    base = f"/cases/<int:case_id>/plan/<int:plan_id>/{kind}s"
    section_view.__doc__ = f"The {kind}s of a version (htmx section; a full page without JavaScript)."
    add.__doc__ = f"Add a {kind} to a draft."
    save.__doc__ = f"Save a changed {kind}; a stale edit answers 409."
    delete.__doc__ = f"Remove a {kind} from a draft."
    bp.add_url_rule(base, f"{kind}s", allow(*READERS)(section_view), methods=["GET"])
    bp.add_url_rule(base, f"add_{kind}", allow(*MANAGERS)(add), methods=["POST"])
    bp.add_url_rule(f"{base}/<int:item_id>", f"save_{kind}", allow(*MANAGERS)(save), methods=["POST"])
    bp.add_url_rule(f"{base}/<int:item_id>/delete", f"delete_{kind}", allow(*MANAGERS)(delete), methods=["POST"])


_item_routes("goal", GoalForm, queries.get_goal, services.GOAL_FIELDS)
_item_routes("measure", MeasureForm, queries.get_measure, services.MEASURE_FIELDS)


def _transition(case_id: int, plan_id: int, action):
    case, plan = _load(case_id, plan_id)
    form = ReturnForm() if action == "return" else VersionForm()
    if not form.validate_on_submit():
        return _render(case, plan, 400, return_form=form if action == "return" else None)
    try:
        if action == "submit":
            services.submit(current_user, case, plan, _lock(form))
            message = _("The plan is submitted for approval.")
        elif action == "approve":
            previous = queries.in_force(queries.plans_of(case.id))
            services.approve(current_user, case, plan, _lock(form), previous)
            message = _("The plan is approved and in force.")
        else:
            services.return_for_revision(current_user, case, plan, _lock(form), form.comment.data)
            message = _("The plan is returned for revision.")
    except services.Refused as refused:
        db.session.rollback()
        return _render(case, plan, 409, problem=refused.message)
    except workflow.TransitionRefused:
        db.session.rollback()
        db.session.refresh(plan)
        return _render(case, plan, 409, problem=_("This version has changed meanwhile (someone else acted on it)."))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("plans.version", case_id=case.id, plan_id=plan.id), 303)


@bp.post("/cases/<int:case_id>/plan/<int:plan_id>/submit")
@allow(*MANAGERS)
def submit(case_id: int, plan_id: int):
    """Submit a draft for approval."""
    return _transition(case_id, plan_id, "submit")


@bp.post("/cases/<int:case_id>/plan/<int:plan_id>/approve")
@allow(roles.SCHOOL_ADMIN)
def approve(case_id: int, plan_id: int):
    """Approve a submitted plan (another administrator than its writers, council decision recorded)."""
    return _transition(case_id, plan_id, "approve")


@bp.post("/cases/<int:case_id>/plan/<int:plan_id>/return")
@allow(roles.SCHOOL_ADMIN)
def return_plan(case_id: int, plan_id: int):
    """Return a submitted plan for revision, with a comment."""
    return _transition(case_id, plan_id, "return")


@bp.route("/cases/<int:case_id>/reviews/new", methods=["GET", "POST"])
@allow(*MANAGERS)
def review(case_id: int):
    """Review the plan in force: progress per goal, then continue, revise, close the case or escalate."""
    case = case_queries.get_case_for(current_user, case_id)
    plans = queries.plans_of(case.id)
    plan = queries.in_force(plans)
    if plan is None:
        flash(_("There is no approved plan to review yet."), "error")
        return redirect(url_for("cases.detail", case_id=case.id), 303)
    form = ReviewForm()
    if request.method == "GET":
        form = ReviewForm(formdata=None, held_on=local_today())
        for goal in plan.goals:
            form.goals.append_entry({"goal_id": str(goal.id), "progress": "progressing"})
        return render_template("plans/review.html", case=case, plan=plan, form=form, labels=LABELS)
    goals_by_id = {g.id: g for g in plan.goals}
    if form.validate_on_submit():
        try:
            services.add_review(current_user, case, plan, form.data, plans)
        except services.Refused as refused:
            db.session.rollback()
            return render_template("plans/review.html", case=case, plan=plan, form=form, labels=LABELS,
                                   goals_by_id=goals_by_id, problem=refused.message), 409
        db.session.commit()
        if form.decision.data == "escalate":
            flash(_("The review is recorded. Now draft the escalation to the directorate."), "success")
            return redirect(url_for("escalations.create", case_id=case.id), 303)
        flash(_("The review is recorded."), "success")
        return redirect(url_for("cases.detail", case_id=case.id), 303)
    return render_template("plans/review.html", case=case, plan=plan, form=form, labels=LABELS,
                           goals_by_id=goals_by_id), 400


@bp.get("/tasks")
@allow(*READERS)
def tasks():
    """My tasks: measures of plans in force that I am responsible for, with what has been logged."""
    items = db.session.scalars(queries.my_tasks(current_user)).unique().all()
    return render_template("plans/tasks.html", items=items, labels=LABELS, today=local_today(),
                           log_form=LogForm(formdata=None, done_on=local_today()))


@bp.post("/tasks/<int:measure_id>/logs")
@allow(*READERS)
def log(measure_id: int):
    """Log what was done for one of my measures (date, note, attended or not)."""
    measure = queries.get_task_for(current_user, measure_id)
    form = LogForm()
    problem = None
    if form.validate_on_submit():
        try:
            services.log_work(current_user, measure, form.done_on.data, form.note.data, form.attended.data)
        except services.Refused as refused:
            db.session.rollback()
            problem = refused.message
        else:
            db.session.commit()
            flash(_("Logged."), "success")
            return redirect(url_for("plans.tasks") + f"#measure-{measure.id}", 303)
    items = db.session.scalars(queries.my_tasks(current_user)).unique().all()
    return render_template("plans/tasks.html", items=items, labels=LABELS, today=local_today(),
                           log_form=LogForm(formdata=None, done_on=local_today()), failed_form=form,
                           failed_id=measure.id, problem=problem), 400
