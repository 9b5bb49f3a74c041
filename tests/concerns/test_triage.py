"""Triage through HTTP: the queue (order, deadlines, overdue, pattern alerts), acknowledge and decide for every
outcome, double clicks, refusals, support cases, scope, and what the reporting teacher may read."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.admin.models import School
from portal.cases.models import SupportCase
from portal.concerns.models import OPEN_STATUSES, Concern
from portal.extensions import db
from tests.concerns.test_flagging import (
    acknowledge,
    events,
    flag,
    load_concern,
    local_moment,
    main_part,
    notified_about,
    quiet_students,
    version_on,
)
from tests.conftest import audit_actions, in_app, user

QUEUE_ROW_RE = re.compile(r'<tr class="([^"]*)">\s*<td><a href="/concerns/(\d+)">')
PATTERN_RE = re.compile(r'<section class="panel pattern-alerts".*?</section>', re.S)
PROBLEM_RE = re.compile(r'<div class="flash flash-error" role="alert">([^<]+)</div>')
ERROR_RE = re.compile(r'<p class="error"[^>]*>([^<]*)</p>')
PSYCHOLOGIST = "psychologist@school1.demo"
ADMIN = "admin@school1.demo"
TEACHER = "teacher@school1.demo"


@pytest.fixture
def as_user(login_as):
    def _as(email):
        b = login_as(email)
        b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return b

    return _as


def queue(browser, show: str = "open") -> dict[int, list[str]]:
    """Concern id → CSS classes of its row, in the order of the queue table."""
    response = browser.get("/concerns", query_string={"show": show})
    assert response.status_code == 200
    return {int(cid): classes.split() for classes, cid in QUEUE_ROW_RE.findall(response.get_data(as_text=True))}


def row_of(browser, concern_id: int, show: str = "open") -> str:
    page = browser.get("/concerns", query_string={"show": show}).get_data(as_text=True)
    match = re.search(rf'<tr class="[^"]*">\s*<td><a href="/concerns/{concern_id}">.*?</tr>', page, re.S)
    assert match, concern_id
    return match.group(0)


def decision(browser, concern_id: int, version: str | None = None, **fields):
    if version is None:
        version = version_on(browser.get(f"/concerns/{concern_id}").get_data(as_text=True))
    data = {"version": version, "risk_level": "medium", "risk_rationale": "Риск оценён по беседе с учеником.",
            **fields}
    return browser.post(f"/concerns/{concern_id}/decide", data=data)


def acknowledged_concern(as_user, class_name: str = "8А", index: int = 0, **overrides) -> tuple[int, object]:
    """A concern flagged by the class-7Б teacher and acknowledged by the psychologist."""
    student = quiet_students("school1", class_name)[index]
    concern_id = flag(as_user(TEACHER), student.id, **overrides)
    psychologist = as_user(PSYCHOLOGIST)
    assert acknowledge(psychologist, concern_id).status_code == 303
    return concern_id, student


def cases_of(student_id: int) -> list[SupportCase]:
    with in_app():
        return db.session.scalars(select(SupportCase).where(SupportCase.student_id == student_id)).all()


def overdue_count(page: str) -> int:
    match = re.search(r'href="/concerns\?show=overdue"[^>]*>(\d+) overdue</a>', page)
    assert match, page[:2000]
    return int(match.group(1))


def problem(response) -> str:
    match = PROBLEM_RE.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:2000]
    return match.group(1)


def school1_open_in_psychologist_scope() -> list[Concern]:
    with in_app():
        return db.session.scalars(
            select(Concern).join(School, School.id == Concern.school_id).where(
                School.name.contains("№ 1 "), Concern.involves_staff.is_(False), Concern.status.in_(OPEN_STATUSES)
            )
        ).all()


# --- the queue ----------------------------------------------------------------------------------


def test_queue_puts_unacknowledged_first_then_urgent_then_longest_waiting(as_user):
    clock.freeze(clock.now().replace(second=0, microsecond=0))
    teacher = as_user(TEACHER)
    kids = quiet_students("school1", "8А")
    routine_old = flag(teacher, kids[0].id, categories=["learning"])
    clock.advance(timedelta(minutes=1))
    urgent_old = flag(teacher, kids[1].id, categories=["self_harm"])
    clock.advance(timedelta(minutes=1))
    routine_new = flag(teacher, kids[2].id, categories=["absence"])
    clock.advance(timedelta(minutes=1))
    urgent_new = flag(teacher, kids[3].id, categories=["learning"], immediate_danger="y")
    clock.advance(timedelta(minutes=1))

    psychologist = as_user(PSYCHOLOGIST)
    order = list(queue(psychologist))
    assert order.index(urgent_old) < order.index(urgent_new) < order.index(routine_old) < order.index(routine_new)
    expected = sorted(
        school1_open_in_psychologist_scope(),
        key=lambda c: (c.status != "submitted", not c.urgent, c.created_at, c.id),
    )
    assert order == [c.id for c in expected]
    statuses = [c.status for c in expected]
    assert statuses.index("acknowledged") > max(i for i, s in enumerate(statuses) if s == "submitted")
    assert {"submitted", "acknowledged", "monitoring"} <= set(statuses)

    # acknowledged: it drops below everything still waiting
    assert acknowledge(psychologist, urgent_old).status_code == 303
    order = list(queue(psychologist))
    waiting = [c.id for c in school1_open_in_psychologist_scope() if c.status == "submitted"]
    assert order.index(urgent_old) > max(order.index(i) for i in waiting)
    assert order[: len(waiting)] == sorted(
        waiting, key=lambda i: (not load_concern(i).urgent, load_concern(i).created_at, i))


def test_overdue_concerns_are_marked_and_listed_with_a_controllable_clock(as_user):
    start = local_moment(2, 10, 0)  # a Wednesday, 10:00 in Astana
    clock.freeze(start)
    teacher = as_user(TEACHER)
    kids = quiet_students("school1", "6Б")
    urgent = flag(teacher, kids[0].id, categories=["physical_violence"])
    routine = flag(teacher, kids[1].id, categories=["learning"])

    def look():
        psychologist = as_user(PSYCHOLOGIST)  # a new login: the clock jumps further than the idle timeout
        return psychologist, queue(psychologist), list(queue(psychologist, "overdue"))

    clock.advance(timedelta(hours=1, minutes=59))
    _, rows, overdue = look()
    assert "overdue" not in rows[urgent] and "urgent" in rows[urgent]
    assert urgent not in overdue and routine not in overdue

    clock.advance(timedelta(minutes=2))
    psychologist, rows, overdue = look()
    assert "overdue" in rows[urgent] and "overdue" not in rows[routine]
    assert urgent in overdue and routine not in overdue
    assert '<span class="badge badge-urgent">Overdue</span>' in row_of(psychologist, urgent)
    assert "Overdue" not in row_of(psychologist, routine)

    clock.freeze(start + timedelta(days=2, minutes=-1))  # Friday 09:59
    _, rows, overdue = look()
    assert "overdue" not in rows[routine] and routine not in overdue

    clock.advance(timedelta(minutes=2))  # Friday 10:01: two school days have passed
    psychologist, rows, overdue = look()
    assert "overdue" in rows[routine] and routine in overdue
    with in_app():
        expected = db.session.scalars(
            select(Concern.id).join(School, School.id == Concern.school_id).where(
                School.name.contains("№ 1 "), Concern.involves_staff.is_(False), Concern.status == "submitted",
                Concern.ack_due_at < clock.now())
        ).all()
    assert sorted(overdue) == sorted(expected)
    listing = psychologist.get("/concerns").get_data(as_text=True)
    assert overdue_count(listing) == len(expected)
    assert overdue_count(psychologist.get("/").get_data(as_text=True)) == len(expected)  # and on the dashboard

    # acknowledging stops the clock
    assert acknowledge(psychologist, urgent).status_code == 303
    rows = queue(psychologist)
    assert "overdue" not in rows[urgent]
    assert urgent not in queue(psychologist, "overdue")
    assert overdue_count(psychologist.get("/concerns").get_data(as_text=True)) == len(expected) - 1


def test_demo_data_has_concerns_in_every_state_including_overdue_and_urgent(as_user):
    with in_app():
        for number in (1, 2, 3):
            rows = db.session.scalars(
                select(Concern).join(School, School.id == Concern.school_id).where(School.name.contains(f"№ {number} "))
            ).all()
            assert {c.status for c in rows} == {"submitted", "acknowledged", "monitoring", "referred", "case", "closed"}
            waiting = [c for c in rows if c.status == "submitted"]
            assert any(c.urgent and c.ack_due_at < clock.now() for c in waiting)
            assert any(not c.urgent and c.ack_due_at < clock.now() for c in waiting)
            assert any(c.urgent and c.ack_due_at > clock.now() for c in waiting)
            assert any(c.involves_staff for c in rows)
    psychologist = as_user(PSYCHOLOGIST)
    overdue = queue(psychologist, "overdue")
    assert overdue and all("overdue" in classes for classes in overdue.values())
    assert any("urgent" in classes for classes in overdue.values())


def test_pattern_alert_in_the_demo_queue(as_user):
    from portal.students.models import Student

    since = clock.now() - timedelta(days=30)
    with in_app():
        student_id, count = db.session.execute(
            select(Concern.student_id, func.count()).join(School, School.id == Concern.school_id)
            .where(School.name.contains("№ 1 "), Concern.created_at >= since, Concern.involves_staff.is_(False))
            .group_by(Concern.student_id)
            .having(func.count() >= 3, func.count(func.distinct(Concern.reporter_id)) >= 2)
        ).one()
        student = db.session.get(Student, student_id)
    for email in (PSYCHOLOGIST, ADMIN):
        page = main_part(as_user(email).get("/concerns").get_data(as_text=True))
        section = PATTERN_RE.search(page).group(0)
        assert f'href="/students/{student.id}">{student.full_name}, {student.class_name}</a>' in section
        assert f"{count} concerns from 2 staff members" in section
        assert section.count('href="/students/') == 1
    assert "Pattern alerts" in as_user(PSYCHOLOGIST).get("/").get_data(as_text=True)


def test_pattern_alert_needs_three_concerns_from_two_staff_within_thirty_days(as_user):
    start = clock.now().replace(second=0, microsecond=0)
    clock.freeze(start)
    student = quiet_students("school1", "5А")[0]
    marker = f'href="/students/{student.id}"'

    def alert() -> str | None:
        page = as_user(PSYCHOLOGIST).get("/concerns").get_data(as_text=True)
        section = PATTERN_RE.search(page)
        if not section or marker not in section.group(0):
            return None
        return re.search(rf'{marker}>[^<]+</a>: ([^<]+)', section.group(0)).group(1)

    teacher = as_user(TEACHER)
    flag(teacher, student.id, categories=["absence"])
    flag(teacher, student.id, categories=["learning"])
    flag(teacher, student.id, categories=["absence"])
    assert alert() is None  # three concerns, but one reporter
    clock.advance(timedelta(days=29))
    flag(as_user("teacher2@school1.demo"), student.id, categories=["bullying"])
    assert alert() == "4 concerns from 2 staff members"
    assert as_user(ADMIN).get("/concerns").get_data(as_text=True).count(marker) >= 1
    clock.advance(timedelta(days=1, minutes=1))  # the first three are now older than 30 days
    assert alert() is None


# --- acknowledge and decide ---------------------------------------------------------------------


def test_acknowledge_records_who_and_when_and_tells_the_reporter(as_user):
    teacher = as_user(TEACHER)
    student = quiet_students("school1", "8А")[0]
    concern_id = flag(teacher, student.id, categories=["bullying"])
    clock.freeze(clock.now().replace(microsecond=0))
    psychologist = as_user(PSYCHOLOGIST)
    response = acknowledge(psychologist, concern_id)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/concerns/{concern_id}")
    stored = load_concern(concern_id)
    assert (stored.status, stored.version) == ("acknowledged", 2)
    assert (stored.acknowledged_by_id, stored.acknowledged_at) == (user(PSYCHOLOGIST).id, clock.now())
    assert len(events("concern.acknowledge", concern_id)) == 1
    assert notified_about(TEACHER, concern_id) == ["concern.acknowledged"]
    page = psychologist.get(f"/concerns/{concern_id}").get_data(as_text=True)
    assert "The concern is acknowledged." in page
    assert "Record the decision" in page and "Acknowledge</button>" not in page


OUTCOMES = {
    "open_case": ({"outcome": "open_case", "risk_level": "high", "grounds": ["violence", "difficult_situation"]},
                  "case", "Support case"),
    "monitor": ({"outcome": "monitor", "risk_level": "low", "monitor_until": "+21"}, "monitoring", "Monitoring"),
    "refer": ({"outcome": "refer", "risk_level": "high", "referral_to": "police",
               "outcome_note": "Передано инспектору по делам несовершеннолетних."}, "referred", "Police"),
    "no_action": ({"outcome": "no_action", "risk_level": "low",
                   "outcome_note": "Конфликт исчерпан, родители в курсе."}, "closed", "Closed: no further action"),
}


@pytest.mark.parametrize("actor", [PSYCHOLOGIST, ADMIN], ids=["psychologist", "admin"])
@pytest.mark.parametrize(("fields", "status", "shown"), list(OUTCOMES.values()), ids=list(OUTCOMES))
def test_every_outcome_is_recorded_once_and_audited(as_user, actor, fields, status, shown):
    concern_id, student = acknowledged_concern(as_user)
    fields = dict(fields)
    if fields.get("monitor_until") == "+21":
        fields["monitor_until"] = (clock.local_today() + timedelta(days=21)).isoformat()
    triager = as_user(actor)
    response = decision(triager, concern_id, risk_rationale="Обоснование: повторяющиеся эпизоды.", **fields)
    assert response.status_code == 303, ERROR_RE.findall(response.get_data(as_text=True))
    stored = load_concern(concern_id)
    assert (stored.status, stored.version) == (status, 3)
    assert (stored.risk_level, stored.risk_rationale) == (fields["risk_level"], "Обоснование: повторяющиеся эпизоды.")
    assert stored.decided_by_id == user(actor).id and stored.decided_at is not None
    assert stored.outcome_note == fields.get("outcome_note")
    assert len(events(f"concern.{fields['outcome']}", concern_id)) == 1
    assert notified_about(TEACHER, concern_id) == ["concern.acknowledged", "concern.decided"]

    if fields["outcome"] == "open_case":
        (case,) = cases_of(student.id)
        assert stored.case_id == case.id
        assert (case.student_id, case.school_id, case.risk_level, case.status) == (
            student.id, student.school_id, "high", "open")
        assert sorted(case.ground_codes) == ["difficult_situation", "violence"]
        assert case.lead_id == user(actor).id
        assert [e.object_id for e in audit_actions("case.open")] == [case.id]
    else:
        assert cases_of(student.id) == [] and stored.case_id is None
    if fields["outcome"] == "monitor":
        assert stored.monitor_until.isoformat() == fields["monitor_until"]
    if fields["outcome"] == "refer":
        assert stored.referral_to == "police"

    page = main_part(triager.get(f"/concerns/{concern_id}").get_data(as_text=True))
    assert "The decision has been recorded." in page
    assert shown in page and "Обоснование: повторяющиеся эпизоды." in page
    assert ("Record the decision" in page) == (status == "monitoring")  # monitoring may still be decided on


def test_a_monitored_concern_can_be_decided_again_later(as_user):
    concern_id, _ = acknowledged_concern(as_user)
    psychologist = as_user(PSYCHOLOGIST)
    until = (clock.local_today() + timedelta(days=10)).isoformat()
    assert decision(psychologist, concern_id, outcome="monitor", monitor_until=until).status_code == 303
    stale = "2"
    assert decision(psychologist, concern_id, outcome="refer", referral_to="health",
                    outcome_note="К педиатру").status_code == 303
    stored = load_concern(concern_id)
    assert (stored.status, stored.referral_to, stored.version) == ("referred", "health", 4)
    again = decision(psychologist, concern_id, version=stale, outcome="no_action", outcome_note="Поздно")
    assert again.status_code == 409
    assert load_concern(concern_id).status == "referred"


def test_attach_to_the_students_open_case_and_refusals(as_user):
    psychologist_email = PSYCHOLOGIST
    first, student = acknowledged_concern(as_user, "9В")
    psychologist = as_user(psychologist_email)

    # no open case yet: attaching is refused with a message, nothing changes
    refused = decision(psychologist, first, outcome="attach_case")
    assert refused.status_code == 409
    assert problem(refused) == "The student has no open support case to attach to: open one instead."
    assert load_concern(first).status == "acknowledged" and load_concern(first).version == 2
    assert events("concern.attach_case", first) == []

    assert decision(psychologist, first, outcome="open_case", grounds=["absence"]).status_code == 303
    (case,) = cases_of(student.id)

    teacher = as_user(TEACHER)
    second = flag(teacher, student.id, categories=["absence"])
    assert acknowledge(psychologist, second).status_code == 303
    page = psychologist.get(f"/concerns/{second}").get_data(as_text=True)
    assert f"The student has an open case #{case.id}." in page
    # a second case for the same student is refused
    twice = decision(psychologist, second, outcome="open_case", grounds=["learning"])
    assert twice.status_code == 409
    assert problem(twice) == "The student already has an open support case: attach the concern to it instead."
    assert len(cases_of(student.id)) == 1 and load_concern(second).status == "acknowledged"

    attached = decision(psychologist, second, outcome="attach_case")
    assert attached.status_code == 303
    stored = load_concern(second)
    assert (stored.status, stored.case_id) == ("case", case.id)
    assert len(cases_of(student.id)) == 1
    assert len(events("concern.attach_case", second)) == 1
    assert f"case #{case.id}" in psychologist.get(f"/concerns/{second}").get_data(as_text=True)

    # a closed case is not "open": a new concern opens a new case
    with in_app():
        db.session.get(SupportCase, case.id).status = "closed"
        db.session.commit()
    third = flag(teacher, student.id, categories=["learning"])
    assert acknowledge(psychologist, third).status_code == 303
    assert decision(psychologist, third, outcome="attach_case").status_code == 409
    assert decision(psychologist, third, outcome="open_case", grounds=["learning"]).status_code == 303
    assert len(cases_of(student.id)) == 2


DECISION_ERRORS = {
    "no-risk-level": ({"risk_level": "", "outcome": "no_action", "outcome_note": "x"}, "This field is required."),
    "no-rationale": ({"risk_rationale": "", "outcome": "no_action", "outcome_note": "x"}, "This field is required."),
    "no-outcome": ({}, "This field is required."),
    "open-case-without-grounds": ({"outcome": "open_case"}, "Choose at least one ground for the case."),
    "unknown-ground": ({"outcome": "open_case", "grounds": ["laziness"]}, "is not a valid choice"),
    "monitor-without-date": ({"outcome": "monitor"}, "Enter the date until which to monitor."),
    "monitor-until-today": ({"outcome": "monitor", "monitor_until": "today"}, "The date must be in the future."),
    "refer-nowhere": ({"outcome": "refer", "outcome_note": "Куда-то"}, "Choose where the child is referred."),
    "refer-without-note": ({"outcome": "refer", "referral_to": "police"}, "Describe the referral."),
    "no-action-without-rationale": ({"outcome": "no_action"}, "Explain why no further action is needed."),
    "nul-in-rationale": ({"outcome": "no_action", "outcome_note": "x", "risk_rationale": "a\x00b"},
                         "Contains characters that are not allowed."),
}


@pytest.mark.parametrize(("fields", "message"), list(DECISION_ERRORS.values()), ids=list(DECISION_ERRORS))
def test_an_incomplete_decision_is_refused_with_a_message(as_user, fields, message):
    concern_id, student = acknowledged_concern(as_user)
    fields = dict(fields)
    if fields.get("monitor_until") == "today":
        fields["monitor_until"] = clock.local_today().isoformat()
    psychologist = as_user(PSYCHOLOGIST)
    response = decision(psychologist, concern_id, **fields)
    assert response.status_code == 400
    assert any(message in e for e in ERROR_RE.findall(response.get_data(as_text=True)))
    stored = load_concern(concern_id)
    assert (stored.status, stored.version, stored.risk_level, stored.decided_at) == ("acknowledged", 2, None, None)
    assert cases_of(student.id) == []
    assert [e for e in audit_actions() if e.object_id == concern_id and e.action.startswith("concern.")
            and e.action not in ("concern.create", "concern.acknowledge", "concern.read")] == []


def test_a_double_click_on_acknowledge_acknowledges_once(as_user):
    teacher = as_user(TEACHER)
    concern_id = flag(teacher, quiet_students("school1", "8А")[0].id, categories=["self_harm"])
    psychologist = as_user(PSYCHOLOGIST)
    page = psychologist.get(f"/concerns/{concern_id}").get_data(as_text=True)
    version = version_on(page)
    first = psychologist.post(f"/concerns/{concern_id}/acknowledge", data={"version": version})
    second = psychologist.post(f"/concerns/{concern_id}/acknowledge", data={"version": version})
    assert first.status_code == 303
    assert second.status_code == 409
    assert problem(second) == "Someone has already acknowledged or changed this concern."
    # a colleague who opened the page at the same moment is refused too
    late = as_user(ADMIN).post(f"/concerns/{concern_id}/acknowledge", data={"version": version})
    assert late.status_code == 409
    stored = load_concern(concern_id)
    assert (stored.status, stored.version, stored.acknowledged_by_id) == ("acknowledged", 2, user(PSYCHOLOGIST).id)
    assert len(events("concern.acknowledge", concern_id)) == 1
    assert notified_about(TEACHER, concern_id) == ["concern.acknowledged"]


@pytest.mark.parametrize("outcome", ["open_case", "refer", "no_action", "monitor"])
def test_a_replayed_decision_changes_the_state_once(as_user, outcome):
    concern_id, student = acknowledged_concern(as_user)
    fields = {
        "open_case": {"grounds": ["learning"]},
        "refer": {"referral_to": "guardianship", "outcome_note": "Органы опеки"},
        "no_action": {"outcome_note": "Не подтвердилось"},
        "monitor": {"monitor_until": (clock.local_today() + timedelta(days=7)).isoformat()},
    }[outcome]
    psychologist = as_user(PSYCHOLOGIST)
    version = version_on(psychologist.get(f"/concerns/{concern_id}").get_data(as_text=True))
    first = decision(psychologist, concern_id, version=version, outcome=outcome, **fields)
    second = decision(psychologist, concern_id, version=version, outcome=outcome, **fields)
    other = decision(as_user(ADMIN), concern_id, version=version, outcome="no_action", outcome_note="Admin")
    assert first.status_code == 303
    assert second.status_code == 409 and other.status_code == 409
    assert problem(other) == "Someone has already decided on or changed this concern."
    stored = load_concern(concern_id)
    assert (stored.version, stored.decided_by_id) == (3, user(PSYCHOLOGIST).id)
    assert stored.outcome_note == fields.get("outcome_note")
    assert len(events(f"concern.{outcome}", concern_id)) == 1
    if outcome != "no_action":
        assert events("concern.no_action", concern_id) == []  # the colleague's late decision left no trace
    assert len(cases_of(student.id)) == (1 if outcome == "open_case" else 0)
    assert notified_about(TEACHER, concern_id).count("concern.decided") == 1


def test_decide_before_acknowledge_and_acknowledge_after_decide_are_refused(as_user):
    teacher = as_user(TEACHER)
    concern_id = flag(teacher, quiet_students("school1", "8А")[0].id)
    psychologist = as_user(PSYCHOLOGIST)
    early = decision(psychologist, concern_id, version="1", outcome="no_action", outcome_note="Рано")
    assert early.status_code == 409
    assert load_concern(concern_id).status == "submitted"
    assert acknowledge(psychologist, concern_id).status_code == 303
    assert decision(psychologist, concern_id, outcome="no_action", outcome_note="Не требуется").status_code == 303
    again = psychologist.post(f"/concerns/{concern_id}/acknowledge", data={"version": "3"})
    assert again.status_code == 409
    assert load_concern(concern_id).status == "closed"
    assert len(events("concern.acknowledge", concern_id)) == 1


@pytest.mark.parametrize("version", ["", "abc", "1.5"])
def test_a_garbled_version_is_a_bad_request(as_user, version):
    teacher = as_user(TEACHER)
    concern_id = flag(teacher, quiet_students("school1", "8А")[0].id)
    response = as_user(PSYCHOLOGIST).post(f"/concerns/{concern_id}/acknowledge", data={"version": version})
    assert response.status_code == 400
    assert load_concern(concern_id).status == "submitted"


# --- scope --------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["psychologist@school2.demo", "admin@school2.demo", "psychologist@school3.demo",
                                   "admin@school3.demo"])
def test_another_school_or_region_gets_404_and_the_denial_is_audited(as_user, email):
    student = quiet_students("school1", "7Б")[0]
    concern_id = flag(as_user(TEACHER), student.id, categories=["physical_violence"], facts="Синяки на руках.")
    outsider = as_user(email)
    responses = [
        outsider.get(f"/concerns/{concern_id}"),
        outsider.post(f"/concerns/{concern_id}/acknowledge", data={"version": "1"}),
        outsider.post(f"/concerns/{concern_id}/decide", data={
            "version": "1", "risk_level": "low", "risk_rationale": "x", "outcome": "no_action", "outcome_note": "x"}),
        outsider.post(f"/concerns/{concern_id}/addenda", data={"reason": "x", "text": "x"}),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    for r in responses:
        body = r.get_data(as_text=True)
        assert student.full_name not in body and "Синяки на руках." not in body
    denials = [e for e in audit_actions("authz.deny")
               if e.object_type == "concern" and e.object_id == concern_id and e.actor_id == user(email).id]
    assert len(denials) == 4
    stored = load_concern(concern_id)
    assert (stored.status, stored.version, stored.addenda) == ("submitted", 1, [])
    assert f'href="/concerns/{concern_id}"' not in outsider.get("/concerns?show=all").get_data(as_text=True)


def test_a_missing_concern_answers_like_a_foreign_one(as_user):
    psychologist = as_user(PSYCHOLOGIST)
    assert psychologist.get("/concerns/999999").status_code == 404
    assert [e.object_id for e in audit_actions("authz.deny") if e.object_type == "concern"] == [999999]


def test_a_teacher_cannot_open_a_colleagues_concern(as_user):
    concern_id = flag(as_user("teacher2@school1.demo"), quiet_students("school1", "7Б")[0].id)
    teacher = as_user(TEACHER)
    assert teacher.get(f"/concerns/{concern_id}").status_code == 404
    assert f'href="/concerns/{concern_id}"' not in teacher.get("/concerns").get_data(as_text=True)


# --- what the reporter may read -----------------------------------------------------------------


def test_the_reporter_never_reads_what_the_triagers_wrote(as_user):
    """Canary: unique strings written by the psychologist appear on none of the reporting teacher's pages."""
    teacher = as_user(TEACHER)
    student = quiet_students("school1", "7Б")[0]  # the teacher's own class: she may open the profile
    concern_id = flag(teacher, student.id, categories=["neglect"], facts="Ребёнок пришёл без куртки в мороз.")
    assert teacher.post(f"/concerns/{concern_id}/addenda",
                        data={"reason": "Моё уточнение", "text": "Это было во вторник."}).status_code == 303
    psychologist = as_user(PSYCHOLOGIST)
    assert acknowledge(psychologist, concern_id).status_code == 303
    canaries = {name: f"canary-{name}-{uuid.uuid4().hex}" for name in ("addendum", "reason", "rationale", "note")}
    assert psychologist.post(f"/concerns/{concern_id}/addenda",
                             data={"reason": canaries["reason"], "text": canaries["addendum"]}).status_code == 303
    response = decision(psychologist, concern_id, risk_level="high", risk_rationale=canaries["rationale"],
                        outcome="refer", referral_to="guardianship", outcome_note=canaries["note"])
    assert response.status_code == 303

    full = psychologist.get(f"/concerns/{concern_id}").get_data(as_text=True)
    assert all(c in full for c in canaries.values())  # they were stored and are shown to the triager

    for path in ("/", "/concerns", "/concerns?show=all", f"/concerns/{concern_id}",
                 f"/concerns/{concern_id}?submitted=1", f"/students/{student.id}", "/notifications",
                 "/notifications/badge"):
        response = teacher.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        leaked = [name for name, canary in canaries.items() if canary in body]
        assert leaked == [], (path, leaked)
    ladder = teacher.get(f"/concerns/{concern_id}").get_data(as_text=True)
    assert "Это было во вторник." in ladder and "Ребёнок пришёл без куртки в мороз." in ladder
    assert "Guardianship body" not in ladder and "Айгерим Нурпеисова" not in main_part(ladder)


def test_the_reporter_sees_own_concerns_as_a_ladder_on_the_list(as_user):
    teacher = as_user(TEACHER)
    listing = main_part(teacher.get("/concerns").get_data(as_text=True))
    assert 'class="triage-queue"' not in listing and "Pattern alerts" not in listing
    with in_app():
        own = db.session.scalars(select(Concern).where(Concern.reporter_id == user(TEACHER).id)).all()
        others = db.session.scalars(select(Concern).where(Concern.reporter_id != user(TEACHER).id)).all()
    assert own
    for concern in own:
        assert f'href="/concerns/{concern.id}"' in listing
    for concern in others:
        assert f'href="/concerns/{concern.id}"' not in listing
    assert listing.count('<ol class="ladder"') == len(own)


# --- the student profile ------------------------------------------------------------------------


def test_profile_chronology_shows_triage_to_triagers_and_only_own_ladder_to_the_teacher(as_user):
    teacher = as_user(TEACHER)
    student = quiet_students("school1", "7Б")[0]
    clock.freeze(clock.now().replace(microsecond=0))
    mine = flag(teacher, student.id, categories=["bullying"])
    clock.advance(timedelta(minutes=5))
    colleague = flag(as_user("teacher2@school1.demo"), student.id, categories=["learning"], facts="Не сдаёт работы.")
    psychologist = as_user(PSYCHOLOGIST)
    assert acknowledge(psychologist, mine).status_code == 303
    assert decision(psychologist, mine, risk_level="high", outcome="open_case", grounds=["violence"]).status_code == 303
    (case,) = cases_of(student.id)

    profile = main_part(psychologist.get(f"/students/{student.id}").get_data(as_text=True))
    chronology = profile[profile.index("Chronology"):]
    assert chronology.index(f'href="/concerns/{mine}"') < chronology.index(
        f'href="/concerns/{colleague}"')
    assert "reported by Гульнара Сапарова" in chronology and "reported by Ольга Михайлова" in chronology
    assert "acknowledged by Айгерим Нурпеисова" in chronology
    assert re.search(r"Support case \(risk: High\), Айгерим Нурпеисова", chronology)
    assert f"Open support case #{case.id}: High risk, lead Айгерим Нурпеисова." in profile

    own_view = main_part(teacher.get(f"/students/{student.id}").get_data(as_text=True))
    chronology = own_view[own_view.index("Chronology"):]
    assert f'href="/concerns/{mine}">My concern #{mine}</a>' in chronology
    assert '<ol class="ladder"' in chronology
    assert f'href="/concerns/{colleague}"' not in chronology
    for hidden in ("reported by", "acknowledged by", "risk:", "Не сдаёт работы.", "Open support case"):
        assert hidden not in own_view, hidden
