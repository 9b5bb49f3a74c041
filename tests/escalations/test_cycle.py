"""The whole escalation, school side and regional side, over HTTP: draft → submit → claim → return → answer and
resubmit → claim → accept with measures and a help-room appointment → interview held → closed with feedback."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.plans.models import Plan
from tests.conftest import in_app
from tests.escalations.helpers import (
    ADMIN,
    AKMOLA_REVIEWER,
    PSYCHOLOGIST,
    REVIEWER,
    TEACHER,
    act,
    act_from_page,
    audits,
    case_row,
    chronology_choices,
    class_teacher_of,
    demo_case,
    draft,
    edit,
    escalations_of_case,
    events,
    flashes,
    form_html,
    has_form,
    load,
    measure_rows,
    measures,
    notice,
    notifications,
    plain,
    problem,
    rows,
    shown_date,
    shown_datetime,
    snapshot_section,
    snapshots,
    text,
    version_in,
    working_days_after,
)

RETURN_COMMENT = "Приложите заключение психолога и сведения о посещаемости за месяц."
ANSWER = "Заключение психолога приложено; пропуски за месяц: 9 дней."
NEW_SUMMARY = "Школа исчерпала свои меры; за месяц 9 дней пропусков, мать на связь не выходит."
FEEDBACK = "Меры реализованы: ребёнок опрошен в кабинете помощи, семья поставлена на учёт."


def plan_measures_in_force(case_id: int) -> list[str]:
    with in_app():
        plan = db.session.scalar(select(Plan).where(Plan.case_id == case_id, Plan.status == "approved"))
        return [m.description for m in plan.measures]


def test_full_cycle_across_school_and_region(as_user):
    start = clock.now().replace(second=0, microsecond=0)
    clock.freeze(start)
    case_id = demo_case(1)
    the_case = case_row(case_id)
    assert escalations_of_case(case_id) == []
    teacher = class_teacher_of(the_case.student_id)
    assert teacher == TEACHER  # the class teacher is on the team of this case
    school_staff = [PSYCHOLOGIST, ADMIN, teacher]

    # --- the psychologist drafts from the case page, choosing chronology entries
    psychologist = as_user(PSYCHOLOGIST)
    case_page = text(psychologist.get(f"/cases/{case_id}"))
    assert f'href="/cases/{case_id}/escalations/new"' in case_page and "Escalate to the directorate" in case_page
    assert "The child's account was recorded at the help room" not in case_page
    form_page = text(psychologist.get(f"/cases/{case_id}/escalations/new"))
    choices = chronology_choices(form_page)
    chosen = [k for k in choices if k.split(":")[0] in ("concern", "council", "plandecision")]
    left_out = [k for k in choices if k.startswith("log:")]
    assert len(chosen) >= 3 and left_out, choices
    escalation_id = draft(psychologist, case_id, chronology_keys=chosen, requested=["help_room", "psych_centre"])
    url = f"/escalations/{escalation_id}"
    e = load(escalation_id)
    assert (e.status, e.case_id, e.urgency, e.request_codes) == ("draft", case_id, "standard", ["help_room", "psych_centre"])
    assert sorted(e.selected_keys) == sorted(chosen) and e.submitted_at is None and e.due_at is None
    assert [ev.action for ev in events(escalation_id)] == ["created"]
    assert len(audits("escalation.create", escalation_id)) == 1
    assert notifications(ADMIN, "escalation.draft", url)
    assert snapshots(escalation_id) == []
    # the psychologist cannot submit; the reviewer does not see a draft
    assert act(psychologist, escalation_id, "submit").status_code == 403
    assert as_user(REVIEWER).get(url).status_code == 404
    assert load(escalation_id).status == "draft"

    # --- the administrator submits: snapshot 1, deadline, the region's reviewers told
    admin = as_user(ADMIN)
    admin_page = text(admin.get(url))
    assert has_form(admin_page, f"{url}/submit")
    response = admin.post(f"{url}/submit", data={"version": version_in(admin_page, f"{url}/submit")})
    assert response.status_code == 303
    e = load(escalation_id)
    assert e.status == "submitted" and e.submitted_at == start and e.first_submitted_at == start
    assert e.due_at == working_days_after(start, 5)
    [first] = snapshots(escalation_id)
    frozen = dict(first.content)
    assert first.number == 1 and first.created_at == start
    assert frozen["summary"] == e.summary and frozen["measures_tried"] == e.measures_tried
    assert frozen["requested"] == ["help_room", "psych_centre"] and frozen["urgency"] == "standard"
    assert frozen["case"]["grounds"] == the_case.ground_codes and frozen["case"]["risk"] == the_case.risk_level
    assert frozen["case"]["council_protocol"] == the_case.council_protocol
    assert [m["description"] for m in frozen["plan_measures"]] == plan_measures_in_force(case_id)
    assert [entry["what"] for entry in frozen["chronology"]] == [choices[k].split(" — ", 1)[1] for k in chosen]
    assert not any("Measure done" in entry["what"] for entry in frozen["chronology"])
    assert [ev.action for ev in events(escalation_id)] == ["created", "submitted"]
    assert len(notifications(REVIEWER, "escalation.submitted", url)) == 1
    assert notifications(AKMOLA_REVIEWER, link=url) == []
    assert f"decision due {shown_datetime(e.due_at)}" in plain(admin.get(f"/cases/{case_id}"))

    # --- the reviewer sees it in the queue with its deadline, and claims it
    reviewer = as_user(REVIEWER)
    assert "A new escalation has arrived from a school" in text(reviewer.get("/notifications"))
    queue = rows(reviewer)
    assert escalation_id in queue and "overdue" not in queue[escalation_id]
    assert shown_datetime(e.due_at) in plain(reviewer.get("/escalations"))
    page = text(reviewer.get(url))
    assert e.summary in html.unescape(page)
    response = reviewer.post(f"{url}/claim", data={"version": version_in(page, f"{url}/claim")})
    assert response.status_code == 303
    e = load(escalation_id)
    assert e.status == "in_review" and e.claimed_by_id is not None
    assert escalation_id in rows(reviewer, "mine")

    # --- returned for information: the school is told, sees the comment on the page and in the chronology
    response = act_from_page(reviewer, escalation_id, "return", comment=RETURN_COMMENT)
    assert response.status_code == 303
    e = load(escalation_id)
    assert e.status == "returned" and e.decision_comment == RETURN_COMMENT and e.answer is None
    assert [ev.comment for ev in events(escalation_id, "returned")] == [RETURN_COMMENT]
    for email in (PSYCHOLOGIST, ADMIN):
        assert notifications(email, "escalation.decided", url), email
    assert notifications(teacher, link=url) == []
    school_page = plain(psychologist.get(url))
    assert "Returned for information" in school_page and RETURN_COMMENT in school_page
    chronology = plain(psychologist.get(f"/cases/{case_id}/chronology"))
    assert "Returned by the directorate for more information" in chronology and RETURN_COMMENT in chronology
    assert escalation_id not in rows(reviewer)  # no longer waiting for the region

    # resubmitting without answering the question is refused
    response = act(admin, escalation_id, "submit")
    assert response.status_code == 409
    assert problem(response) == "Answer the directorate's question before resubmitting."
    assert len(snapshots(escalation_id)) == 1 and load(escalation_id).status == "returned"

    # --- the school answers and resubmits: snapshot 2, snapshot 1 untouched
    clock.advance(timedelta(hours=2))
    psychologist = as_user(PSYCHOLOGIST)
    edit_page = text(psychologist.get(url))
    assert 'name="answer"' in form_html(edit_page, f"{url}/edit")
    response = edit(psychologist, escalation_id, version=version_in(edit_page, f"{url}/edit"), answer=ANSWER,
                    summary=NEW_SUMMARY)
    assert response.status_code == 303
    assert (load(escalation_id).answer, load(escalation_id).summary) == (ANSWER, NEW_SUMMARY)
    admin = as_user(ADMIN)
    response = act_from_page(admin, escalation_id, "submit")
    assert response.status_code == 303
    resubmitted_at = clock.now()
    e = load(escalation_id)
    assert e.status == "submitted" and e.claimed_by_id is None and e.submitted_at == resubmitted_at
    assert e.first_submitted_at == start and e.due_at == working_days_after(resubmitted_at, 5)
    first_again, second = snapshots(escalation_id)
    assert first_again.content == frozen and first_again.created_at == start
    assert second.number == 2 and second.content["summary"] == NEW_SUMMARY and second.content["answer"] == ANSWER
    assert [ev.comment for ev in events(escalation_id, "resubmitted")] == [ANSWER]
    assert len(notifications(REVIEWER, "escalation.submitted", url)) == 2

    # --- the reviewer reads what changed in version 2; version 1 is still there as it was
    reviewer = as_user(REVIEWER)
    latest = text(reviewer.get(url))
    shown = snapshot_section(latest)
    assert "Snapshot 2 as received by the directorate" in shown
    assert "Changed since version 1: summary, the school's answer" in shown
    assert NEW_SUMMARY in shown and ANSWER in shown
    assert frozen["summary"] in re.search(r"Previous summary</summary>(.*?)</details>", shown, re.S).group(1)
    assert f'href="{url}?v=1"' in latest and f'href="{url}?v=2"' in latest
    older = snapshot_section(text(reviewer.get(url, query_string={"v": 1})))
    assert "Snapshot 1 as received by the directorate" in older
    assert frozen["summary"] in older and NEW_SUMMARY not in older and ANSWER not in older
    assert "Changed since" not in older

    # --- claimed again and, ten minutes later, accepted with two measures and a help-room appointment
    assert act_from_page(reviewer, escalation_id, "claim").status_code == 303
    clock.advance(timedelta(minutes=10))
    today = clock.local_today()
    appointment = today + timedelta(days=3)
    page = text(reviewer.get(url))
    data = {"version": version_in(page, f"{url}/accept"), "appointment_on": appointment.isoformat(),
            **measure_rows(("Кабинет помощи детям, пострадавшим от насилия", "Ахметова Г. К.", today + timedelta(days=7)),
                           ("Центр психологической поддержки", "Сейтқали А. Б.", today + timedelta(days=21)))}
    response = reviewer.post(f"{url}/accept", data=data)
    assert response.status_code == 303
    e = load(escalation_id)
    assert e.status == "accepted" and e.helproom_appointment_on == appointment and e.decided_at == clock.now()
    assert [(m.organisation, m.responsible, m.deadline) for m in measures(escalation_id)] == [
        ("Кабинет помощи детям, пострадавшим от насилия", "Ахметова Г. К.", today + timedelta(days=7)),
        ("Центр психологической поддержки", "Сейтқали А. Б.", today + timedelta(days=21)),
    ]
    assert [ev.on_date for ev in events(escalation_id, "helproom_appointment")] == [appointment]
    decided = events(escalation_id, "accepted")
    assert len(decided) == 1 and decided[0].waited_minutes == 10
    admin = as_user(ADMIN)
    school_view = plain(admin.get(url))
    assert "Accepted, measures assigned" in school_view and "Центр психологической поддержки" in school_view
    assert shown_date(appointment) in school_view

    # --- "interview held" on the (future) appointment date is refused and nothing is stored
    reviewer = as_user(REVIEWER)
    response = act_from_page(reviewer, escalation_id, "helproom", appointment_on=appointment.isoformat(),
                             interview_on=appointment.isoformat())
    assert response.status_code in (400, 409)
    assert problem(response) == "The interview date cannot be in the future."
    assert load(escalation_id).helproom_interview_on is None and events(escalation_id, "helproom_interview") == []
    assert len(audits("escalation.helproom", escalation_id)) == 0
    assert "The child's account was recorded" not in plain(as_user(PSYCHOLOGIST).get(f"/cases/{case_id}"))

    # --- four days later the interview has been held: the notice appears for the school staff
    clock.advance(timedelta(days=4))
    held = appointment
    reviewer = as_user(REVIEWER)
    response = act_from_page(reviewer, escalation_id, "helproom", appointment_on=appointment.isoformat(),
                             interview_on=held.isoformat())
    assert response.status_code == 303
    e = load(escalation_id)
    assert (e.helproom_appointment_on, e.helproom_interview_on) == (appointment, held)
    assert [ev.on_date for ev in events(escalation_id, "helproom_interview")] == [held]
    assert len(events(escalation_id, "helproom_appointment")) == 1  # the unchanged appointment is not repeated
    assert len(audits("escalation.helproom", escalation_id)) == 1
    for email in school_staff:
        browser = as_user(email)
        case_view = browser.get(f"/cases/{case_id}")
        profile = browser.get(f"/students/{the_case.student_id}")
        assert case_view.status_code == 200 and profile.status_code == 200, email
        assert notice(held) in plain(case_view), email
        assert notice(held) in plain(profile), email
    assert notice(held) in plain(as_user(REVIEWER).get(url))
    # staff who have no business with the child do not learn it: another class's teacher, another school
    for email in ("teacher2@school1.demo", "psychologist@school2.demo"):
        browser = as_user(email)
        for path in (f"/cases/{case_id}", f"/students/{the_case.student_id}"):
            response = browser.get(path)
            assert response.status_code == 404, (email, path)
            assert "help room" not in text(response)

    # --- closed with feedback: the school sees it, and so does the chronology
    reviewer = as_user(REVIEWER)
    response = act_from_page(reviewer, escalation_id, "close", feedback=FEEDBACK)
    assert response.status_code == 303
    assert ("success", "Closed; the feedback is sent to the school.") in flashes(reviewer, response)
    e = load(escalation_id)
    assert e.status == "closed" and e.feedback == FEEDBACK and e.closed_at == clock.now()
    psychologist = as_user(PSYCHOLOGIST)
    closed_view = plain(psychologist.get(url))
    assert "Closed with feedback" in closed_view and FEEDBACK in closed_view
    chronology = plain(psychologist.get(f"/cases/{case_id}/chronology"))
    assert "Measures implemented; closed with feedback" in chronology and FEEDBACK in chronology
    steps = [ev.action for ev in events(escalation_id)]
    assert steps == ["created", "submitted", "claimed", "returned", "resubmitted", "claimed", "accepted",
                     "helproom_appointment", "helproom_interview", "closed"]
    # finished: nothing more can be done, and the case may be escalated again
    assert act(reviewer, escalation_id, "claim").status_code == 409
    assert "Escalate to the directorate" in text(psychologist.get(f"/cases/{case_id}"))
    assert notice(held) in plain(psychologist.get(f"/cases/{case_id}"))  # the notice stays after closing


def test_urgent_escalation_is_due_in_24_hours_and_the_school_sees_the_deadline(as_user):
    clock.freeze(clock.now().replace(second=0, microsecond=0))
    escalation_id = draft(as_user(PSYCHOLOGIST), demo_case(1), urgency="urgent")
    admin = as_user(ADMIN)
    assert act_from_page(admin, escalation_id, "submit").status_code == 303
    e = load(escalation_id)
    assert e.due_at == clock.now() + timedelta(hours=24) and snapshots(escalation_id)[0].content["urgency"] == "urgent"
    page = plain(admin.get(f"/escalations/{escalation_id}"))
    assert re.search(rf"Decision due</dt><dd>{re.escape(shown_datetime(e.due_at))}</dd>", page)
    row = rows(as_user(REVIEWER))
    assert list(row).index(escalation_id) < min(
        list(row).index(i) for i in row if load(i).urgency == "standard")  # urgent first
