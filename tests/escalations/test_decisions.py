"""Exactly one decision per submission: two reviewers claiming at once, a double click on "accept", a reviewer
who did not claim, and steps out of order all leave the escalation changed once, with one event and one audit row."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from portal import clock
from portal.escalations.models import EscalationMeasure
from tests.conftest import user
from tests.escalations.helpers import (
    ADMIN,
    PSYCHOLOGIST,
    REVIEWER,
    REVIEWER2,
    act,
    audits,
    count,
    demo_escalation,
    events,
    load,
    measure_rows,
    measures,
    notifications,
    problem,
    text,
    version_in,
)

STALE = "This escalation has changed meanwhile (someone else acted on it). Nothing was saved; check the page."
TAKEN = "Another reviewer has taken this escalation into review."


def accept_data(version, rows=None) -> dict:
    today = clock.local_today()
    rows = rows or [("Кабинет помощи детям", "Ахметова Г. К.", today + timedelta(days=7)),
                    ("Отдел опеки", "Смагулов Е. Т.", today + timedelta(days=14))]
    return {"version": str(version), "appointment_on": "", **measure_rows(*rows)}


def test_two_reviewers_claiming_the_same_version_one_wins(as_user, second_reviewer):
    escalation_id = demo_escalation("school1", "submitted", urgency="standard")
    url = f"/escalations/{escalation_id}"
    first, second = as_user(REVIEWER), as_user(second_reviewer)
    # both open the page and see the same version in the claim form
    v1 = version_in(text(first.get(url)), f"{url}/claim")
    v2 = version_in(text(second.get(url)), f"{url}/claim")
    assert v1 == v2 == str(load(escalation_id).version)
    responses = [second.post(f"{url}/claim", data={"version": v2}), first.post(f"{url}/claim", data={"version": v1})]
    assert sorted(r.status_code for r in responses) == [303, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert problem(loser) == STALE
    e = load(escalation_id)
    assert e.status == "in_review" and e.claimed_by_id == user(second_reviewer).id
    assert e.version == int(v1) + 1
    assert len(audits("escalation.claim", escalation_id)) == 1
    assert len(events(escalation_id, "claimed")) == 1
    assert events(escalation_id, "claimed")[0].actor_id == user(second_reviewer).id
    # the page of the one who lost says who has it and offers no decision
    page = text(first.get(url))
    assert "In review — Дана Сулейменова" in page and f'action="{url}/accept"' not in page


def test_a_reviewer_who_did_not_claim_cannot_decide(as_user, second_reviewer):
    escalation_id = demo_escalation("school1", "in_review", snapshots=1)  # claimed by reviewer@astana.demo
    before = load(escalation_id)
    other = as_user(second_reviewer)
    page = text(other.get(f"/escalations/{escalation_id}"))
    assert f'action="/escalations/{escalation_id}/accept"' not in page
    for action, data in (("accept", accept_data(before.version)), ("return", {"comment": "Нужны документы."}),
                         ("decline", {"reason": "Не в компетенции."})):
        data.setdefault("version", str(before.version))
        response = other.post(f"/escalations/{escalation_id}/{action}", data=data)
        assert response.status_code == 409, action
        assert problem(response) == TAKEN, action
    # nor claim it from under the first reviewer
    assert act(other, escalation_id, "claim").status_code == 409
    after = load(escalation_id)
    assert (after.status, after.version, after.claimed_by_id, after.decided_by_id, after.decision_comment) == (
        "in_review", before.version, before.claimed_by_id, None, None)
    assert measures(escalation_id) == [] and events(escalation_id, "accepted") == []
    assert audits("escalation.accept", escalation_id) == [] and audits("escalation.return", escalation_id) == []


def test_an_unclaimed_escalation_cannot_be_decided(as_user):
    escalation_id = demo_escalation("school1", "submitted", urgency="standard")
    before = load(escalation_id)
    reviewer = as_user(REVIEWER)
    for action, data in (("accept", accept_data(before.version)), ("return", {"comment": "Нужны документы."}),
                         ("decline", {"reason": "Не в компетенции."}), ("close", {"feedback": "Готово."}),
                         ("helproom", {"appointment_on": clock.local_today().isoformat()})):
        data.setdefault("version", str(before.version))
        response = reviewer.post(f"/escalations/{escalation_id}/{action}", data=data)
        assert response.status_code == 409, action
        assert problem(response), action
    after = load(escalation_id)
    assert (after.status, after.version, after.decided_by_id) == ("submitted", before.version, None)
    assert measures(escalation_id) == []


def test_double_click_on_accept_accepts_once(as_user):
    escalation_id = demo_escalation("school1", "in_review", snapshots=1)
    url = f"/escalations/{escalation_id}"
    reviewer = as_user(REVIEWER)
    version = version_in(text(reviewer.get(url)), f"{url}/accept")
    staff_told = {email: len(notifications(email, "escalation.decided", url)) for email in (PSYCHOLOGIST, ADMIN)}
    total = count(EscalationMeasure)
    first = reviewer.post(f"{url}/accept", data=accept_data(version))
    second = reviewer.post(f"{url}/accept", data=accept_data(version))
    assert (first.status_code, second.status_code) == (303, 409)
    assert problem(second) == STALE
    e = load(escalation_id)
    assert e.status == "accepted" and e.version == int(version) + 1
    assert [m.organisation for m in measures(escalation_id)] == ["Кабинет помощи детям", "Отдел опеки"]
    assert count(EscalationMeasure) == total + 2
    assert len(events(escalation_id, "accepted")) == 1 and len(audits("escalation.accept", escalation_id)) == 1
    assert {email: len(notifications(email, "escalation.decided", url)) for email in staff_told} == {
        email: n + 1 for email, n in staff_told.items()}


@pytest.mark.parametrize("first,then", [("accept", "decline"), ("decline", "accept"), ("return", "accept"),
                                        ("decline", "return")])
def test_one_decision_per_submission_whatever_is_clicked_second(as_user, first, then):
    escalation_id = demo_escalation("school1", "in_review", snapshots=1)
    reviewer = as_user(REVIEWER)
    version = load(escalation_id).version
    forms = {"accept": accept_data(version), "return": {"version": str(version), "comment": "Уточните сведения."},
             "decline": {"version": str(version), "reason": "Не в компетенции управления."}}
    assert reviewer.post(f"/escalations/{escalation_id}/{first}", data=forms[first]).status_code == 303
    # the same page, another button: the version it carries is stale now
    assert reviewer.post(f"/escalations/{escalation_id}/{then}", data=forms[then]).status_code == 409
    statuses = {"accept": "accepted", "return": "returned", "decline": "declined"}
    e = load(escalation_id)
    assert e.status == statuses[first] and e.version == version + 1
    decisions = [ev.action for ev in events(escalation_id) if ev.action in statuses.values()]
    assert decisions == [statuses[first]]
    assert len(measures(escalation_id)) == (2 if first == "accept" else 0)
    # and with a fresh version, a finished decision cannot be replaced either
    assert act(reviewer, escalation_id, then, **{k: v for k, v in forms[then].items() if k != "version"}
               ).status_code == 409
    assert load(escalation_id).status == statuses[first]


def test_closing_twice_and_closing_a_declined_escalation_are_refused(as_user):
    accepted = demo_escalation("school1", "accepted")
    declined = demo_escalation("school1", "declined")
    reviewer = as_user(REVIEWER)
    version = load(accepted).version
    first = act(reviewer, accepted, "close", version=version, feedback="Меры реализованы.")
    second = act(reviewer, accepted, "close", version=version, feedback="Второй раз.")
    assert (first.status_code, second.status_code) == (303, 409)
    assert load(accepted).feedback == "Меры реализованы." and len(events(accepted, "closed")) == 1
    assert act(reviewer, declined, "close", feedback="Не положено.").status_code == 409
    assert load(declined).status == "declined" and load(declined).feedback is None


def _at_once(requests) -> list[int]:
    """Run (browser, path, data) POSTs in threads released together; their status codes."""
    barrier = threading.Barrier(len(requests))

    def run(browser, path, data):
        barrier.wait()
        return browser.client.post(path, data=data).status_code

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(lambda r: run(*r), requests))


def test_simultaneous_claims_and_accepts_change_the_escalation_once(as_user, second_reviewer):
    escalation_id = demo_escalation("school2", "submitted", urgency="standard")
    url = f"/escalations/{escalation_id}"
    version = str(load(escalation_id).version)
    browsers = [as_user(REVIEWER) for _ in range(3)] + [as_user(second_reviewer) for _ in range(3)]
    tokens = [b.csrf("/account") for b in browsers]
    codes = _at_once([(b, f"{url}/claim", {"version": version, "csrf_token": t}) for b, t in zip(browsers, tokens, strict=True)])
    assert sorted(codes) == [303] + [409] * 5, codes
    e = load(escalation_id)
    assert e.status == "in_review" and e.version == int(version) + 1
    assert len(events(escalation_id, "claimed")) == 1 and len(audits("escalation.claim", escalation_id)) == 1

    owner = REVIEWER2 if e.claimed_by_id == user(second_reviewer).id else REVIEWER
    mine = [as_user(owner) for _ in range(4)]
    data = accept_data(e.version)
    codes = _at_once([(b, f"{url}/accept", {**data, "csrf_token": b.csrf("/account")}) for b in mine])
    assert sorted(codes) == [303, 409, 409, 409], codes
    assert load(escalation_id).status == "accepted"
    assert len(measures(escalation_id)) == 2 and len(events(escalation_id, "accepted")) == 1
    assert len(audits("escalation.accept", escalation_id)) == 1
