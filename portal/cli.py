"""Command-line tasks: migrations, demo data, the first system administrator."""

import click
from flask import current_app

from portal import migrate
from portal.extensions import db


def register(app) -> None:
    from portal import maintenance

    maintenance.register(app)

    @app.cli.command("db-upgrade")
    @click.argument("revision", default="head")
    def db_upgrade(revision):
        """Bring the database schema up to date (Alembic)."""
        migrate.upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"], revision)
        click.echo(f"database at {revision}")

    @app.cli.command("db-downgrade")
    @click.argument("revision")
    def db_downgrade(revision):
        """Take the database schema back to a revision (Alembic)."""
        migrate.downgrade(current_app.config["SQLALCHEMY_DATABASE_URI"], revision)
        click.echo(f"database at {revision}")

    @app.cli.command("demo-load")
    @click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when accounts already exist.")
    def demo_load(if_empty):
        """Load the demo data of PRODUCT.md §7 (demo mode only)."""
        from portal import demo
        from portal.auth.passwords import DEMO_PASSWORD

        try:
            counts = demo.load()
        except demo.DemoRefused as refused:
            if if_empty and current_app.config.get("DEMO_MODE"):
                click.echo("demo data: database not empty, nothing loaded")
                return
            raise click.ClickException(str(refused)) from None
        db.session.commit()
        click.echo(f"demo data loaded: {counts}")
        click.echo(f"every demo account's password: {DEMO_PASSWORD}")
        if two_factor_roles := current_app.config.get("TWO_FACTOR_ROLES"):
            from portal.auth.two_factor import DEMO_TOTP_SECRET

            click.echo(f"TOTP secret of the demo accounts with 2FA ({', '.join(two_factor_roles)}): {DEMO_TOTP_SECRET}")

    @app.cli.command("create-sysadmin")
    @click.argument("email")
    @click.option("--name", default="System administrator")
    @click.password_option()
    def create_sysadmin(email, name, password):
        """Create the first system administrator account."""
        from portal.admin.queries import email_taken
        from portal.audit.services import record
        from portal.auth import roles
        from portal.auth.models import User
        from portal.auth.passwords import hash_password, password_problem

        if problem := password_problem(password, email=email):
            raise click.ClickException(problem)
        if email_taken(email):
            raise click.ClickException("an account with this e-mail exists")
        user = User(email=email.lower(), full_name=name, role=roles.SYSADMIN, password_hash=hash_password(password))
        db.session.add(user)
        db.session.flush()
        record("user.create", actor=user, object_type="user", object_id=user.id, fields=["cli"])
        db.session.commit()
        click.echo(f"created sysadmin {email}")
