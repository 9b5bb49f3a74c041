"""Administration: regions and schools (sysadmin), user accounts (sysadmin; school staff for school admins)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select

from portal.admin import queries, services
from portal.admin.forms import RegionForm, SchoolForm, UserForm
from portal.admin.models import Region, School
from portal.auth import roles
from portal.auth import services as auth_services
from portal.auth.models import User, UserSession
from portal.auth.passwords import password_problem
from portal.extensions import db
from portal.web.access import roles as allow
from portal.web.forms import query_text
from portal.web.htmx import paginate, render_page_or_partial
from portal.web.i18n import gettext as _

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/regions")
@allow(roles.SYSADMIN)
def regions():
    """All regions with their names in three languages and school counts."""
    counts = dict(db.session.execute(select(School.region_id, func.count()).group_by(School.region_id)).all())
    return render_template("admin/regions.html", regions=queries.regions(), counts=counts)


@bp.route("/regions/new", methods=["GET", "POST"])
@bp.route("/regions/<int:region_id>/edit", methods=["GET", "POST"])
@allow(roles.SYSADMIN)
def region_form(region_id: int | None = None):
    """Create or rename a region."""
    region = queries.get_or_404(Region, region_id) if region_id else None
    form = RegionForm(obj=region)
    if form.validate_on_submit():
        clash = db.session.scalar(select(Region).where(Region.code == form.code.data))
        if clash is not None and clash is not region:
            form.code.errors.append(_("This code is already used by another region."))
        else:
            services.save_region(region, form.data)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.regions"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/region_form.html", form=form, region=region), status


@bp.get("/schools")
@allow(roles.SYSADMIN)
def schools():
    """All schools, by region."""
    page = paginate(queries.schools_with_regions())
    return render_template("admin/schools.html", pagination=page)


@bp.route("/schools/new", methods=["GET", "POST"])
@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
@allow(roles.SYSADMIN)
def school_form(school_id: int | None = None):
    """Create or edit a school."""
    school = queries.get_or_404(School, school_id) if school_id else None
    form = SchoolForm(obj=school)
    form.region_id.choices = queries.region_choices(str(get_locale()))
    if form.validate_on_submit():
        services.save_school(school, form.data)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("admin.schools"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/school_form.html", form=form, school=school), status


@bp.get("/users")
@allow(roles.SYSADMIN, roles.SCHOOL_ADMIN)
def users():
    """Accounts the viewer manages, searchable by name or e-mail and filterable by role."""
    q = query_text("q")
    role = query_text("role", 32)
    page = paginate(queries.managed_users(current_user, q, role))
    return render_page_or_partial("admin/users.html", "admin/_user_rows.html", pagination=page, q=q, role=role,
                                  role_choices=_role_choices())


def _role_choices():
    allowed = roles.ALL if current_user.role == roles.SYSADMIN else roles.SCHOOL_STAFF_MANAGED_BY_ADMIN
    return [(code, roles.LABELS[code]) for code in allowed]


def _prepare_user_form(form: UserForm) -> None:
    form.role.choices = _role_choices()
    if current_user.role == roles.SYSADMIN:
        form.school_id.choices = [(0, "—"), *queries.school_choices()]
        form.region_id.choices = [(0, "—"), *queries.region_choices(str(get_locale()))]
    else:
        form.school_id.choices = [(current_user.school_id, current_user.school.name)]
        form.region_id.choices = [(0, "—")]


def _user_data(form: UserForm) -> dict:
    data = {name: getattr(form, name).data for name in services.USER_FIELDS}
    if current_user.role == roles.SCHOOL_ADMIN:
        data["school_id"] = current_user.school_id
    data["school_id"] = data["school_id"] or None
    data["region_id"] = data["region_id"] or None
    return data


def _user_form_problems(form: UserForm, user: User | None) -> bool:
    data = _user_data(form)
    ok = True
    if queries.email_taken(form.email.data, user.id if user else None):
        form.email.errors.append(_("An account with this e-mail already exists."))
        ok = False
    if data["role"] in roles.SCHOOL_ROLES and not data["school_id"]:
        form.school_id.errors.append(_("Choose the school for this role."))
        ok = False
    if data["role"] == roles.REGIONAL_REVIEWER and not data["region_id"]:
        form.region_id.errors.append(_("Choose the region for a regional reviewer."))
        ok = False
    if user is None and not form.password.data:
        form.password.errors.append(_("Set an initial password."))
        ok = False
    if form.password.data and (problem := password_problem(form.password.data, email=form.email.data)):
        form.password.errors.append(problem)
        ok = False
    if user is not None and user.id == current_user.id and data["role"] != user.role:
        form.role.errors.append(_("You cannot change your own role."))
        ok = False
    return not ok


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@allow(roles.SYSADMIN, roles.SCHOOL_ADMIN)
def user_form(user_id: int | None = None):
    """Create or edit an account; a new password or role ends the account's sessions."""
    user = queries.get_user_for(current_user, user_id) if user_id else None
    form = UserForm(obj=user)
    _prepare_user_form(form)
    if request.method == "GET" and user is not None:
        form.school_id.data = user.school_id or 0
        form.region_id.data = user.region_id or 0
    if form.validate_on_submit() and not _user_form_problems(form, user):
        saved = services.save_user(current_user, user, _user_data(form), form.password.data or None)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("admin.user_detail", user_id=saved.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user), status


@bp.get("/users/<int:user_id>")
@allow(roles.SYSADMIN, roles.SCHOOL_ADMIN)
def user_detail(user_id: int):
    """One account with its live sessions."""
    user = queries.get_user_for(current_user, user_id)
    live = db.session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    )
    return render_template("admin/user_detail.html", user=user, live_sessions=live)


@bp.post("/users/<int:user_id>/disable")
@allow(roles.SYSADMIN, roles.SCHOOL_ADMIN)
def user_disable(user_id: int):
    """Disable an account: it cannot log in and its sessions end at once."""
    user = queries.get_user_for(current_user, user_id)
    if user.id == current_user.id:
        abort(400)
    services.set_active(current_user, user, False)
    db.session.commit()
    flash(_("The account is disabled and its sessions have ended."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/enable")
@allow(roles.SYSADMIN, roles.SCHOOL_ADMIN)
def user_enable(user_id: int):
    """Enable a disabled account."""
    user = queries.get_user_for(current_user, user_id)
    services.set_active(current_user, user, True)
    db.session.commit()
    flash(_("The account is enabled."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/reset-2fa")
@allow(roles.SYSADMIN)
def user_reset_two_factor(user_id: int):
    """Reset an account's two-factor authentication (a lost phone): it enrols again at the next login."""
    user = queries.get_user_for(current_user, user_id)
    if user.id == current_user.id:
        abort(400)  # one's own second factor changes only with password and code, on the account page
    auth_services.reset_two_factor(current_user, user)
    db.session.commit()
    flash(_("Two-factor authentication of this account is reset and its sessions have ended."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/end-sessions")
@allow(roles.SYSADMIN, roles.SCHOOL_ADMIN)
def user_end_sessions(user_id: int):
    """End every session of an account (a lost or shared computer)."""
    user = queries.get_user_for(current_user, user_id)
    services.end_sessions(current_user, user)
    db.session.commit()
    flash(_("All sessions of this account have ended."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)
