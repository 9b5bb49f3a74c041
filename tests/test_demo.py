"""Demo data (PRODUCT.md §7) exists in demo mode only."""

from sqlalchemy import func, select

from portal import create_app, demo
from portal.admin.models import Region, School
from portal.auth.models import User
from portal.extensions import db
from portal.students.iin import parse
from portal.students.models import Student
from tests.conftest import base_config, in_app


def test_demo_has_the_promised_accounts_and_students(app):
    with in_app():
        emails = set(db.session.scalars(select(User.email)))
        for key in ("school1", "school2", "school3"):
            for local in ("teacher", "psychologist", "admin"):
                assert f"{local}@{key}.demo" in emails
        assert {"reviewer@astana.demo", "reviewer@akmola.demo", "sysadmin@portal.demo"} <= emails
        per_school = dict(db.session.execute(select(Student.school_id, func.count()).group_by(Student.school_id)).all())
        assert len(per_school) == 3 and min(per_school.values()) >= 30
        regions = {s.region.code for s in db.session.scalars(select(School))}
        assert regions == {"astana", "akmola"}
        assert db.session.scalar(select(func.count()).select_from(Region)) == 20
        for student in db.session.scalars(select(Student)):
            parsed = parse(student.iin)
            assert parsed.birth_date == student.birth_date and parsed.sex == student.sex
        assert db.session.scalar(select(func.count(func.distinct(Student.iin)))) == db.session.scalar(
            select(func.count()).select_from(Student)
        )


def test_demo_load_is_refused_outside_demo_mode(app):
    app.config["DEMO_MODE"] = False
    with in_app():
        try:
            demo.load()
        except demo.DemoRefused as refused:
            assert "demo mode" in str(refused)
        else:
            raise AssertionError("demo data was loaded outside demo mode")


def test_demo_load_refuses_a_database_with_accounts(app):
    with in_app():
        before = db.session.scalar(select(func.count()).select_from(User))
        try:
            demo.load()
        except demo.DemoRefused:
            pass
        else:
            raise AssertionError("demo data was loaded twice")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_cli_demo_load_if_empty_is_a_no_op_on_a_full_database(app):
    result = app.test_cli_runner().invoke(args=["demo-load", "--if-empty"])
    assert result.exit_code == 0
    assert "nothing loaded" in result.output


def test_cli_demo_load_fails_outside_demo_mode(app):
    app.config["DEMO_MODE"] = False
    result = app.test_cli_runner().invoke(args=["demo-load"])
    assert result.exit_code != 0
    assert "demo mode" in result.output


def test_secret_key_is_required_outside_demo_mode(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_DEMO", raising=False)
    try:
        create_app()
    except RuntimeError as error:
        assert "SECRET_KEY" in str(error)
    else:
        raise AssertionError("the app started without a SECRET_KEY")


def test_create_sysadmin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-sysadmin", "root@example.kz"], input="short\nshort\n")
    assert result.exit_code != 0
    result = runner.invoke(
        args=["create-sysadmin", "root@example.kz"], input="a long admin passphrase\na long admin passphrase\n"
    )
    assert result.exit_code == 0, result.output
    with in_app():
        created = db.session.scalar(select(User).where(User.email == "root@example.kz"))
        assert created.role == "sysadmin" and not created.is_demo


def test_base_config_keeps_demo_on():
    assert base_config("sqlite://")["DEMO_MODE"] is True
