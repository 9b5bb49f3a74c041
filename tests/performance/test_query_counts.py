"""Main pages load what they show in a fixed number of queries, whatever the data size."""

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.students.iin import make as make_iin
from portal.students.models import Guardian, Student
from tests.conftest import in_app, user

LIMIT = 24  # a fixed budget per page (the dashboards are the richest); the growth check below is the real N+1 guard


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


def _grow_concerns(count: int, tag: str = "grow") -> None:
    """More concerns (several reporters, all states reachable) and notifications for every school-1 account."""
    from datetime import timedelta

    from sqlalchemy import select

    from portal.auth.models import User
    from portal.clock import now
    from portal.concerns.models import Concern, ConcernAddendum, ConcernCategory
    from portal.notifications.models import Notification

    with in_app():
        school_id = user("teacher@school1.demo").school_id
        staff = db.session.scalars(select(User).where(User.school_id == school_id)).all()
        students = db.session.scalars(select(Student).where(Student.school_id == school_id)).all()
        for i in range(count):
            reporter = staff[i % len(staff)]
            created = now() - timedelta(hours=i)
            concern = Concern(
                school_id=school_id, student_id=students[i % len(students)].id, reporter_id=reporter.id,
                submission_token=f"{tag}-{i}", severity="low", urgent=i % 3 == 0, occurred_at=created,
                facts="f", created_at=created, ack_due_at=created + timedelta(hours=2),
                status=["submitted", "acknowledged", "closed"][i % 3],
            )
            concern.categories = [ConcernCategory(category="other"), ConcernCategory(category="learning")]
            db.session.add(concern)
            db.session.flush()
            db.session.add(ConcernAddendum(concern_id=concern.id, author_id=reporter.id, reason="r", text="t",
                                           created_at=created))
            for member in staff:
                db.session.add(Notification(user_id=member.id, kind="concern.new", link="/", created_at=created))
        db.session.commit()


PAGES = {
    "teacher@school1.demo": ["/", "/students", "/students?q=ов", "/students?class=7Б", "/concerns", "/concerns/new",
                             "/notifications"],
    "psychologist@school1.demo": ["/", "/students", "/students?status=all", "/concerns", "/concerns?show=all",
                                  "/notifications"],
    "admin@school1.demo": ["/", "/students", "/admin/users", "/admin/students/new", "/concerns", "/concerns?show=closed"],
    "sysadmin@portal.demo": ["/", "/admin/users", "/admin/schools", "/admin/regions"],
    "reviewer@astana.demo": ["/"],
}


@pytest.mark.parametrize("email", list(PAGES))
def test_query_counts_are_bounded_and_do_not_grow(app, login_as, email):
    browser = login_as(email)
    _grow_concerns(6, "seed")  # every list on the page has rows, so eager loads show up in the baseline
    browser.get("/")  # warm up: session touch and the like
    before = {}
    for path in PAGES[email]:
        with counting(app) as statements:
            assert browser.get(path).status_code == 200
        before[path] = len(statements)
        assert len(statements) <= LIMIT, f"{path}: {len(statements)} queries"
    _grow(user("teacher@school1.demo").school_id, 60)
    _grow_concerns(60)
    for path in PAGES[email]:
        with counting(app) as statements:
            assert browser.get(path).status_code == 200
        assert len(statements) == before[path], f"{path}: {before[path]} → {len(statements)} queries"


@pytest.mark.parametrize("email", ["teacher@school1.demo", "psychologist@school1.demo", "admin@school1.demo"])
def test_profile_and_concern_pages_do_not_grow(app, login_as, email):
    from tests.conftest import concern_of, student_of

    browser = login_as(email)
    own = student_of("school1", class_name="7Б")
    concern = concern_of("school1", reporter="teacher@school1.demo")
    paths = [f"/students/{own.id}", f"/concerns/{concern.id}"]
    _grow_concerns(6, "seed")
    browser.get("/")
    before = {}
    for path in paths:
        with counting(app) as statements:
            assert browser.get(path).status_code == 200
        before[path] = len(statements)
        assert len(statements) <= LIMIT, f"{path}: {len(statements)} queries"
    _grow_concerns(40)
    with in_app():
        from portal.concerns.models import Concern, ConcernAddendum

        student_id = own.id
        for i in range(10):
            extra = Concern(school_id=own.school_id, student_id=student_id, reporter_id=concern.reporter_id,
                            submission_token=f"more-{i}", severity="low", occurred_at=concern.created_at,
                            facts="f", created_at=concern.created_at, ack_due_at=concern.created_at)
            db.session.add(extra)
            db.session.flush()
            db.session.add(ConcernAddendum(concern_id=concern.id, author_id=concern.reporter_id, reason="r",
                                           text="t", created_at=concern.created_at))
        db.session.commit()
    for path in paths:
        with counting(app) as statements:
            assert browser.get(path).status_code == 200
        assert len(statements) == before[path], f"{path}: {before[path]} → {len(statements)} queries"
