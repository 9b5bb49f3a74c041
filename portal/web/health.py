"""GET /healthz: 200 ok when the app and its database answer."""

from flask import Blueprint
from sqlalchemy import select

from portal.extensions import db, limiter
from portal.web.access import public

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
@limiter.exempt
def healthz():
    """Liveness and database check, no login."""
    try:
        db.session.execute(select(1))
    except Exception:
        db.session.rollback()
        return "unavailable", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
