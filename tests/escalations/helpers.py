"""Shared helpers for the escalation tests: demo objects, database reads, page parsing and the HTTP steps.

Demo escalations per school (portal/demo/escalations.py), each on its own case: draft; submitted (standard);
submitted (urgent, overdue); in_review; in_review with two snapshots; returned; accepted (interview held);
declined; closed. school1 and school2 are in Astana (reviewer@astana.demo), school3 in Akmola.
"""

import html
import re
from datetime import UTC, date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import clock
from portal.admin.models import School
from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.cases.models import SupportCase
from portal.escalations.models import Escalation, EscalationEvent, EscalationMeasure, EscalationSnapshot
from portal.extensions import db
from portal.notifications.models import Notification
from portal.students.models import Student
from tests.conftest import in_app

PSYCHOLOGIST = "psychologist@school1.demo"
ADMIN = "admin@school1.demo"
TEACHER = "teacher@school1.demo"  # class teacher of 7Б: demo case 1 of school 1 is about a 7Б student
OTHER_PSYCHOLOGIST = "psychologist@school2.demo"
OTHER_ADMIN = "admin@school2.demo"
OTHER_TEACHER = "teacher@school2.demo"
AKMOLA_PSYCHOLOGIST = "psychologist@school3.demo"
AKMOLA_ADMIN = "admin@school3.demo"
REVIEWER = "reviewer@astana.demo"
AKMOLA_REVIEWER = "reviewer@akmola.demo"
REVIEWER2 = "reviewer2@astana.demo"  # created by the `second_reviewer` fixture
SYSADMIN = "sysadmin@portal.demo"
ALMATY = ZoneInfo("Asia/Almaty")

PROBLEM_RE = re.compile(r'<div class="flash flash-error" role="alert">(.*?)</div>', re.S)
FLASH_RE = re.compile(r'<div class="flash flash-(\w+)" role="status">(.*?)</div>', re.S)
ERROR_RE = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.S)
ROW_RE = re.compile(r'<tr class="([^"]*)">\s*<td><a href="/escalations/(\d+)">')
CHOICE_RE = re.compile(r'name="chronology_keys" type="checkbox" value="([^"]+)"> ([^<]+)</label>')
NOTICE = "The child's account was recorded at the help room on {date} — do not interview the child again about this."


# --- the database ------------------------------------------------------------------------------------------------


def school_id(key: str) -> int:
    with in_app():
        return db.session.scalar(select(School.id).where(School.name.contains(f"№ {key[-1]} ")))


def demo_case(number: int, school: str = "school1") -> int:
    """Demo case `number` of a school: 1 opened from a concern (approved plan, class teacher on the team, no
    escalation), 2-5 open cases with plans in several states, 6 closed; then one case per demo escalation."""
    with in_app():
        ids = db.session.scalars(
            select(SupportCase.id).where(SupportCase.school_id == school_id(school)).order_by(SupportCase.id)
        ).all()
    return ids[number - 1]


def demo_escalation(school: str, status: str, *, urgency: str | None = None, snapshots: int | None = None) -> int:
    """The id of a demo escalation of a school in a state (optionally of an urgency, with a number of snapshots)."""
    with in_app():
        found = db.session.scalars(
            select(Escalation).where(Escalation.school_id == school_id(school), Escalation.status == status)
            .order_by(Escalation.id)
        ).all()
        for e in found:
            count = db.session.scalar(select(func.count()).select_from(EscalationSnapshot)
                                      .where(EscalationSnapshot.escalation_id == e.id))
            if (urgency is None or e.urgency == urgency) and (snapshots is None or count == snapshots):
                return e.id
    raise AssertionError(f"no demo escalation {school} {status} {urgency} {snapshots}")


def load(escalation_id: int) -> Escalation:
    with in_app():
        found = db.session.scalar(
            select(Escalation).options(selectinload(Escalation.measures)).where(Escalation.id == escalation_id)
        )
        assert found is not None, escalation_id
        return found


def escalations_of_case(case_id: int) -> list[Escalation]:
    with in_app():
        return db.session.scalars(select(Escalation).where(Escalation.case_id == case_id).order_by(Escalation.id)).all()


def count(model, *where) -> int:
    with in_app():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def snapshots(escalation_id: int) -> list[EscalationSnapshot]:
    with in_app():
        return db.session.scalars(
            select(EscalationSnapshot).where(EscalationSnapshot.escalation_id == escalation_id)
            .order_by(EscalationSnapshot.number)
        ).all()


def events(escalation_id: int, action: str | None = None) -> list[EscalationEvent]:
    query = select(EscalationEvent).where(EscalationEvent.escalation_id == escalation_id)
    if action:
        query = query.where(EscalationEvent.action == action)
    with in_app():
        return db.session.scalars(query.order_by(EscalationEvent.id)).all()


def measures(escalation_id: int) -> list[EscalationMeasure]:
    with in_app():
        return db.session.scalars(
            select(EscalationMeasure).where(EscalationMeasure.escalation_id == escalation_id)
            .order_by(EscalationMeasure.id)
        ).all()


def audits(action: str, object_id: int | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    with in_app():
        return db.session.scalars(query.order_by(AuditEvent.id)).all()


def notifications(email: str, kind: str | None = None, link: str | None = None) -> list[Notification]:
    query = select(Notification).join(User, User.id == Notification.user_id).where(User.email == email)
    if kind:
        query = query.where(Notification.kind == kind)
    if link:
        query = query.where(Notification.link == link)
    with in_app():
        return db.session.scalars(query.order_by(Notification.id)).all()


def case_row(case_id: int) -> SupportCase:
    with in_app():
        return db.session.get(SupportCase, case_id)


def student(student_id: int) -> Student:
    with in_app():
        return db.session.get(Student, student_id)


def class_teacher_of(student_id: int) -> str | None:
    """The e-mail of the class teacher of a student, if the school has one for that class."""
    with in_app():
        pupil = db.session.get(Student, student_id)
        return db.session.scalar(select(User.email).where(
            User.school_id == pupil.school_id, User.role == "teacher", User.class_name == pupil.class_name))


def region_students(region_code: str) -> list[Student]:
    from portal.admin.models import Region

    with in_app():
        return db.session.scalars(
            select(Student).join(School, School.id == Student.school_id).join(Region, Region.id == School.region_id)
            .where(Region.code == region_code)
        ).all()


def expected_overview(region_id: int) -> dict[int, dict]:
    """Per school of a region, computed from the rows: what /escalations/overview should say."""
    current = clock.now()
    with in_app():
        schools = db.session.scalars(select(School).where(School.region_id == region_id)).all()
        result = {}
        for school in schools:
            rows = db.session.scalars(select(Escalation).where(Escalation.school_id == school.id,
                                                               Escalation.status != "draft")).all()
            waits = db.session.scalars(
                select(EscalationEvent.waited_minutes).join(Escalation, Escalation.id == EscalationEvent.escalation_id)
                .where(Escalation.school_id == school.id, Escalation.status != "draft",
                       EscalationEvent.action.in_(("accepted", "returned", "declined")),
                       EscalationEvent.waited_minutes.is_not(None))
            ).all()
            result[school.id] = {
                "queue": sorted(e.id for e in rows if e.status in ("submitted", "in_review")),
                "accepted": sorted(e.id for e in rows if e.status in ("accepted", "closed")),
                "returned": sorted(e.id for e in rows if e.status == "returned"),
                "declined": sorted(e.id for e in rows if e.status == "declined"),
                "overdue": sorted(e.id for e in rows if e.status in ("submitted", "in_review") and e.due_at < current),
                "median": f"{round(median(waits) / 60, 1)}" if waits else "—",
            }
        return result


# --- time --------------------------------------------------------------------------------------------------------


def local_moment(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock moment in Astana as the naive UTC the portal stores."""
    return clock.from_local(datetime(day.year, day.month, day.day, hour, minute))


def working_days_after(start_utc: datetime, days: int) -> datetime:
    """`days` working days (Monday-Friday, local time) after a moment, same wall-clock time."""
    local = clock.to_local(start_utc)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            added += 1
    return clock.from_local(local)


def shown_date(value: date) -> str:
    """A date as the English pages show it (Babel "medium")."""
    return format_date(value, "medium", locale="en")


def shown_datetime(value: datetime) -> str:
    """A stored naive-UTC datetime as the English pages show it (Astana time, Babel "short")."""
    return format_datetime(value.replace(tzinfo=UTC), "short", tzinfo=ALMATY, locale="en")


def notice(value: date) -> str:
    return NOTICE.format(date=shown_date(value))


# --- pages -------------------------------------------------------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def plain(response) -> str:
    """The page with entities decoded, for looking for what a user reads."""
    return html.unescape(text(response))


def problem(response) -> str:
    match = PROBLEM_RE.search(text(response))
    assert match, text(response)[:3000]
    return " ".join(html.unescape(match.group(1)).split())


def errors(response) -> list[str]:
    return [" ".join(html.unescape(e).split()) for e in ERROR_RE.findall(text(response))]


def flashes(browser, response) -> list[tuple[str, str]]:
    """Follow a redirect and return the flashed (category, message) pairs shown there."""
    assert response.status_code in (302, 303), (response.status_code, text(response)[:2000])
    page = browser.get(response.headers["Location"])
    return [(c, " ".join(html.unescape(m).split())) for c, m in FLASH_RE.findall(text(page))]


def rows(browser, show: str | None = None, school: int | None = None) -> dict[int, str]:
    """Escalation id → CSS classes of its row in /escalations, in order."""
    query = {k: v for k, v in (("show", show), ("school", school)) if v is not None}
    response = browser.get("/escalations", query_string=query)
    assert response.status_code == 200, response.status_code
    return {int(eid): classes for classes, eid in ROW_RE.findall(text(response))}


def row_html(page: str, escalation_id: int) -> str:
    match = re.search(rf'<tr class="[^"]*">\s*<td><a href="/escalations/{escalation_id}">.*?</tr>', page, re.S)
    assert match, escalation_id
    return match.group(0)


def form_html(page: str, action: str) -> str:
    match = re.search(rf'<form[^>]*\baction="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert match, f"no form posting to {action}"
    return match.group(1)


def has_form(page: str, action: str) -> bool:
    return re.search(rf'<form[^>]*\baction="{re.escape(action)}"', page) is not None


def version_in(page: str, action: str) -> str:
    """The version a form posting to `action` carries, as a browser sends it back."""
    match = re.search(r'name="version" type="hidden" value="(\d+)"', form_html(page, action))
    assert match, action
    return match.group(1)


def chronology_choices(page: str) -> dict[str, str]:
    return {key: html.unescape(label) for key, label in CHOICE_RE.findall(page)}


def snapshot_section(page: str) -> str:
    match = re.search(r'<section class="panel snapshot">(.*?)</section>', page, re.S)
    assert match, page[:3000]
    return html.unescape(match.group(1))


# --- the steps, over HTTP ----------------------------------------------------------------------------------------

SUMMARY = "Школа исчерпала свои меры: ребёнок снова пришёл с синяками, мать отказывается от встреч."
MEASURES_TRIED = "Консультации психолога раз в неделю (6 встреч); две встречи с матерью не состоялись."


def draft_fields(**changes) -> dict:
    data = {
        "version": "",
        "urgency": "standard",
        "requested": ["help_room", "social_services"],
        "requested_other": "",
        "summary": SUMMARY,
        "measures_tried": MEASURES_TRIED,
        "chronology_keys": [],
    }
    data.update(changes)
    return data


def new_draft(browser, case_id: int, **changes):
    return browser.post(f"/cases/{case_id}/escalations/new", data=draft_fields(**changes))


def draft(browser, case_id: int, **changes) -> int:
    """Draft an escalation from a case; the id of the new escalation."""
    response = new_draft(browser, case_id, **changes)
    assert response.status_code == 303, (response.status_code, text(response)[:3000])
    match = re.fullmatch(r"/escalations/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def edit(browser, escalation_id: int, version=None, **changes):
    """Save the draft (or the answer to a return) with the fields the school sees, changed."""
    current = load(escalation_id)
    data = draft_fields(
        version=str(current.version if version is None else version), urgency=current.urgency,
        requested=current.request_codes, requested_other=current.requested_other or "", summary=current.summary,
        measures_tried=current.measures_tried, chronology_keys=current.selected_keys, answer=current.answer or "",
    )
    data.update(changes)
    return browser.post(f"/escalations/{escalation_id}/edit", data=data)


def act(browser, escalation_id: int, action: str, version=None, **data):
    """POST a step (submit, claim, accept, return, decline, helproom, close) with the current version."""
    if version is None:
        version = load(escalation_id).version
    return browser.post(f"/escalations/{escalation_id}/{action}", data={"version": str(version), **data})


def act_from_page(browser, escalation_id: int, action: str, **data):
    """Like a user: read the version from the form on the escalation page, then post it."""
    page = text(browser.get(f"/escalations/{escalation_id}"))
    return browser.post(f"/escalations/{escalation_id}/{action}",
                        data={"version": version_in(page, f"/escalations/{escalation_id}/{action}"), **data})


def measure_rows(*rows) -> dict:
    """accept form fields for (organisation, responsible, deadline) rows."""
    data = {}
    for index, (organisation, responsible, deadline) in enumerate(rows):
        data[f"measures-{index}-organisation"] = organisation
        data[f"measures-{index}-responsible"] = responsible
        data[f"measures-{index}-deadline"] = deadline if isinstance(deadline, str) else deadline.isoformat()
    return data


def submitted(as_user, case_id: int, **changes) -> int:
    """A fresh escalation of a case drafted by the psychologist and submitted by the administrator of school 1."""
    escalation_id = draft(as_user(PSYCHOLOGIST), case_id, **changes)
    response = act(as_user(ADMIN), escalation_id, "submit")
    assert response.status_code == 303, (response.status_code, text(response)[:3000])
    return escalation_id
