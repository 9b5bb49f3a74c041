"""Who sees which escalation: reviewers only their region's submitted ones, as snapshots; schools only their own;
teachers and the sysadmin none. Out-of-scope ids answer 404 like missing ones and the denial is audited; nothing a
reviewer reads carries the live case, its notes or a later edit."""

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import clock
from portal.escalations.models import Escalation
from portal.extensions import db
from tests.conftest import in_app
from tests.escalations.helpers import (
    ADMIN,
    AKMOLA_ADMIN,
    AKMOLA_PSYCHOLOGIST,
    AKMOLA_REVIEWER,
    OTHER_ADMIN,
    OTHER_PSYCHOLOGIST,
    OTHER_TEACHER,
    PSYCHOLOGIST,
    REVIEWER,
    SYSADMIN,
    TEACHER,
    act,
    audits,
    case_row,
    chronology_choices,
    demo_case,
    demo_escalation,
    draft,
    edit,
    load,
    measure_rows,
    problem,
    rows,
    school_id,
    snapshot_section,
    snapshots,
    submitted,
    text,
)

REVIEWER_POSTS = {
    "claim": {},
    "accept": {"appointment_on": "", **measure_rows(("Центр", "Иванов И. И.", "2030-01-10"))},
    "return": {"comment": "Нужны документы."},
    "decline": {"reason": "Не в компетенции."},
    "helproom": {"appointment_on": "2026-01-10", "interview_on": ""},
    "close": {"feedback": "Сделано."},
}


def state(escalation_id: int) -> tuple:
    e = load(escalation_id)
    return (e.status, e.version, e.claimed_by_id, e.decided_by_id, e.helproom_appointment_on, e.feedback,
            len(e.measures), len(snapshots(escalation_id)))


def denials(escalation_id: int) -> list:
    return [a for a in audits("authz.deny", escalation_id) if a.object_type == "escalation"]


# --- region isolation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["submitted", "in_review", "accepted", "closed"])
def test_reviewer_of_another_region_gets_404_for_every_read_and_step_and_it_is_audited(as_user, status):
    escalation_id = demo_escalation("school1", status)
    before = state(escalation_id)
    reviewer = as_user(AKMOLA_REVIEWER)

    for path in (f"/escalations/{escalation_id}", f"/escalations/{escalation_id}?v=1"):
        response = reviewer.get(path)
        assert response.status_code == 404, path
    for action, data in REVIEWER_POSTS.items():
        response = act(reviewer, escalation_id, action, **data)
        assert response.status_code == 404, action
    denied = denials(escalation_id)
    assert len(denied) == 2 + len(REVIEWER_POSTS)
    assert {(d.actor_role, d.outcome) for d in denied} == {("regional_reviewer", "denied")}
    assert state(escalation_id) == before
    # the escalation's id never shows up in their lists
    assert escalation_id not in rows(reviewer, "all")


def test_reviewers_never_see_drafts_even_of_their_own_region(as_user):
    escalation_id = demo_escalation("school1", "draft")
    before = state(escalation_id)
    reviewer = as_user(REVIEWER)
    assert reviewer.get(f"/escalations/{escalation_id}").status_code == 404
    for action, data in REVIEWER_POSTS.items():
        assert act(reviewer, escalation_id, action, **data).status_code == 404, action
    assert len(denials(escalation_id)) == 1 + len(REVIEWER_POSTS)
    assert state(escalation_id) == before
    for show in ("all", "drafts", "queue", "open"):
        assert escalation_id not in rows(reviewer, show), show
    with in_app():
        drafts = db.session.scalars(select(Escalation.id).where(Escalation.status == "draft")).all()
    listed = rows(reviewer, "all")
    assert listed and not set(drafts) & set(listed)


def test_the_queue_of_each_reviewer_holds_only_their_region(as_user):
    school3 = school_id("school3")
    with in_app():
        expected_queue = set(db.session.scalars(select(Escalation.id).where(
            Escalation.school_id == school3, Escalation.status.in_(("submitted", "in_review")))))
        expected_all = set(db.session.scalars(select(Escalation.id).where(
            Escalation.school_id == school3, Escalation.status != "draft")))
    assert len(expected_queue) == 4 and len(expected_all) == 8
    akmola = as_user(AKMOLA_REVIEWER)
    assert set(rows(akmola)) == expected_queue
    assert set(rows(akmola, "all")) == expected_all
    # a school of another region in the filter is ignored, never widening the scope
    assert set(rows(akmola, "all", school_id("school1"))) == expected_all
    page = text(akmola.get("/escalations", query_string={"show": "all"}))
    assert "№ 1 " not in page and "№ 2 " not in page
    overview = text(akmola.get("/escalations/overview"))
    assert "№ 3 " in overview and "№ 1 " not in overview and "№ 2 " not in overview

    astana = as_user(REVIEWER)
    astana_all = set(rows(astana, "all"))
    assert astana_all and not astana_all & expected_all
    assert {load(i).school_id for i in astana_all} == {school_id("school1"), school_id("school2")}


@pytest.mark.parametrize("email", [OTHER_PSYCHOLOGIST, OTHER_ADMIN, AKMOLA_PSYCHOLOGIST, AKMOLA_ADMIN])
def test_staff_of_another_school_get_404_for_its_escalations(as_user, email):
    draft_id = demo_escalation("school1", "draft")
    returned_id = demo_escalation("school1", "returned")
    submitted_id = demo_escalation("school1", "submitted", urgency="standard")
    before = {i: state(i) for i in (draft_id, returned_id, submitted_id)}
    browser = as_user(email)
    for escalation_id in (draft_id, returned_id, submitted_id):
        assert browser.get(f"/escalations/{escalation_id}").status_code == 404
        assert edit(browser, escalation_id, summary="Чужая правка").status_code == 404
    assert browser.get(f"/cases/{demo_case(1)}/escalations/new").status_code == 404
    if "admin" in email:
        for escalation_id in (draft_id, returned_id):
            assert act(browser, escalation_id, "submit").status_code == 404
    assert {i: state(i) for i in before} == before
    assert load(draft_id).summary != "Чужая правка"
    assert all(denials(i) for i in before)
    assert not set(rows(browser, "all")) & set(before)


@pytest.mark.parametrize("email", [TEACHER, OTHER_TEACHER, SYSADMIN])
def test_teachers_and_the_sysadmin_get_403_for_escalations(as_user, email):
    escalation_id = demo_escalation("school1", "submitted", urgency="standard")
    browser = as_user(email)
    for path in ("/escalations", f"/escalations/{escalation_id}", "/escalations/overview",
                 f"/cases/{demo_case(1)}/escalations/new"):
        assert browser.get(path).status_code == 403, path
    for action in ("edit", "submit", *REVIEWER_POSTS):
        assert act(browser, escalation_id, action).status_code == 403, action
    home = text(browser.get("/"))
    assert 'href="/escalations"' not in home


def test_school_staff_cannot_take_the_reviewers_steps_and_reviewers_cannot_take_the_schools(as_user):
    escalation_id = demo_escalation("school1", "submitted", urgency="standard")
    draft_id = demo_escalation("school1", "draft")
    before = state(escalation_id), state(draft_id)
    for email in (PSYCHOLOGIST, ADMIN):
        browser = as_user(email)
        for action, data in REVIEWER_POSTS.items():
            assert act(browser, escalation_id, action, **data).status_code == 403, (email, action)
        assert browser.get("/escalations/overview").status_code == 403
    assert act(as_user(PSYCHOLOGIST), draft_id, "submit").status_code == 403
    reviewer = as_user(REVIEWER)
    assert edit(reviewer, escalation_id, summary="Правка из региона").status_code == 403
    assert act(reviewer, escalation_id, "submit").status_code == 403
    assert reviewer.get(f"/cases/{case_row(load(escalation_id).case_id).id}/escalations/new").status_code == 403
    assert (state(escalation_id), state(draft_id)) == before


# --- reviewers read snapshots only -----------------------------------------------------------------------------


def test_confidential_and_team_notes_and_later_edits_never_reach_the_reviewer(as_user):
    canary = f"CANARY-{uuid.uuid4().hex}"
    case_id = demo_case(1)
    the_case = case_row(case_id)
    psychologist = as_user(PSYCHOLOGIST)
    # written before the escalation: the snapshot is built while these notes exist
    assert psychologist.post(f"/cases/{case_id}/confidential-notes",
                             data={"confidential-text": f"{canary} конфиденциально"}).status_code == 303
    assert psychologist.post(f"/cases/{case_id}/notes", data={"text": f"{canary} заметка команды"}).status_code == 303
    case_page = text(psychologist.get(f"/cases/{case_id}"))
    assert case_page.count(canary) == 2  # the notes are really there for the school
    every_entry = list(chronology_choices(text(psychologist.get(f"/cases/{case_id}/escalations/new"))))
    assert every_entry and not any(canary in key for key in every_entry)
    escalation_id = draft(psychologist, case_id, chronology_keys=every_entry)
    assert act(as_user(ADMIN), escalation_id, "submit").status_code == 303

    # written after submission: notes, and an attempt to change the submitted draft
    psychologist = as_user(PSYCHOLOGIST)
    assert psychologist.post(f"/cases/{case_id}/confidential-notes",
                             data={"confidential-text": f"{canary} после отправки"}).status_code == 303
    assert psychologist.post(f"/cases/{case_id}/notes", data={"text": f"{canary} после отправки"}).status_code == 303
    before = load(escalation_id)
    response = edit(psychologist, escalation_id, summary=f"{canary} новый текст", answer=canary)
    assert response.status_code == 409
    assert problem(response) == "This escalation has been submitted and can no longer be changed."
    after = load(escalation_id)
    assert (after.summary, after.answer, after.version) == (before.summary, before.answer, before.version)
    assert canary not in json.dumps(snapshots(escalation_id)[0].content, ensure_ascii=False)

    reviewer = as_user(REVIEWER)
    page = text(reviewer.get(f"/escalations/{escalation_id}"))
    assert before.summary in page  # the page does show the snapshot
    pages = {"escalation": page, "v1": text(reviewer.get(f"/escalations/{escalation_id}?v=1"))}
    for show in ("queue", "all", "overdue", "mine", "decided_month"):
        pages[f"list {show}"] = text(reviewer.get("/escalations", query_string={"show": show}))
    pages["overview"] = text(reviewer.get("/escalations/overview"))
    pages["dashboard"] = text(reviewer.get("/"))
    pages["notifications"] = text(reviewer.get("/notifications"))
    # claimed and decided, the decision pages too
    assert act(reviewer, escalation_id, "claim").status_code == 303
    pages["in review"] = text(reviewer.get(f"/escalations/{escalation_id}"))
    for name, body in pages.items():
        assert canary not in body, name
    # never the live case or the student's profile
    for path in (f"/cases/{case_id}", f"/students/{the_case.student_id}", f"/cases/{case_id}/chronology",
                 f"/cases/{case_id}/escalations/new"):
        response = reviewer.get(path)
        assert response.status_code in (403, 404), path
        assert canary not in text(response)


def test_changing_the_live_case_after_submission_does_not_change_what_the_reviewer_reads(as_user):
    clock.freeze(clock.now().replace(microsecond=0))
    case_id = demo_case(1)
    escalation_id = submitted(as_user, case_id)
    frozen = snapshots(escalation_id)[0].content
    reviewer = as_user(REVIEWER)
    before = text(reviewer.get(f"/escalations/{escalation_id}"))
    assert "<dt>Risk level</dt><dd>High</dd>" in before

    # the school works on: risk lowered, the student moves class, a note, a plan measure done
    from portal.students.models import Student

    with in_app():
        live = db.session.get(type(case_row(case_id)), case_id)
        live.risk_level = "low"
        pupil = db.session.get(Student, live.student_id)
        old_class, pupil.class_name = pupil.class_name, "11Я"
        db.session.commit()
    clock.advance(timedelta(minutes=1))
    assert as_user(PSYCHOLOGIST).post(f"/cases/{case_id}/notes", data={"text": "Новая запись команды"}).status_code == 303

    after = text(as_user(REVIEWER).get(f"/escalations/{escalation_id}"))
    assert snapshot_section(after) == snapshot_section(before)
    assert "<dt>Risk level</dt><dd>High</dd>" in after and "11Я" not in after and f", {old_class} (" in after
    assert "Новая запись команды" not in after
    assert snapshots(escalation_id)[0].content == frozen

