"""Races on PostgreSQL (SECURITY.md, Integrity): transitions are conditional updates, stale saves answer 409.

Fifty browsers, each with its own logged-in session, send the same request at the same moment (a barrier): the
same transition with the same version, or different values for the same field with the same lock version.
Exactly one wins (303), every other one answers 409, the transition is audited once, and the stored value is the
winner's (no lost update). Each race is repeated CONCURRENCY_TRIALS times (default 3) on the same object, put back
in its starting state between trials for the transitions.

These tests need real parallel transactions, so they run on PostgreSQL only (the suite's second leg).
"""

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from portal import create_app
from portal.clock import local_today
from portal.extensions import db, limiter
from tests import conftest
from tests.conftest import PG_URL, Browser, audit_actions, base_config, concern_of, in_app
from tests.security.states import case_in_state, plan_in_state
from tests.security.test_access_matrix import _escalation_of

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: SQLite serialises writers")

PARALLEL = int(os.environ.get("CONCURRENCY_PARALLEL", "50"))
TRIALS = int(os.environ.get("CONCURRENCY_TRIALS", "3"))


@pytest.fixture
def app(template_db):
    """conftest's `app`, with a connection pool for fifty requests at once and room for fifty logins."""
    url = template_db()
    application = create_app({
        **base_config(url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": PARALLEL + 10, "max_overflow": 10, "pool_pre_ping": True},
        "LOGIN_LIMIT_PER_IP": "10000 per minute",
        "LOGIN_LIMIT_GLOBAL": "10000 per minute",
    })
    conftest._current["app"] = application
    with application.app_context():
        limiter.reset()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    conftest._current.clear()
    template_db.drop(url)


def _browsers(app, email: str, count: int = PARALLEL) -> list[tuple[Browser, str]]:
    """`count` separate sessions of one account (logged in one after the other), each with its CSRF token."""
    browsers = []
    for _ in range(count):
        browser = Browser(app, app.test_client())
        response = browser.login(email)
        assert response.status_code == 303, f"login {email}: {response.status_code}"
        browsers.append((browser, browser.csrf("/account")))
    return browsers


def _race(browsers, path: str, forms: list[dict]) -> list[int]:
    """Every browser POSTs at the same moment; the answers' status codes, in browser order."""
    barrier = threading.Barrier(len(browsers))
    results: list = [None] * len(browsers)

    def send(index: int) -> None:
        browser, token = browsers[index]
        data = {**forms[index], "csrf_token": token}
        try:
            barrier.wait(timeout=60)
            response = browser.client.post(path, data=data)
            results[index] = response.status_code
            response.close()
        except Exception as error:  # noqa: BLE001 - reported in the assertion below
            results[index] = error

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    errors = [r for r in results if not isinstance(r, int)]
    assert not errors, f"requests failed: {errors[:3]}"
    return results


def _one_winner(statuses: list[int], what: str) -> int:
    """Exactly one 303, every other answer 409; the winner's index."""
    winners = [i for i, status in enumerate(statuses) if status == 303]
    others = sorted({s for s in statuses if s != 303})
    assert len(winners) == 1, f"{what}: {len(winners)} requests won ({statuses})"
    assert others == [409], f"{what}: the losers answered {others}, not only 409"
    return winners[0]


def _count(action: str) -> int:
    return len(audit_actions(action))


def _set(model, object_id: int, **values) -> None:
    with in_app():
        db.session.execute(update(model).where(model.id == object_id).values(**values))
        db.session.commit()


def _get(model, object_id: int):
    with in_app():
        row = db.session.get(model, object_id)
        db.session.expunge(row)
        return row


def _report(name: str, trials: int, statuses: list[list[int]], lost: int) -> None:
    sent = sum(len(s) for s in statuses)
    wins = sum(s.count(303) for s in statuses)
    print(f"\nconcurrency {name}: {trials} trials × {PARALLEL} parallel requests = {sent} requests, "
          f"{wins} won, {sent - wins} answered 409, lost updates {lost}")


def _transition_races(app, *, name, email, path, model, object_id, version, fields, action, expect, reset):
    """TRIALS races of PARALLEL identical transitions on one object: one wins, one audit event, state as expected.

    `version` names the object's version column (also the form field); `expect` the attributes after the
    transition (None: must be set); `reset` puts the object back in its starting state for the next trial.
    """
    browsers = _browsers(app, email)
    all_statuses = []
    for trial in range(TRIALS):
        if trial:
            _set(model, object_id, **reset)
        current = getattr(_get(model, object_id), version)
        before = _count(action)
        statuses = _race(browsers, path, [{**fields, version: current}] * len(browsers))
        all_statuses.append(statuses)
        _one_winner(statuses, f"{name}, trial {trial + 1}")
        assert _count(action) == before + 1, f"{name}: {_count(action) - before} {action} audit events"
        after = _get(model, object_id)
        assert getattr(after, version) == current + 1, f"{name}: version {current} → {getattr(after, version)}"
        for attribute, value in expect.items():
            got = getattr(after, attribute)
            assert (got is not None) if value is None else got == value, f"{name}: {attribute} is {got!r}"
    _report(name, TRIALS, all_statuses, 0)


def test_fifty_parallel_approvals_approve_once(app):
    from portal.plans.models import Plan

    plan = plan_in_state("submitted")
    _transition_races(
        app, name="plan approve", email="admin@school1.demo",
        path=f"/cases/{plan['case_id']}/plan/{plan['plan_id']}/approve",
        model=Plan, object_id=plan["plan_id"], version="lock_version", fields={}, action="plan.approve",
        expect={"status": "approved", "decided_by_id": None},
        reset={"status": "submitted", "decided_at": None, "decided_by_id": None},
    )


def test_fifty_parallel_acknowledgements_acknowledge_once(app):
    from portal.concerns.models import Concern

    concern = concern_of("school1", status="submitted")
    _transition_races(
        app, name="concern acknowledge", email="psychologist@school1.demo",
        path=f"/concerns/{concern.id}/acknowledge",
        model=Concern, object_id=concern.id, version="version", fields={}, action="concern.acknowledge",
        expect={"status": "acknowledged", "acknowledged_by_id": None},
        reset={"status": "submitted", "acknowledged_at": None, "acknowledged_by_id": None},
    )


def test_fifty_parallel_claims_claim_once(app):
    from portal.escalations.models import Escalation

    escalation_id = _escalation_of("school1", "submitted")
    _transition_races(
        app, name="escalation claim", email="reviewer@astana.demo",
        path=f"/escalations/{escalation_id}/claim",
        model=Escalation, object_id=escalation_id, version="version", fields={}, action="escalation.claim",
        expect={"status": "in_review", "claimed_by_id": None},
        reset={"status": "submitted", "claimed_by_id": None, "claimed_at": None},
    )


def test_fifty_parallel_closes_close_once(app):
    from portal.cases.models import CLOSE_OUTCOMES, SupportCase

    case_id = case_in_state("active")["case_id"]
    _transition_races(
        app, name="case close", email="psychologist@school1.demo",
        path=f"/cases/{case_id}/close",
        model=SupportCase, object_id=case_id, version="version",
        fields={"outcome": CLOSE_OUTCOMES[0][0], "reason": "Closed in a race."}, action="case.close",
        expect={"status": "closed", "close_outcome": CLOSE_OUTCOMES[0][0], "closed_at": None},
        reset={"status": "active", "closed_at": None, "close_outcome": None, "close_reason": None},
    )


def _edit_races(app, *, name, path, model, object_id, field, fields_for, action):
    """TRIALS races of PARALLEL saves of different values with the same lock version: one is stored, whole."""
    browsers = _browsers(app, "psychologist@school1.demo")
    all_statuses, lost = [], 0
    for trial in range(TRIALS):
        lock = _get(model, object_id).lock_version
        values = [f"{name} trial {trial + 1}, browser {i + 1}" for i in range(len(browsers))]
        before = _count(action)
        statuses = _race(browsers, path, [{**fields_for(v), "lock_version": lock} for v in values])
        all_statuses.append(statuses)
        winner = _one_winner(statuses, f"{name}, trial {trial + 1}")
        stored = _get(model, object_id)
        if getattr(stored, field) != values[winner]:
            lost += 1
            print(f"lost update in {name}, trial {trial + 1}: stored {getattr(stored, field)!r}, "
                  f"the winner sent {values[winner]!r}")
        assert stored.lock_version == lock + 1, f"{name}: lock version {lock} → {stored.lock_version}"
        assert _count(action) == before + 1, f"{name}: {_count(action) - before} {action} audit events"
    _report(name, TRIALS, all_statuses, lost)
    assert lost == 0, f"{name}: {lost} lost updates"


def test_parallel_stale_plan_edits_keep_the_winner(app):
    from portal.plans.models import Plan

    plan = plan_in_state("draft")
    review = (local_today() + timedelta(weeks=4)).isoformat()
    _edit_races(
        app, name="plan edit", path=f"/cases/{plan['case_id']}/plan/{plan['plan_id']}/edit", model=Plan,
        object_id=plan["plan_id"], field="strengths", action="plan.update",
        fields_for=lambda value: {"strengths": value, "needs": "Needs.", "guardian_involvement": "Weekly calls.",
                                  "next_review_date": review},
    )


def test_parallel_stale_goal_edits_keep_the_winner(app):
    from portal.plans.models import Goal

    plan = plan_in_state("draft")
    target_date = (local_today() + timedelta(days=60)).isoformat()
    _edit_races(
        app, name="goal edit", path=f"/cases/{plan['case_id']}/plan/{plan['plan_id']}/goals/{plan['goal_id']}",
        model=Goal, object_id=plan["goal_id"], field="what", action="plan.goal_save",
        fields_for=lambda value: {"what": value, "indicator": "Absences a month", "baseline": "6", "target": "0",
                                  "target_date": target_date},
    )
