"""`flask backup` and `flask restore`: a restored database has the same rows and an unbroken audit chain."""

import uuid

import pytest
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from tests.conftest import PG_URL, _pg_admin, _pg_drop, _pg_url_for, base_config, student_of


@pytest.fixture
def empty_database(tmp_path):
    """A fresh, empty database of the kind under test (and its URL)."""
    if PG_URL:
        name = f"portal_restore_{uuid.uuid4().hex[:10]}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield _pg_url_for(name)
        _pg_drop(admin, name)
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"


def test_backup_then_restore_into_a_fresh_database(app, login_as, tmp_path, empty_database):
    login_as("psychologist@school1.demo").get(f"/students/{student_of('school1').id}")
    target = tmp_path / "portal.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 10_000
    assert (tmp_path / "portal.backup.json").exists()

    restored = create_app(base_config(empty_database))
    result = restored.test_cli_runner().invoke(args=["restore", str(target)])
    assert result.exit_code == 0, result.output
    assert "audit chain ok" in result.output and "row counts match the backup" in result.output
    with restored.app_context():
        from portal.maintenance import row_counts

        counts = row_counts()
        db.session.remove()
        db.engine.dispose()
    with app.app_context():
        from portal.maintenance import row_counts

        assert row_counts() == counts
        assert counts["audit_events"] > 0 and counts["students"] == 105
    # the restored audit table is append-only too
    with restored.app_context():
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("DELETE FROM audit_events"))
            db.session.flush()
        db.session.rollback()
        db.engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(app, tmp_path):
    target = tmp_path / "portal.backup"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["restore", str(target)])
    assert result.exit_code != 0
    assert "not empty" in result.output


def test_backup_refuses_to_overwrite_a_file(app, tmp_path):
    target = tmp_path / "exists.backup"
    target.write_text("keep me")
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and target.read_text() == "keep me"


def test_restore_reports_a_backup_whose_audit_log_was_tampered_with(app, tmp_path, empty_database):
    """The manifest keeps the audit head: a backup file whose log lost its last rows does not restore cleanly."""
    target = tmp_path / "portal.backup"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    manifest = tmp_path / "portal.backup.json"
    import json

    data = json.loads(manifest.read_text())
    seq, digest = data["audit_head"].split(":")
    data["audit_head"] = f"{int(seq) + 5}:{digest}"  # the log once went further than this copy
    manifest.write_text(json.dumps(data))
    restored = create_app(base_config(empty_database))
    result = restored.test_cli_runner().invoke(args=["restore", str(target)])
    with restored.app_context():
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code != 0
    assert "BROKEN" in result.output and "cut off" in result.output
