"""A submission is frozen: the draft cannot be edited any more, the snapshot row cannot be changed or deleted even
in SQL (a trigger, on SQLite and PostgreSQL), and every version stays readable."""

import pytest
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

from portal.escalations.models import EscalationSnapshot
from portal.extensions import db
from tests.conftest import in_app
from tests.escalations.helpers import (
    ADMIN,
    PSYCHOLOGIST,
    REVIEWER,
    act,
    count,
    demo_case,
    demo_escalation,
    edit,
    events,
    load,
    problem,
    snapshot_section,
    snapshots,
    submitted,
    text,
)


def frozen_state(escalation_id: int) -> tuple:
    e = load(escalation_id)
    return (e.status, e.version, e.summary, e.measures_tried, e.requested, e.urgency, e.chronology_keys, e.answer,
            [(s.id, s.number, s.content) for s in snapshots(escalation_id)])


@pytest.mark.parametrize("email", [PSYCHOLOGIST, ADMIN])
@pytest.mark.parametrize("status", ["submitted", "in_review", "accepted", "declined", "closed"])
def test_after_submission_the_draft_cannot_be_edited(as_user, email, status):
    escalation_id = demo_escalation("school1", status)
    before = frozen_state(escalation_id)
    browser = as_user(email)
    page = text(browser.get(f"/escalations/{escalation_id}"))
    assert f'action="/escalations/{escalation_id}/edit"' not in page
    assert f'action="/escalations/{escalation_id}/submit"' not in page
    response = edit(browser, escalation_id, summary="Попытка переписать отправленное.", urgency="urgent")
    assert response.status_code == 409
    assert problem(response) == "This escalation has been submitted and can no longer be changed."
    if email == ADMIN:
        response = act(browser, escalation_id, "submit")
        assert response.status_code == 409
    assert frozen_state(escalation_id) == before


def test_submitting_twice_makes_one_snapshot(as_user):
    escalation_id = demo_escalation("school1", "draft")
    admin = as_user(ADMIN)
    version = load(escalation_id).version
    first = act(admin, escalation_id, "submit", version=version)
    second = act(admin, escalation_id, "submit", version=version)
    assert (first.status_code, second.status_code) == (303, 409)
    assert [s.number for s in snapshots(escalation_id)] == [1]
    assert len(events(escalation_id, "submitted")) == 1


@pytest.mark.parametrize("statement", [
    "UPDATE escalation_snapshots SET content = '{\"summary\": \"rewritten\"}' WHERE id = :id",
    "UPDATE escalation_snapshots SET number = 99 WHERE id = :id",
    "UPDATE escalation_snapshots SET created_at = created_at WHERE id = :id",
    "DELETE FROM escalation_snapshots WHERE id = :id",
    "DELETE FROM escalation_snapshots",
])
def test_a_snapshot_row_cannot_be_updated_or_deleted_even_in_sql(as_user, statement):
    escalation_id = submitted(as_user, demo_case(1))
    [snapshot] = snapshots(escalation_id)
    total = count(EscalationSnapshot)
    with in_app():
        with pytest.raises(DBAPIError) as raised:
            db.session.execute(sql(statement), {"id": snapshot.id})
            db.session.commit()
        db.session.rollback()
    assert "immutable" in str(raised.value)
    [again] = snapshots(escalation_id)
    assert (again.id, again.number, again.created_at, again.content) == (
        snapshot.id, snapshot.number, snapshot.created_at, snapshot.content)
    assert count(EscalationSnapshot) == total
    # and what the reviewer reads is the same
    page = text(as_user(REVIEWER).get(f"/escalations/{escalation_id}"))
    assert snapshot.content["summary"] in snapshot_section(page) and "rewritten" not in page


def test_a_snapshot_cannot_be_changed_through_the_orm_either(as_user):
    escalation_id = demo_escalation("school1", "in_review", snapshots=2)
    before = [(s.number, s.content) for s in snapshots(escalation_id)]
    with in_app():
        first = db.session.get(EscalationSnapshot, snapshots(escalation_id)[0].id)
        first.content = {**first.content, "summary": "rewritten"}
        with pytest.raises(DBAPIError):
            db.session.commit()
        db.session.rollback()
    with in_app():
        second = db.session.get(EscalationSnapshot, snapshots(escalation_id)[1].id)
        db.session.delete(second)
        with pytest.raises(DBAPIError):
            db.session.commit()
        db.session.rollback()
    assert [(s.number, s.content) for s in snapshots(escalation_id)] == before


def test_every_snapshot_version_stays_readable_and_unknown_versions_show_the_latest(as_user):
    escalation_id = demo_escalation("school1", "in_review", snapshots=2)
    first, second = snapshots(escalation_id)
    assert first.content["summary"] != second.content["summary"]
    for email in (REVIEWER, PSYCHOLOGIST, ADMIN):
        browser = as_user(email)
        v1 = snapshot_section(text(browser.get(f"/escalations/{escalation_id}?v=1")))
        v2 = snapshot_section(text(browser.get(f"/escalations/{escalation_id}?v=2")))
        latest = snapshot_section(text(browser.get(f"/escalations/{escalation_id}")))
        assert "Snapshot 1 as received" in v1 and first.content["summary"] in v1 and "Changed since" not in v1
        assert "Snapshot 2 as received" in v2 and second.content["answer"] in v2 and "Changed since version 1" in v2
        assert latest == v2
        for odd in ("3", "0", "-1", "abc", "99999999999999999999"):
            response = browser.get(f"/escalations/{escalation_id}?v={odd}")
            assert response.status_code == 200, odd
            assert snapshot_section(text(response)) == v2, odd
