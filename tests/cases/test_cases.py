"""Support cases through HTTP, as the real demo users: the case page and who may read it, confidential-note
isolation (canary), the prevention-council decision, the case team, team notes, close and reopen (double clicks,
stale versions), the printable chronology and its language, and the case lists.

The plan itself (versions, approval, tasks, reviews) is tested in tests/plans/.

Demo cases of school 1, in id order (portal.demo._cases_for):
1 opened from a concern, council recorded, plan approved, class teacher on the team, a team note and a
  confidential note, review overdue (status active); 2 open, draft plan, no council; 3 submitted plan, council;
4 returned plan; 5 plan in force and a draft v2 (active); 6 closed.
"""

import re
import uuid
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from portal.admin.models import School
from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.cases.models import CaseMember, CaseNote, ConfidentialNote, SupportCase
from portal.clock import local_today
from portal.concerns.models import Concern
from portal.extensions import db
from portal.plans.models import Plan
from portal.students.models import Student
from tests.concerns.test_flagging import acknowledge, flag
from tests.concerns.test_triage import decision
from tests.conftest import audit_actions, in_app, user

PSYCHOLOGIST = "psychologist@school1.demo"
ADMIN = "admin@school1.demo"
TEACHER = "teacher@school1.demo"  # class 7Б: the class of demo case 1's student, and on its team
TEACHER2 = "teacher2@school1.demo"  # class 8А
TEACHER4 = "teacher4@school1.demo"  # no class
MANAGERS = (PSYCHOLOGIST, ADMIN)
DEMO_TEAM_NOTE = "Посещаемость улучшилась за последние две недели."
DEMO_CONFIDENTIAL = "Конфиденциально (демо): ребёнок рассказал о конфликте дома."
STALE_MESSAGE = "Someone else changed this case meanwhile. Nothing was saved"

VERSION_RE = re.compile(r'name="version" type="hidden" value="(\d+)"')
PROBLEM_RE = re.compile(r'<div class="flash flash-error" role="alert">([^<]+)</div>')
ERROR_RE = re.compile(r'<p class="error"[^>]*>([^<]*)</p>')
FACT_RE = re.compile(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", re.S)
LIST_ROW_RE = re.compile(r'<tr class="([^"]*)">\s*<td><a href="/cases/(\d+)">')
ENTRY_RE = re.compile(r"<li><strong>([^<]+)</strong> — (.*?)</li>", re.S)
TAG_RE = re.compile(r"<[^>]+>")
OPTION_RE = re.compile(r'<option value="(\d+)"')


@pytest.fixture
def as_user(login_as):
    """A logged-in browser that asks for English pages, so messages can be read in the assertions."""

    def _as(email):
        b = login_as(email)
        b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return b

    return _as


def demo_case_ids(school_key: str = "school1") -> dict[int, int]:
    """Demo case number (1..6, see the module docstring) → case id."""
    number = school_key[-1]
    with in_app():
        rows = db.session.execute(
            select(SupportCase.id, SupportCase.status).join(School, School.id == SupportCase.school_id)
            .where(School.name.contains(f"№ {number} ")).order_by(SupportCase.id)
        ).all()[:6]
    assert [status for _id, status in rows] == ["active", "open", "open", "open", "active", "closed"]
    return {n: case_id for n, (case_id, _status) in enumerate(rows, start=1)}


@pytest.fixture
def cases(app):
    return demo_case_ids()


def load(case_id: int) -> SupportCase:
    with in_app():
        case = db.session.get(SupportCase, case_id)
        assert case is not None
        return case


def snapshot(case_id: int) -> dict:
    """Everything a case action may change, to check that a refused one changed nothing."""
    case = load(case_id)
    return {
        "case": {c: getattr(case, c) for c in ("status", "version", "council_date", "council_protocol", "closed_at",
                                                 "close_outcome", "close_reason", "reopened_at", "reopen_reason")},
        "members": members(case_id),
        "notes": notes(case_id),
        "confidential": confidential(case_id),
    }


def members(case_id: int) -> dict[str, str]:
    """E-mail → role in the team."""
    with in_app():
        rows = db.session.execute(
            select(User.email, CaseMember.team_role).join(User, User.id == CaseMember.user_id)
            .where(CaseMember.case_id == case_id)
        ).all()
    return dict(rows)


def notes(case_id: int) -> list[tuple[str, str]]:
    with in_app():
        return [tuple(r) for r in db.session.execute(
            select(User.email, CaseNote.text).join(User, User.id == CaseNote.author_id)
            .where(CaseNote.case_id == case_id).order_by(CaseNote.id)
        )]


def confidential(case_id: int) -> list[tuple[str, str]]:
    with in_app():
        return [tuple(r) for r in db.session.execute(
            select(User.email, ConfidentialNote.text).join(User, User.id == ConfidentialNote.author_id)
            .where(ConfidentialNote.case_id == case_id).order_by(ConfidentialNote.id)
        )]


def all_note_texts() -> list[str]:
    with in_app():
        return [*db.session.scalars(select(CaseNote.text)), *db.session.scalars(select(ConfidentialNote.text))]


def case_events(action: str, case_id: int) -> list[AuditEvent]:
    return [e for e in audit_actions(action) if e.object_type == "case" and e.object_id == case_id]


def denials_of(email: str) -> list[AuditEvent]:
    account = user(email)
    return [e for e in audit_actions("authz.deny") if e.actor_id == account.id]


def plan_ids(case_id: int) -> list[int]:
    with in_app():
        return db.session.scalars(select(Plan.id).where(Plan.case_id == case_id).order_by(Plan.id)).all()


def concern_ids(student_id: int) -> list[int]:
    with in_app():
        return db.session.scalars(select(Concern.id).where(Concern.student_id == student_id)).all()


def body(response) -> str:
    return response.get_data(as_text=True)


def main_part(html: str) -> str:
    start = html.index('<main id="main">')
    return html[start:html.index("</main>", start)]


def text_of(fragment: str) -> str:
    return " ".join(TAG_RE.sub(" ", fragment).split())


def facts(html: str) -> dict[str, str]:
    return {name: text_of(value) for name, value in FACT_RE.findall(html)}


def section(html: str, heading: str) -> str:
    """The panel under an <h2> heading ('' if the page has none)."""
    start = html.find(f"<h2>{heading}</h2>")
    if start < 0:
        return ""
    return html[start:html.index("</section>", start)]


def problem(response) -> str:
    match = PROBLEM_RE.search(body(response))
    assert match, body(response)[:3000]
    return match.group(1)


def field_errors(response) -> list[str]:
    return ERROR_RE.findall(body(response))


def version_on(browser, case_id: int) -> str:
    """The hidden version field of the case page, as a manager's browser tab holds it."""
    response = browser.get(f"/cases/{case_id}")
    assert response.status_code == 200
    match = VERSION_RE.search(body(response))
    assert match, body(response)[:3000]
    return match.group(1)


def listed(browser, show: str | None = "open") -> list[int]:
    response = browser.get("/cases", query_string={"show": show} if show is not None else None)
    assert response.status_code == 200
    return [int(case_id) for _classes, case_id in LIST_ROW_RE.findall(body(response))]


def record_council(browser, case_id: int, version: str | None = None, **fields):
    data = {"version": version if version is not None else str(load(case_id).version),
            "council_date": (local_today() - timedelta(days=2)).isoformat(), "council_protocol": "СП-12/2026", **fields}
    return browser.post(f"/cases/{case_id}/council", data=data)


def close(browser, case_id: int, version: str | None = None, **fields):
    data = {"version": version if version is not None else str(load(case_id).version),
            "outcome": "partly_achieved", "reason": "Пропусков нет шесть недель, конфликты единичные.", **fields}
    return browser.post(f"/cases/{case_id}/close", data=data)


def reopen(browser, case_id: int, version: str | None = None, **fields):
    data = {"version": version if version is not None else str(load(case_id).version),
            "reason": "Снова пропуски без уважительной причины.", **fields}
    return browser.post(f"/cases/{case_id}/reopen", data=data)


def add_member(browser, case_id: int, email: str, team_role: str = "member"):
    return browser.post(f"/cases/{case_id}/team", data={"user_id": str(user(email).id), "team_role": team_role})


def add_note(browser, case_id: int, text: str):
    return browser.post(f"/cases/{case_id}/notes", data={"text": text})


def add_confidential(browser, case_id: int, text: str):
    """The confidential form has the prefix "confidential-", its CSRF field included."""
    token = browser.csrf("/account")
    return browser.post(f"/cases/{case_id}/confidential-notes",
                        data={"confidential-text": text, "confidential-csrf_token": token, "csrf_token": token})


# --- the case page and who may read it ----------------------------------------------------------


def test_the_psychologist_sees_the_whole_case(as_user, cases):
    case = load(cases[1])
    psychologist = as_user(PSYCHOLOGIST)
    response = psychologist.get(f"/cases/{case.id}")
    assert response.status_code == 200
    page = main_part(body(response))
    shown = facts(page)
    assert shown["Status"] == "Active"
    assert shown["Grounds"] == "Is in a difficult life situation; Has been subjected to violence"
    assert shown["Risk level"] == "High"
    assert shown["Lead specialist"] == "Айгерим Нурпеисова"
    assert shown["Prevention council"].startswith("decision of ") and shown["Prevention council"].endswith(
        "protocol СП-7")
    assert "Overdue" in shown["Next review"]
    assert f'<a href="/students/{case.student_id}">' in page
    team = text_of(section(page, "Team"))
    assert "Айгерим Нурпеисова — lead specialist" in team and "Гульнара Сапарова — Class teacher" in team
    assert DEMO_TEAM_NOTE in section(page, "Team notes")
    assert DEMO_CONFIDENTIAL in section(page, "Confidential notes (school psychologists only)")
    chronology = section(page, "Chronology")
    assert f"Support case #{case.id} opened" in chronology and "Prevention council decision, protocol СП-7" in chronology
    assert f'action="/cases/{case.id}/close"' in page and f'action="/cases/{case.id}/team"' in page
    assert f'action="/cases/{case.id}/confidential-notes"' in page
    # the council decision is the administrator's: the psychologist gets a hint, not the form
    assert f'action="/cases/{case.id}/council"' not in page
    assert "The school administrator records the council" in section(page, "Prevention council decision")
    reads = case_events("case.read", case.id)
    assert [e.actor_id for e in reads] == [user(PSYCHOLOGIST).id]


def test_the_school_admin_sees_the_case_and_its_forms_but_no_confidential_notes(as_user, cases):
    admin = as_user(ADMIN)
    response = admin.get(f"/cases/{cases[1]}")
    assert response.status_code == 200
    page = main_part(body(response))
    assert facts(page)["Lead specialist"] == "Айгерим Нурпеисова"
    assert DEMO_TEAM_NOTE in page
    assert f'action="/cases/{cases[1]}/council"' in page and 'value="СП-7"' in page
    assert f'action="/cases/{cases[1]}/close"' in page and f'href="/cases/{cases[1]}/chronology"' in page
    assert 'id="confidential"' not in page and "confidential-notes" not in page
    assert DEMO_CONFIDENTIAL not in body(response)


def test_a_teacher_on_the_team_reads_the_case_without_confidential_notes_or_manager_forms(as_user, cases):
    teacher = as_user(TEACHER)
    response = teacher.get(f"/cases/{cases[1]}")
    assert response.status_code == 200
    html = body(response)
    page = main_part(html)
    shown = facts(page)
    assert shown["Risk level"] == "High" and shown["Lead specialist"] == "Айгерим Нурпеисова"
    assert "Гульнара Сапарова — Class teacher" in text_of(section(page, "Team"))
    assert DEMO_TEAM_NOTE in section(page, "Team notes")
    assert f'action="/cases/{cases[1]}/notes"' in page
    assert DEMO_CONFIDENTIAL not in html and 'id="confidential"' not in page
    for manager_only in ("/council", "/close", "/reopen", "/team\"", "/remove", "/chronology", "/plan/new",
                         'name="version"', "/reviews/new"):
        assert manager_only not in page, manager_only
    assert section(page, "Chronology") == "" and section(page, "Prevention council decision") == ""


def test_the_class_teacher_off_the_team_sees_the_case_but_not_its_notes(as_user, cases):
    psychologist = as_user(PSYCHOLOGIST)
    teacher_id = user(TEACHER).id
    assert psychologist.post(f"/cases/{cases[1]}/team/{teacher_id}/remove").status_code == 303
    assert members(cases[1]) == {}
    teacher = as_user(TEACHER)
    response = teacher.get(f"/cases/{cases[1]}")
    assert response.status_code == 200  # the student is in her class
    html = body(response)
    with in_app():
        name = db.session.get(SupportCase, cases[1]).student.full_name
    assert f"Support case #{cases[1]}: {name}" in html and DEMO_TEAM_NOTE not in html and DEMO_CONFIDENTIAL not in html
    assert f'action="/cases/{cases[1]}/notes"' not in html
    before = notes(cases[1])
    assert add_note(teacher, cases[1], "Заметка не члена команды.").status_code == 403
    assert notes(cases[1]) == before


@pytest.mark.parametrize("email", [TEACHER2, TEACHER4])
def test_a_teacher_of_another_class_not_on_the_team_gets_404(as_user, cases, email):
    case = load(cases[1])
    with in_app():
        name = db.session.get(SupportCase, case.id).student.full_name
    teacher = as_user(email)
    responses = {
        "page": teacher.get(f"/cases/{case.id}"),
        "plan": teacher.get(f"/cases/{case.id}/plan"),
        "version": teacher.get(f"/cases/{case.id}/plan/{plan_ids(case.id)[0]}"),
        "note": add_note(teacher, case.id, "Чужая заметка."),
    }
    assert {k: r.status_code for k, r in responses.items()} == dict.fromkeys(responses, 404)
    for r in responses.values():
        assert name not in body(r) and DEMO_TEAM_NOTE not in body(r)
    assert sum(1 for e in denials_of(email) if e.object_type in ("case", "plan")) == 4
    assert notes(case.id) == [(TEACHER, DEMO_TEAM_NOTE)]
    assert case.id not in listed(teacher, "all")


@pytest.mark.parametrize("email", ["psychologist@school2.demo", "admin@school2.demo", "teacher@school2.demo",
                                   "psychologist@school3.demo", "admin@school3.demo", "teacher@school3.demo"])
def test_staff_of_another_school_get_404_and_the_denial_is_audited(as_user, cases, email):
    """teacher@school2/3 teach a class called 7Б too: the class name must not open another school's case."""
    case_id = cases[1]
    with in_app():
        name = db.session.get(SupportCase, case_id).student.full_name
    before = snapshot(case_id)
    outsider = as_user(email)
    manager = "teacher" not in email
    requests = [
        outsider.get(f"/cases/{case_id}"),
        outsider.get(f"/cases/{case_id}/plan"),
        add_note(outsider, case_id, "Запись из чужой школы."),
    ]
    if manager:
        requests += [
            outsider.get(f"/cases/{case_id}/chronology"),
            close(outsider, case_id),
            add_member(outsider, case_id, email),
            outsider.post(f"/cases/{case_id}/team/{user(TEACHER).id}/remove"),
        ]
    if email.startswith("psychologist"):
        requests.append(add_confidential(outsider, case_id, "Чужая конфиденциальная запись."))
    if email.startswith("admin"):
        requests.append(record_council(outsider, case_id))
    assert [r.status_code for r in requests] == [404] * len(requests)
    for r in requests:
        assert name not in body(r) and DEMO_TEAM_NOTE not in body(r) and DEMO_CONFIDENTIAL not in body(r)
    denied = [e for e in denials_of(email) if e.object_type == "case" and e.object_id == case_id]
    assert len(denied) == len(requests)
    assert all(e.outcome == "denied" for e in denied)
    assert snapshot(case_id) == before
    assert case_id not in listed(outsider, "all")


@pytest.mark.parametrize("email", ["reviewer@astana.demo", "reviewer@akmola.demo", "sysadmin@portal.demo"])
def test_reviewers_and_the_sysadmin_get_no_case_data(as_user, cases, email):
    case_id = cases[1]
    with in_app():
        name = db.session.get(SupportCase, case_id).student.full_name
    before = snapshot(case_id)
    outsider = as_user(email)
    requests = [
        outsider.get("/cases"),
        outsider.get("/cases?show=all"),
        outsider.get(f"/cases/{case_id}"),
        outsider.get(f"/cases/{case_id}/chronology"),
        outsider.get(f"/cases/{case_id}/plan"),
        add_note(outsider, case_id, "x"),
        close(outsider, case_id),
        record_council(outsider, case_id),
    ]
    for r in requests:
        assert r.status_code in (403, 404)
        assert name not in body(r) and "Айгерим Нурпеисова" not in main_part(body(r))
    assert len(denials_of(email)) >= len(requests)
    assert snapshot(case_id) == before


def test_a_missing_case_answers_like_a_foreign_one(as_user):
    psychologist = as_user(PSYCHOLOGIST)
    assert psychologist.get("/cases/999999").status_code == 404
    assert close(psychologist, 999999, version="1").status_code == 404
    assert [e.object_id for e in denials_of(PSYCHOLOGIST) if e.object_type == "case"] == [999999, 999999]


# --- confidential notes -------------------------------------------------------------------------


def test_a_confidential_note_reaches_no_one_but_the_schools_psychologist(as_user, cases):
    """Canary: a unique string in a confidential note appears in no response to anyone else."""
    case_id = cases[1]
    case = load(case_id)
    canary = f"canary-confidential-{uuid.uuid4().hex}"
    psychologist = as_user(PSYCHOLOGIST)
    response = add_confidential(psychologist, case_id, f"Ребёнок рассказал: {canary}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cases/{case_id}#confidential")
    assert confidential(case_id)[-1] == (PSYCHOLOGIST, f"Ребёнок рассказал: {canary}")
    (event,) = case_events("case.confidential_note", case_id)
    assert event.actor_id == user(PSYCHOLOGIST).id and event.fields == "confidential_note"
    with in_app():
        assert not db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.fields.contains("canary")))
    own = psychologist.get(f"/cases/{case_id}")
    assert canary in section(body(own), "Confidential notes (school psychologists only)")

    plans = plan_ids(case_id)
    paths = ["/", "/cases", "/cases?show=all", "/cases?show=review_overdue", "/cases?show=mine",
             "/cases?show=closed", f"/cases/{case_id}", f"/cases/{case_id}/chronology", f"/cases/{case_id}/plan",
             *(f"/cases/{case_id}/plan/{p}" for p in plans), f"/students/{case.student_id}",
             *(f"/concerns/{c}" for c in concern_ids(case.student_id)), "/concerns", "/concerns?show=all",
             "/tasks", "/notifications", "/notifications/badge", "/students", "/account"]
    expected_ok = {
        TEACHER: {f"/cases/{case_id}", f"/cases/{case_id}/plan", f"/students/{case.student_id}", "/tasks"},
        ADMIN: {f"/cases/{case_id}", f"/cases/{case_id}/chronology", f"/cases/{case_id}/plan",
                f"/students/{case.student_id}", *(f"/cases/{case_id}/plan/{p}" for p in plans)},
        TEACHER2: {"/", "/cases"},
        TEACHER4: {"/", "/cases"},
        "psychologist@school2.demo": {"/", "/cases"},
        "admin@school2.demo": {"/", "/cases"},
    }
    for email, must_be_ok in expected_ok.items():
        viewer = as_user(email)
        for path in paths:
            response = viewer.get(path, follow_redirects=True)
            assert response.status_code in (200, 403, 404), (email, path, response.status_code)
            if path in must_be_ok:
                assert response.status_code == 200, (email, path)
            html = body(response)
            assert canary not in html, (email, path)
            assert DEMO_CONFIDENTIAL not in html, (email, path)
    # the pages above were real: the team's own reading of the case shows the team note
    assert DEMO_TEAM_NOTE in body(as_user(TEACHER).get(f"/cases/{case_id}"))


@pytest.mark.parametrize("email, status", [(TEACHER, 403), (ADMIN, 403), ("psychologist@school2.demo", 404)])
def test_only_the_schools_psychologist_may_write_a_confidential_note(as_user, cases, email, status):
    canary = f"canary-{uuid.uuid4().hex}"
    before = confidential(cases[1])
    response = add_confidential(as_user(email), cases[1], canary)
    assert response.status_code == status
    assert canary not in body(response)
    assert confidential(cases[1]) == before
    assert all(canary not in text for text in all_note_texts())
    assert case_events("case.confidential_note", cases[1]) == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001, "тайна\x00тайна", "\x1b[31m"])
def test_a_bad_confidential_note_is_refused_with_a_form_error(as_user, cases, text):
    before = confidential(cases[1])
    response = add_confidential(as_user(PSYCHOLOGIST), cases[1], text)
    assert response.status_code == 400
    assert field_errors(response) and 'id="confidential-text-error"' in body(response)
    assert confidential(cases[1]) == before


# --- the prevention-council decision ------------------------------------------------------------


def test_the_admin_records_the_council_decision(as_user, cases):
    case_id = cases[2]
    assert load(case_id).council_date is None
    admin = as_user(ADMIN)
    page = main_part(body(admin.get(f"/cases/{case_id}")))
    assert facts(page)["Prevention council"] == "not recorded yet"
    decided_on = local_today() - timedelta(days=2)
    response = record_council(admin, case_id, version_on(admin, case_id), council_date=decided_on.isoformat(),
                              council_protocol="  СП-12/2026  ")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cases/{case_id}")
    stored = load(case_id)
    assert (stored.council_date, stored.council_protocol, stored.version) == (decided_on, "СП-12/2026", 2)
    (event,) = case_events("case.council", case_id)
    assert event.actor_id == user(ADMIN).id and event.fields == "council_date,council_protocol"
    shown = admin.get(f"/cases/{case_id}")
    html = body(shown)
    assert "The council decision is recorded." in html
    assert facts(main_part(html))["Prevention council"].endswith("protocol СП-12/2026")
    assert "Prevention council decision, protocol СП-12/2026" in body(admin.get(f"/cases/{case_id}/chronology"))


def test_a_council_date_of_today_is_accepted_but_not_tomorrow(as_user, cases):
    admin = as_user(ADMIN)
    tomorrow = record_council(admin, cases[2], council_date=(local_today() + timedelta(days=1)).isoformat())
    assert tomorrow.status_code == 400
    assert "The date cannot be in the future." in field_errors(tomorrow)
    stored = load(cases[2])
    assert (stored.council_date, stored.council_protocol, stored.version) == (None, None, 1)
    assert case_events("case.council", cases[2]) == []
    today = record_council(admin, cases[2], council_date=local_today().isoformat())
    assert today.status_code == 303
    assert load(cases[2]).council_date == local_today()


@pytest.mark.parametrize("email", [PSYCHOLOGIST, TEACHER])
def test_only_the_school_admin_records_the_council(as_user, cases, email):
    before = snapshot(cases[1])
    response = record_council(as_user(email), cases[1], council_protocol="СП-99")
    assert response.status_code == 403
    assert snapshot(cases[1]) == before
    assert case_events("case.council", cases[1]) == []
    assert [e.fields for e in denials_of(email)] == ["cases.council"]


def test_a_stale_council_save_is_refused_and_overwrites_nothing(as_user, cases):
    case_id = cases[2]
    first_tab = as_user(ADMIN)
    stale_version = version_on(first_tab, case_id)
    second_tab = as_user(ADMIN)
    assert record_council(second_tab, case_id, version_on(second_tab, case_id), council_protocol="СП-20").status_code == 303

    response = record_council(first_tab, case_id, stale_version, council_protocol="СП-21")
    assert response.status_code == 409
    assert problem(response).startswith(STALE_MESSAGE)
    stored = load(case_id)
    assert (stored.council_protocol, stored.version) == ("СП-20", 2)
    assert len(case_events("case.council", case_id)) == 1
    # the refused page shows what is stored now and carries the fresh version, so a second try works
    page = main_part(body(response))
    assert facts(page)["Prevention council"].endswith("protocol СП-20")
    assert VERSION_RE.search(page).group(1) == "2"
    assert record_council(first_tab, case_id, "2", council_protocol="СП-21").status_code == 303
    assert load(case_id).council_protocol == "СП-21"


@pytest.mark.parametrize("fields", [
    {"council_protocol": ""},
    {"council_protocol": "   "},
    {"council_protocol": "П" * 51},
    {"council_protocol": "СП\x00-1"},
    {"council_protocol": "СП\x07-1"},
    {"council_date": ""},
    {"council_date": "yesterday"},
    {"council_date": "2026-02-30"},
    {"council_date": "2026-01-01" * 40},
    {"council_date": "2026-01-01\x00"},
    {"version": ""},
    {"version": "abc"},
    {"version": "1" * 40},
], ids=lambda f: repr(f)[:40])
def test_bad_council_input_is_a_400_and_stores_nothing(as_user, cases, fields):
    case_id = cases[2]
    response = record_council(as_user(ADMIN), case_id, **fields)
    assert response.status_code == 400
    stored = load(case_id)
    assert (stored.council_date, stored.council_protocol, stored.version) == (None, None, 1)
    assert case_events("case.council", case_id) == []


# --- the case team ------------------------------------------------------------------------------


@pytest.mark.parametrize("manager", MANAGERS)
def test_a_manager_adds_a_staff_member_who_then_reads_the_case_and_adds_a_note(as_user, cases, manager):
    case_id = cases[2]
    newcomer = as_user(TEACHER4)
    assert newcomer.get(f"/cases/{case_id}").status_code == 404

    browser = as_user(manager)
    form = section(body(browser.get(f"/cases/{case_id}")), "Team")
    assert f'<option value="{user(TEACHER4).id}">Динара Абенова</option>' in form
    response = add_member(browser, case_id, TEACHER4, "member")
    assert response.status_code == 303
    assert members(case_id) == {TEACHER4: "member"}
    (event,) = case_events("case.member_add", case_id)
    assert event.actor_id == user(manager).id

    page = main_part(body(newcomer.get(f"/cases/{case_id}")))
    assert "Динара Абенова — Team member" in text_of(section(page, "Team"))
    assert case_id in listed(newcomer, "open")
    assert add_note(newcomer, case_id, "Поговорила с мамой, договорились о встрече.").status_code == 303
    assert notes(case_id) == [(TEACHER4, "Поговорила с мамой, договорились о встрече.")]
    assert "Поговорила с мамой" in body(browser.get(f"/cases/{case_id}"))


@pytest.mark.parametrize("email", ["teacher@school2.demo", "psychologist@school2.demo", "admin@school3.demo",
                                   "reviewer@astana.demo", "sysadmin@portal.demo"])
def test_someone_outside_the_school_cannot_join_the_team(as_user, cases, email):
    case_id = cases[2]
    psychologist = as_user(PSYCHOLOGIST)
    offered = {int(v) for v in OPTION_RE.findall(section(body(psychologist.get(f"/cases/{case_id}")), "Team"))}
    with in_app():
        school_id = db.session.get(SupportCase, case_id).school_id
        own_staff = set(db.session.scalars(select(User.id).where(User.school_id == school_id, User.active)))
    assert offered and offered <= own_staff
    assert user(email).id not in offered
    response = add_member(psychologist, case_id, email)
    assert response.status_code in (400, 404)
    assert members(case_id) == {}
    assert case_events("case.member_add", case_id) == []
    assert as_user(email).get(f"/cases/{case_id}").status_code in (403, 404)


def test_adding_the_same_member_twice_stores_one_row(as_user, cases):
    psychologist = as_user(PSYCHOLOGIST)
    assert add_member(psychologist, cases[3], TEACHER2).status_code == 303
    again = add_member(psychologist, cases[3], TEACHER2)
    assert again.status_code == 400
    assert members(cases[3]) == {TEACHER2: "member"}
    assert len(case_events("case.member_add", cases[3])) == 1
    # the already present class teacher of case 1 is not offered either
    assert add_member(psychologist, cases[1], TEACHER, "member").status_code == 400
    assert members(cases[1]) == {TEACHER: "class_teacher"}


@pytest.mark.parametrize("data", [
    {"user_id": "TEACHER4", "team_role": "boss"},
    {"user_id": "abc", "team_role": "member"},
    {"user_id": "", "team_role": "member"},
    {"user_id": "999999", "team_role": "member"},
    {"user_id": "TEACHER4", "team_role": ""},
    {"user_id": "TEACHER4", "team_role": "member\x00"},
], ids=lambda d: repr(d)[:40])
def test_bad_team_input_is_a_400(as_user, cases, data):
    data = {k: str(user(TEACHER4).id) if v == "TEACHER4" else v for k, v in data.items()}
    response = as_user(ADMIN).post(f"/cases/{cases[2]}/team", data=data)
    assert response.status_code == 400
    assert members(cases[2]) == {}


def test_removing_a_member_takes_the_case_away_from_them(as_user, cases):
    case_id = cases[2]
    psychologist = as_user(PSYCHOLOGIST)
    assert add_member(psychologist, case_id, TEACHER4).status_code == 303
    member = as_user(TEACHER4)
    assert member.get(f"/cases/{case_id}").status_code == 200

    response = psychologist.post(f"/cases/{case_id}/team/{user(TEACHER4).id}/remove")
    assert response.status_code == 303
    assert members(case_id) == {}
    (event,) = case_events("case.member_remove", case_id)
    assert event.actor_id == user(PSYCHOLOGIST).id
    assert "Динара Абенова" not in section(body(psychologist.get(f"/cases/{case_id}")), "Team").split("<form")[0]
    assert member.get(f"/cases/{case_id}").status_code == 404
    assert case_id not in listed(member, "all")
    assert add_note(member, case_id, "Уже не в команде.").status_code == 404
    assert notes(case_id) == []
    # removing someone who is not on the team
    assert psychologist.post(f"/cases/{case_id}/team/{user(TEACHER4).id}/remove").status_code == 404
    assert len(case_events("case.member_remove", case_id)) == 1


def test_a_teacher_cannot_change_the_team(as_user, cases):
    teacher = as_user(TEACHER)
    assert add_member(teacher, cases[1], TEACHER4).status_code == 403
    assert teacher.post(f"/cases/{cases[1]}/team/{user(TEACHER).id}/remove").status_code == 403
    assert members(cases[1]) == {TEACHER: "class_teacher"}
    assert [e.fields for e in denials_of(TEACHER)] == ["cases.add_member", "cases.remove_member"]


# --- team notes ---------------------------------------------------------------------------------


def test_team_notes_are_added_by_the_team_and_shown_in_order(as_user, cases):
    case_id = cases[1]
    written = [(TEACHER, "Вчера пришла в школу вовремя."), (ADMIN, "Мама приглашена на совет."),
               (PSYCHOLOGIST, "Консультация проведена, договорились о следующей.")]
    for email, text in written:
        response = add_note(as_user(email), case_id, text)
        assert response.status_code == 303 and response.headers["Location"].endswith(f"/cases/{case_id}#notes")
    assert notes(case_id) == [(TEACHER, DEMO_TEAM_NOTE), *written]
    events = case_events("case.note", case_id)
    assert [e.actor_id for e in events] == [user(email).id for email, _text in written]
    assert {e.fields for e in events} == {"note"}
    for email in (TEACHER, ADMIN, PSYCHOLOGIST):
        shown = section(body(as_user(email).get(f"/cases/{case_id}")), "Team notes")
        positions = [shown.index(text) for text in (DEMO_TEAM_NOTE, *(t for _e, t in written))]
        assert positions == sorted(positions), email
        assert "Гульнара Сапарова" in shown and "Серик Жаксылыков" in shown


def test_a_note_of_the_maximum_length_is_kept_whole_and_markup_is_shown_as_text(as_user, cases):
    teacher = as_user(TEACHER)
    longest = "Я" * 4988 + "<b>конец</b>"
    assert len(longest) == 5000
    assert add_note(teacher, cases[1], longest).status_code == 303
    assert notes(cases[1])[-1] == (TEACHER, longest)
    html = body(teacher.get(f"/cases/{cases[1]}"))
    assert "&lt;b&gt;конец&lt;/b&gt;" in html and "<b>конец</b>" not in html


@pytest.mark.parametrize("text", ["", "   \n ", "x" * 5001, "до\x00после", "звонок\x07"],
                         ids=["empty", "blank", "too-long", "nul", "control"])
def test_a_bad_team_note_is_refused_and_nothing_is_stored(as_user, cases, text):
    teacher = as_user(TEACHER)
    before = notes(cases[1])
    response = add_note(teacher, cases[1], text)
    assert response.status_code == 400
    assert field_errors(response)
    assert notes(cases[1]) == before
    assert case_events("case.note", cases[1]) == []


def test_invalid_utf8_in_a_note_is_refused_and_nothing_is_stored(as_user, cases):
    teacher = as_user(TEACHER)
    token = teacher.csrf("/account")
    response = teacher.client.post(f"/cases/{cases[1]}/notes", data=b"csrf_token=" + token.encode()
                                   + b"&text=%ED%A0%80%FF%C3", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400  # invalid Unicode is refused (SECURITY.md), not kept as "%ED%A0…" text
    for _author, text in notes(cases[1]):
        text.encode("utf-8")  # a lone surrogate would raise here
    assert len(notes(cases[1])) == 1


# --- close and reopen ---------------------------------------------------------------------------


@pytest.mark.parametrize("actor, number, status_before", [(PSYCHOLOGIST, 2, "open"), (ADMIN, 5, "active")])
def test_a_manager_closes_an_open_or_active_case(as_user, cases, actor, number, status_before):
    case_id = cases[number]
    assert load(case_id).status == status_before
    browser = as_user(actor)
    response = close(browser, case_id, version_on(browser, case_id), outcome="partly_achieved")
    assert response.status_code == 303
    stored = load(case_id)
    assert (stored.status, stored.close_outcome, stored.version) == ("closed", "partly_achieved", 2)
    assert stored.close_reason == "Пропусков нет шесть недель, конфликты единичные." and stored.closed_at
    (event,) = case_events("case.close", case_id)
    assert event.actor_id == user(actor).id
    page = main_part(body(browser.get(f"/cases/{case_id}")))
    assert "The case is closed." in page
    assert facts(page)["Status"] == "Closed — Goals partly achieved"
    assert f'action="/cases/{case_id}/reopen"' in page and f'action="/cases/{case_id}/close"' not in page
    assert f"Case #{case_id} closed: Goals partly achieved" in section(page, "Chronology")
    assert case_id in listed(browser, "closed") and case_id not in listed(browser, "open")


def test_a_teacher_cannot_close_or_reopen(as_user, cases):
    teacher = as_user(TEACHER)
    before = {n: snapshot(cases[n]) for n in (1, 6)}
    assert close(teacher, cases[1]).status_code == 403
    assert reopen(teacher, cases[6]).status_code == 403
    assert {n: snapshot(cases[n]) for n in (1, 6)} == before
    assert case_events("case.close", cases[1]) == [] and case_events("case.reopen", cases[6]) == []


def test_a_double_click_on_close_closes_once(as_user, cases):
    case_id = cases[2]
    psychologist = as_user(PSYCHOLOGIST)
    version = version_on(psychologist, case_id)
    first = close(psychologist, case_id, version, outcome="goals_achieved", reason="Первое нажатие.")
    second = close(psychologist, case_id, version, outcome="not_achieved", reason="Второе нажатие.")
    assert (first.status_code, second.status_code) == (303, 409)
    assert problem(second).startswith(STALE_MESSAGE)
    stored = load(case_id)
    assert (stored.close_outcome, stored.close_reason, stored.version) == ("goals_achieved", "Первое нажатие.", 2)
    assert len(case_events("case.close", case_id)) == 1


def test_closing_a_closed_case_changes_nothing(as_user, cases):
    case_id = cases[6]
    before = snapshot(case_id)
    admin = as_user(ADMIN)
    assert f'action="/cases/{case_id}/close"' not in body(admin.get(f"/cases/{case_id}"))
    response = close(admin, case_id, str(before["case"]["version"]), outcome="transferred", reason="Ещё раз.")
    assert response.status_code == 409
    assert snapshot(case_id) == before
    assert case_events("case.close", case_id) == []


def test_a_stale_close_is_refused(as_user, cases):
    """The psychologist opened the page, then the administrator recorded the council: the close is refused."""
    case_id = cases[2]
    psychologist = as_user(PSYCHOLOGIST)
    version = version_on(psychologist, case_id)
    assert record_council(as_user(ADMIN), case_id).status_code == 303
    response = close(psychologist, case_id, version)
    assert response.status_code == 409 and problem(response).startswith(STALE_MESSAGE)
    stored = load(case_id)
    assert (stored.status, stored.council_protocol, stored.version) == ("open", "СП-12/2026", 2)


@pytest.mark.parametrize("fields", [
    {"reason": ""}, {"reason": "  "}, {"reason": "я" * 3001}, {"reason": "причина\x00"}, {"outcome": ""},
    {"outcome": "expelled"}, {"version": ""}, {"version": "v1"},
], ids=lambda f: repr(f)[:30])
def test_close_needs_an_outcome_and_a_reason(as_user, cases, fields):
    before = snapshot(cases[2])
    response = close(as_user(PSYCHOLOGIST), cases[2], **fields)
    assert response.status_code == 400
    assert snapshot(cases[2]) == before
    assert case_events("case.close", cases[2]) == []


def test_reopening_a_case_with_a_plan_in_force_makes_it_active(as_user, cases):
    case_id = cases[6]  # closed; its approved plan is still the one in force
    psychologist = as_user(PSYCHOLOGIST)
    response = reopen(psychologist, case_id, version_on(psychologist, case_id), reason="Снова пропуски.")
    assert response.status_code == 303
    stored = load(case_id)
    assert (stored.status, stored.reopen_reason, stored.version) == ("active", "Снова пропуски.", 2)
    assert stored.reopened_at is not None
    (event,) = case_events("case.reopen", case_id)
    assert event.actor_id == user(PSYCHOLOGIST).id
    page = main_part(body(psychologist.get(f"/cases/{case_id}")))
    assert "The case is open again." in page and facts(page)["Status"] == "Active"
    assert f'action="/cases/{case_id}/close"' in page
    assert f"Case #{case_id} reopened" in section(page, "Chronology")
    assert case_id in listed(psychologist, "open") and case_id not in listed(psychologist, "closed")


def test_closing_and_reopening_a_case_without_a_plan_in_force_makes_it_open(as_user, cases):
    case_id = cases[2]  # only a draft plan
    psychologist, admin = as_user(PSYCHOLOGIST), as_user(ADMIN)
    assert close(psychologist, case_id).status_code == 303
    assert reopen(admin, case_id).status_code == 303
    stored = load(case_id)
    assert (stored.status, stored.version) == ("open", 3)
    assert [e.actor_id for e in case_events("case.reopen", case_id)] == [user(ADMIN).id]


def test_a_double_click_on_reopen_reopens_once(as_user, cases):
    case_id = cases[6]
    admin = as_user(ADMIN)
    version = version_on(admin, case_id)
    first, second = reopen(admin, case_id, version), reopen(admin, case_id, version)
    assert (first.status_code, second.status_code) == (303, 409)
    assert load(case_id).version == 2
    assert len(case_events("case.reopen", case_id)) == 1


def test_reopening_a_case_that_is_not_closed_is_refused(as_user, cases):
    for number in (1, 2):
        before = snapshot(cases[number])
        response = reopen(as_user(PSYCHOLOGIST), cases[number])
        assert response.status_code == 409
        assert problem(response)
        assert snapshot(cases[number]) == before
        assert case_events("case.reopen", cases[number]) == []


def test_reopen_is_refused_while_the_student_has_another_open_case(as_user, cases):
    closed = load(cases[6])
    concern_id = flag(as_user(TEACHER4), closed.student_id, categories=["absence"])
    psychologist = as_user(PSYCHOLOGIST)
    assert acknowledge(psychologist, concern_id).status_code == 303
    assert decision(psychologist, concern_id, outcome="open_case", grounds=["absence"]).status_code == 303
    with in_app():
        newer = db.session.scalar(select(SupportCase).where(SupportCase.student_id == closed.student_id,
                                                            SupportCase.status == "open"))
    assert newer is not None and newer.id != closed.id

    before = snapshot(closed.id)
    response = reopen(psychologist, closed.id)
    assert response.status_code == 409
    assert problem(response) == "The student already has another open case."
    assert snapshot(closed.id) == before
    assert case_events("case.reopen", closed.id) == []


@pytest.mark.parametrize("fields", [{"reason": ""}, {"reason": " "}, {"reason": "я" * 3001},
                                    {"reason": "почему\x00"}, {"version": ""}],
                         ids=lambda f: repr(f)[:30])
def test_reopen_needs_a_reason(as_user, cases, fields):
    before = snapshot(cases[6])
    response = reopen(as_user(ADMIN), cases[6], **fields)
    assert response.status_code == 400
    assert snapshot(cases[6]) == before


# --- the printable chronology -------------------------------------------------------------------


def entry_times(html: str) -> list[datetime]:
    """The local times of the chronology entries (English short format, e.g. "11/5/26, 9:46 PM")."""
    times = []
    for stamp, _what in ENTRY_RE.findall(html):
        clean = stamp.replace("\u202f", " ").replace("\xa0", " ")
        times.append(datetime.strptime(clean, "%m/%d/%y, %I:%M %p"))
    return times


@pytest.mark.parametrize("email, name", [(PSYCHOLOGIST, "Айгерим Нурпеисова"), (ADMIN, "Серик Жаксылыков")])
def test_the_printable_chronology_tells_the_students_story_in_order(as_user, app, cases, email, name):
    case_id = cases[1]
    with in_app():
        case = db.session.get(SupportCase, case_id)
        student, class_name = case.student.full_name, case.student.class_name
        from_concern = db.session.scalar(select(Concern.id).where(Concern.case_id == case_id))
    browser = as_user(email)
    response = browser.get(f"/cases/{case_id}/chronology")
    assert response.status_code == 200
    html = body(response)
    page = main_part(html)
    assert f"<h1>Chronology: {student}, {class_name}</h1>" in page
    story = [f"Concern #{from_concern} submitted", f"Concern #{from_concern} acknowledged",
             f"Concern #{from_concern}: Support case", f"Support case #{case_id} opened",
             "Prevention council decision, protocol СП-7", "Plan version 1 started", "Plan version 1 submitted",
             "Plan version 1: Approved", "Measure done: Индивидуальные консультации психолога (attended)",
             "Measure done: Индивидуальные консультации психолога (did not attend)"]
    positions = [page.index(step) for step in story]
    assert positions == sorted(positions)
    times = entry_times(page)
    assert len(times) >= len(story) and times == sorted(times)
    assert "(Гульнара Сапарова)" in page and "(Серик Жаксылыков)" in page
    assert DEMO_CONFIDENTIAL not in html
    # printable: a print button (static/js/app.js), the controls hidden and the school named on paper
    assert '<button type="button" data-print>Print</button>' in page
    assert re.search(r'<p class="no-print">.*data-print', page)
    assert f'<p class="print-only">Мектеп-лицей № 1 (демо) · Printed by {name}</p>' in page
    assert f'href="/cases/{case_id}">Back to the case</a>' in page
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', html).group(1)
    css = browser.get(stylesheet).get_data(as_text=True)
    print_rules = "".join(re.findall(r"@media print\s*\{(.*?\})\s*\}", css, re.S))
    assert ".no-print" in print_rules and ".print-only" in print_rules
    assert [e.actor_id for e in case_events("case.chronology", case_id)] == [user(email).id]


@pytest.mark.parametrize("email, status", [(TEACHER, 403), (TEACHER4, 403), ("psychologist@school2.demo", 404),
                                           ("admin@school3.demo", 404)])
def test_the_chronology_is_not_for_teachers_or_other_schools(as_user, cases, email, status):
    response = as_user(email).get(f"/cases/{cases[1]}/chronology")
    assert response.status_code == status
    assert "Prevention council decision" not in body(response) and "Measure done" not in body(response)
    assert case_events("case.chronology", cases[1]) == []
    assert denials_of(email)


def kazakh(app, *msgids: str) -> dict[str, str]:
    """The Kazakh translations (already filled in) of some interface strings."""
    with app.test_request_context(), force_locale("kk"):
        translated = {m: gettext(m) for m in msgids}
    return {m: t for m, t in translated.items() if t != m}


def test_the_chronology_follows_the_browsers_language(as_user, app, cases):
    expected = kazakh(app, "Chronology", "Print", "Back to the case")
    assert expected, "no Kazakh translation for the chronology page"
    psychologist = as_user(PSYCHOLOGIST)
    psychologist.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "kk,ru;q=0.8"
    html = body(psychologist.get(f"/cases/{cases[1]}/chronology"))
    assert '<html lang="kk">' in html
    page = main_part(html)
    for english, translated in expected.items():
        assert translated in page, english
    if "Chronology" in expected:
        assert f"<h1>{expected['Chronology']}: " in page and "<h1>Chronology:" not in page


def test_the_chronology_follows_the_accounts_language(as_user, app, cases):
    expected = kazakh(app, "Chronology", "Print", "Back to the case")
    assert expected
    admin = as_user(ADMIN)  # the browser asks for English
    assert admin.post("/language", data={"lang": "kk", "next": f"/cases/{cases[1]}/chronology"}).status_code == 303
    assert user(ADMIN).locale == "kk"
    fresh = as_user(ADMIN)  # a new session, the browser still asking for English
    html = body(fresh.get(f"/cases/{cases[1]}/chronology"))
    assert '<html lang="kk">' in html
    assert all(translated in main_part(html) for translated in expected.values())


# --- the case lists -----------------------------------------------------------------------------


def school_cases(school_key: str = "school1") -> list:
    """(id, status, next review date, lead e-mail, class of the student, team e-mails) of a school's cases."""
    number = school_key[-1]
    with in_app():
        rows = db.session.execute(
            select(SupportCase.id, SupportCase.status, SupportCase.next_review_date, User.email, Student.class_name)
            .join(School, School.id == SupportCase.school_id).join(Student, Student.id == SupportCase.student_id)
            .join(User, User.id == SupportCase.lead_id)
            .where(School.name.contains(f"№ {number} ")).order_by(SupportCase.id)
        ).all()
    return [(*row, set(members(row[0]))) for row in rows]


def in_list_order(rows) -> list[int]:
    """The order the lists promise: next review date first (none last), then id."""
    return [r[0] for r in sorted(rows, key=lambda r: (r[2] is None, r[2] or local_today(), r[0]))]


@pytest.mark.parametrize("email", MANAGERS)
def test_the_review_overdue_list(as_user, cases, email):
    browser = as_user(email)
    overdue = [r for r in school_cases() if r[1] != "closed" and r[2] is not None and r[2] < local_today()]
    assert cases[1] in {r[0] for r in overdue} and cases[3] not in {r[0] for r in overdue}
    assert listed(browser, "review_overdue") == in_list_order(overdue)
    page = body(browser.get("/cases?show=review_overdue"))
    row = re.search(rf'<tr class="([^"]*)">\s*<td><a href="/cases/{cases[1]}">', page)
    assert row and "overdue" in row.group(1).split()
    assert 'href="/cases?show=review_overdue" aria-current="page"' in page
    # once closed, the case is no longer overdue
    assert close(as_user(PSYCHOLOGIST), cases[1]).status_code == 303
    assert cases[1] not in listed(browser, "review_overdue")


def test_the_closed_open_all_and_mine_lists(as_user, cases):
    rows = school_cases()
    still_open = [r for r in rows if r[1] != "closed"]
    psychologist = as_user(PSYCHOLOGIST)
    assert listed(psychologist, "closed") == in_list_order([r for r in rows if r[1] == "closed"])
    assert cases[6] in listed(psychologist, "closed")
    assert listed(psychologist, "open") == in_list_order(still_open)
    assert {cases[n] for n in range(1, 6)} <= set(listed(psychologist, "open"))
    assert cases[6] not in listed(psychologist, "open")
    assert listed(psychologist, "all") == in_list_order(rows)
    assert listed(psychologist, "mine") == in_list_order([r for r in still_open if r[3] == PSYCHOLOGIST])
    admin = as_user(ADMIN)
    assert listed(admin, "all") == in_list_order(rows)
    assert listed(admin, "mine") == []
    elsewhere = {r[0] for school in ("school2", "school3") for r in school_cases(school)}
    assert not elsewhere & set(listed(psychologist, "all")) and not elsewhere & set(listed(admin, "all"))


@pytest.mark.parametrize("show", ["bogus", "", "OPEN", "x" * 2000, "open\x00", None])
def test_an_unknown_list_filter_falls_back_to_open_cases(as_user, cases, show):
    psychologist = as_user(PSYCHOLOGIST)
    response = psychologist.get("/cases", query_string={"show": show} if show is not None else None)
    assert response.status_code == 200
    assert 'href="/cases?show=open" aria-current="page"' in body(response)
    assert listed(psychologist, show) == in_list_order([r for r in school_cases() if r[1] != "closed"])


@pytest.mark.parametrize("email, school_key", [(TEACHER, "school1"), (TEACHER2, "school1"), (TEACHER4, "school1"),
                                               ("teacher@school2.demo", "school2")])
def test_a_teachers_list_holds_only_the_cases_of_her_class_or_team(as_user, email, school_key):
    account = user(email)
    rows = school_cases(school_key)
    hers = [r for r in rows if (account.class_name and r[4] == account.class_name) or email in r[5]]
    teacher = as_user(email)
    assert listed(teacher, "all") == in_list_order(hers)
    assert listed(teacher, "closed") == in_list_order([r for r in hers if r[1] == "closed"])
    assert listed(teacher, "mine") == []
    if email in (TEACHER, "teacher@school2.demo"):  # class 7Б: demo case 1 of her school, and no other
        assert listed(teacher, "all") == [demo_case_ids(school_key)[1]]
    if email == TEACHER4:
        assert listed(teacher, "all") == []


def test_joining_a_team_puts_the_case_on_the_teachers_list(as_user, cases):
    assert cases[3] not in listed(as_user(TEACHER4), "all")
    assert add_member(as_user(ADMIN), cases[3], TEACHER4).status_code == 303
    assert listed(as_user(TEACHER4), "all") == [cases[3]]


@pytest.mark.parametrize("kind", ["notes", "confidential-notes"])
def test_a_double_click_on_add_note_stores_one_note(as_user, kind):
    from portal.cases.models import CaseNote, ConfidentialNote

    psychologist = as_user("psychologist@school1.demo")
    case_id = _double_click_case()
    field = "text" if kind == "notes" else "confidential-text"
    text = f"double click {uuid.uuid4()}"
    for _ in range(2):
        assert psychologist.post(f"/cases/{case_id}/{kind}", {field: text}).status_code == 303
    model = CaseNote if kind == "notes" else ConfidentialNote
    with in_app():
        stored = db.session.scalars(select(model).where(model.case_id == case_id, model.text == text)).all()
    assert len(stored) == 1
    # the same words written again later are a new note
    from portal import clock

    clock.advance(timedelta(minutes=2))
    assert psychologist.post(f"/cases/{case_id}/{kind}", {field: text}).status_code == 303
    with in_app():
        assert len(db.session.scalars(select(model).where(model.case_id == case_id, model.text == text)).all()) == 2


def _double_click_case() -> int:
    from portal.cases.models import SupportCase

    with in_app():
        return db.session.scalar(select(SupportCase.id).where(SupportCase.school_id == user("psychologist@school1.demo").school_id).order_by(SupportCase.id))
