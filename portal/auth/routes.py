"""Login (password, then the second factor), logout, language, the session countdown and one's own account."""

from flask import (
    Blueprint,
    abort,
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
from flask_login import current_user

from portal.audit.services import record
from portal.auth import services, sessions, two_factor
from portal.auth.forms import (
    EnrolConfirmForm,
    LanguageForm,
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    ReauthForm,
    TwoFactorStartForm,
)
from portal.auth.passwords import password_problem, verify_password
from portal.clock import now
from portal.extensions import db, limiter
from portal.web.access import passive, pending_step, public
from portal.web.i18n import gettext as _

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after login or a language switch."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _demo_totp_secret() -> str | None:
    """The demo accounts' TOTP secret (PRODUCT.md §7), shown in demo mode only."""
    if current_app.config.get("DEMO_MODE") and current_app.config.get("TWO_FACTOR_ROLES"):
        return two_factor.DEMO_TOTP_SECRET
    return None


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
            if (unfinished := sessions.pending()) is not None:
                sessions.end(unfinished, "login_restarted")
            try:
                row = services.authenticate(
                    form.email.data, form.password.data, demo_mode=current_app.config["DEMO_MODE"],
                    next_path=safe_next(form.next.data),
                )
            except services.LoginRefused as refused:
                db.session.commit()
                form.password.errors = [refused.message]
                status = 429 if refused.retry_at else 401
            else:
                db.session.commit()
                if row.stage == "otp":
                    return redirect(url_for("auth.login_otp"), 303)
                if row.stage == "enrol":
                    return redirect(url_for("auth.two_factor_settings"), 303)
                return redirect(safe_next(form.next.data) or url_for("dashboard.index"), 303)
        else:
            status = 400
    return render_template("auth/login.html", form=form, demo_totp_secret=_demo_totp_secret()), status


@bp.route("/login/otp", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.shared_limit(_global_limit, scope="login-global", key_func=lambda: "all", methods=["POST"])
def login_otp():
    """The second step of a login: a code from the authenticator app, or one of the recovery codes."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    row = sessions.pending()
    if row is None or row.stage != "otp":
        target = url_for("auth.two_factor_settings") if row is not None else url_for("auth.login")
        return redirect(target, 303 if request.method == "POST" else 302)
    form = OtpForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                _new_row, next_path = services.complete_login(row, form.code.data)
            except services.LoginRefused as refused:
                db.session.commit()
                form.code.errors = [refused.message]
                status = 429 if refused.retry_at else 401
            else:
                db.session.commit()
                return redirect(safe_next(next_path) or url_for("dashboard.index"), 303)
        else:
            status = 400
    return render_template("auth/login_otp.html", form=form, demo_totp_secret=_demo_totp_secret()), status


@bp.post("/logout")
@pending_step("otp", "enrol")
def logout():
    """End the session (or a half-finished login) on the server and wipe what the browser kept."""
    if current_user.is_authenticated:
        services.logout(current_user, g.get("user_session"))
    else:
        row = sessions.pending()
        services.logout(row.user if row else None, row)
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


def _acting():
    """The session row and the user of this request: a full login, or a pending forced enrolment."""
    if current_user.is_authenticated:
        return g.user_session, current_user
    row = sessions.pending("enrol")
    if row is None:  # the deny-by-default layer lets nothing else through
        abort(401)
    return row, row.user


def _render_two_factor(row, user, status: int = 200, **forms):
    candidate = row.totp_candidate
    setup = None
    if candidate:
        uri = two_factor.provisioning_uri(user, candidate)
        setup = {"secret": two_factor.grouped(candidate), "qr": two_factor.qr_svg(uri)}
    context = {
        "user": user,
        "pending": row.pending,
        "required": two_factor.required_for(user),
        "setup": setup,
        "codes_left": two_factor.recovery_codes_left(user.id) if user.has_two_factor else 0,
        "confirm_form": forms.get("confirm_form") or EnrolConfirmForm(formdata=None),
        "start_form": forms.get("start_form") or TwoFactorStartForm(formdata=None),
        "codes_form": forms.get("codes_form") or ReauthForm(formdata=None, prefix="codes"),
        "disable_form": forms.get("disable_form") or ReauthForm(formdata=None, prefix="disable"),
    }
    return render_template("auth/two_factor.html", **context), status


def _recovery_codes_page(codes: list[str], next_url: str):
    return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url)


@bp.route("/account/2fa", methods=["GET", "POST"])
@pending_step("enrol")
def two_factor_settings():
    """Two-factor authentication: set it up (forced after the password where the role requires it), see its
    state, and confirm a new secret with a code from it."""
    row, user = _acting()
    if request.method == "GET":
        return _render_two_factor(row, user)
    form = EnrolConfirmForm()
    if not form.validate_on_submit():
        return _render_two_factor(row, user, 400, confirm_form=form)
    if not row.totp_candidate:
        form.code.errors = [_("Start the set-up again: there is no new secret to confirm.")]
        return _render_two_factor(row, user, 400, confirm_form=form)
    next_path = row.next_path if row.pending else None
    codes = services.confirm_enrolment(user, row, form.code.data)
    if codes is None:
        form.code.errors = [_("The code does not match. Check that the time on your phone is right and try again.")]
        return _render_two_factor(row, user, 400, confirm_form=form)
    db.session.commit()
    return _recovery_codes_page(codes, safe_next(next_path) or url_for("dashboard.index"))


@bp.post("/account/2fa/start")
@pending_step("enrol")
def two_factor_start():
    """Offer a new secret to set up an authenticator (the password; a current code when replacing one)."""
    row, user = _acting()
    form = TwoFactorStartForm()
    if not form.validate_on_submit():
        return _render_two_factor(row, user, 400, start_form=form)
    if user.has_two_factor and not form.code.data:
        form.code.errors = [_("Enter a current code or a recovery code.")]
        return _render_two_factor(row, user, 400, start_form=form)
    try:
        services.begin_enrolment(user, row, form.password.data, form.code.data)
    except services.ReauthRefused as refused:
        db.session.commit()
        getattr(form, refused.field).errors = [refused.message]
        return _render_two_factor(row, user, refused.status, start_form=form)
    db.session.commit()
    return redirect(url_for("auth.two_factor_settings"), 303)


@bp.post("/account/2fa/recovery-codes")
def two_factor_recovery_codes():
    """Replace the recovery codes (password and a current code); the new ones are shown once."""
    row, user = _acting()
    form = ReauthForm(prefix="codes")
    if not user.has_two_factor or not form.validate_on_submit():
        return _render_two_factor(row, user, 400, codes_form=form)
    try:
        codes = services.regenerate_recovery_codes(user, form.password.data, form.code.data)
    except services.ReauthRefused as refused:
        db.session.commit()
        getattr(form, refused.field).errors = [refused.message]
        return _render_two_factor(row, user, refused.status, codes_form=form)
    db.session.commit()
    return _recovery_codes_page(codes, url_for("auth.two_factor_settings"))


@bp.post("/account/2fa/disable")
def two_factor_disable():
    """Turn two-factor authentication off, where the role does not require it (password and a current code)."""
    row, user = _acting()
    if two_factor.required_for(user):
        record("authz.deny", outcome="denied", fields=request.endpoint)
        db.session.commit()
        abort(403)
    form = ReauthForm(prefix="disable")
    if not user.has_two_factor or not form.validate_on_submit():
        return _render_two_factor(row, user, 400, disable_form=form)
    try:
        services.disable_two_factor(user, row, form.password.data, form.code.data)
    except services.ReauthRefused as refused:
        db.session.commit()
        getattr(form, refused.field).errors = [refused.message]
        return _render_two_factor(row, user, refused.status, disable_form=form)
    db.session.commit()
    flash(_("Two-factor authentication is off. Other sessions were ended."), "success")
    return redirect(url_for("auth.two_factor_settings"), 303)
