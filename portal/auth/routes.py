"""Login, logout, language, the session countdown and one's own account."""

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import services, sessions
from portal.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from portal.auth.passwords import password_problem, verify_password
from portal.clock import now
from portal.extensions import db, limiter
from portal.web.access import passive, public

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after login or a language switch."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _ip_limit():
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def _global_limit():
    return current_app.config["LOGIN_LIMIT_GLOBAL"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.shared_limit(_global_limit, scope="login-global", key_func=lambda: "all", methods=["POST"])
def login():
    """Show the login form and log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next"))
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.authenticate(
                    form.email.data, form.password.data, demo_mode=current_app.config["DEMO_MODE"]
                )
            except services.LoginRefused as refused:
                db.session.commit()
                form.password.errors = [refused.message]
                status = 429 if refused.retry_at else 401
            else:
                db.session.commit()
                return redirect(safe_next(form.next.data) or url_for("dashboard.index"), 303)
        else:
            status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """End the session on the server and wipe what the browser kept."""
    services.logout(current_user, g.get("user_session"))
    db.session.commit()
    session.clear()
    response = redirect(url_for("auth.login"), 303)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.post("/language")
@public
def set_language():
    """Switch the interface language; remembered on the account when logged in."""
    form = LanguageForm()
    if not form.validate_on_submit():
        return redirect(url_for("dashboard.index"), 303)
    session["lang"] = form.lang.data
    if current_user.is_authenticated:
        current_user.locale = form.lang.data
        db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("dashboard.index"), 303)


@bp.get("/session/status")
@passive
def session_status():
    """Seconds left before idle logout; polling it does not keep the session alive."""
    row = g.user_session
    remaining = int((sessions.idle_deadline(row) - now()).total_seconds())
    return jsonify(remaining=max(remaining, 0))


@bp.route("/account", methods=["GET", "POST"])
def account():
    """One's own account: details, language and password change."""
    form = PasswordChangeForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            problem = None
            if not verify_password(current_user.password_hash, form.current_password.data):
                form.current_password.errors = [_("The current password is wrong.")]
            elif form.new_password.data != form.confirm.data:
                form.confirm.errors = [_("The two new passwords differ.")]
            elif problem := password_problem(form.new_password.data, email=current_user.email):
                form.new_password.errors = [problem]
            else:
                services.change_password(current_user, form.new_password.data, g.user_session)
                db.session.commit()
                flash(_("Your password has been changed. Other sessions were ended."), "success")
                return redirect(url_for("auth.account"), 303)
        status = 400
    return render_template("auth/account.html", form=form), status
