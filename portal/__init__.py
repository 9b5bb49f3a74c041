"""The pedagogical support portal: create_app() wires extensions, blueprints, errors and commands."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal import config as config_module
from portal.extensions import babel, csrf, db, limiter, login_manager

ROOT = Path(__file__).resolve().parent.parent


class BoundedInt(IntegerConverter):
    """<int:…> in routes: a positive 32-bit integer, like every id column."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    from portal.web.forms import PortalRequest

    app.request_class = PortalRequest  # form bodies that are not valid UTF-8 answer 400
    app.url_map.converters["int"] = BoundedInt  # ids beyond the columns' range are 404, not a database error
    app.config.update(config_module.DEFAULTS)
    app.config.update(config_module.from_environment(with_secret=not (overrides and "SECRET_KEY" in overrides)))
    if overrides:
        app.config.update(overrides)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )

    if app.config.get("PROXY_HOPS"):
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)

    from portal import cli
    from portal.web import errors

    errors.register(app)
    cli.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from portal.audit import chain
    from portal.auth.sessions import load_user_from_request
    from portal.db_events import install as install_db_events
    from portal.web.i18n import install_gettext, select_locale

    db.init_app(app)
    with app.app_context():
        install_db_events(db.engine)
    chain.install()  # audit events are hash-chained as each transaction commits
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_gettext(app.jinja_env)
    login_manager.init_app(app)
    login_manager.session_protection = None
    login_manager.request_loader(load_user_from_request)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from portal.admin.routes import bp as admin_bp
    from portal.audit.routes import bp as audit_bp
    from portal.auth.routes import bp as auth_bp
    from portal.cases.routes import bp as cases_bp
    from portal.concerns.routes import bp as concerns_bp
    from portal.dashboard.routes import bp as dashboard_bp
    from portal.escalations.routes import bp as escalations_bp
    from portal.notifications.routes import bp as notifications_bp
    from portal.plans.routes import bp as plans_bp
    from portal.students.routes import bp as students_bp
    from portal.web.health import bp as health_bp

    for bp in (health_bp, auth_bp, dashboard_bp, students_bp, concerns_bp, cases_bp, plans_bp, escalations_bp,
               notifications_bp, admin_bp, audit_bp):
        app.register_blueprint(bp)


def _register_hooks(app: Flask) -> None:
    from flask_babel import get_locale
    from flask_login import current_user

    from portal.auth import roles
    from portal.auth.policy import can
    from portal.web.access import require_login
    from portal.web.i18n import local_date, local_datetime
    from portal.web.security import csp_nonce, set_security_headers

    app.before_request(require_login)
    app.after_request(set_security_headers)
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date

    from portal.web.forms import CsrfOnly

    CSRF_ONLY = CsrfOnly()

    @app.context_processor
    def inject():
        from flask import g

        from portal.notifications.services import unread_count

        session_row = g.get("user_session")
        idle = int(app.config["IDLE_TIMEOUT"].total_seconds())
        signed_in = session_row is not None and current_user.is_authenticated
        return {
            "csp_nonce": csp_nonce,
            "can": lambda action, obj=None: can(current_user, action, obj),
            "roles": roles,
            "current_locale": str(get_locale()),
            "language_form": CSRF_ONLY,
            "empty_form": CSRF_ONLY,
            "idle_seconds": idle if session_row is not None else None,
            "demo_mode": app.config.get("DEMO_MODE", False),
            "unread": unread_count(current_user) if signed_in else 0,
        }
