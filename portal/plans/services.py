"""Plan writes: drafts, edits with optimistic locking, submission, approval by another person, tasks, reviews."""

from datetime import timedelta

from flask import abort, current_app
from sqlalchemy import func, select, update

from portal.audit.services import record
from portal.auth import roles
from portal.cases.models import ACTIVE, CLOSED, SupportCase
from portal.cases.queries import is_case_manager
from portal.clock import local_today, now
from portal.extensions import db
from portal.plans import workflow
from portal.plans.models import (
    APPROVED,
    DRAFT,
    EDITABLE,
    Goal,
    Measure,
    MeasureLog,
    Plan,
    PlanEditor,
    Review,
    ReviewGoal,
)
from portal.web.i18n import lazy_gettext as _l

PLAN_FIELDS = ("strengths", "needs", "guardian_involvement", "next_review_date")
GOAL_FIELDS = ("what", "indicator", "baseline", "target", "target_date")
MEASURE_FIELDS = ("type", "description", "responsible_id", "frequency", "start_date", "end_date")


class Stale(Exception):
    """Someone saved this first; nothing was overwritten. `changed` names the fields that differ now."""

    def __init__(self, changed: list[str], by=None, at=None):
        super().__init__(", ".join(changed))
        self.changed = changed
        self.by = by
        self.at = at


class Refused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _audit(action: str, plan: Plan, case: SupportCase, fields=None) -> None:
    record(action, object_type="plan", object_id=plan.id, school_id=case.school_id, fields=fields)


def _require_writer(actor, case: SupportCase) -> None:
    if not is_case_manager(actor, case):
        abort(403)


def _note_editor(plan: Plan, actor) -> None:
    if not any(e.user_id == actor.id for e in plan.editors):
        plan.editors.append(PlanEditor(user_id=actor.id))


def review_weeks() -> int:
    return current_app.config["PLAN_REVIEW_WEEKS"]


def new_draft(actor, case: SupportCase, plans: list[Plan]) -> Plan:
    """Start a new version: a copy of the plan in force (which stays in force), or an empty first plan."""
    _require_writer(actor, case)
    if case.status == CLOSED:
        raise Refused(_l("The case is closed; reopen it first."))
    if any(p.status not in (APPROVED, "superseded") for p in plans):
        raise Refused(_l("A version is already being written or waiting for approval."))
    source = next((p for p in plans if p.status == APPROVED), None)
    number = (db.session.scalar(select(func.max(Plan.version_no)).where(Plan.case_id == case.id)) or 0) + 1
    current = now()
    plan = Plan(
        case_id=case.id, version_no=number, status=DRAFT, author_id=actor.id, created_at=current,
        updated_at=current, updated_by_id=actor.id,
        next_review_date=local_today() + timedelta(weeks=review_weeks()),
    )
    if source is not None:
        for name in ("strengths", "needs", "guardian_involvement"):
            setattr(plan, name, getattr(source, name))
        plan.goals = [Goal(**{n: getattr(g, n) for n in GOAL_FIELDS}) for g in source.goals]
        plan.measures = [Measure(**{n: getattr(m, n) for n in MEASURE_FIELDS}) for m in source.measures]
    plan.editors = [PlanEditor(user_id=actor.id)]
    db.session.add(plan)
    db.session.flush()
    _audit("plan.create", plan, case, ["version_no"])
    return plan


def _editable(plan: Plan) -> None:
    if plan.status not in EDITABLE:
        raise Refused(_l("This version can no longer be changed: start a new version instead."))


def update_plan(actor, case: SupportCase, plan: Plan, lock_version: int, data: dict) -> list[str]:
    _require_writer(actor, case)
    _editable(plan)
    changed = [n for n in PLAN_FIELDS if getattr(plan, n) != data[n]]
    result = db.session.execute(
        update(Plan)
        .where(Plan.id == plan.id, Plan.lock_version == lock_version, Plan.status.in_(EDITABLE))
        .values(lock_version=Plan.lock_version + 1, updated_at=now(), updated_by_id=actor.id,
                **{n: data[n] for n in PLAN_FIELDS})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(plan)
        raise Stale([n for n in PLAN_FIELDS if getattr(plan, n) != data[n]], plan.updated_by_id, plan.updated_at)
    db.session.refresh(plan)
    _note_editor(plan, actor)
    _audit("plan.update", plan, case, changed)
    return changed


def _touch(plan: Plan, actor) -> None:
    """Goals and measures carry their own lock; the plan only records who wrote last."""
    plan.updated_at = now()
    plan.updated_by_id = actor.id
    _note_editor(plan, actor)


def save_item(actor, case, plan, item, data: dict, lock_version: int | None):
    """Add (item None) or change a goal or measure; a stale edit of an item is refused."""
    _require_writer(actor, case)
    _editable(plan)
    model, fields, kind = (
        (Goal, GOAL_FIELDS, "goal") if isinstance(item, Goal) or "what" in data else (Measure, MEASURE_FIELDS, "measure")
    )
    if item is None:
        # through the plan's collection, so the section rendered after the save (htmx) shows the new item
        item = model(**{n: data[n] for n in fields})
        getattr(plan, f"{kind}s").append(item)
        changed = list(fields)
    else:
        changed = [n for n in fields if getattr(item, n) != data[n]]
        result = db.session.execute(
            update(model)
            .where(model.id == item.id, model.lock_version == lock_version)
            .values(lock_version=model.lock_version + 1, **{n: data[n] for n in fields})
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            db.session.refresh(item)
            raise Stale([n for n in fields if getattr(item, n) != data[n]], plan.updated_by_id, plan.updated_at)
        db.session.refresh(item)
    _touch(plan, actor)
    db.session.flush()
    _audit(f"plan.{kind}_save", plan, case, changed)
    return item


def delete_item(actor, case, plan, item) -> None:
    _require_writer(actor, case)
    _editable(plan)
    kind = "goal" if isinstance(item, Goal) else "measure"
    if kind == "measure" and item.logs:
        raise Refused(_l("Work has been logged for this measure; it cannot be removed from this version."))
    db.session.delete(item)
    _touch(plan, actor)
    _audit(f"plan.{kind}_delete", plan, case, [kind])


def submit(actor, case, plan, lock_version: int) -> None:
    _require_writer(actor, case)
    if not plan.goals or not plan.measures:
        raise Refused(_l("A plan needs at least one goal and one measure before it is submitted."))
    workflow.apply(plan, "submit", lock_version, submitted_at=now())
    _audit("plan.submit", plan, case, ["status"])


def approve(actor, case: SupportCase, plan: Plan, lock_version: int, previous: Plan | None) -> None:
    """A school administrator who did not write this version approves it, once the council has decided."""
    if actor.role != roles.SCHOOL_ADMIN or actor.school_id != case.school_id:
        abort(403)
    if not (case.council_date and case.council_protocol):
        raise Refused(_l("Record the prevention council's decision (date and protocol number) before approving."))
    if plan.author_id == actor.id or any(e.user_id == actor.id for e in plan.editors):
        raise Refused(_l("You wrote part of this plan; another administrator must approve it."))
    workflow.apply(plan, "approve", lock_version, decided_at=now(), decided_by_id=actor.id, return_comment=None)
    if previous is not None and previous.id != plan.id:
        workflow.apply(previous, "supersede", previous.lock_version)
    case.next_review_date = plan.next_review_date
    if case.status != CLOSED:
        case.status = ACTIVE
    case.version += 1
    _audit("plan.approve", plan, case, ["status"])


def return_for_revision(actor, case, plan, lock_version: int, comment: str) -> None:
    if actor.role != roles.SCHOOL_ADMIN or actor.school_id != case.school_id:
        abort(403)
    workflow.apply(plan, "return", lock_version, decided_at=now(), decided_by_id=actor.id, return_comment=comment)
    _audit("plan.return", plan, case, ["status", "return_comment"])


def log_work(actor, measure: Measure, done_on, note: str, attended: bool) -> MeasureLog:
    if done_on > local_today():
        raise Refused(_l("The date cannot be in the future."))
    log = MeasureLog(measure_id=measure.id, done_on=done_on, note=note, attended=attended, author_id=actor.id,
                     created_at=now())
    db.session.add(log)
    db.session.flush()
    record("measure.log", object_type="measure", object_id=measure.id, school_id=actor.school_id,
           fields=["done_on", "note", "attended"])
    return log


def add_review(actor, case: SupportCase, plan: Plan, data: dict, plans: list[Plan]) -> Review:
    """Per-goal progress and a decision: continue, revise (new draft), close the case, or escalate."""
    _require_writer(actor, case)
    if case.status == CLOSED:
        raise Refused(_l("The case is closed."))
    if data["held_on"] > local_today():
        raise Refused(_l("The date cannot be in the future."))
    goal_ids = {g.id for g in plan.goals}
    review = Review(case_id=case.id, plan_id=plan.id, held_on=data["held_on"], decision=data["decision"],
                    rationale=data["rationale"], author_id=actor.id, created_at=now())
    for row in data["goals"]:
        try:
            goal_id = int(row["goal_id"])
        except (TypeError, ValueError):
            abort(400)
        if goal_id not in goal_ids or any(r.goal_id == goal_id for r in review.goals):
            abort(400)
        review.goals.append(ReviewGoal(goal_id=goal_id, progress=row["progress"], comment=row["comment"] or None))
    db.session.add(review)
    db.session.flush()
    record("plan.review", object_type="case", object_id=case.id, school_id=case.school_id,
           fields=["decision", "rationale", "goals"])
    if data["decision"] == "close_case":
        from portal.cases import services as case_services

        case_services.close(actor, case, case.version, data["close_outcome"], data["rationale"])
    else:
        case.next_review_date = data["held_on"] + timedelta(weeks=review_weeks())
        case.version += 1
        if data["decision"] == "revise":
            new_draft(actor, case, plans)
    return review
