"""GET /audit: the school's audit log for its administrators, with filters."""

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from portal.audit import queries
from portal.audit.services import record
from portal.auth import roles
from portal.cases.queries import school_staff
from portal.extensions import db
from portal.web.access import roles as allow
from portal.web.i18n import lazy_gettext as _l

bp = Blueprint("audit", __name__)

# filters by what was touched; an action code like "plan.approve" is shown as it is
AREAS = [
    ("login", _l("Sign-ins")), ("authz", _l("Refused access")), ("student", _l("Students")),
    ("concern", _l("Concerns")), ("case", _l("Support cases")), ("plan", _l("Plans")),
    ("measure", _l("Work on measures")), ("escalation", _l("Escalations")), ("user", _l("Staff accounts")),
]
OUTCOMES = [("ok", _l("Done")), ("denied", _l("Refused")), ("fail", _l("Failed"))]


def _date(name: str) -> date | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        abort(400)


@bp.get("/audit")
@allow(roles.SCHOOL_ADMIN)
def index():
    """Who did what in this school: every read of a child's record, every change, sign-ins and refusals."""
    staff = school_staff(current_user.school_id)
    actor_id = request.args.get("actor", type=int)
    if actor_id not in {u.id for u in staff}:
        actor_id = None
    area = request.args.get("area") if request.args.get("area") in dict(AREAS) else None
    outcome = request.args.get("outcome") if request.args.get("outcome") in dict(OUTCOMES) else None
    date_from, date_to = _date("from"), _date("to")
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before < 2**63:
        abort(400)
    # Keyset pagination: the log only grows, so pages are "older than event N" and nothing is counted.
    size = current_app.config["PAGE_SIZE"]
    items = db.session.scalars(
        queries.school_log(current_user.school_id, actor_id=actor_id, action=area, outcome=outcome,
                           date_from=date_from, date_to=date_to, before=before).limit(size + 1)
    ).all()
    older = items[size - 1].id if len(items) > size else None
    items = items[:size]
    record("audit.read", object_type="school", object_id=current_user.school_id, school_id=current_user.school_id)
    db.session.commit()
    return render_template(
        "audit/index.html", items=items, older=older, before=before, actors=queries.actors_of(items), staff=staff,
        areas=AREAS, outcomes=OUTCOMES, actor_id=actor_id, area=area, outcome=outcome, date_from=date_from,
        date_to=date_to, role_labels=roles.LABELS,
    )
