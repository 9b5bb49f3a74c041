"""Main pages load what they show in a fixed number of queries, whatever the data size."""

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.students.iin import make as make_iin
from portal.students.models import Guardian, Student
from tests.conftest import in_app, user

LIMIT = 12


@contextmanager
def counting(app):
    with app.app_context():
        engine = db.engine
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _grow(school_id: int, count: int) -> None:
    with in_app():
        for i in range(count):
            born = date(2013, 1 + i % 12, 1 + i % 28)
            iin = make_iin(born, "M", 9000 + i) or make_iin(born, "M", 8000 + i)
            student = Student(school_id=school_id, class_name="7Б", surname=f"Тестов{i}", given_name="Иван",
                              birth_date=born, sex="M", iin=iin, search_name=f"тестов{i} иван")
            student.guardians.append(Guardian(full_name="Родитель", relation="mother"))
            db.session.add(student)
        db.session.commit()


PAGES = {
    "teacher@school1.demo": ["/", "/students", "/students?q=ов", "/students?class=7Б"],
    "psychologist@school1.demo": ["/", "/students", "/students?status=all"],
    "admin@school1.demo": ["/", "/students", "/admin/users", "/admin/students/new"],
    "sysadmin@portal.demo": ["/", "/admin/users", "/admin/schools", "/admin/regions"],
    "reviewer@astana.demo": ["/"],
}


@pytest.mark.parametrize("email", list(PAGES))
def test_query_counts_are_bounded_and_do_not_grow(app, login_as, email):
    browser = login_as(email)
    browser.get("/")  # warm up: session touch and the like
    before = {}
    for path in PAGES[email]:
        with counting(app) as statements:
            assert browser.get(path).status_code == 200
        before[path] = len(statements)
        assert len(statements) <= LIMIT, f"{path}: {len(statements)} queries"
    _grow(user("teacher@school1.demo").school_id, 60)
    for path in PAGES[email]:
        with counting(app) as statements:
            assert browser.get(path).status_code == 200
        assert len(statements) == before[path], f"{path}: {before[path]} → {len(statements)} queries"


def test_profile_query_count_is_bounded(app, login_as):
    from tests.conftest import student_of

    teacher = login_as("teacher@school1.demo")
    own = student_of("school1", class_name="7Б")
    with counting(app) as statements:
        assert teacher.get(f"/students/{own.id}").status_code == 200
    assert len(statements) <= LIMIT
