"""The plan state machine over HTTP: submit / approve / return by every role, no self-approval, the council
decision, double clicks, and versions (a new draft copies the plan in force, which stays in force until the new
version is approved)."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.cases.models import CaseMember
from portal.extensions import db
from portal.plans.models import Plan
from tests.conftest import in_app, user
from tests.plans.helpers import (
    ADMIN,
    OTHER_ADMIN,
    OTHER_PSYCHOLOGIST,
    PSYCHOLOGIST,
    REVIEWER,
    SYSADMIN,
    TEACHER,
    case_row,
    count,
    demo_case,
    events,
    flashes,
    goal_fields,
    iso,
    lock_in,
    measure_fields,
    plan,
    plan_fields,
    plan_url,
    plans,
    problem,
    text,
    today,
    transition,
    version,
)

NO_COUNCIL = "Record the prevention council's decision (date and protocol number) before approving."
SELF_APPROVAL = "You wrote part of this plan; another administrator must approve it."
CHANGED_MEANWHILE = "This version has changed meanwhile (someone else acted on it)."
IN_PROGRESS = "A version is already being written or waiting for approval."
FROZEN = "This version can no longer be changed: start a new version instead."


def record_council(browser, case_id: int, protocol: str = "СП-42"):
    return browser.post(f"/cases/{case_id}/council", data={
        "version": str(case_row(case_id).version), "council_date": iso(-1), "council_protocol": protocol,
    })


def start_version(browser, case_id: int):
    response = browser.post(f"/cases/{case_id}/plan/new")
    assert response.status_code == 303, text(response)[:2000]
    return response


def on_team(case_id: int, email: str) -> None:
    """Put a teacher on a case's team (the case page's team form is another helper's subject)."""
    from portal import clock

    with in_app():
        db.session.add(CaseMember(case_id=case_id, user_id=user(email).id, team_role="member", added_at=clock.now()))
        db.session.commit()


# --- submit -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [PSYCHOLOGIST, ADMIN])
def test_psychologist_and_admin_submit_a_draft(as_user, who):
    case_id = demo_case(2)
    draft = version(case_id, 1)
    assert draft.status == "draft"
    response = transition(as_user(who), case_id, draft.id, "submit")
    assert response.status_code == 303
    assert response.headers["Location"] == plan_url(case_id, draft.id)
    after = plan(draft.id)
    assert after.status == "submitted"
    assert after.submitted_at is not None
    assert after.lock_version == draft.lock_version + 1
    assert [e.actor_id for e in events("plan.submit", draft.id)] == [user(who).id]


def test_a_returned_version_is_resubmitted_by_the_psychologist(as_user):
    case_id = demo_case(4)
    returned = version(case_id, 1)
    assert returned.status == "returned"
    assert transition(as_user(PSYCHOLOGIST), case_id, returned.id, "submit").status_code == 303
    assert plan(returned.id).status == "submitted"


@pytest.mark.parametrize("who", [TEACHER, REVIEWER, SYSADMIN])
def test_teacher_reviewer_and_sysadmin_cannot_submit(as_user, who):
    case_id = demo_case(2)
    draft = version(case_id, 1)
    response = transition(as_user(who), case_id, draft.id, "submit")
    assert response.status_code == 403
    assert plan(draft.id).status == "draft"
    assert plan(draft.id).lock_version == draft.lock_version
    assert events("plan.submit") == []


@pytest.mark.parametrize("who", [OTHER_PSYCHOLOGIST, OTHER_ADMIN])
def test_staff_of_another_school_cannot_submit_and_are_told_nothing_exists(as_user, who):
    case_id = demo_case(2)
    draft = version(case_id, 1)
    response = transition(as_user(who), case_id, draft.id, "submit")
    assert response.status_code == 404
    assert plan(draft.id).status == "draft"
    assert events("authz.deny")


def test_a_plan_without_goals_or_measures_cannot_be_submitted(as_user):
    case_id = demo_case(2)
    draft = version(case_id, 1)
    psychologist = as_user(PSYCHOLOGIST)
    for g in draft.goals:
        assert psychologist.post(plan_url(case_id, draft.id, f"/goals/{g.id}/delete")).status_code == 303
    response = transition(psychologist, case_id, draft.id, "submit")
    assert response.status_code == 409
    assert problem(response) == "A plan needs at least one goal and one measure before it is submitted."
    assert plan(draft.id).status == "draft"


def test_submitting_twice_with_the_same_lock_submits_once(as_user):
    case_id = demo_case(2)
    draft = version(case_id, 1)
    psychologist = as_user(PSYCHOLOGIST)
    first = transition(psychologist, case_id, draft.id, "submit", lock=draft.lock_version)
    second = transition(psychologist, case_id, draft.id, "submit", lock=draft.lock_version)
    assert (first.status_code, second.status_code) == (303, 409)
    assert problem(second) == CHANGED_MEANWHILE
    assert len(events("plan.submit", draft.id)) == 1
    assert plan(draft.id).lock_version == draft.lock_version + 1


def test_submit_with_a_garbage_lock_version_is_a_bad_request(as_user):
    case_id = demo_case(2)
    draft = version(case_id, 1)
    psychologist = as_user(PSYCHOLOGIST)
    for lock in ("", "abc", "1.5"):
        response = psychologist.post(plan_url(case_id, draft.id, "/submit"), data={"lock_version": lock})
        assert response.status_code == 400, lock
    assert plan(draft.id).status == "draft"


# --- approve and return -----------------------------------------------------------------------------------------


def test_admin_approves_a_submitted_plan(as_user):
    case_id = demo_case(3)
    submitted = version(case_id, 1)
    assert submitted.status == "submitted"
    assert case_row(case_id).status == "open"
    admin = as_user(ADMIN)
    response = transition(admin, case_id, submitted.id, "approve")
    assert response.status_code == 303
    assert ("success", "The plan is approved and in force.") in flashes(admin, response)
    after = plan(submitted.id)
    assert after.status == "approved"
    assert after.decided_by_id == user(ADMIN).id
    assert after.decided_at is not None
    case = case_row(case_id)
    assert case.status == "active"
    assert case.next_review_date == after.next_review_date
    assert [e.actor_id for e in events("plan.approve", submitted.id)] == [user(ADMIN).id]


def test_the_admin_dashboard_lists_plans_awaiting_approval_until_decided(as_user):
    case_id = demo_case(3)
    submitted = version(case_id, 1)
    admin = as_user(ADMIN)
    link = f'href="{plan_url(case_id, submitted.id)}"'
    assert link in text(admin.get("/"))
    assert transition(admin, case_id, submitted.id, "approve").status_code == 303
    assert link not in text(admin.get("/"))


@pytest.mark.parametrize("action", ["approve", "return"])
@pytest.mark.parametrize("who", [PSYCHOLOGIST, TEACHER, REVIEWER, SYSADMIN])
def test_only_a_school_admin_approves_or_returns(as_user, who, action):
    case_id = demo_case(3)
    submitted = version(case_id, 1)
    response = transition(as_user(who), case_id, submitted.id, action, comment="Переделать.")
    assert response.status_code == 403
    after = plan(submitted.id)
    assert (after.status, after.lock_version, after.decided_by_id) == ("submitted", submitted.lock_version, None)
    assert events(f"plan.{action}") == []


@pytest.mark.parametrize("action", ["approve", "return"])
def test_another_schools_admin_gets_404(as_user, action):
    case_id = demo_case(3)
    submitted = version(case_id, 1)
    response = transition(as_user(OTHER_ADMIN), case_id, submitted.id, action, comment="Переделать.")
    assert response.status_code == 404
    assert plan(submitted.id).status == "submitted"
    denied = events("authz.deny")
    assert denied and denied[-1].actor_id == user(OTHER_ADMIN).id


@pytest.mark.parametrize("status_case", [2, 4, 1])
def test_only_a_submitted_version_can_be_approved(as_user, status_case):
    """A draft (2), a returned version (4) and one already approved (1) answer 409 and stay as they are."""
    case_id = demo_case(status_case)
    target = version(case_id, 1)
    response = transition(as_user(ADMIN), case_id, target.id, "approve")
    assert response.status_code == 409
    assert plan(target.id).status == target.status


def test_approval_needs_the_council_decision(as_user):
    case_id = demo_case(2)
    draft = version(case_id, 1)
    assert case_row(case_id).council_date is None
    assert transition(as_user(PSYCHOLOGIST), case_id, draft.id, "submit").status_code == 303
    admin = as_user(ADMIN)
    page = text(admin.get(plan_url(case_id, draft.id)))
    assert "Record the prevention council's decision on the case page before approving." in html.unescape(page)

    refused = transition(admin, case_id, draft.id, "approve")
    assert refused.status_code == 409
    assert problem(refused) == NO_COUNCIL
    assert plan(draft.id).status == "submitted"
    assert case_row(case_id).status == "open"
    assert events("plan.approve") == []

    assert record_council(admin, case_id).status_code == 303
    assert case_row(case_id).council_protocol == "СП-42"
    approved = transition(admin, case_id, draft.id, "approve")
    assert approved.status_code == 303
    assert plan(draft.id).status == "approved"
    assert case_row(case_id).status == "active"


def test_return_for_revision_needs_a_comment_then_the_plan_is_editable_and_resubmitted(as_user):
    case_id = demo_case(3)
    submitted = version(case_id, 1)
    admin = as_user(ADMIN)
    for empty in ("", "   "):
        response = transition(admin, case_id, submitted.id, "return", comment=empty)
        assert response.status_code == 400
        assert "This field is required." in text(response)
    assert plan(submitted.id).status == "submitted"
    assert events("plan.return") == []

    response = transition(admin, case_id, submitted.id, "return", comment="Уточните сроки второй цели.")
    assert response.status_code == 303
    assert ("success", "The plan is returned for revision.") in flashes(admin, response)
    returned = plan(submitted.id)
    assert returned.status == "returned"
    assert returned.return_comment == "Уточните сроки второй цели."
    assert returned.decided_by_id == user(ADMIN).id

    psychologist = as_user(PSYCHOLOGIST)
    page = text(psychologist.get(plan_url(case_id, submitted.id)))
    assert "Returned for revision: Уточните сроки второй цели." in page
    edit = plan_url(case_id, submitted.id, "/edit")
    saved = psychologist.post(edit, data=plan_fields(lock_in(page, edit), strengths="Исправлено после возврата."))
    assert saved.status_code == 303
    assert plan(submitted.id).strengths == "Исправлено после возврата."

    assert transition(psychologist, case_id, submitted.id, "submit").status_code == 303
    assert plan(submitted.id).status == "submitted"
    # the psychologist (not an admin) wrote it: the admin who returned it may approve the corrected version
    assert transition(admin, case_id, submitted.id, "approve").status_code == 303
    final = plan(submitted.id)
    assert final.status == "approved"
    assert final.return_comment is None


def test_an_overlong_return_comment_is_refused(as_user):
    case_id = demo_case(3)
    submitted = version(case_id, 1)
    response = transition(as_user(ADMIN), case_id, submitted.id, "return", comment="x" * 3001)
    assert response.status_code == 400
    assert plan(submitted.id).status == "submitted"


# --- no self-approval ------------------------------------------------------------------------------------------


def _admin_writes(admin, case_id: int, plan_id: int, how: str) -> None:
    page = text(admin.get(plan_url(case_id, plan_id)))
    if how == "plan fields":
        edit = plan_url(case_id, plan_id, "/edit")
        response = admin.post(edit, data=plan_fields(lock_in(page, edit)))
    elif how == "a goal":
        response = admin.post(plan_url(case_id, plan_id, "/goals"), data=goal_fields())
    elif how == "a measure":
        response = admin.post(plan_url(case_id, plan_id, "/measures"), data=measure_fields(user(TEACHER).id))
    else:  # removes a goal
        response = admin.post(plan_url(case_id, plan_id, f"/goals/{plan(plan_id).goals[0].id}/delete"))
    assert response.status_code == 303, text(response)[:2000]


@pytest.mark.parametrize("how", ["plan fields", "a goal", "a measure", "a removal"])
def test_an_admin_who_edited_the_version_cannot_approve_it_but_another_admin_can(as_user, second_admin, how):
    case_id = demo_case(4)  # returned, council recorded, written by the psychologist
    target = version(case_id, 1)
    admin = as_user(ADMIN)
    _admin_writes(admin, case_id, target.id, how)
    assert user(ADMIN).id in {e.user_id for e in plan(target.id).editors}
    assert transition(as_user(PSYCHOLOGIST), case_id, target.id, "submit").status_code == 303

    page = text(admin.get(plan_url(case_id, target.id)))
    assert "You wrote part of this version; another administrator approves it." in page
    assert plan_url(case_id, target.id, "/approve") not in page

    refused = transition(admin, case_id, target.id, "approve")
    assert refused.status_code == 409
    assert problem(refused) == SELF_APPROVAL
    assert plan(target.id).status == "submitted"
    assert events("plan.approve") == []

    other = as_user(second_admin)
    assert plan_url(case_id, target.id, "/approve") in text(other.get(plan_url(case_id, target.id)))
    assert transition(other, case_id, target.id, "approve").status_code == 303
    after = plan(target.id)
    assert after.status == "approved"
    assert after.decided_by_id == user(second_admin).id


def test_an_admin_who_started_the_version_cannot_approve_it(as_user, second_admin):
    case_id = demo_case(1)
    admin = as_user(ADMIN)
    start_version(admin, case_id)
    draft = version(case_id, 2)
    assert draft.author_id == user(ADMIN).id
    assert transition(admin, case_id, draft.id, "submit").status_code == 303
    refused = transition(admin, case_id, draft.id, "approve")
    assert refused.status_code == 409
    assert problem(refused) == SELF_APPROVAL
    assert plan(draft.id).status == "submitted"
    assert version(case_id, 1).status == "approved"
    assert transition(as_user(second_admin), case_id, draft.id, "approve").status_code == 303
    assert (version(case_id, 1).status, plan(draft.id).status) == ("superseded", "approved")


def test_an_admin_who_only_submitted_may_approve(as_user):
    """Submitting is not writing: the admin who pressed submit (and edited nothing) can approve."""
    case_id = demo_case(4)
    target = version(case_id, 1)
    admin = as_user(ADMIN)
    assert transition(admin, case_id, target.id, "submit").status_code == 303
    assert transition(admin, case_id, target.id, "approve").status_code == 303
    assert plan(target.id).status == "approved"


# --- double click -----------------------------------------------------------------------------------------------


def test_a_double_clicked_approval_approves_once_and_supersedes_once(as_user):
    case_id = demo_case(5)
    v1, v2 = version(case_id, 1), version(case_id, 2)
    assert (v1.status, v2.status) == ("approved", "draft")
    assert transition(as_user(PSYCHOLOGIST), case_id, v2.id, "submit").status_code == 303
    admin = as_user(ADMIN)
    page = text(admin.get(plan_url(case_id, v2.id)))
    lock = lock_in(page, plan_url(case_id, v2.id, "/approve"))

    first = admin.post(plan_url(case_id, v2.id, "/approve"), data={"lock_version": lock})
    second = admin.post(plan_url(case_id, v2.id, "/approve"), data={"lock_version": lock})
    assert first.status_code == 303
    assert second.status_code == 409
    assert problem(second) == CHANGED_MEANWHILE

    assert len(events("plan.approve")) == 1
    assert plan(v2.id).status == "approved"
    old = plan(v1.id)
    assert old.status == "superseded"
    assert old.lock_version == v1.lock_version + 1  # superseded exactly once
    assert [p.status for p in plans(case_id)].count("approved") == 1


def test_approve_after_a_return_with_the_old_lock_is_refused(as_user, second_admin):
    """Two admins on the same submitted plan: one returns it, the other's approve (same page) is refused."""
    case_id = demo_case(3)
    submitted = version(case_id, 1)
    first, second = as_user(ADMIN), as_user(second_admin)
    page = text(second.get(plan_url(case_id, submitted.id)))
    lock = lock_in(page, plan_url(case_id, submitted.id, "/approve"))
    assert transition(first, case_id, submitted.id, "return", comment="Нет мер для родителей.").status_code == 303
    response = second.post(plan_url(case_id, submitted.id, "/approve"), data={"lock_version": lock})
    assert response.status_code == 409
    assert problem(response) == CHANGED_MEANWHILE
    assert plan(submitted.id).status == "returned"
    assert events("plan.approve") == []


def test_approving_from_a_page_opened_before_a_return_and_resubmission_is_refused(as_user, second_admin):
    """The version is 'submitted' again, but not the content the admin read: the old page's approve is refused."""
    case_id = demo_case(3)
    submitted = version(case_id, 1)
    reader = as_user(second_admin)
    old_lock = lock_in(text(reader.get(plan_url(case_id, submitted.id))), plan_url(case_id, submitted.id, "/approve"))
    assert transition(as_user(ADMIN), case_id, submitted.id, "return", comment="Добавьте меры.").status_code == 303
    psychologist = as_user(PSYCHOLOGIST)
    assert psychologist.post(plan_url(case_id, submitted.id, "/measures"),
                             data=measure_fields(user(TEACHER).id)).status_code == 303
    assert transition(psychologist, case_id, submitted.id, "submit").status_code == 303
    assert plan(submitted.id).status == "submitted"

    stale = reader.post(plan_url(case_id, submitted.id, "/approve"), data={"lock_version": old_lock})
    assert stale.status_code == 409
    assert problem(stale) == CHANGED_MEANWHILE
    assert plan(submitted.id).status == "submitted"
    assert transition(reader, case_id, submitted.id, "approve").status_code == 303


# --- versions ---------------------------------------------------------------------------------------------------


def test_approving_v2_supersedes_v1_which_stays_readable(as_user):
    case_id = demo_case(5)
    v1, v2 = version(case_id, 1), version(case_id, 2)
    assert transition(as_user(PSYCHOLOGIST), case_id, v2.id, "submit").status_code == 303
    admin = as_user(ADMIN)
    assert transition(admin, case_id, v2.id, "approve").status_code == 303

    assert (plan(v1.id).status, plan(v2.id).status) == ("superseded", "approved")
    old = admin.get(plan_url(case_id, v1.id))
    assert old.status_code == 200
    assert "This is an old version, kept for the record." in text(old)
    assert "Replaced by a newer version" in text(old)
    assert plan_url(case_id, v1.id, "/edit") not in text(old)
    current = admin.get(f"/cases/{case_id}/plan")
    assert current.status_code == 302
    assert current.headers["Location"] == plan_url(case_id, v2.id)
    assert "In force: version 2" in text(admin.get(f"/cases/{case_id}"))


def test_while_v2_is_written_and_submitted_v1_stays_in_force(as_user):
    case_id = demo_case(5)
    v1, v2 = version(case_id, 1), version(case_id, 2)
    on_team(case_id, TEACHER)
    teacher, psychologist = as_user(TEACHER), as_user(PSYCHOLOGIST)
    v1_tasks = {m.id for m in v1.measures if m.responsible_id == user(TEACHER).id}
    v2_tasks = {m.id for m in v2.measures if m.responsible_id == user(TEACHER).id}
    assert v1_tasks and v2_tasks

    def teacher_sees(expected_plan, expected_tasks, hidden_tasks):
        response = teacher.get(f"/cases/{case_id}/plan")
        assert response.status_code == 302
        assert response.headers["Location"] == plan_url(case_id, expected_plan.id)
        tasks = text(teacher.get("/tasks"))
        for measure_id in expected_tasks:
            assert f'id="measure-{measure_id}"' in tasks
        for measure_id in hidden_tasks:
            assert f'id="measure-{measure_id}"' not in tasks

    # the psychologist lands on the working version, which says v1 stays in force
    assert psychologist.get(f"/cases/{case_id}/plan").headers["Location"] == plan_url(case_id, v2.id)
    assert "Version 1 stays in force until this version is approved." in text(psychologist.get(plan_url(case_id, v2.id)))
    teacher_sees(v1, v1_tasks, v2_tasks)

    assert transition(psychologist, case_id, v2.id, "submit").status_code == 303
    teacher_sees(v1, v1_tasks, v2_tasks)
    assert "In force: version 1" in text(teacher.get(f"/cases/{case_id}"))

    assert transition(as_user(ADMIN), case_id, v2.id, "approve").status_code == 303
    teacher_sees(v2, v2_tasks, v1_tasks)


@pytest.mark.parametrize("number", [2, 3, 4, 5])
def test_a_new_version_is_refused_while_another_is_in_progress(as_user, number):
    case_id = demo_case(number)
    before = [(p.id, p.status) for p in plans(case_id)]
    psychologist = as_user(PSYCHOLOGIST)
    response = psychologist.post(f"/cases/{case_id}/plan/new")
    assert response.status_code == 303
    assert ("error", IN_PROGRESS) in flashes(psychologist, response)
    assert [(p.id, p.status) for p in plans(case_id)] == before
    assert events("plan.create") == []


def test_no_new_version_of_a_closed_case(as_user):
    case_id = demo_case(6)
    before = count(Plan)
    psychologist = as_user(PSYCHOLOGIST)
    response = psychologist.post(f"/cases/{case_id}/plan/new")
    assert ("error", "The case is closed; reopen it first.") in flashes(psychologist, response)
    assert count(Plan) == before


@pytest.mark.parametrize("who, status", [(TEACHER, 403), (REVIEWER, 403), (SYSADMIN, 403), (OTHER_PSYCHOLOGIST, 404)])
def test_only_the_schools_psychologist_and_admin_start_versions(as_user, who, status):
    case_id = demo_case(1)
    before = count(Plan)
    assert as_user(who).post(f"/cases/{case_id}/plan/new").status_code == status
    assert count(Plan) == before


def test_an_approved_version_cannot_be_edited_only_replaced(as_user):
    case_id = demo_case(1)
    approved = version(case_id, 1)
    psychologist = as_user(PSYCHOLOGIST)
    page = text(psychologist.get(plan_url(case_id, approved.id)))
    assert plan_url(case_id, approved.id, "/edit") not in page
    assert plan_url(case_id, approved.id, "/goals") + '"' not in page  # no "add a goal" form

    response = psychologist.post(plan_url(case_id, approved.id, "/edit"),
                                 data=plan_fields(approved.lock_version, strengths="Переписано."))
    assert response.status_code == 409
    assert problem(response) == FROZEN
    g, m = approved.goals[0], approved.measures[0]
    attempts = [
        psychologist.post(plan_url(case_id, approved.id, "/goals"), data=goal_fields()),
        psychologist.post(plan_url(case_id, approved.id, f"/goals/{g.id}"),
                          data=goal_fields(lock_version=str(g.lock_version))),
        psychologist.post(plan_url(case_id, approved.id, f"/goals/{g.id}/delete")),
        psychologist.post(plan_url(case_id, approved.id, "/measures"), data=measure_fields(user(TEACHER).id)),
        psychologist.post(plan_url(case_id, approved.id, f"/measures/{m.id}"),
                          data=measure_fields(user(TEACHER).id, lock_version=str(m.lock_version))),
        psychologist.post(plan_url(case_id, approved.id, f"/measures/{m.id}/delete")),
    ]
    for attempt in attempts:
        assert attempt.status_code == 409
        assert problem(attempt) == FROZEN
    after = plan(approved.id)
    assert after.strengths == approved.strengths
    assert after.lock_version == approved.lock_version
    assert [(x.id, x.what, x.lock_version) for x in after.goals] == [(x.id, x.what, x.lock_version) for x in approved.goals]
    assert [(x.id, x.description) for x in after.measures] == [(x.id, x.description) for x in approved.measures]
    assert events("plan.update") == [] and events("plan.goal_save") == [] and events("plan.measure_delete") == []


@pytest.mark.parametrize("number", [3, 6])
def test_submitted_and_closed_case_versions_cannot_be_edited(as_user, number):
    case_id = demo_case(number)
    target = version(case_id, 1)
    response = as_user(PSYCHOLOGIST).post(plan_url(case_id, target.id, "/edit"),
                                          data=plan_fields(target.lock_version, strengths="Переписано."))
    assert response.status_code == 409
    assert plan(target.id).strengths == target.strengths


def test_a_new_version_copies_goals_and_measures_of_the_plan_in_force(as_user):
    case_id = demo_case(1)
    v1 = version(case_id, 1)
    psychologist = as_user(PSYCHOLOGIST)
    response = start_version(psychologist, case_id)
    v2 = version(case_id, 2)
    assert response.headers["Location"] == plan_url(case_id, v2.id)
    assert v2.status == "draft"
    assert v2.author_id == user(PSYCHOLOGIST).id
    assert (v2.strengths, v2.needs, v2.guardian_involvement) == (v1.strengths, v1.needs, v1.guardian_involvement)
    assert v2.next_review_date == today() + timedelta(weeks=6)

    def goal_key(g):
        return g.what, g.indicator, g.baseline, g.target, g.target_date

    def measure_key(m):
        return m.type, m.description, m.responsible_id, m.frequency, m.start_date, m.end_date

    assert [goal_key(g) for g in v2.goals] == [goal_key(g) for g in v1.goals]
    assert [measure_key(m) for m in v2.measures] == [measure_key(m) for m in v1.measures]
    assert not {g.id for g in v2.goals} & {g.id for g in v1.goals}
    assert not {m.id for m in v2.measures} & {m.id for m in v1.measures}
    assert version(case_id, 1).status == "approved"
    assert [e.object_id for e in events("plan.create")] == [v2.id]

    # editing the copy leaves the version in force alone
    page = text(psychologist.get(plan_url(case_id, v2.id)))
    g = v2.goals[0]
    saved = psychologist.post(plan_url(case_id, v2.id, f"/goals/{g.id}"),
                              data=goal_fields(lock_version=str(g.lock_version), what="Новая формулировка цели"))
    assert saved.status_code == 303
    assert plan(v1.id).goals[0].what == v1.goals[0].what
    assert "Version 1 stays in force until this version is approved." in page


def test_the_first_plan_of_a_case_starts_empty(as_user):
    """A case without any plan: the plan page offers to write one; the first version has no goals yet."""
    case_id = demo_case(2)
    with in_app():
        for p in db.session.scalars(select(Plan).where(Plan.case_id == case_id)):
            db.session.delete(p)
        db.session.commit()
    psychologist = as_user(PSYCHOLOGIST)
    page = psychologist.get(f"/cases/{case_id}/plan")
    assert page.status_code == 200
    assert "No plan yet." in text(page)
    assert f'action="/cases/{case_id}/plan/new"' in text(page)
    start_version(psychologist, case_id)
    first = version(case_id, 1)
    assert (first.status, first.goals, first.measures, first.strengths) == ("draft", [], [], None)
