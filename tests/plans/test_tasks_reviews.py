"""My tasks (measures assigned to me in plans in force, logging what was done), what a teacher may read of a plan,
reviews (per-goal progress and a decision), overdue reviews where they matter, and the printable plan page in the
user's language."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.support import Translations
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.plans.models import Measure, MeasureLog, Plan, Review
from tests.conftest import in_app, user
from tests.plans.helpers import (
    ADMIN,
    OTHER_TEACHER,
    PSYCHOLOGIST,
    REVIEWER,
    SYSADMIN,
    TEACHER,
    TEACHER2,
    case_row,
    count,
    demo_case,
    events,
    field_errors,
    flashes,
    iso,
    logs_of,
    plan,
    plan_url,
    plans,
    problem,
    reviews_of,
    text,
    today,
    transition,
    version,
)

ROOT = Path(__file__).resolve().parents[2]


def task_ids(browser) -> list[int]:
    response = browser.get("/tasks")
    assert response.status_code == 200
    return [int(i) for i in re.findall(r'<section class="panel" id="measure-(\d+)">', text(response))]


def expected_tasks(email: str) -> set[int]:
    """Measures the user is responsible for, in approved versions of open cases of their school."""
    from portal.cases.models import SupportCase

    person = user(email)
    with in_app():
        return set(db.session.scalars(
            select(Measure.id).join(Plan, Plan.id == Measure.plan_id).join(SupportCase, SupportCase.id == Plan.case_id)
            .where(Measure.responsible_id == person.id, Plan.status == "approved", SupportCase.status != "closed",
                   SupportCase.school_id == person.school_id)
        ))


def teacher_measure(case_number: int, plan_version: int = 1, email: str = TEACHER) -> Measure:
    p = version(demo_case(case_number), plan_version)
    return next(m for m in p.measures if m.responsible_id == user(email).id)


def log(browser, measure_id: int, **fields):
    data = {"done_on": iso(0), "note": "Провели занятие по дробям.", "attended": "y"}
    data.update(fields)
    return browser.post(f"/tasks/{measure_id}/logs", data=data)


# --- my tasks -----------------------------------------------------------------------------------------------------


def test_a_teacher_sees_only_their_measures_of_plans_in_force(as_user):
    teacher = as_user(TEACHER)
    shown = task_ids(teacher)
    assert set(shown) == expected_tasks(TEACHER)
    assert len(shown) == 4  # two measures in each plan in force: demo cases 1 and 5
    psychologist_id, teacher_id = user(PSYCHOLOGIST).id, user(TEACHER).id
    in_force = {version(demo_case(1), 1).id, version(demo_case(5), 1).id}
    with in_app():
        rows = {m.id: (m.responsible_id, m.plan_id) for m in db.session.scalars(select(Measure).where(
            Measure.id.in_(shown)))}
    assert all(responsible == teacher_id for responsible, _ in rows.values())
    assert {plan_id for _, plan_id in rows.values()} == in_force
    # not the psychologist's measures, nor drafts / submitted / returned versions, nor the closed case
    for number, number_version in ((1, 1), (2, 1), (3, 1), (4, 1), (5, 2), (6, 1)):
        for m in version(demo_case(number), number_version).measures:
            if m.responsible_id == psychologist_id or (number, number_version) not in ((1, 1), (5, 1)):
                assert m.id not in shown, (number, number_version, m.type)
    page = text(teacher.get("/tasks"))
    assert "Academic support" in page and "Parent meeting" in page
    assert "Individual counselling" not in page


def test_the_psychologist_sees_their_own_measures_only(as_user):
    shown = task_ids(as_user(PSYCHOLOGIST))
    assert set(shown) == expected_tasks(PSYCHOLOGIST)
    assert len(shown) == 2
    assert not set(shown) & expected_tasks(TEACHER)


def test_a_teacher_without_measures_has_no_tasks(as_user):
    response = as_user(TEACHER2).get("/tasks")
    assert response.status_code == 200
    assert "No tasks assigned to you." in text(response)
    assert task_ids(as_user(OTHER_TEACHER)) and not set(task_ids(as_user(OTHER_TEACHER))) & expected_tasks(TEACHER)


def test_existing_logs_are_shown_with_the_task(as_user):
    m = teacher_measure(1)
    page = text(as_user(TEACHER).get("/tasks"))
    section = re.search(rf'<section class="panel" id="measure-{m.id}">.*?</section>', page, re.S).group(0)
    assert section.count("Занятие проведено.") == 2
    assert "attended" in section and "did not attend" in section


@pytest.mark.parametrize("attended", [True, False])
def test_a_teacher_logs_work_on_their_measure(as_user, attended):
    m = teacher_measure(5)
    teacher = as_user(TEACHER)
    data = {"done_on": iso(-2), "note": "  Встреча с мамой прошла спокойно.  "}
    if attended:
        data["attended"] = "y"  # an unticked checkbox is simply not sent
    response = teacher.post(f"/tasks/{m.id}/logs", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/tasks#measure-{m.id}"
    assert ("success", "Logged.") in flashes(teacher, response)
    [stored] = logs_of(m.id)
    assert stored.done_on.isoformat() == iso(-2)
    assert stored.note == "Встреча с мамой прошла спокойно."
    assert stored.attended is attended
    assert stored.author_id == user(TEACHER).id
    [event] = events("measure.log", m.id)
    assert event.actor_id == user(TEACHER).id
    page = text(teacher.get("/tasks"))
    section = re.search(rf'<section class="panel" id="measure-{m.id}">.*?</section>', page, re.S).group(0)
    assert "Встреча с мамой прошла спокойно." in section
    assert ("did not attend" in section) is (not attended)


@pytest.mark.parametrize("days, message", [
    (1, "The date cannot be in the future."),
    (365, "The date cannot be in the future."),
])
def test_work_cannot_be_logged_in_the_future(as_user, days, message):
    fields = {"done_on": iso(days)}  # computed when the test runs: collection may happen before local midnight
    m = teacher_measure(1)
    before = count(MeasureLog)
    response = log(as_user(TEACHER), m.id, **fields)
    assert response.status_code == 400
    assert problem(response) == message
    assert count(MeasureLog) == before
    assert events("measure.log") == []


def test_tomorrow_in_almaty_is_the_future_even_when_it_is_today_in_utc(as_user):
    """The portal's day is Astana's: at 21:00 UTC it is already tomorrow there, so 'tomorrow (UTC)' is today."""
    m = teacher_measure(1)
    utc_evening = clock.now().replace(hour=21, minute=0, second=0, microsecond=0)
    clock.freeze(utc_evening)
    teacher = as_user(TEACHER)
    local_tomorrow = (clock.local_today() + timedelta(days=1)).isoformat()
    assert log(teacher, m.id, done_on=local_tomorrow).status_code == 400
    assert log(teacher, m.id, done_on=clock.local_today().isoformat()).status_code == 303
    assert [entry.done_on for entry in logs_of(m.id)][-1] == clock.local_today()


@pytest.mark.parametrize("fields, field", [
    ({"done_on": "вчера"}, "done_on"),
    ({"done_on": ""}, "done_on"),
    ({"note": ""}, "note"),
    ({"note": "   "}, "note"),
    ({"note": "x" * 3001}, "note"),
    ({"note": "сделано\x00"}, "note"),
])
def test_bad_log_input_is_refused_and_nothing_is_stored(as_user, fields, field):
    m = teacher_measure(1)
    before = count(MeasureLog)
    response = log(as_user(TEACHER), m.id, **fields)
    assert response.status_code == 400
    assert field in field_errors(response), field_errors(response)
    assert count(MeasureLog) == before


def test_a_teacher_cannot_log_against_measures_that_are_not_theirs(as_user):
    teacher = as_user(TEACHER)
    case1 = version(demo_case(1), 1)
    psychologists = next(m for m in case1.measures if m.responsible_id == user(PSYCHOLOGIST).id)
    draft_measure = teacher_measure(5, plan_version=2)  # the teacher's, but in a draft
    closed_case_measure = teacher_measure(6)  # the teacher's, in a closed case
    other_school = next(iter(expected_tasks(OTHER_TEACHER)))
    before = count(MeasureLog)
    for measure_id in (psychologists.id, draft_measure.id, closed_case_measure.id, other_school, 999999):
        assert log(teacher, measure_id).status_code == 404, measure_id
    assert count(MeasureLog) == before
    assert len(events("authz.deny")) >= 5


@pytest.mark.parametrize("who", [REVIEWER, SYSADMIN])
def test_reviewers_and_sysadmins_have_no_tasks(as_user, who):
    browser = as_user(who)
    assert browser.get("/tasks").status_code == 403
    assert log(browser, teacher_measure(1).id).status_code == 403


# --- what a teacher reads of a plan ----------------------------------------------------------------------------


def test_a_teacher_reads_the_plan_in_force_of_an_own_class_student(as_user):
    case_id = demo_case(1)
    v1 = version(case_id, 1)
    teacher = as_user(TEACHER)
    response = teacher.get(f"/cases/{case_id}/plan")
    assert response.status_code == 302
    assert response.headers["Location"] == plan_url(case_id, v1.id)
    page = teacher.get(plan_url(case_id, v1.id))
    assert page.status_code == 200
    body = text(page)
    assert "Approved (in force)" in body
    assert v1.goals[0].what in body and v1.measures[1].description in body
    # read-only: no forms to change it, submit or approve
    for tail in ("/edit", "/goals", "/measures", "/submit", "/approve", "/return"):
        assert f'action="{plan_url(case_id, v1.id, tail)}"' not in body
    assert events("plan.read", v1.id)[-1].actor_id == user(TEACHER).id


def test_a_teacher_of_another_class_gets_404(as_user):
    case_id = demo_case(1)
    v1 = version(case_id, 1)
    teacher2 = as_user(TEACHER2)
    for path in (f"/cases/{case_id}/plan", plan_url(case_id, v1.id), plan_url(case_id, v1.id, "/goals")):
        assert teacher2.get(path).status_code == 404, path
    denied = events("authz.deny")
    assert denied and denied[-1].actor_id == user(TEACHER2).id


@pytest.mark.parametrize("stage", ["draft", "submitted", "returned"])
def test_a_teacher_never_sees_a_version_that_is_not_approved(as_user, stage):
    case_id = demo_case(1)
    v1 = version(case_id, 1)
    psychologist = as_user(PSYCHOLOGIST)
    assert psychologist.post(f"/cases/{case_id}/plan/new").status_code == 303
    v2 = version(case_id, 2)
    if stage in ("submitted", "returned"):
        assert transition(psychologist, case_id, v2.id, "submit").status_code == 303
    if stage == "returned":
        assert transition(as_user(ADMIN), case_id, v2.id, "return", comment="Доработать.").status_code == 303
    assert plan(v2.id).status == stage

    teacher = as_user(TEACHER)
    current = teacher.get(f"/cases/{case_id}/plan")
    assert current.headers["Location"] == plan_url(case_id, v1.id)
    for path in (plan_url(case_id, v2.id), plan_url(case_id, v2.id, "/goals"), plan_url(case_id, v2.id, "/measures")):
        assert teacher.get(path).status_code == 404, path
    case_page = text(teacher.get(f"/cases/{case_id}"))
    assert plan_url(case_id, v2.id) not in case_page
    assert "In force: version 1" in case_page
    # the psychologist does see it
    assert psychologist.get(plan_url(case_id, v2.id)).status_code == 200


def test_a_teacher_reads_a_replaced_version(as_user, second_admin):
    case_id = demo_case(1)
    v1 = version(case_id, 1)
    psychologist = as_user(PSYCHOLOGIST)
    assert psychologist.post(f"/cases/{case_id}/plan/new").status_code == 303
    v2 = version(case_id, 2)
    assert transition(psychologist, case_id, v2.id, "submit").status_code == 303
    assert transition(as_user(ADMIN), case_id, v2.id, "approve").status_code == 303
    teacher = as_user(TEACHER)
    assert teacher.get(f"/cases/{case_id}/plan").headers["Location"] == plan_url(case_id, v2.id)
    old = teacher.get(plan_url(case_id, v1.id))
    assert old.status_code == 200
    assert "This is an old version, kept for the record." in text(old)


# --- reviews --------------------------------------------------------------------------------------------------------


def review_form(case_id: int, decision: str = "continue", progress=("progressing", "achieved"), **fields) -> dict:
    in_force = next(p for p in plans(case_id) if p.status == "approved")
    data = {"held_on": iso(0), "decision": decision, "rationale": "Посещаемость выросла, конфликтов меньше."}
    for index, g in enumerate(in_force.goals):
        data[f"goals-{index}-goal_id"] = str(g.id)
        data[f"goals-{index}-progress"] = progress[index % len(progress)]
        data[f"goals-{index}-comment"] = f"Комментарий {index}"
    data.update(fields)
    return data


def test_the_review_form_lists_the_goals_of_the_plan_in_force(as_user):
    case_id = demo_case(1)
    v1 = version(case_id, 1)
    response = as_user(PSYCHOLOGIST).get(f"/cases/{case_id}/reviews/new")
    assert response.status_code == 200
    body = text(response)
    for index, g in enumerate(v1.goals):
        assert f'name="goals-{index}-goal_id" type="hidden" value="{g.id}"' in body
        assert g.what in body
    assert f'name="goals-{len(v1.goals)}-goal_id"' not in body
    for decision in ("continue", "revise", "close_case", "escalate"):
        assert f'value="{decision}"' in body


def test_a_continue_review_records_progress_and_moves_the_next_review(as_user, app):
    case_id = demo_case(1)
    v1 = version(case_id, 1)
    assert case_row(case_id).next_review_date < today()
    psychologist = as_user(PSYCHOLOGIST)
    response = psychologist.post(f"/cases/{case_id}/reviews/new", data=review_form(case_id))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case_id}"
    assert ("success", "The review is recorded.") in flashes(psychologist, response)
    [review] = reviews_of(case_id)
    assert (review.plan_id, review.decision, review.held_on, review.author_id) == (
        v1.id, "continue", today(), user(PSYCHOLOGIST).id)
    assert review.rationale == "Посещаемость выросла, конфликтов меньше."
    progress = {r.goal_id: (r.progress, r.comment) for r in review.goals}
    assert progress == {v1.goals[0].id: ("progressing", "Комментарий 0"), v1.goals[1].id: ("achieved", "Комментарий 1")}
    weeks = app.config["PLAN_REVIEW_WEEKS"]
    case = case_row(case_id)
    assert case.next_review_date == today() + timedelta(weeks=weeks)
    assert case.status == "active"
    assert [p.status for p in plans(case_id)] == ["approved"]
    assert [e.object_id for e in events("plan.review")] == [case_id]
    assert "Посещаемость выросла, конфликтов меньше." in text(psychologist.get(f"/cases/{case_id}"))


def test_the_review_interval_is_a_setting(as_user, app):
    app.config["PLAN_REVIEW_WEEKS"] = 3
    case_id = demo_case(1)
    held = iso(-2)
    assert as_user(ADMIN).post(f"/cases/{case_id}/reviews/new",
                               data=review_form(case_id, held_on=held)).status_code == 303
    assert case_row(case_id).next_review_date == today() - timedelta(days=2) + timedelta(weeks=3)


def test_a_revise_review_starts_a_new_draft_version(as_user):
    case_id = demo_case(1)
    v1 = version(case_id, 1)
    psychologist = as_user(PSYCHOLOGIST)
    response = psychologist.post(f"/cases/{case_id}/reviews/new", data=review_form(case_id, "revise"))
    assert response.status_code == 303
    [review] = reviews_of(case_id)
    assert review.decision == "revise"
    v2 = version(case_id, 2)
    assert v2.status == "draft"
    assert [g.what for g in v2.goals] == [g.what for g in v1.goals]
    assert version(case_id, 1).status == "approved"
    assert psychologist.get(f"/cases/{case_id}/plan").headers["Location"] == plan_url(case_id, v2.id)


def test_a_revise_review_while_a_new_version_is_already_written_is_refused(as_user):
    case_id = demo_case(5)  # v2 draft exists
    before = len(reviews_of(case_id))
    response = as_user(PSYCHOLOGIST).post(f"/cases/{case_id}/reviews/new", data=review_form(case_id, "revise"))
    assert response.status_code == 409
    assert problem(response) == "A version is already being written or waiting for approval."
    assert len(reviews_of(case_id)) == before
    assert len(plans(case_id)) == 2


def test_a_close_case_review_closes_the_case_with_its_outcome(as_user):
    case_id = demo_case(1)
    psychologist = as_user(PSYCHOLOGIST)
    for outcome in ({}, {"close_outcome": ""}):  # not sent at all, or the empty choice
        missing = psychologist.post(f"/cases/{case_id}/reviews/new", data=review_form(case_id, "close_case", **outcome))
        assert missing.status_code == 400
        assert field_errors(missing)["close_outcome"] == "Choose the outcome of the case."
    bogus = psychologist.post(f"/cases/{case_id}/reviews/new",
                              data=review_form(case_id, "close_case", close_outcome="vanished"))
    assert bogus.status_code == 400
    assert reviews_of(case_id) == []
    assert case_row(case_id).status == "active"

    response = psychologist.post(f"/cases/{case_id}/reviews/new",
                                 data=review_form(case_id, "close_case", close_outcome="goals_achieved",
                                                  progress=("achieved",)))
    assert response.status_code == 303
    case = case_row(case_id)
    assert (case.status, case.close_outcome) == ("closed", "goals_achieved")
    assert case.close_reason == "Посещаемость выросла, конфликтов меньше."
    assert case.closed_at is not None
    assert [r.decision for r in reviews_of(case_id)] == ["close_case"]
    assert events("case.close")
    # the closed case's measures leave the teacher's tasks
    assert not set(task_ids(as_user(TEACHER))) & {m.id for m in version(case_id, 1).measures}


def test_an_escalate_review_is_recorded(as_user):
    case_id = demo_case(1)
    response = as_user(PSYCHOLOGIST).post(f"/cases/{case_id}/reviews/new",
                                          data=review_form(case_id, "escalate", progress=("not_achieved",)))
    assert response.status_code == 303
    # the next step is the escalation itself: the draft form of this case
    assert response.headers["Location"].endswith(f"/cases/{case_id}/escalations/new")
    [review] = reviews_of(case_id)
    assert review.decision == "escalate"
    assert {g.progress for g in review.goals} == {"not_achieved"}
    assert case_row(case_id).status == "active"
    assert "Escalate to the regional directorate" in text(as_user(PSYCHOLOGIST).get(f"/cases/{case_id}"))


@pytest.mark.parametrize("fields, field", [
    ({"rationale": ""}, "rationale"),
    ({"rationale": "   "}, "rationale"),
    ({"rationale": "x" * 3001}, "rationale"),
    ({"rationale": "причина\x00"}, "rationale"),
    ({"held_on": "когда-то"}, "held_on"),
    ({"held_on": ""}, "held_on"),
    ({"decision": "ignore"}, "decision"),
    ({"goals-0-progress": "great"}, "goals-0-progress"),
    ({"goals-0-comment": "x" * 1001}, "goals-0-comment"),
])
def test_bad_review_input_is_refused_and_nothing_is_stored(as_user, fields, field):
    case_id = demo_case(1)
    before = (count(Review), case_row(case_id).next_review_date)
    response = as_user(PSYCHOLOGIST).post(f"/cases/{case_id}/reviews/new", data=review_form(case_id, **fields))
    assert response.status_code == 400
    assert field in field_errors(response), field_errors(response)
    assert (count(Review), case_row(case_id).next_review_date) == before
    assert events("plan.review") == []


def test_a_review_cannot_be_dated_in_the_future(as_user):
    case_id = demo_case(1)
    before = case_row(case_id).next_review_date
    response = as_user(PSYCHOLOGIST).post(f"/cases/{case_id}/reviews/new", data=review_form(case_id, held_on=iso(1)))
    assert response.status_code == 400
    assert "The date cannot be in the future." in text(response)
    assert reviews_of(case_id) == []
    assert case_row(case_id).next_review_date == before


@pytest.mark.parametrize("goal_id", ["abc", "", "999999", "other-plan"])
def test_a_review_of_goals_outside_the_plan_is_a_bad_request(as_user, goal_id):
    case_id = demo_case(1)
    if goal_id == "other-plan":
        goal_id = str(version(demo_case(3), 1).goals[0].id)
    response = as_user(PSYCHOLOGIST).post(f"/cases/{case_id}/reviews/new",
                                          data=review_form(case_id, **{"goals-0-goal_id": goal_id}))
    assert response.status_code == 400
    assert reviews_of(case_id) == []


def test_a_goal_reviewed_twice_in_one_review_is_a_bad_request(as_user):
    case_id = demo_case(1)
    data = review_form(case_id)
    data["goals-1-goal_id"] = data["goals-0-goal_id"]
    response = as_user(PSYCHOLOGIST).post(f"/cases/{case_id}/reviews/new", data=data)
    assert response.status_code == 400
    assert reviews_of(case_id) == []


def test_no_review_without_a_plan_in_force_or_on_a_closed_case(as_user):
    psychologist = as_user(PSYCHOLOGIST)
    draft_only = demo_case(2)
    response = psychologist.get(f"/cases/{draft_only}/reviews/new")
    assert response.status_code == 303
    assert ("error", "There is no approved plan to review yet.") in flashes(psychologist, response)
    closed = demo_case(6)
    refused = psychologist.post(f"/cases/{closed}/reviews/new", data=review_form(closed))
    assert refused.status_code == 409
    assert problem(refused) == "The case is closed."
    assert reviews_of(closed) == []


@pytest.mark.parametrize("who, status", [(TEACHER, 403), (REVIEWER, 403), (SYSADMIN, 403),
                                         ("psychologist@school2.demo", 404)])
def test_only_the_schools_managers_review(as_user, who, status):
    case_id = demo_case(1)
    browser = as_user(who)
    assert browser.get(f"/cases/{case_id}/reviews/new").status_code == status
    assert browser.post(f"/cases/{case_id}/reviews/new", data=review_form(case_id)).status_code == status
    assert reviews_of(case_id) == []


# --- overdue reviews where they matter --------------------------------------------------------------------------


def overdue_count(page: str) -> int:
    match = re.search(r'href="/cases\?show=review_overdue"[^>]*>\s*(\d+)', page)
    assert match, page[:3000]
    return int(match.group(1))


def listed_overdue(browser) -> list[int]:
    page = text(browser.get("/cases", query_string={"show": "review_overdue"}))
    return [int(i) for i in re.findall(r'<td><a href="/cases/(\d+)">', page)]


def my_case_item(page: str, case_id: int) -> str:
    match = re.search(rf'<li><a href="/cases/{case_id}">.*?</li>', page, re.S)
    assert match, page[:3000]
    return match.group(0)


def test_overdue_and_due_reviews_show_on_home_pages_and_the_case_list(as_user):
    overdue, due_soon = demo_case(1), demo_case(5)
    psychologist, admin = as_user(PSYCHOLOGIST), as_user(ADMIN)
    home = text(psychologist.get("/"))
    assert overdue_count(home) == 1
    assert "badge-urgent" in my_case_item(home, overdue)
    assert "badge-urgent" not in my_case_item(home, due_soon)
    assert re.search(r"1 review due this week", home)
    admin_home = text(admin.get("/"))
    assert overdue_count(admin_home) == 1
    overdue_section = admin_home[admin_home.index("Overdue reviews"):]
    assert f'href="/cases/{overdue}"' in overdue_section
    assert f'href="/cases/{due_soon}"' not in overdue_section
    assert listed_overdue(psychologist) == [overdue]
    assert listed_overdue(admin) == [overdue]

    # a week later the second case's review is overdue as well
    clock.advance(timedelta(days=6))
    psychologist, admin = as_user(PSYCHOLOGIST), as_user(ADMIN)  # the old sessions have expired meanwhile
    assert overdue_count(text(psychologist.get("/"))) == 2
    assert sorted(listed_overdue(admin)) == sorted([overdue, due_soon])


def test_recording_the_review_clears_the_overdue_flag(as_user):
    case_id = demo_case(1)
    psychologist, admin = as_user(PSYCHOLOGIST), as_user(ADMIN)
    assert psychologist.post(f"/cases/{case_id}/reviews/new", data=review_form(case_id)).status_code == 303
    home = text(psychologist.get("/"))
    assert overdue_count(home) == 0
    assert "badge-urgent" not in my_case_item(home, case_id)
    assert "Overdue reviews" not in text(admin.get("/"))
    assert listed_overdue(psychologist) == []


def test_overdue_reviews_are_per_school(as_user):
    assert listed_overdue(as_user("psychologist@school2.demo")) == [demo_case(1, school=2)]


# --- the printable page, in the user's language -----------------------------------------------------------------


@pytest.mark.parametrize("who", [PSYCHOLOGIST, ADMIN, TEACHER])
def test_the_plan_page_is_printable(as_user, who):
    case_id = demo_case(1)
    v1 = version(case_id, 1)
    response = as_user(who).get(plan_url(case_id, v1.id))
    assert response.status_code == 200
    body = text(response)
    assert "<h1>Individual plan of preventive work</h1>" in body
    assert re.search(r'<button type="button" data-print>Print</button>', body)
    assert '<link rel="stylesheet" href="/static/css/app.css' in body
    css = (ROOT / "static" / "css" / "app.css").read_text()
    assert re.search(r"@media print\s*\{[^}]*\.no-print", css)
    # the controls are marked to be left off the paper
    assert re.search(r'<p class="no-print">.*data-print', body)
    assert "no-store" in response.headers.get("Cache-Control", "")


def kazakh(message: str) -> str:
    catalog = Translations.load(str(ROOT / "translations"), ["kk"])
    return catalog.gettext(message)


def test_the_plan_page_speaks_the_users_language(as_user):
    case_id = demo_case(1)
    v1 = version(case_id, 1)
    kk = as_user(PSYCHOLOGIST, language="kk")
    assert kk.post(f"/cases/{case_id}/plan/new").status_code == 303
    v2 = version(case_id, 2)
    body = text(kk.get(plan_url(case_id, v2.id)))
    assert '<html lang="kk">' in body
    # strings the Kazakh catalogue has had for a while (layout and form buttons)
    assert kazakh("Save") == "Сақтау" and '<button type="submit" class="primary">Сақтау</button>' in body
    assert ">Басты бет<" in body  # "Home" in the menu
    assert ">Save<" not in body
    # the heading, whatever the catalogue says today (the plan strings are being translated)
    heading = kazakh("Individual plan of preventive work")
    assert f"<h1>{heading}</h1>" in body
    english = text(as_user(PSYCHOLOGIST, language="en").get(plan_url(case_id, v1.id)))
    assert '<html lang="en">' in english and "<h1>Individual plan of preventive work</h1>" in english
