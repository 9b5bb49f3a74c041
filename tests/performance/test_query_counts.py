"""Main pages load what they show in a fixed number of queries, whatever the data size."""

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.students.iin import make as make_iin
from portal.students.models import Guardian, Student
from tests.conftest import in_app, user

LIMIT = 15  # issue 7: at most 15 SQL statements per page (the session, the audit write and the header included);
# the growth checks below are the N+1 guard, and tests/performance/test_bench_dataset.py repeats both on the
# benchmark's generated region at two scales


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
    "admin@school1.demo": ["/", "/students", "/admin/users", "/admin/students/new", "/concerns", "/concerns?show=closed",
                           "/audit", "/audit?area=student"],
    "sysadmin@portal.demo": ["/", "/admin/users", "/admin/schools", "/admin/regions"],
    "reviewer@astana.demo": ["/", "/escalations", "/escalations?show=all", "/escalations/overview",
                             "/escalations?show=accepted&school=1"],
}
CASE_PAGES = {
    "teacher@school1.demo": ["/cases", "/tasks", "/"],
    "psychologist@school1.demo": ["/cases", "/cases?show=all", "/tasks", "/escalations", "/escalations?show=all"],
    "admin@school1.demo": ["/cases", "/cases?show=review_overdue", "/escalations?show=all", "/"],
    "reviewer@astana.demo": ["/escalations?show=all", "/escalations/overview", "/"],
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


def _grow_cases(count: int, tag: str) -> None:
    """More cases of school 1 with approved plans, logged work, notes, reviews and escalations with events."""
    from datetime import timedelta

    from sqlalchemy import select

    from portal.auth.models import User
    from portal.cases.models import CaseMember, CaseNote, SupportCase
    from portal.clock import now
    from portal.escalations.models import Escalation, EscalationEvent, EscalationSnapshot
    from portal.plans.models import Goal, Measure, MeasureLog, Plan, Review

    with in_app():
        teacher = user("teacher@school1.demo")
        psych = db.session.scalar(select(User).where(User.email == "psychologist@school1.demo"))
        school_id = teacher.school_id
        region_id = psych.school.region_id
        students = db.session.scalars(select(Student).where(Student.school_id == school_id)).all()
        current = now()
        today = current.date()
        for i in range(count):
            student = students[i % len(students)]
            case = SupportCase(school_id=school_id, student_id=student.id, grounds="learning", risk_level="low",
                               lead_id=psych.id, status="active", created_at=current, created_by_id=psych.id,
                               next_review_date=today - timedelta(days=i % 3))
            db.session.add(case)
            db.session.flush()
            db.session.add(CaseMember(case_id=case.id, user_id=teacher.id, team_role="member", added_at=current))
            db.session.add(CaseNote(case_id=case.id, author_id=teacher.id, text=f"{tag} note", created_at=current))
            plan = Plan(case_id=case.id, version_no=1, status="approved", author_id=psych.id, created_at=current,
                        updated_at=current, updated_by_id=psych.id, next_review_date=today, decided_at=current,
                        decided_by_id=psych.id)
            plan.goals = [Goal(what="g", indicator="i", target="t", target_date=today)]
            plan.measures = [Measure(type="counselling", description=f"{tag} {i}", responsible_id=rid,
                                     frequency="weekly", start_date=today, end_date=today)
                             for rid in (teacher.id, psych.id)]
            db.session.add(plan)
            db.session.flush()
            for measure in plan.measures:
                db.session.add(MeasureLog(measure_id=measure.id, done_on=today, note="n", attended=True,
                                          author_id=measure.responsible_id, created_at=current))
            db.session.add(Review(case_id=case.id, plan_id=plan.id, held_on=today, decision="continue",
                                  rationale="r", author_id=psych.id, created_at=current))
            escalation = Escalation(case_id=case.id, school_id=school_id, region_id=region_id, student_id=student.id,
                                    status=["submitted", "in_review", "accepted", "returned"][i % 4],
                                    urgency="urgent" if i % 2 else "standard", requested="psych_centre",
                                    summary="s", measures_tried="m", created_at=current, created_by_id=psych.id,
                                    submitted_at=current, first_submitted_at=current,
                                    due_at=current - timedelta(hours=i % 5), decided_at=current,
                                    helproom_interview_on=today if i % 4 == 2 else None)
            db.session.add(escalation)
            db.session.flush()
            db.session.add(EscalationSnapshot(escalation_id=escalation.id, number=1, created_at=current,
                                              submitted_by_id=psych.id, content={"summary": "s"}))
            for action in ("created", "submitted", "claimed", "accepted"):
                db.session.add(EscalationEvent(escalation_id=escalation.id, at=current, actor_id=psych.id,
                                               action=action, waited_minutes=60 + i if action == "accepted" else None))
        db.session.commit()


def _demo_case_paths(email: str) -> list[str]:
    """The demo case with an approved plan, the teacher on its team and an accepted escalation of the school."""
    from sqlalchemy import select

    from portal.cases.models import CaseMember, SupportCase
    from portal.escalations.models import Escalation
    from portal.plans.models import Plan

    with in_app():
        teacher = user("teacher@school1.demo")
        case = db.session.scalar(select(SupportCase).join(CaseMember).where(CaseMember.user_id == teacher.id)
                                 .order_by(SupportCase.id))
        plan = db.session.scalar(select(Plan).where(Plan.case_id == case.id, Plan.status == "approved"))
        escalation = db.session.scalar(select(Escalation).where(Escalation.school_id == teacher.school_id,
                                                                Escalation.status == "accepted"))
        paths = [f"/cases/{case.id}", f"/cases/{case.id}/plan/{plan.id}"]
        if "teacher" not in email:
            paths.append(f"/escalations/{escalation.id}")
        if "teacher" not in email and "reviewer" not in email:
            paths += [f"/cases/{case.id}/chronology", f"/students/{case.student_id}",
                      f"/cases/{escalation.case_id}", f"/cases/{case.id}/escalations/new"]
        if "admin" in email:
            paths.append(f"/cases/{case.id}/viewers")
        if "reviewer" in email:
            paths = [f"/escalations/{escalation.id}"]
        return paths


def _grow_case_history(count: int) -> None:
    """A longer history on the demo case itself: notes, logged work, reviews, escalation events."""
    from sqlalchemy import select

    from portal.cases.models import CaseMember, CaseNote, SupportCase
    from portal.clock import now
    from portal.escalations.models import Escalation, EscalationEvent
    from portal.plans.models import Measure, MeasureLog, Plan, Review

    with in_app():
        teacher = user("teacher@school1.demo")
        case = db.session.scalar(select(SupportCase).join(CaseMember).where(CaseMember.user_id == teacher.id)
                                 .order_by(SupportCase.id))
        plan = db.session.scalar(select(Plan).where(Plan.case_id == case.id, Plan.status == "approved"))
        measures = db.session.scalars(select(Measure).where(Measure.plan_id == plan.id)).all()
        escalation = db.session.scalar(select(Escalation).where(Escalation.school_id == teacher.school_id,
                                                                Escalation.status == "accepted"))
        current = now()
        for i in range(count):
            db.session.add(CaseNote(case_id=case.id, author_id=teacher.id, text=f"more {i}", created_at=current))
            for measure in measures:
                db.session.add(MeasureLog(measure_id=measure.id, done_on=current.date(), note="n", attended=True,
                                          author_id=measure.responsible_id, created_at=current))
            db.session.add(Review(case_id=case.id, plan_id=plan.id, held_on=current.date(), decision="continue",
                                  rationale="r", author_id=plan.author_id, created_at=current))
            for target in (escalation.id,):
                db.session.add(EscalationEvent(escalation_id=target, at=current, actor_id=plan.author_id,
                                               action="helproom_appointment", on_date=current.date()))
        db.session.commit()


@pytest.mark.parametrize("email", list(CASE_PAGES))
def test_case_plan_and_escalation_pages_do_not_grow(app, login_as, email):
    browser = login_as(email)
    _grow_cases(4, "seed")
    _grow_case_history(1)  # every kind of row present in the baseline, so eager loads are counted from the start
    browser.get("/")
    paths = CASE_PAGES[email] + _demo_case_paths(email)
    before = {}
    for path in paths:
        with counting(app) as statements:
            assert browser.get(path).status_code == 200, path
        before[path] = len(statements)
        assert len(statements) <= LIMIT, f"{path}: {len(statements)} queries"
    _grow_cases(40, "grow")
    _grow_case_history(15)
    for path in paths:
        with counting(app) as statements:
            assert browser.get(path).status_code == 200, path
        assert len(statements) == before[path], f"{path}: {before[path]} → {len(statements)} queries"
