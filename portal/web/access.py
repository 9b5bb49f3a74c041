"""Deny by default: every view needs a login unless marked @public; roles narrow further.

A pending login (password right, second factor or enrolment still due) is not a login: it reaches only the views
marked for its stage with @pending_step, and everything else sends it back to that step."""

from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from portal.audit.services import record
from portal.extensions import db
from portal.web.htmx import is_htmx


def public(view):
    """Mark a view as reachable without logging in."""
    view._public = True
    return view


def passive(view):
    """Mark a view whose requests (htmx polling) must not count as user activity."""
    view._passive = True
    return view


def pending_step(*stages: str):
    """Let a pending login of these stages ("otp", "enrol") reach the view as well as a full login."""

    def decorator(view):
        view._pending_stages = stages
        return view

    return decorator


PENDING_HOME = {"otp": "auth.login_otp", "enrol": "auth.two_factor_settings"}


def roles(*allowed: str):
    """Allow a view only to the given roles; anyone else gets 403 before anything is loaded."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                record("authz.deny", outcome="denied", fields=request.endpoint)
                db.session.commit()
                abort(403)
            return view(*args, **kwargs)

        wrapped._roles = allowed
        return wrapped

    return decorator


def view_function():
    if request.endpoint is None:
        return None
    return current_app.view_functions.get(request.endpoint)


def require_login():
    """before_request hook: anything not @public needs a live session."""
    if request.endpoint == "static":
        return None
    view = view_function()
    if view is None or getattr(view, "_public", False):
        return None
    if current_user.is_authenticated:
        return None
    row = g.get("pending_session")  # filed by the request loader that current_user just ran
    if row is not None:
        if row.stage in getattr(view, "_pending_stages", ()):
            return None
        target = url_for(PENDING_HOME.get(row.stage, "auth.login"))
    else:
        target = None
    if is_htmx():
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = target or url_for("auth.login")
        return response
    if request.method == "GET":
        return redirect(target or url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(401)
