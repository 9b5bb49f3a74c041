"""The school's audit log for its administrators, and "who viewed this record" on each case."""

import re

import pytest
from sqlalchemy import select

from portal.cases.models import CaseMember, SupportCase
from portal.extensions import db
from tests.conftest import in_app, student_of, user


@pytest.fixture
def as_user(login_as):
    def _as(email):
        b = login_as(email)
        b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return b

    return _as


def teams_case() -> SupportCase:
    with in_app():
        teacher = user("teacher@school1.demo")
        return db.session.scalar(select(SupportCase).join(CaseMember).where(CaseMember.user_id == teacher.id)
                                 .order_by(SupportCase.id))


def viewers_section(page: str) -> str:
    """The "who viewed" panel, which the page shows once, in its main part (never inside the <title>)."""
    main = page[page.index('<main id="main">'):]
    sections = re.findall(r'<section class="panel" id="viewers">.*?</section>', page, re.S)
    assert len(sections) <= 1 and all(section in main for section in sections), "the viewers list is shown twice"
    return sections[0] if sections else ""


def test_the_admin_sees_who_viewed_the_case(as_user):
    case = teams_case()
    as_user("teacher@school1.demo").get(f"/cases/{case.id}")
    as_user("psychologist@school1.demo").get(f"/students/{case.student_id}")
    page = as_user("admin@school1.demo").get(f"/cases/{case.id}").get_data(as_text=True)
    section = viewers_section(page)
    assert re.search(r"<title>Support case #\d+ · Pedagogical support portal</title>", page)
    assert "Who viewed this record" in section
    assert "Гульнара Сапарова" in section and "case.read" in section      # the class teacher
    assert "Айгерим Нурпеисова" in section and "student.read" in section  # the psychologist, on the profile


@pytest.mark.parametrize("email", ["psychologist@school1.demo", "teacher@school1.demo"])
def test_only_administrators_get_the_viewers_list(as_user, email):
    case = teams_case()
    assert viewers_section(as_user(email).get(f"/cases/{case.id}").get_data(as_text=True)) == ""


def test_the_school_log_shows_this_schools_events_only(as_user):
    own, other = student_of("school1", class_name="7Б"), student_of("school2", class_name="7Б")
    as_user("teacher@school1.demo").get(f"/students/{own.id}")
    as_user("teacher@school2.demo").get(f"/students/{other.id}")
    page = as_user("admin@school1.demo").get("/audit").get_data(as_text=True)
    table = page[page.index('<table class="list audit-log">'):]
    assert f"student #{own.id}<" in table and "Гульнара Сапарова" in table
    assert f"student #{other.id}<" not in table


def test_the_log_filters_by_staff_member_area_and_outcome(as_user):
    teacher = as_user("teacher@school1.demo")
    teacher.get(f"/students/{student_of('school1', class_name='7Б').id}")
    teacher.get(f"/students/{student_of('school1', not_class='7Б').id}")  # refused: another class
    admin = as_user("admin@school1.demo")
    teacher_id = user("teacher@school1.demo").id
    page = admin.get("/audit", query_string={"actor": teacher_id, "outcome": "denied"}).get_data(as_text=True)
    rows = re.findall(r"<code>([a-z_.]+)</code>", page)
    assert rows and set(rows) == {"authz.deny"}
    page = admin.get("/audit", query_string={"area": "login"}).get_data(as_text=True)
    assert set(re.findall(r"<code>([a-z_.]+)</code>", page)) <= {"login.ok", "login.fail", "login.throttled"}


@pytest.mark.parametrize("query", [{"from": "garbage"}, {"to": "2026-02-30"}])
def test_a_bad_date_filter_is_400(as_user, query):
    assert as_user("admin@school1.demo").get("/audit", query_string=query).status_code == 400


def test_odd_filters_are_ignored(as_user):
    response = as_user("admin@school1.demo").get("/audit", query_string={"actor": "99999", "area": "x", "outcome": "y"})
    assert response.status_code == 200


def test_reading_the_log_is_itself_audited(as_user):
    from tests.conftest import audit_actions

    as_user("admin@school1.demo").get("/audit")
    assert [e.actor_id for e in audit_actions("audit.read")] == [user("admin@school1.demo").id]


def _log_ids(page: str) -> list[int]:
    """Event ids of the rows shown, newest first."""
    return [int(n) for n in re.findall(r'<tr[^>]*data-event="(\d+)"', page)]


def _admin_reads(object_type: str, count: int) -> int:
    """`count` reads by school 1's administrator written to the log; returns the school's id."""
    from portal.audit.services import record
    from portal.auth.models import User

    with in_app():
        admin = db.session.scalar(select(User).where(User.email == "admin@school1.demo"))
        for n in range(count):
            record(f"{object_type}.read", actor=admin, object_type=object_type, object_id=n + 1,
                   school_id=admin.school_id)
        db.session.commit()
        return admin.school_id


def test_the_log_pages_back_through_older_events_without_gaps_or_repeats(as_user):
    from portal.audit.models import AuditEvent

    school_id = _admin_reads("student", 60)
    browser = as_user("admin@school1.demo")
    seen, path = [], "/audit"
    for _page in range(20):
        page = browser.get(path).get_data(as_text=True)
        ids = _log_ids(page)
        assert len(ids) <= 25
        seen += ids
        older = re.search(r'href="(/audit\?before=\d+)" rel="next"', page)
        if not older:
            break
        assert "Newest entries" in page or path == "/audit"
        path = older.group(1).replace("&amp;", "&")
    with in_app():  # every event of the school up to the newest on the first page (reading writes newer ones)
        expected = db.session.scalars(
            select(AuditEvent.id).where((AuditEvent.school_id == school_id)
                                        | (AuditEvent.actor_school_id == school_id), AuditEvent.id <= seen[0])
            .order_by(AuditEvent.id.desc())
        ).all()
    assert seen == expected  # newest first, no gap, no repeat, to the very first
    assert len(seen) > 60


def test_the_log_keeps_its_filters_while_paging(as_user):
    _admin_reads("plan", 30)
    page = as_user("admin@school1.demo").get("/audit?area=plan").get_data(as_text=True)
    older = re.search(r'href="(/audit\?[^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "area=plan" in older and "before=" in older
    rows = as_user("admin@school1.demo").get(older).get_data(as_text=True)
    assert "<code>plan.read</code>" in rows and "<code>student.read</code>" not in rows


@pytest.mark.parametrize("before", ["0", "-3", "99999999999999999999"])
def test_an_absurd_page_position_is_400(as_user, before):
    assert as_user("admin@school1.demo").get(f"/audit?before={before}").status_code == 400


def test_the_case_page_shows_the_latest_openings_and_links_to_all_of_them(as_user):
    from tests.conftest import audit_actions

    case = teams_case()
    admin = as_user("admin@school1.demo")
    page = admin.get(f"/cases/{case.id}").get_data(as_text=True)
    # openings recorded before this one (the page's own opening is committed as the page is shown: it is listed
    # from the next page on)
    few = max(viewers_section(page).count("<tr>") - 1, 0)  # the header row
    assert f"/cases/{case.id}/viewers" not in page  # no more openings than the panel shows
    teacher = as_user("teacher@school1.demo")
    for _ in range(24):
        teacher.get(f"/cases/{case.id}")
    page = admin.get(f"/cases/{case.id}").get_data(as_text=True)
    section = viewers_section(page)
    assert section.count("<tr>") - 1 == 20 and f'href="/cases/{case.id}/viewers"' in section
    before = len(audit_actions("audit.read"))
    full = admin.get(f"/cases/{case.id}/viewers")
    assert full.status_code == 200
    html = full.get_data(as_text=True)
    assert html.count("<tr>") - 1 == few + 24 + 2  # every opening, the administrator's two included
    assert "<title>Who viewed this record · Support case #" in html and "Гульнара Сапарова" in html
    assert len(audit_actions("audit.read")) == before + 1  # reading who viewed is itself recorded


@pytest.mark.parametrize("email", ["psychologist@school1.demo", "teacher@school1.demo", "admin@school2.demo"])
def test_only_the_schools_administrators_get_the_full_list(as_user, email):
    case = teams_case()
    status = as_user(email).get(f"/cases/{case.id}/viewers").status_code
    assert status == (404 if email == "admin@school2.demo" else 403)


def test_openings_of_the_plan_and_escalations_count_as_viewing_the_case(as_user):
    from portal.escalations.models import Escalation
    from portal.plans.models import Plan

    case = teams_case()
    with in_app():
        plan_id = db.session.scalar(select(Plan.id).where(Plan.case_id == case.id).order_by(Plan.id))
        school1 = user("admin@school1.demo").school_id
        escalation = db.session.scalar(select(Escalation).where(Escalation.school_id == school1,
                                                                Escalation.status != "draft").order_by(Escalation.id))
    psychologist, admin = as_user("psychologist@school1.demo"), as_user("admin@school1.demo")
    assert psychologist.get(f"/cases/{case.id}/plan/{plan_id}").status_code == 200
    assert psychologist.get(f"/escalations/{escalation.id}").status_code == 200
    section = viewers_section(admin.get(f"/cases/{case.id}").get_data(as_text=True))
    rows = section.split("<tr>")[2:]  # newest first (the page's own opening is listed from the next page on)
    assert f"<code>plan.read</code> #{plan_id}" in rows[0]
    section = viewers_section(admin.get(f"/cases/{case.id}").get_data(as_text=True))
    rows = section.split("<tr>")[2:]  # the administrator's first opening, then the psychologist's plan
    assert "case.read" in rows[0] and f"<code>plan.read</code> #{plan_id}" in rows[1]
    section = viewers_section(admin.get(f"/cases/{escalation.case_id}").get_data(as_text=True))
    assert f"<code>escalation.read</code> #{escalation.id}" in section
