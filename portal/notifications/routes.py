"""In-app notifications: a badge refreshed by htmx polling (not counted as activity), a list, mark as read."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from portal.audit.services import record
from portal.extensions import db
from portal.notifications import services
from portal.web.access import passive

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("")
def index():
    """The user's notifications, newest first."""
    return render_template(
        "notifications/index.html", items=services.recent(current_user), messages=services.MESSAGES
    )


@bp.get("/badge")
@passive
def badge():
    """The header badge; polled by htmx, so it must not keep the session alive."""
    return render_template("notifications/_badge.html")  # the count comes from the context processor


@bp.post("/<int:notification_id>/read")
def read(notification_id: int):
    """Mark one notification read and follow its link."""
    item = services.mark_read(current_user, notification_id)
    if item is None:
        record("authz.deny", object_type="notification", object_id=notification_id, outcome="denied")
        db.session.commit()
        abort(404)
    db.session.commit()
    return redirect(item.link, 303)


@bp.post("/read-all")
def read_all():
    """Mark every notification read."""
    services.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"), 303)
