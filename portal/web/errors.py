"""Error pages in the user's language, without stack traces."""

from flask import current_app, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db
from portal.web.i18n import lazy_gettext as _l

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    401: (_l("Please log in"), _l("Your session has ended. Please log in again.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Not found"), _l("The page or record does not exist, or you do not have access to it.")),
    405: (_l("Method not allowed"), _l("This address does not accept this kind of request.")),
    409: (_l("Conflict"), _l("Someone else changed this record. Reload the page and try again.")),
    413: (_l("Too large"), _l("The data sent is too large.")),
    429: (_l("Too many requests"), _l("Too many attempts. Please wait a little and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. The administrators have been notified.")),
}


def render_error(code: int, detail=None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def handle_http_exception(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if isinstance(error, CSRFError):
        return render_error(400, _l("The form has expired or was sent from another page. Please reload and try again."))
    return render_error(error.code)


def handle_unexpected(error: Exception):
    db.session.rollback()
    if not isinstance(error, HTTPException):
        current_app.logger.exception("Unhandled error")
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    return render_error(InternalServerError.code)


def register(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
