"""Shared helpers for the plan tests: demo cases by number, database snapshots, page parsing, form data.

Demo cases per school (portal/demo `_cases_for`), numbered 1-6 in the order they were created:
1 approved plan with logs, council recorded, teacher@ on the team, review overdue; 2 draft, no council;
3 submitted, council recorded; 4 returned with a comment; 5 approved v1 in force + draft v2; 6 closed.
"""

import html
import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import clock
from portal.admin.models import School
from portal.audit.models import AuditEvent
from portal.cases.models import SupportCase
from portal.extensions import db
from portal.plans.models import Goal, Measure, MeasureLog, Plan, Review
from tests.conftest import in_app

PSYCHOLOGIST = "psychologist@school1.demo"
ADMIN = "admin@school1.demo"
ADMIN2 = "admin2@school1.demo"  # created by the `second_admin` fixture
TEACHER = "teacher@school1.demo"  # class 7Б: demo case 1 is about a 7Б student; responsible for demo measures
TEACHER2 = "teacher2@school1.demo"  # class 8А
OTHER_ADMIN = "admin@school2.demo"
OTHER_PSYCHOLOGIST = "psychologist@school2.demo"
OTHER_TEACHER = "teacher@school2.demo"
REVIEWER = "reviewer@astana.demo"
SYSADMIN = "sysadmin@portal.demo"

PROBLEM_RE = re.compile(r'<div class="flash flash-error" role="alert">(.*?)</div>', re.S)
FLASH_RE = re.compile(r'<div class="flash flash-(\w+)" role="status">(.*?)</div>', re.S)
FIELD_ERROR_RE = re.compile(r'<p class="error" id="([\w-]+)-error">(.*?)</p>', re.S)


# --- the database -----------------------------------------------------------------------------------------------


def demo_case(number: int, school: int = 1) -> int:
    """The id of demo case `number` (1-6) of school1/2/3."""
    with in_app():
        ids = db.session.scalars(
            select(SupportCase.id).join(School, School.id == SupportCase.school_id)
            .where(School.name.contains(f"№ {school} ")).order_by(SupportCase.id)
        ).all()
    assert len(ids) >= 6, ids
    return ids[number - 1]


def case_row(case_id: int) -> SupportCase:
    with in_app():
        return db.session.get(SupportCase, case_id)


def plans(case_id: int) -> list[Plan]:
    """Every version of a case's plan (oldest first), with goals, measures and editors loaded."""
    with in_app():
        found = db.session.scalars(
            select(Plan).options(selectinload(Plan.goals), selectinload(Plan.measures), selectinload(Plan.editors))
            .where(Plan.case_id == case_id).order_by(Plan.version_no)
        ).all()
        return list(found)


def plan(plan_id: int) -> Plan:
    with in_app():
        found = db.session.scalar(
            select(Plan).options(selectinload(Plan.goals), selectinload(Plan.measures), selectinload(Plan.editors))
            .where(Plan.id == plan_id)
        )
        assert found is not None, plan_id
        return found


def version(case_id: int, number: int) -> Plan:
    found = [p for p in plans(case_id) if p.version_no == number]
    assert found, (case_id, number)
    return found[0]


def goal(goal_id: int) -> Goal | None:
    with in_app():
        return db.session.get(Goal, goal_id)


def measure(measure_id: int) -> Measure | None:
    with in_app():
        return db.session.get(Measure, measure_id)


def logs_of(measure_id: int) -> list[MeasureLog]:
    with in_app():
        return db.session.scalars(
            select(MeasureLog).where(MeasureLog.measure_id == measure_id).order_by(MeasureLog.id)
        ).all()


def reviews_of(case_id: int) -> list[Review]:
    with in_app():
        return db.session.scalars(
            select(Review).options(selectinload(Review.goals)).where(Review.case_id == case_id).order_by(Review.id)
        ).all()


def count(model) -> int:
    with in_app():
        return db.session.scalar(select(func.count()).select_from(model))


def events(action: str, object_id: int | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    with in_app():
        return db.session.scalars(query).all()


def today():
    return clock.local_today()


def iso(days: int = 0) -> str:
    return (today() + timedelta(days=days)).isoformat()


# --- pages ------------------------------------------------------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def problem(response) -> str:
    """The error message shown in the page or partial (unescaped, whitespace collapsed)."""
    match = PROBLEM_RE.search(text(response))
    assert match, text(response)[:3000]
    return " ".join(html.unescape(match.group(1)).split())


def field_errors(response) -> dict[str, str]:
    return {name: html.unescape(message) for name, message in FIELD_ERROR_RE.findall(text(response))}


def flashes(browser, response) -> list[tuple[str, str]]:
    """Follow a redirect and return the flashed (category, message) pairs shown there."""
    assert response.status_code in (302, 303), (response.status_code, text(response)[:2000])
    page = browser.get(response.headers["Location"], follow_redirects=True)
    return [(category, " ".join(html.unescape(message).split())) for category, message in FLASH_RE.findall(text(page))]


def is_partial(response) -> bool:
    body = text(response)
    return "<html" not in body and "<body" not in body and 'class="site-header"' not in body


def form_html(page: str, action: str) -> str:
    match = re.search(rf'<form[^>]*\baction="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert match, f"no form posting to {action}"
    return match.group(1)


def lock_in(page: str, action: str) -> str:
    """The lock_version a form posting to `action` carries, as a browser would send it back."""
    match = re.search(r'name="lock_version" type="hidden" value="(\d+)"', form_html(page, action))
    assert match, action
    return match.group(1)


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    assert match, name
    return html.unescape(match.group(1))


def input_value(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    assert match, name
    return html.unescape(match.group(1))


# --- URLs and form data -----------------------------------------------------------------------------------------


def plan_url(case_id: int, plan_id: int, tail: str = "") -> str:
    return f"/cases/{case_id}/plan/{plan_id}{tail}"


def plan_fields(lock, **changes) -> dict:
    data = {
        "lock_version": str(lock),
        "strengths": "Дружелюбный, любит спорт.",
        "needs": "Поддержка в учёбе.",
        "guardian_involvement": "Отец приходит на встречи.",
        "next_review_date": iso(30),
    }
    data.update(changes)
    return data


def goal_fields(**changes) -> dict:
    data = {
        "what": "Выполнять домашние задания",
        "indicator": "Доля сданных заданий",
        "baseline": "40%",
        "target": "90%",
        "target_date": iso(45),
    }
    data.update(changes)
    return data


def measure_fields(responsible_id: int, **changes) -> dict:
    data = {
        "type": "mentoring",
        "description": "Наставничество старшеклассника",
        "responsible_id": str(responsible_id),
        "frequency": "раз в неделю",
        "start_date": iso(0),
        "end_date": iso(60),
    }
    data.update(changes)
    return data


def transition(browser, case_id: int, plan_id: int, action: str, lock=None, **extra):
    """POST submit / approve / return with the plan's current lock_version unless one is given."""
    if lock is None:
        lock = plan(plan_id).lock_version
    return browser.post(plan_url(case_id, plan_id, f"/{action}"), data={"lock_version": str(lock), **extra})


HTMX = {"HX-Request": "true"}
