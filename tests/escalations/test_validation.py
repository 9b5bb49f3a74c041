"""Bad input answers 400 (or 409 where the step is refused) with a message, stores nothing and never 500s:
the draft form, the decision forms, versions, dates; and escalations that must not be created at all."""

import pytest

from portal import clock
from portal.audit.models import AuditEvent
from portal.escalations.models import Escalation, EscalationEvent, EscalationMeasure, EscalationSnapshot
from tests.escalations.helpers import (
    ADMIN,
    PSYCHOLOGIST,
    REVIEWER,
    TEACHER,
    act,
    count,
    demo_case,
    demo_escalation,
    draft_fields,
    edit,
    errors,
    escalations_of_case,
    flashes,
    load,
    measure_rows,
    measures,
    new_draft,
    problem,
    snapshots,
    text,
)

NOT_ALLOWED = "Contains characters that are not allowed."


def everything() -> tuple:
    """Counts of every escalation table and of escalation audit rows: "nothing stored"."""
    return (count(Escalation), count(EscalationSnapshot), count(EscalationMeasure), count(EscalationEvent),
            count(AuditEvent, AuditEvent.action.like("escalation.%"), AuditEvent.action != "escalation.read"))


def row_state(escalation_id: int) -> tuple:
    e = load(escalation_id)
    return (e.status, e.version, e.urgency, e.requested, e.requested_other, e.summary, e.measures_tried,
            e.chronology_keys, e.answer, e.claimed_by_id, e.decided_by_id, e.decision_comment, e.feedback,
            e.helproom_appointment_on, e.helproom_interview_on, len(e.measures))


BAD_DRAFTS = [
    ("empty summary", {"summary": "   "}, "This field is required."),
    ("empty measures tried", {"measures_tried": ""}, "This field is required."),
    ("nothing asked for", {"requested": []}, "Choose at least one."),
    ("other without saying what", {"requested": ["other"], "requested_other": " "}, "Say what else is asked for."),
    ("NUL in the summary", {"summary": "Факты\x00"}, NOT_ALLOWED),
    ("NUL in requested_other", {"requested": ["other"], "requested_other": "Юрист\x00"}, NOT_ALLOWED),
    ("control character", {"measures_tried": "a\x1bb"}, NOT_ALLOWED),
    ("summary too long", {"summary": "я" * 8001}, "Field cannot be longer than 8000 characters."),
    ("requested_other too long", {"requested": ["other"], "requested_other": "x" * 301},
     "Field cannot be longer than 300 characters."),
    ("unknown urgency", {"urgency": "panic"}, "Not a valid choice."),
    ("no urgency", {"urgency": ""}, None),
    ("unknown request", {"requested": ["help_room", "ransom"]}, None),
    ("chronology entry of no case", {"chronology_keys": ["concern:999999"]}, None),
    ("confidential note as an entry", {"chronology_keys": ["confidential:1"]}, None),
]


@pytest.mark.parametrize("label,changes,message", BAD_DRAFTS, ids=[b[0] for b in BAD_DRAFTS])
def test_a_bad_draft_is_refused_with_a_message_and_nothing_is_stored(as_user, label, changes, message):
    case_id = demo_case(1)
    before = everything()
    psychologist = as_user(PSYCHOLOGIST)
    response = new_draft(psychologist, case_id, **changes)
    assert response.status_code == 400, label
    found = errors(response)
    assert found, label
    if message:
        assert message in found, found
    assert "Please correct the marked fields." in text(response)
    assert everything() == before and escalations_of_case(case_id) == []


def test_a_chronology_entry_of_another_childs_case_cannot_be_chosen(as_user):
    own, other = demo_case(1), demo_case(2)
    psychologist = as_user(PSYCHOLOGIST)
    response = new_draft(psychologist, own, chronology_keys=[f"case:{own}", f"case:{other}"])
    assert response.status_code == 400
    assert escalations_of_case(own) == []


@pytest.mark.parametrize("label,changes,message", BAD_DRAFTS, ids=[b[0] for b in BAD_DRAFTS])
def test_a_bad_edit_of_a_draft_is_refused_and_the_draft_is_unchanged(as_user, label, changes, message):
    escalation_id = demo_escalation("school1", "draft")
    before, totals = row_state(escalation_id), everything()
    response = edit(as_user(PSYCHOLOGIST), escalation_id, **changes)
    assert response.status_code == 400, label
    if message:
        assert message in errors(response)
    assert row_state(escalation_id) == before and everything() == totals


@pytest.mark.parametrize("version", [None, "", "abc", "1.5", "-1", "99999999999999999999", "0x10"])
def test_bad_versions_answer_400_on_every_step(as_user, version):
    draft_id = demo_escalation("school1", "draft")
    submitted_id = demo_escalation("school1", "submitted", urgency="standard")
    in_review_id = demo_escalation("school1", "in_review", snapshots=1)
    accepted_id = demo_escalation("school1", "accepted")
    ids = (draft_id, submitted_id, in_review_id, accepted_id)
    before, totals = {i: row_state(i) for i in ids}, everything()

    def post(browser, escalation_id, action, **data):
        if version is not None:
            data["version"] = version
        return browser.post(f"/escalations/{escalation_id}/{action}", data=data)

    psychologist, admin, reviewer = as_user(PSYCHOLOGIST), as_user(ADMIN), as_user(REVIEWER)
    fields = draft_fields(summary="Новый текст")
    fields.pop("version")
    today = clock.local_today().isoformat()
    responses = {
        "edit": post(psychologist, draft_id, "edit", **fields),
        "submit": post(admin, draft_id, "submit"),
        "claim": post(reviewer, submitted_id, "claim"),
        "accept": post(reviewer, in_review_id, "accept", **measure_rows(("Центр", "Иванов И. И.", today))),
        "return": post(reviewer, in_review_id, "return", comment="Уточните."),
        "decline": post(reviewer, in_review_id, "decline", reason="Нет."),
        "helproom": post(reviewer, accepted_id, "helproom", appointment_on=today),
        "close": post(reviewer, accepted_id, "close", feedback="Готово."),
    }
    assert {step: r.status_code for step, r in responses.items()} == dict.fromkeys(responses, 400)
    assert {i: row_state(i) for i in ids} == before and everything() == totals


def test_a_stale_version_of_the_draft_is_refused_and_the_text_is_kept_for_the_user(as_user):
    escalation_id = demo_escalation("school1", "draft")
    psychologist, admin = as_user(PSYCHOLOGIST), as_user(ADMIN)
    version = load(escalation_id).version
    assert edit(admin, escalation_id, version=version, summary="Правка администратора").status_code == 303
    response = edit(psychologist, escalation_id, version=version, summary="Правка психолога, которая опоздала")
    assert response.status_code == 409
    assert problem(response).startswith("Not saved: someone else saved this draft first.")
    assert "Правка психолога, которая опоздала" in text(response)  # kept in the form
    assert load(escalation_id).summary == "Правка администратора" and load(escalation_id).version == version + 1


def test_submitting_without_summary_or_request_is_refused(as_user):
    """A draft saved before the rules (or by another path) with nothing asked for is not sent."""
    from portal.extensions import db
    from tests.conftest import in_app

    escalation_id = demo_escalation("school1", "draft")
    with in_app():
        db.session.get(Escalation, escalation_id).requested = ""
        db.session.commit()
    before = row_state(escalation_id)
    response = act(as_user(ADMIN), escalation_id, "submit")
    assert response.status_code == 409
    assert problem(response) == "Write the summary and choose what is asked for before submitting."
    assert row_state(escalation_id) == before and snapshots(escalation_id) == []


# --- the reviewer's forms ---------------------------------------------------------------------------------------


def accept(browser, escalation_id: int, *rows, **extra):
    return act(browser, escalation_id, "accept", **measure_rows(*rows), **extra)


def test_accept_without_a_complete_measure_is_refused(as_user):
    escalation_id = demo_escalation("school1", "in_review", snapshots=1)
    before, totals = row_state(escalation_id), everything()
    reviewer = as_user(REVIEWER)
    response = accept(reviewer, escalation_id)  # three empty rows
    assert response.status_code in (400, 409)
    assert problem(response) in ("Assign at least one measure: organisation, responsible, deadline.",
                                 "Please correct the marked fields.")
    assert "Assign at least one measure" in text(response) or errors(response)
    assert row_state(escalation_id) == before and everything() == totals


PARTIAL_ROWS = [
    ("organisation only", ("Центр", "", "")),
    ("no deadline", ("Центр", "Иванов И. И.", "")),
    ("no responsible", ("Центр", "", "2030-01-10")),
    ("no organisation", ("", "Иванов И. И.", "2030-01-10")),
    ("deadline only", ("", "", "2030-01-10")),
    ("garbage deadline", ("Центр", "Иванов И. И.", "вчера")),
    ("impossible deadline", ("Центр", "Иванов И. И.", "2030-02-30")),
    ("NUL in organisation", ("Центр\x00", "Иванов И. И.", "2030-01-10")),
    ("organisation too long", ("Ц" * 301, "Иванов И. И.", "2030-01-10")),
]


@pytest.mark.parametrize("label,partial", PARTIAL_ROWS, ids=[p[0] for p in PARTIAL_ROWS])
def test_a_partially_filled_or_bad_measure_row_is_refused_even_next_to_a_complete_one(as_user, label, partial):
    escalation_id = demo_escalation("school1", "in_review", snapshots=1)
    before, totals = row_state(escalation_id), everything()
    reviewer = as_user(REVIEWER)
    response = accept(reviewer, escalation_id, ("Кабинет помощи детям", "Ахметова Г. К.", "2030-01-05"), partial)
    assert response.status_code == 400, label
    assert errors(response), label
    assert row_state(escalation_id) == before and everything() == totals and measures(escalation_id) == []


@pytest.mark.parametrize("appointment", ["garbage", "2030-13-01", "31.12.2030", "2030-01-01\x00"])
def test_accept_with_a_garbage_appointment_date_is_refused(as_user, appointment):
    escalation_id = demo_escalation("school1", "in_review", snapshots=1)
    before, totals = row_state(escalation_id), everything()
    response = accept(as_user(REVIEWER), escalation_id, ("Центр", "Иванов И. И.", "2030-01-10"),
                      appointment_on=appointment)
    assert response.status_code == 400
    assert errors(response)
    assert row_state(escalation_id) == before and everything() == totals


def test_a_measure_deadline_in_the_past_is_refused(as_user):
    from datetime import timedelta

    escalation_id = demo_escalation("school1", "in_review", snapshots=1)
    before, totals = row_state(escalation_id), everything()
    yesterday = clock.local_today() - timedelta(days=1)
    response = accept(as_user(REVIEWER), escalation_id, ("Центр", "Иванов И. И.", yesterday))
    assert response.status_code == 409
    assert problem(response) == "A deadline cannot be in the past."
    assert row_state(escalation_id) == before and everything() == totals and measures(escalation_id) == []


@pytest.mark.parametrize("field", ["appointment_on", "interview_on"])
def test_a_help_room_date_before_the_submission_is_refused(as_user, field):
    from datetime import timedelta

    escalation_id = demo_escalation("school1", "accepted")
    before, totals = row_state(escalation_id), everything()
    first = clock.to_local(load(escalation_id).first_submitted_at).date()
    response = act(as_user(REVIEWER), escalation_id, "helproom", **{field: (first - timedelta(days=1)).isoformat()})
    assert response.status_code == 409
    assert problem(response) == "The date cannot be before the escalation was submitted."
    assert row_state(escalation_id) == before and everything() == totals
    # the day of the submission itself is fine
    response = act(as_user(REVIEWER), escalation_id, "helproom", **{field: first.isoformat()})
    assert response.status_code == 303


HELPROOM = [
    ("garbage appointment", {"appointment_on": "скоро"}, 400),
    ("garbage interview", {"interview_on": "2026-02-31"}, 400),
    ("neither date", {"appointment_on": "", "interview_on": ""}, 409),
    ("interview tomorrow", {"interview_on": "tomorrow"}, 409),
]


@pytest.mark.parametrize("label,data,status", HELPROOM, ids=[h[0] for h in HELPROOM])
def test_bad_help_room_dates_are_refused(as_user, label, data, status):
    escalation_id = demo_escalation("school1", "accepted")
    if data.get("interview_on") == "tomorrow":
        from datetime import timedelta

        data = {**data, "interview_on": (clock.local_today() + timedelta(days=1)).isoformat()}
    before, totals = row_state(escalation_id), everything()
    response = act(as_user(REVIEWER), escalation_id, "helproom", **data)
    assert response.status_code == status, label
    if status == 409:
        assert problem(response) in ("Enter the appointment date or the date the interview was held.",
                                     "The interview date cannot be in the future.")
    else:
        assert errors(response)
    assert row_state(escalation_id) == before and everything() == totals


TEXTS = [
    ("return", "comment", "", "This field is required."),
    ("return", "comment", "x" * 3001, "Field cannot be longer than 3000 characters."),
    ("return", "comment", "Уточните\x00", NOT_ALLOWED),
    ("decline", "reason", "   ", "This field is required."),
    ("decline", "reason", "Нет\x00", NOT_ALLOWED),
]


@pytest.mark.parametrize("action,name,value,message", TEXTS, ids=[f"{t[0]}-{t[3][:20]}" for t in TEXTS])
def test_bad_return_and_decline_texts_are_refused(as_user, action, name, value, message):
    escalation_id = demo_escalation("school1", "in_review", snapshots=1)
    before, totals = row_state(escalation_id), everything()
    response = act(as_user(REVIEWER), escalation_id, action, **{name: value})
    assert response.status_code == 400
    assert message in errors(response)
    assert row_state(escalation_id) == before and everything() == totals


@pytest.mark.parametrize("value,message", [("", "This field is required."),
                                           ("x" * 5001, "Field cannot be longer than 5000 characters."),
                                           ("Сделано\x00", NOT_ALLOWED)])
def test_bad_close_feedback_is_refused(as_user, value, message):
    escalation_id = demo_escalation("school1", "accepted")
    before, totals = row_state(escalation_id), everything()
    response = act(as_user(REVIEWER), escalation_id, "close", feedback=value)
    assert response.status_code == 400
    assert message in errors(response)
    assert row_state(escalation_id) == before and everything() == totals


def test_odd_list_parameters_never_fail(as_user):
    for email in (REVIEWER, ADMIN):
        browser = as_user(email)
        for query in ({"show": "nonsense"}, {"school": "abc"}, {"school": "99999999999999999999"},
                      {"school": "-1"}, {"page": "abc"}, {"page": "99999"}, {"show": "overdue\x00"}):
            response = browser.get("/escalations", query_string=query)
            assert response.status_code in (200, 400, 404), (email, query, response.status_code)


# --- escalations that must not exist ------------------------------------------------------------------------------


def test_a_second_escalation_for_a_case_with_one_in_progress_is_refused(as_user):
    for status in ("draft", "submitted", "in_review", "returned", "accepted"):
        existing = demo_escalation("school1", status)
        case_id = load(existing).case_id
        before = everything()
        psychologist = as_user(PSYCHOLOGIST)
        case_page = text(psychologist.get(f"/cases/{case_id}"))
        assert f'href="/cases/{case_id}/escalations/new"' not in case_page, status
        for method in ("GET", "POST"):
            if method == "GET":
                response = psychologist.get(f"/cases/{case_id}/escalations/new")
            else:
                response = new_draft(psychologist, case_id)
            assert response.status_code == 303, status
            assert response.headers["Location"] == f"/escalations/{existing}"
            assert ("error", "This case already has an escalation in progress.") in flashes(psychologist, response)
        assert [e.id for e in escalations_of_case(case_id)] == [existing] and everything() == before


@pytest.mark.parametrize("status", ["declined", "closed"])
def test_a_case_whose_escalation_is_finished_may_be_escalated_again(as_user, status):
    finished = demo_escalation("school1", status)
    case_id = load(finished).case_id
    psychologist = as_user(PSYCHOLOGIST)
    assert f'href="/cases/{case_id}/escalations/new"' in text(psychologist.get(f"/cases/{case_id}"))
    response = new_draft(psychologist, case_id)
    assert response.status_code == 303
    assert [e.status for e in escalations_of_case(case_id)] == [status, "draft"]


def test_a_closed_case_cannot_be_escalated(as_user):
    case_id = demo_case(6)
    from tests.escalations.helpers import case_row

    assert case_row(case_id).status == "closed"
    before = everything()
    psychologist = as_user(PSYCHOLOGIST)
    assert f'href="/cases/{case_id}/escalations/new"' not in text(psychologist.get(f"/cases/{case_id}"))
    response = new_draft(psychologist, case_id)
    assert response.status_code in (400, 409)
    assert problem(response) == "The case is closed; reopen it before escalating."
    assert escalations_of_case(case_id) == [] and everything() == before


def test_a_teacher_cannot_draft_even_on_their_own_class_case(as_user):
    before = everything()
    response = new_draft(as_user(TEACHER), demo_case(1))
    assert response.status_code == 403
    assert everything() == before


@pytest.mark.parametrize("email,status,action", [
    (PSYCHOLOGIST, "draft", "edit"), (ADMIN, "draft", "submit"), (REVIEWER, "submitted", "claim"),
    (REVIEWER, "accepted", "close"),
])
def test_a_step_without_the_csrf_token_changes_nothing(as_user, email, status, action):
    escalation_id = demo_escalation("school1", status)
    before, totals = row_state(escalation_id), everything()
    browser = as_user(email)
    for token in ("", "forged-token"):
        response = browser.post(f"/escalations/{escalation_id}/{action}",
                                data={**draft_fields(version=str(load(escalation_id).version)),
                                      "feedback": "Готово.", "csrf_token": token})
        assert response.status_code == 400, token
    assert row_state(escalation_id) == before and everything() == totals
