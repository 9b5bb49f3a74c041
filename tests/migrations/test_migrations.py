"""Migrations run up and down on the suite's database engine, and match the models."""

import os
import shutil

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from portal import migrate
from portal.db import Base
from tests import conftest


@pytest.fixture
def empty_url(tmp_path):
    if conftest.PG_URL:
        admin = conftest._pg_admin()
        name = f"portal_mig_{os.getpid()}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield conftest._pg_url_for(name)
        conftest._pg_drop(admin, name)
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        shutil.rmtree(tmp_path, ignore_errors=True)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_up_down_up(empty_url):
    migrate.upgrade(empty_url)
    assert _tables(empty_url) == set(Base.metadata.tables)
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM regions")).scalar() == 20
    engine.dispose()
    migrate.downgrade(empty_url, "base")
    assert _tables(empty_url) == set()
    migrate.upgrade(empty_url)
    assert _tables(empty_url) == set(Base.metadata.tables)


def test_each_step_downgrades(empty_url):
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config(empty_url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        migrate.upgrade(empty_url, revision)
    for revision in reversed(revisions):
        migrate.downgrade(empty_url, f"{revision}-1" if revision != revisions[0] else "base")


def test_models_and_migrations_agree(empty_url):
    """Autogenerate finds nothing to do: every model change has its migration."""
    migrate.upgrade(empty_url)
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_constraints_follow_the_naming_convention(empty_url):
    migrate.upgrade(empty_url)
    engine = create_engine(empty_url)
    inspector = inspect(engine)
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        for fk in inspector.get_foreign_keys(table):
            assert fk["name"].startswith(f"fk_{table}_"), fk
        for index in inspector.get_indexes(table):
            prefix = "uq" if index.get("duplicates_constraint") else "ix"
            assert index["name"].startswith(f"{prefix}_{table}_"), index
        for unique in inspector.get_unique_constraints(table):
            assert unique["name"].startswith(f"uq_{table}_"), unique
    engine.dispose()


def test_the_audit_chain_migration_chains_the_rows_already_written(empty_url):
    """Rows written before the chain existed are chained in id order; the result verifies."""
    from portal import create_app
    from portal.audit import chain
    from portal.extensions import db

    migrate.upgrade(empty_url, "0006")
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        for i in range(5):
            conn.execute(text("INSERT INTO audit_events (at, action, outcome, object_type, object_id) "
                              f"VALUES ('2026-11-0{i + 1} 10:00:00.123456', 'student.read', 'ok', 'student', {i})"))
    engine.dispose()
    migrate.upgrade(empty_url)
    app = create_app(conftest.base_config(empty_url))
    with app.app_context():
        verdict = chain.verify(db.session)
        assert verdict.ok, verdict.reason
        assert (verdict.rows, verdict.head_seq) == (5, 5)
        db.session.remove()
        db.engine.dispose()
