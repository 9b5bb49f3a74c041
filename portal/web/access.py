"""Deny by default: every view needs a login unless marked @public; roles narrow further."""

from functools import wraps

from flask import abort, current_app, redirect, request, url_for
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
    if is_htmx():
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    if request.method == "GET":
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(401)
