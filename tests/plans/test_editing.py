"""Editing a draft over HTTP: plan fields, inline goals and measures (plain posts and htmx partials), bad input
(400 with a message, nothing stored, never 500), measures with logged work, scope, and stale saves (409 naming who
saved first and what changed; nobody's work is lost)."""

import pytest
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.plans.models import Goal, Measure, MeasureLog
from tests.conftest import in_app, user
from tests.plans.helpers import (
    ADMIN,
    HTMX,
    OTHER_ADMIN,
    OTHER_PSYCHOLOGIST,
    OTHER_TEACHER,
    PSYCHOLOGIST,
    REVIEWER,
    SYSADMIN,
    TEACHER,
    TEACHER2,
    count,
    demo_case,
    events,
    field_errors,
    flashes,
    goal,
    goal_fields,
    input_value,
    is_partial,
    iso,
    lock_in,
    measure,
    measure_fields,
    plan,
    plan_fields,
    plan_url,
    problem,
    text,
    textarea,
    version,
)

FORBIDDEN_CHARS = "Contains characters that are not allowed."


@pytest.fixture
def draft():
    """(case id, plan) of demo case 2: an open case with a draft written by the psychologist."""
    case_id = demo_case(2)
    return case_id, version(case_id, 1)


def snapshot(plan_id: int):
    p = plan(plan_id)
    return (
        (p.strengths, p.needs, p.guardian_involvement, p.next_review_date, p.lock_version),
        [(g.id, g.what, g.indicator, g.baseline, g.target, g.target_date, g.lock_version) for g in p.goals],
        [(m.id, m.type, m.description, m.responsible_id, m.frequency, m.start_date, m.end_date, m.lock_version)
         for m in p.measures],
    )


# --- plan fields ------------------------------------------------------------------------------------------------


def test_psychologist_saves_the_plan_fields(as_user, draft):
    case_id, p = draft
    psychologist = as_user(PSYCHOLOGIST)
    page = text(psychologist.get(plan_url(case_id, p.id)))
    edit = plan_url(case_id, p.id, "/edit")
    response = psychologist.post(edit, data=plan_fields(
        lock_in(page, edit), strengths="  Хорошо рисует.  ", needs="Помощь с математикой.",
        guardian_involvement="Мать — раз в неделю.", next_review_date=iso(21)))
    assert response.status_code == 303
    assert response.headers["Location"] == plan_url(case_id, p.id)
    assert ("success", "Saved.") in flashes(psychologist, response)
    after = plan(p.id)
    assert after.strengths == "Хорошо рисует."  # stripped
    assert after.needs == "Помощь с математикой."
    assert after.guardian_involvement == "Мать — раз в неделю."
    assert after.next_review_date.isoformat() == iso(21)
    assert after.lock_version == p.lock_version + 1
    assert after.updated_by_id == user(PSYCHOLOGIST).id
    [event] = events("plan.update", p.id)
    assert set(event.fields.split(",")) == {"strengths", "needs", "guardian_involvement", "next_review_date"}
    shown = text(psychologist.get(plan_url(case_id, p.id)))
    assert textarea(shown, "strengths") == "Хорошо рисует."


@pytest.mark.parametrize("changes, field", [
    ({"next_review_date": "31.02.2026"}, "next_review_date"),
    ({"next_review_date": ""}, "next_review_date"),
    ({"strengths": "x" * 5001}, "strengths"),
    ({"needs": "x" * 5001}, "needs"),
    ({"guardian_involvement": "y" * 3001}, "guardian_involvement"),
    ({"needs": "нужна\x00помощь"}, "needs"),
    ({"strengths": "звонок\x07"}, "strengths"),
])
def test_bad_plan_fields_are_refused_and_nothing_is_stored(as_user, draft, changes, field):
    case_id, p = draft
    before = snapshot(p.id)
    response = as_user(PSYCHOLOGIST).post(plan_url(case_id, p.id, "/edit"),
                                          data=plan_fields(p.lock_version, **changes))
    assert response.status_code == 400
    assert field in field_errors(response), field_errors(response)
    assert "Please correct the marked fields." in text(response)
    assert snapshot(p.id) == before
    assert events("plan.update") == []


def test_a_missing_or_garbage_lock_version_is_a_bad_request(as_user, draft):
    case_id, p = draft
    psychologist = as_user(PSYCHOLOGIST)
    before = snapshot(p.id)
    for lock in ("", "not-a-number"):
        response = psychologist.post(plan_url(case_id, p.id, "/edit"), data=plan_fields(lock))
        assert response.status_code == 400
    assert snapshot(p.id) == before


# --- goals --------------------------------------------------------------------------------------------------------


def test_add_edit_and_remove_a_goal_with_plain_forms(as_user, draft):
    case_id, p = draft
    psychologist = as_user(PSYCHOLOGIST)
    added = psychologist.post(plan_url(case_id, p.id, "/goals"), data=goal_fields(what="  Читать каждый день  "))
    assert added.status_code == 303
    assert added.headers["Location"] == plan_url(case_id, p.id)
    new = [g for g in plan(p.id).goals if g.id not in {x.id for x in p.goals}]
    assert len(new) == 1
    g = new[0]
    assert (g.what, g.indicator, g.baseline, g.target, g.target_date.isoformat()) == (
        "Читать каждый день", "Доля сданных заданий", "40%", "90%", iso(45))
    assert "Читать каждый день" in text(psychologist.get(plan_url(case_id, p.id)))

    edit_page = text(psychologist.get(plan_url(case_id, p.id, f"/goals?edit_goal={g.id}")))
    action = plan_url(case_id, p.id, f"/goals/{g.id}")
    assert input_value(edit_page, "what") == "Читать каждый день"
    saved = psychologist.post(action, data=goal_fields(lock_version=lock_in(edit_page, action), what="Читать 20 минут",
                                                        baseline=""))
    assert saved.status_code == 303
    changed = goal(g.id)
    assert (changed.what, changed.lock_version) == ("Читать 20 минут", g.lock_version + 1)
    assert not changed.baseline
    assert set(events("plan.goal_save")[-1].fields.split(",")) == {"what", "baseline"}

    removed = psychologist.post(plan_url(case_id, p.id, f"/goals/{g.id}/delete"))
    assert removed.status_code == 303
    assert goal(g.id) is None
    assert [x.id for x in plan(p.id).goals] == [x.id for x in p.goals]
    assert events("plan.goal_delete", p.id)


def test_add_edit_and_remove_a_goal_with_htmx_gets_the_section(as_user, draft):
    case_id, p = draft
    psychologist = as_user(PSYCHOLOGIST)
    added = psychologist.post(plan_url(case_id, p.id, "/goals"), data=goal_fields(what="Вовремя приходить"),
                              headers=HTMX)
    assert added.status_code == 200
    assert is_partial(added)
    body = text(added)
    assert body.lstrip().startswith('<section class="panel" id="plan-goals">')
    assert "Вовремя приходить" in body
    g = next(x for x in plan(p.id).goals if x.what == "Вовремя приходить")

    form = psychologist.get(plan_url(case_id, p.id, f"/goals?edit_goal={g.id}"), headers=HTMX)
    assert form.status_code == 200 and is_partial(form)
    action = plan_url(case_id, p.id, f"/goals/{g.id}")
    assert f'hx-post="{action}"' in text(form)

    saved = psychologist.post(action, data=goal_fields(lock_version=lock_in(text(form), action), target="100%"),
                              headers=HTMX)
    assert saved.status_code == 200 and is_partial(saved)
    assert goal(g.id).target == "100%"
    assert "100%" in text(saved)
    assert f'action="{action}"' not in text(saved)  # back to the table row, not the edit form

    removed = psychologist.post(plan_url(case_id, p.id, f"/goals/{g.id}/delete"), headers=HTMX)
    assert removed.status_code == 200 and is_partial(removed)
    assert "Вовремя приходить" not in text(removed)
    assert goal(g.id) is None


@pytest.mark.parametrize("changes, field", [
    ({"what": ""}, "what"),
    ({"what": "   "}, "what"),
    ({"indicator": ""}, "indicator"),
    ({"target": ""}, "target"),
    ({"target_date": "garbage"}, "target_date"),
    ({"target_date": "2026-13-45"}, "target_date"),
    ({"target_date": ""}, "target_date"),
    ({"what": "x" * 501}, "what"),
    ({"indicator": "x" * 501}, "indicator"),
    ({"baseline": "x" * 301}, "baseline"),
    ({"target": "x" * 301}, "target"),
    ({"what": "цель\x00"}, "what"),
    ({"baseline": "\x1b[31m"}, "baseline"),
])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_bad_goal_input_is_refused_and_nothing_is_stored(as_user, draft, changes, field, htmx):
    case_id, p = draft
    before = count(Goal)
    response = as_user(PSYCHOLOGIST).post(plan_url(case_id, p.id, "/goals"), data=goal_fields(**changes),
                                          headers=HTMX if htmx else {})
    assert response.status_code == 400
    assert field in field_errors(response), field_errors(response)
    assert is_partial(response) == htmx
    assert count(Goal) == before
    assert events("plan.goal_save") == []


def test_a_bad_goal_edit_keeps_the_stored_goal(as_user, draft):
    case_id, p = draft
    g = p.goals[0]
    response = as_user(PSYCHOLOGIST).post(
        plan_url(case_id, p.id, f"/goals/{g.id}"),
        data=goal_fields(lock_version=str(g.lock_version), what="", target_date="вчера"))
    assert response.status_code == 400
    assert {"what", "target_date"} <= set(field_errors(response))
    after = goal(g.id)
    assert (after.what, after.target_date, after.lock_version) == (g.what, g.target_date, g.lock_version)


def test_a_goal_of_another_plan_is_not_found_through_this_plan(as_user, draft):
    case_id, p = draft
    other_case = demo_case(3)
    foreign = version(other_case, 1).goals[0]
    psychologist = as_user(PSYCHOLOGIST)
    assert psychologist.post(plan_url(case_id, p.id, f"/goals/{foreign.id}"),
                             data=goal_fields(lock_version=str(foreign.lock_version))).status_code == 404
    assert psychologist.post(plan_url(case_id, p.id, f"/goals/{foreign.id}/delete")).status_code == 404
    assert goal(foreign.id).what == foreign.what
    # nor a plan through another case's URL
    assert psychologist.post(plan_url(other_case, p.id, "/goals"), data=goal_fields()).status_code == 404
    assert psychologist.get(plan_url(other_case, p.id)).status_code == 404


# --- measures -----------------------------------------------------------------------------------------------------


def test_add_edit_and_remove_a_measure_with_plain_forms(as_user, draft):
    case_id, p = draft
    psychologist = as_user(PSYCHOLOGIST)
    teacher2 = user(TEACHER2)
    page = text(psychologist.get(plan_url(case_id, p.id)))
    assert f'<option value="{teacher2.id}">' in page  # staff of the school are offered
    assert f'<option value="{user(OTHER_TEACHER).id}">' not in page

    added = psychologist.post(plan_url(case_id, p.id, "/measures"),
                              data=measure_fields(teacher2.id, type="home_visit", description="Посещение семьи"))
    assert added.status_code == 303
    new = [m for m in plan(p.id).measures if m.id not in {x.id for x in p.measures}]
    assert len(new) == 1
    m = new[0]
    assert (m.type, m.description, m.responsible_id, m.frequency) == (
        "home_visit", "Посещение семьи", teacher2.id, "раз в неделю")
    shown = text(psychologist.get(plan_url(case_id, p.id)))
    assert "Home visit" in shown and "Посещение семьи" in shown and teacher2.full_name in shown

    action = plan_url(case_id, p.id, f"/measures/{m.id}")
    edit_page = text(psychologist.get(plan_url(case_id, p.id, f"/measures?edit_measure={m.id}")))
    saved = psychologist.post(action, data=measure_fields(user(PSYCHOLOGIST).id, lock_version=lock_in(edit_page, action),
                                                          type="counselling", frequency="дважды в месяц"))
    assert saved.status_code == 303
    after = measure(m.id)
    assert (after.type, after.responsible_id, after.frequency) == ("counselling", user(PSYCHOLOGIST).id, "дважды в месяц")

    assert psychologist.post(plan_url(case_id, p.id, f"/measures/{m.id}/delete")).status_code == 303
    assert measure(m.id) is None


def test_add_edit_and_remove_a_measure_with_htmx_gets_the_section(as_user, draft):
    case_id, p = draft
    admin = as_user(ADMIN)
    added = admin.post(plan_url(case_id, p.id, "/measures"), headers=HTMX,
                       data=measure_fields(user(TEACHER).id, description="Клуб робототехники", type="extracurricular"))
    assert added.status_code == 200 and is_partial(added)
    assert text(added).lstrip().startswith('<section class="panel" id="plan-measures">')
    assert "Клуб робототехники" in text(added)
    m = next(x for x in plan(p.id).measures if x.description == "Клуб робототехники")

    action = plan_url(case_id, p.id, f"/measures/{m.id}")
    form = admin.get(plan_url(case_id, p.id, f"/measures?edit_measure={m.id}"), headers=HTMX)
    assert form.status_code == 200 and is_partial(form)
    saved = admin.post(action, headers=HTMX, data=measure_fields(
        user(TEACHER).id, lock_version=lock_in(text(form), action), description="Клуб шахмат", type="extracurricular"))
    assert saved.status_code == 200 and is_partial(saved)
    assert measure(m.id).description == "Клуб шахмат"

    removed = admin.post(plan_url(case_id, p.id, f"/measures/{m.id}/delete"), headers=HTMX)
    assert removed.status_code == 200 and is_partial(removed)
    assert "Клуб шахмат" not in text(removed)
    assert measure(m.id) is None


def _bad_measures():
    return [
        ("another school's staff", lambda: {"responsible_id": str(user(OTHER_PSYCHOLOGIST).id)}, "responsible_id"),
        ("a regional reviewer", lambda: {"responsible_id": str(user(REVIEWER).id)}, "responsible_id"),
        ("no such user", lambda: {"responsible_id": "999999"}, "responsible_id"),
        ("not a number", lambda: {"responsible_id": "abc"}, "responsible_id"),
        ("empty responsible", lambda: {"responsible_id": ""}, "responsible_id"),
        ("unknown type", lambda: {"type": "exorcism"}, "type"),
        ("empty type", lambda: {"type": ""}, "type"),
        ("empty description", lambda: {"description": ""}, "description"),
        ("overlong description", lambda: {"description": "x" * 1001}, "description"),
        ("overlong frequency", lambda: {"frequency": "x" * 101}, "frequency"),
        ("garbage start", lambda: {"start_date": "01/02/2026"}, "start_date"),
        ("garbage end", lambda: {"end_date": "завтра"}, "end_date"),
        ("end before start", lambda: {"start_date": iso(10), "end_date": iso(5)}, "end_date"),
        ("NUL byte", lambda: {"description": "встреча\x00"}, "description"),
    ]


@pytest.mark.parametrize("label, changes, field", _bad_measures(), ids=[b[0] for b in _bad_measures()])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_bad_measure_input_is_refused_and_nothing_is_stored(as_user, draft, label, changes, field, htmx):
    case_id, p = draft
    before = count(Measure)
    response = as_user(PSYCHOLOGIST).post(plan_url(case_id, p.id, "/measures"),
                                          data={**measure_fields(user(TEACHER).id), **changes()},
                                          headers=HTMX if htmx else {})
    assert response.status_code == 400, label
    assert field in field_errors(response), field_errors(response)
    assert is_partial(response) == htmx
    assert count(Measure) == before
    assert events("plan.measure_save") == []


def test_a_measure_cannot_be_given_to_staff_of_another_school_by_editing(as_user, draft):
    case_id, p = draft
    m = p.measures[0]
    response = as_user(PSYCHOLOGIST).post(
        plan_url(case_id, p.id, f"/measures/{m.id}"),
        data=measure_fields(user(OTHER_PSYCHOLOGIST).id, lock_version=str(m.lock_version)))
    assert response.status_code == 400
    assert "Not a valid choice." in field_errors(response)["responsible_id"]
    assert measure(m.id).responsible_id == m.responsible_id


def test_a_measure_with_logged_work_cannot_be_removed(as_user, draft):
    case_id, p = draft
    m = p.measures[1]
    with in_app():
        db.session.add(MeasureLog(measure_id=m.id, done_on=clock.local_today(), note="Проведено.", attended=True,
                                  author_id=m.responsible_id, created_at=clock.now()))
        db.session.commit()
    psychologist = as_user(PSYCHOLOGIST)
    message = "Work has been logged for this measure; it cannot be removed from this version."
    plain = psychologist.post(plan_url(case_id, p.id, f"/measures/{m.id}/delete"))
    assert plain.status_code == 409
    assert problem(plain) == message
    htmx = psychologist.post(plan_url(case_id, p.id, f"/measures/{m.id}/delete"), headers=HTMX)
    assert htmx.status_code == 409 and is_partial(htmx)
    assert problem(htmx) == message
    assert measure(m.id) is not None
    with in_app():
        assert db.session.scalar(select(MeasureLog).where(MeasureLog.measure_id == m.id)) is not None
    assert events("plan.measure_delete") == []
    # a measure without logs is removed as usual
    assert psychologist.post(plan_url(case_id, p.id, f"/measures/{p.measures[0].id}/delete")).status_code == 303
    assert measure(p.measures[0].id) is None


# --- who may edit -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [
    (TEACHER, 403), (TEACHER2, 403), (REVIEWER, 403), (SYSADMIN, 403),
    (OTHER_PSYCHOLOGIST, 404), (OTHER_ADMIN, 404),
])
def test_only_the_schools_psychologist_and_admin_edit(as_user, draft, who, status):
    case_id, p = draft
    before = snapshot(p.id)
    browser = as_user(who)
    g, m = p.goals[0], p.measures[0]
    attempts = [
        browser.post(plan_url(case_id, p.id, "/edit"), data=plan_fields(p.lock_version, strengths="Чужая правка")),
        browser.post(plan_url(case_id, p.id, "/goals"), data=goal_fields()),
        browser.post(plan_url(case_id, p.id, f"/goals/{g.id}"), data=goal_fields(lock_version=str(g.lock_version))),
        browser.post(plan_url(case_id, p.id, f"/goals/{g.id}/delete")),
        browser.post(plan_url(case_id, p.id, "/measures"), data=measure_fields(user(TEACHER).id)),
        browser.post(plan_url(case_id, p.id, f"/measures/{m.id}"),
                     data=measure_fields(user(TEACHER).id, lock_version=str(m.lock_version))),
        browser.post(plan_url(case_id, p.id, f"/measures/{m.id}/delete")),
    ]
    assert [a.status_code for a in attempts] == [status] * len(attempts)
    assert snapshot(p.id) == before


# --- stale saves --------------------------------------------------------------------------------------------------


def test_a_stale_save_of_the_plan_fields_is_refused_and_the_first_save_is_kept(as_user, draft):
    case_id, p = draft
    first, second = as_user(ADMIN), as_user(PSYCHOLOGIST)
    edit = plan_url(case_id, p.id, "/edit")
    first_page = text(first.get(plan_url(case_id, p.id)))
    second_page = text(second.get(plan_url(case_id, p.id)))
    assert lock_in(first_page, edit) == lock_in(second_page, edit)

    saved = first.post(edit, data=plan_fields(lock_in(first_page, edit), strengths="Версия администратора",
                                              needs=p.needs, guardian_involvement=p.guardian_involvement,
                                              next_review_date=p.next_review_date.isoformat()))
    assert saved.status_code == 303

    stale = second.post(edit, data=plan_fields(lock_in(second_page, edit), strengths="Версия психолога",
                                               needs=p.needs, guardian_involvement=p.guardian_involvement,
                                               next_review_date=p.next_review_date.isoformat()))
    assert stale.status_code == 409
    message = problem(stale)
    admin_name = user(ADMIN).full_name
    assert message == (f"Not saved: {admin_name} saved this first. Changed since you opened it: Strengths. "
                       "Your text is kept below; compare and save again.")
    assert plan(p.id).strengths == "Версия администратора"
    # the second writer's text is still in the form, with the new lock so a deliberate retry can save
    assert textarea(text(stale), "strengths") == "Версия психолога"
    retry_lock = lock_in(text(stale), edit)
    assert retry_lock == str(plan(p.id).lock_version)
    assert len(events("plan.update", p.id)) == 1

    retry = second.post(edit, data=plan_fields(retry_lock, strengths="Общая версия", needs=p.needs,
                                               guardian_involvement=p.guardian_involvement,
                                               next_review_date=p.next_review_date.isoformat()))
    assert retry.status_code == 303
    assert plan(p.id).strengths == "Общая версия"


def test_a_stale_save_names_the_fields_the_other_person_changed(as_user, draft):
    case_id, p = draft
    first, second = as_user(PSYCHOLOGIST), as_user(ADMIN)
    edit = plan_url(case_id, p.id, "/edit")
    lock = lock_in(text(second.get(plan_url(case_id, p.id))), edit)
    unchanged = {"strengths": p.strengths, "needs": p.needs, "guardian_involvement": p.guardian_involvement,
                 "next_review_date": p.next_review_date.isoformat()}
    assert first.post(edit, data=plan_fields(lock, **{**unchanged, "guardian_involvement": "Бабушка",
                                                        "next_review_date": iso(14)})).status_code == 303
    stale = second.post(edit, data=plan_fields(lock, **unchanged))
    assert stale.status_code == 409
    message = problem(stale)
    assert user(PSYCHOLOGIST).full_name in message
    assert "Guardian involvement" in message and "Next review date" in message
    assert "Strengths" not in message and "Needs" not in message
    after = plan(p.id)
    assert (after.guardian_involvement, after.next_review_date.isoformat()) == ("Бабушка", iso(14))


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_stale_goal_edit_is_refused_and_the_first_edit_is_kept(as_user, draft, htmx):
    case_id, p = draft
    g = p.goals[0]
    action = plan_url(case_id, p.id, f"/goals/{g.id}")
    first, second = as_user(PSYCHOLOGIST), as_user(ADMIN)
    first_form = text(first.get(plan_url(case_id, p.id, f"/goals?edit_goal={g.id}")))
    second_form = text(second.get(plan_url(case_id, p.id, f"/goals?edit_goal={g.id}")))
    assert lock_in(first_form, action) == lock_in(second_form, action) == str(g.lock_version)

    assert first.post(action, data=goal_fields(lock_version=lock_in(first_form, action), what="Цель психолога",
                                               indicator=g.indicator, baseline=g.baseline, target=g.target,
                                               target_date=g.target_date.isoformat())).status_code == 303
    stale = second.post(action, headers=HTMX if htmx else {}, data=goal_fields(
        lock_version=lock_in(second_form, action), what="Цель администратора", indicator=g.indicator,
        baseline=g.baseline, target=g.target, target_date=g.target_date.isoformat()))
    assert stale.status_code == 409
    assert is_partial(stale) == htmx
    message = problem(stale)
    assert user(PSYCHOLOGIST).full_name in message
    assert "Goal: what should change" in message
    assert "Indicator" not in message
    assert goal(g.id).what == "Цель психолога"
    assert goal(g.id).lock_version == g.lock_version + 1
    assert input_value(text(stale), "what") == "Цель администратора"
    assert lock_in(text(stale), action) == str(g.lock_version + 1)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_stale_measure_edit_is_refused_and_the_first_edit_is_kept(as_user, draft, htmx):
    case_id, p = draft
    m = p.measures[1]
    action = plan_url(case_id, p.id, f"/measures/{m.id}")
    first, second = as_user(ADMIN), as_user(PSYCHOLOGIST)
    first_form = text(first.get(plan_url(case_id, p.id, f"/measures?edit_measure={m.id}")))
    second_form = text(second.get(plan_url(case_id, p.id, f"/measures?edit_measure={m.id}")))
    same = {"type": m.type, "description": m.description, "start_date": m.start_date.isoformat(),
            "end_date": m.end_date.isoformat(), "frequency": m.frequency}
    assert first.post(action, data=measure_fields(user(TEACHER2).id, lock_version=lock_in(first_form, action),
                                                  **{**same, "frequency": "каждый день"})).status_code == 303
    stale = second.post(action, headers=HTMX if htmx else {}, data=measure_fields(
        m.responsible_id, lock_version=lock_in(second_form, action), **{**same, "description": "Другое описание"}))
    assert stale.status_code == 409
    assert is_partial(stale) == htmx
    message = problem(stale)
    assert user(ADMIN).full_name in message
    assert "Responsible" in message and "Frequency" in message
    after = measure(m.id)
    assert (after.responsible_id, after.frequency, after.description) == (user(TEACHER2).id, "каждый день", m.description)
    assert input_value(text(stale), "description") == "Другое описание"


def test_a_goal_removed_meanwhile_answers_404_on_save(as_user, draft):
    case_id, p = draft
    g = p.goals[0]
    first, second = as_user(PSYCHOLOGIST), as_user(ADMIN)
    assert first.post(plan_url(case_id, p.id, f"/goals/{g.id}/delete")).status_code == 303
    response = second.post(plan_url(case_id, p.id, f"/goals/{g.id}"),
                           data=goal_fields(lock_version=str(g.lock_version)))
    assert response.status_code == 404
    assert goal(g.id) is None
