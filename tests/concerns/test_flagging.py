"""Flagging a concern through HTTP, as the real demo users: the form, validation, double submission, urgency,
staff involvement, acknowledgement deadlines, addenda and the reporter's status ladder.

The helpers at the top are shared with test_triage.py and test_notifications.py.
"""

import re
import uuid
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from portal import clock
from portal.auth import roles
from portal.auth.models import User
from portal.auth.passwords import DEMO_PASSWORD, hash_password
from portal.concerns.models import Concern
from portal.extensions import db
from portal.notifications.models import Notification
from portal.students.models import Student
from tests.conftest import audit_actions, concern_of, in_app, student_of, user

LOCATION_RE = re.compile(r"/concerns/(\d+)\?submitted=1$")
FORM_TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" type="hidden" value="(\d+)"')
ERROR_RE = re.compile(r'<p class="error"[^>]*>([^<]*)</p>')
BADGE_COUNT_RE = re.compile(r'<span class="count">(\d+)</span>')
CALL_NUMBERS = ("<strong>102</strong>", "<strong>112</strong>", "<strong>111</strong>")


# --- shared helpers -----------------------------------------------------------------------------


@pytest.fixture
def as_user(login_as):
    """A logged-in browser that asks for English pages, so messages can be read in the assertions."""

    def _as(email):
        b = login_as(email)
        b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return b

    return _as


def local_input(utc_naive: datetime) -> str:
    """How a user types a time into the form: Almaty wall time, minutes precision."""
    return clock.to_local(utc_naive).strftime("%Y-%m-%dT%H:%M")


def quiet_students(school_key: str, class_name: str) -> list[Student]:
    """Active demo students of a class that no concern is about yet (so tests start from a clean record)."""
    number = school_key[-1]
    from portal.admin.models import School

    with in_app():
        return db.session.scalars(
            select(Student)
            .join(School)
            .where(
                School.name.contains(f"№ {number} "),
                Student.class_name == class_name,
                Student.status == "active",
                ~exists().where(Concern.student_id == Student.id),
            )
            .order_by(Student.id)
        ).all()


def concern_form(student: int, **overrides) -> dict:
    data = {
        "token": str(uuid.uuid4()),
        "student_id": str(student),
        "categories": ["bullying"],
        "severity": "medium",
        "occurred_at": local_input(clock.now() - timedelta(hours=1)),
        "location": "Спортивный зал",
        "facts": "На перемене одноклассники отобрали у ученика рюкзак и смеялись.",
        "child_words": "",
        "witnesses": "",
        "immediate_action": "",
        "involved_staff_id": "0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def flag(browser, student_id: int, **overrides) -> int:
    """Submit the flag form; returns the new concern's id (from the redirect to its page)."""
    response = browser.post("/concerns/new", data=concern_form(student_id, **overrides))
    assert response.status_code == 303, ERROR_RE.findall(response.get_data(as_text=True))
    match = LOCATION_RE.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def load_concern(concern_id: int) -> Concern:
    with in_app():
        return db.session.scalar(
            select(Concern)
            .options(selectinload(Concern.addenda), selectinload(Concern.case))
            .where(Concern.id == concern_id)
        )


def concern_count() -> int:
    with in_app():
        return db.session.scalar(select(func.count()).select_from(Concern))


def notifications_of(email: str) -> list[Notification]:
    account = user(email)
    with in_app():
        return db.session.scalars(
            select(Notification).where(Notification.user_id == account.id).order_by(Notification.id)
        ).all()


def notified_about(email: str, concern_id: int) -> list[str]:
    """Kinds of the notifications a user got that lead to one concern."""
    return [n.kind for n in notifications_of(email) if n.link == f"/concerns/{concern_id}"]


def events(action: str, concern_id: int):
    return [e for e in audit_actions(action) if e.object_id == concern_id]


def version_on(page: str) -> str:
    match = VERSION_RE.search(page)
    assert match, page[:3000]
    return match.group(1)


def acknowledge(browser, concern_id: int):
    page = browser.get(f"/concerns/{concern_id}").get_data(as_text=True)
    return browser.post(f"/concerns/{concern_id}/acknowledge", data={"version": version_on(page)})


def main_part(html: str) -> str:
    start = html.index('<main id="main">')
    return html[start:html.index("</main>", start)]


def badge_count(browser) -> int:
    response = browser.get("/notifications/badge", headers={"HX-Request": "true"})
    assert response.status_code == 200
    match = BADGE_COUNT_RE.search(response.get_data(as_text=True))
    return int(match.group(1)) if match else 0


def local_moment(weekday: int, hour: int, minute: int) -> datetime:
    """The next given weekday (0 = Monday) after today, at an Almaty wall time, as naive UTC."""
    today = clock.local_today()
    days = (weekday - today.weekday()) % 7 or 7
    return clock.from_local(datetime.combine(today + timedelta(days=days), time(hour, minute)))


# --- where the form is offered ------------------------------------------------------------------


def test_flag_a_concern_is_the_first_thing_on_a_teachers_home_page(as_user):
    page = main_part(as_user("teacher@school1.demo").get("/").get_data(as_text=True))
    first_link = re.search(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert first_link.groups() == ("/concerns/new", "Flag a concern")
    assert page.index("Flag a concern") < page.index("Find a student") < page.index("My concerns")


def test_teachers_home_page_title_holds_no_child_names(as_user):
    """The <title> goes to the tab and the browser history of a shared PC: it must not list children."""
    teacher = as_user("teacher@school1.demo")
    own = concern_of("school1", reporter="teacher@school1.demo")
    with in_app():
        name = db.session.get(Student, own.student_id).full_name
    page = teacher.get("/").get_data(as_text=True)
    assert name in main_part(page)
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title == "Home · Pedagogical support portal"


@pytest.mark.parametrize(
    ("email", "class_name"),
    [("teacher@school1.demo", "7Б"), ("psychologist@school1.demo", "5А"), ("admin@school1.demo", "9В")],
)
def test_every_student_profile_offers_flag_a_concern_with_the_student_chosen(as_user, email, class_name):
    b = as_user(email)
    student = student_of("school1", class_name=class_name)
    profile = main_part(b.get(f"/students/{student.id}").get_data(as_text=True))
    link = f'href="/concerns/new?student_id={student.id}"'
    assert link in profile
    assert profile.index(link) < profile.index("Chronology")

    form = b.get(f"/concerns/new?student_id={student.id}")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert f'<input type="radio" name="student_id" value="{student.id}" checked> {student.full_name}' in page
    assert 'role="search"' not in page  # no need to search again


def test_live_search_offers_students_of_the_own_school_only(as_user):
    teacher = as_user("teacher@school1.demo")
    mine = student_of("school1", class_name="9В")  # not the teacher's class: any student of the school may be flagged
    theirs = student_of("school2", class_name="9В")
    with in_app():
        same_surname_elsewhere = db.session.scalar(
            select(func.count()).select_from(Student).where(
                Student.school_id != mine.school_id, Student.surname == mine.surname
            )
        )
    assert same_surname_elsewhere  # a leak from another school would show up

    partial = teacher.get("/concerns/student-search", query_string={"q": mine.surname.lower()},
                          headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="student-choices">') and "<html" not in body
    offered = [int(i) for i in re.findall(r'name="student_id" value="(\d+)"', body)]
    assert mine.id in offered
    with in_app():
        schools = set(db.session.scalars(select(Student.school_id).where(Student.id.in_(offered))))
    assert schools == {mine.school_id}

    by_iin = teacher.get("/concerns/student-search", query_string={"q": theirs.iin}).get_data(as_text=True)
    assert "No student found" in by_iin and theirs.full_name not in by_iin
    too_short = teacher.get("/concerns/student-search", query_string={"q": "А"}).get_data(as_text=True)
    assert 'name="student_id"' not in too_short


def test_search_without_javascript_shows_the_form_with_the_choices(as_user):
    teacher = as_user("teacher@school1.demo")
    student = student_of("school1", class_name="8А")
    response = teacher.get("/concerns/new", query_string={"q": student.iin})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'name="student_id" value="{student.id}" required> {student.full_name}, 8А' in page
    assert 'class="concern-form"' in page and 'name="facts"' in page
    assert FORM_TOKEN_RE.search(page)


@pytest.mark.parametrize("path", ["/concerns/student-search", "/concerns/new"])
def test_a_nul_byte_in_the_student_search_is_refused_not_a_server_error(as_user, path):
    response = as_user("teacher@school1.demo").get(path, query_string={"q": "Ив\x00анов"})
    assert response.status_code == 400


# --- submitting ---------------------------------------------------------------------------------


def test_a_teacher_flags_a_student_of_another_class_and_everything_is_stored(as_user):
    clock.freeze(local_moment(2, 11, 40))  # a Wednesday, 11:40 in Astana
    teacher = as_user("teacher@school1.demo")
    student = quiet_students("school1", "8А")[0]
    before = concern_count()
    form_page = teacher.get("/concerns/new").get_data(as_text=True)
    token = FORM_TOKEN_RE.search(form_page).group(1)
    uuid.UUID(token)
    occurred = clock.now() - timedelta(hours=2, minutes=10)  # 09:30 local
    response = teacher.post("/concerns/new", data=concern_form(
        student.id, token=token, categories=["neglect", "absence"], severity="high",
        occurred_at=local_input(occurred), location="Столовая", facts="Ученик третий день без обеда и тёплой одежды.",
        child_words="Дома нет еды", witnesses="Повар Ж.", immediate_action="Накормили в столовой.",
    ))
    assert response.status_code == 303
    concern_id = int(LOCATION_RE.search(response.headers["Location"]).group(1))
    assert concern_count() == before + 1
    stored = load_concern(concern_id)
    assert (stored.student_id, stored.school_id, stored.reporter_id) == (
        student.id, student.school_id, user("teacher@school1.demo").id)
    assert stored.submission_token == token
    assert stored.category_codes == ["absence", "neglect"]
    assert (stored.severity, stored.immediate_danger, stored.urgent) == ("high", False, False)
    assert stored.occurred_at == clock.from_local(datetime.fromisoformat(local_input(occurred)))
    assert clock.to_local(stored.occurred_at).strftime("%H:%M") == "09:30"
    assert (stored.location, stored.facts, stored.child_words, stored.witnesses, stored.immediate_action) == (
        "Столовая", "Ученик третий день без обеда и тёплой одежды.", "Дома нет еды", "Повар Ж.",
        "Накормили в столовой.")
    assert (stored.involves_staff, stored.involved_staff_id, stored.status) == (False, None, "submitted")
    assert stored.created_at == clock.now()
    created = events("concern.create", concern_id)
    assert len(created) == 1 and created[0].actor_id == stored.reporter_id

    shown = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "The concern has been submitted." in shown
    assert not any(number in shown for number in CALL_NUMBERS)  # not urgent: no call panel

    full = as_user("psychologist@school1.demo").get(f"/concerns/{concern_id}").get_data(as_text=True)
    for text in ("Ученик третий день без обеда и тёплой одежды.", "«Дома нет еды»", "Повар Ж.", "Столовая",
                 "Neglect", "Systematic absence", "High", student.full_name):
        assert text in full
    assert re.search(r"<dt>When</dt><dd>[^<]*9:30\sAM</dd>", full)


BAD_INPUT = {
    "no-category": ({"categories": []}, "Choose at least one category."),
    "unknown-category": ({"categories": ["bullying", "witchcraft"]}, "is not a valid choice"),
    "missing-facts": ({"facts": ""}, "This field is required."),
    "blank-facts": ({"facts": "   "}, "This field is required."),
    "future-time": ("future", "The time cannot be in the future."),
    "years-ago": ({"occurred_at": "2019-09-02T08:30"}, "The date is too far in the past."),
    "missing-time": ({"occurred_at": ""}, "Enter the date and time, approximately if need be."),
    "garbled-time": ({"occurred_at": "вчера утром"}, "Enter the date and time, approximately if need be."),
    "nul-in-facts": ({"facts": "Ударил\x00 по лицу"}, "Contains characters that are not allowed."),
    "nul-in-child-words": ({"child_words": "Мне\x00 страшно"}, "Contains characters that are not allowed."),
    "staff-not-chosen": ({"involves_staff": "y", "involved_staff_id": "0"},
                         "Choose the member of staff, so the concern is kept from them."),
    "staff-field-empty": ({"involves_staff": "y", "involved_staff_id": ""},
                          "Choose the member of staff, so the concern is kept from them."),
    "staff-field-missing": ({"involves_staff": "y", "involved_staff_id": None},
                            "Choose the member of staff, so the concern is kept from them."),
    "staff-of-another-school": ("foreign-staff", "Not a valid choice."),
    "naming-oneself": ("self", "You cannot name yourself"),
    "severity-missing": ({"severity": None}, "This field is required."),
    "severity-unknown": ({"severity": "extreme"}, "Not a valid choice."),
    "no-student": ({"student_id": None}, "Choose the student."),
}


@pytest.mark.parametrize(("overrides", "message"), list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(as_user, overrides, message):
    teacher = as_user("teacher@school1.demo")
    if overrides == "future":
        overrides = {"occurred_at": local_input(clock.now() + timedelta(hours=3))}
    elif overrides == "foreign-staff":
        overrides = {"involves_staff": "y", "involved_staff_id": str(user("teacher4@school2.demo").id)}
    elif overrides == "self":
        overrides = {"involves_staff": "y", "involved_staff_id": str(user("teacher@school1.demo").id)}
    student = quiet_students("school1", "8А")[0]
    before = concern_count()
    data = concern_form(student.id, **overrides)
    response = teacher.post("/concerns/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert any(message in error for error in ERROR_RE.findall(page)), ERROR_RE.findall(page)
    assert "Please correct the marked fields." in page
    assert concern_count() == before
    assert audit_actions("concern.create") == []
    # what was typed is kept, so nothing has to be written again
    if data.get("facts") and "\x00" not in data["facts"]:
        assert data["facts"] in page


def test_a_refused_form_notifies_nobody(as_user):
    teacher = as_user("teacher@school1.demo")
    before = {e: len(notifications_of(e)) for e in ("psychologist@school1.demo", "admin@school1.demo")}
    student = quiet_students("school1", "8А")[0]
    response = teacher.post("/concerns/new", data=concern_form(student.id, categories=["sexual_violence"], facts=""))
    assert response.status_code == 400
    assert {e: len(notifications_of(e)) for e in before} == before


@pytest.mark.parametrize("key", ["school2", "school3"], ids=["same-region", "other-region"])
def test_a_student_of_another_school_cannot_be_flagged(as_user, key):
    teacher = as_user("teacher@school1.demo")
    foreign = student_of(key, class_name="7Б")
    before = concern_count()
    their_notifications = len(notifications_of(f"psychologist@{key}.demo"))
    form = teacher.get(f"/concerns/new?student_id={foreign.id}")
    assert form.status_code == 404
    assert foreign.full_name not in form.get_data(as_text=True)
    response = teacher.post("/concerns/new", data=concern_form(foreign.id, categories=["physical_violence"]))
    assert response.status_code == 404
    assert foreign.full_name not in response.get_data(as_text=True)
    assert concern_count() == before
    denials = [e for e in audit_actions("authz.deny") if e.object_type == "student" and e.object_id == foreign.id]
    assert len(denials) == 2
    assert all(e.actor_id == user("teacher@school1.demo").id for e in denials)
    assert len(notifications_of(f"psychologist@{key}.demo")) == their_notifications


def test_the_same_form_sent_twice_stores_one_concern(as_user):
    teacher = as_user("teacher@school1.demo")
    student = quiet_students("school1", "6Б")[0]
    token = FORM_TOKEN_RE.search(teacher.get("/concerns/new").get_data(as_text=True)).group(1)
    data = concern_form(student.id, token=token, categories=["physical_violence"], immediate_danger="y")
    before = concern_count()
    first = teacher.post("/concerns/new", data=data)
    second = teacher.post("/concerns/new", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert concern_count() == before + 1
    concern_id = int(LOCATION_RE.search(first.headers["Location"]).group(1))
    assert len(events("concern.create", concern_id)) == 1
    assert notified_about("psychologist@school1.demo", concern_id) == ["concern.urgent"]
    assert notified_about("admin@school1.demo", concern_id) == ["concern.urgent"]
    # a new form (a new token) is a new concern
    assert flag(teacher, student.id) != concern_id
    assert concern_count() == before + 2


def test_a_new_form_gets_a_new_token(as_user):
    teacher = as_user("teacher@school1.demo")
    tokens = {FORM_TOKEN_RE.search(teacher.get("/concerns/new").get_data(as_text=True)).group(1) for _ in range(3)}
    assert len(tokens) == 3


# --- urgency --------------------------------------------------------------------------------------


URGENT = {
    "immediate-danger": {"categories": ["learning"], "immediate_danger": "y"},
    "physical": {"categories": ["physical_violence"]},
    "psychological": {"categories": ["psychological_violence"]},
    "sexual": {"categories": ["sexual_violence", "other"]},
    "self-harm": {"categories": ["self_harm"]},
}


@pytest.mark.parametrize("overrides", list(URGENT.values()), ids=list(URGENT))
def test_an_urgent_concern_alerts_psychologists_and_admins_and_shows_whom_to_call(as_user, overrides):
    teacher = as_user("teacher@school1.demo")
    student = quiet_students("school1", "5А")[0]
    concern_id = flag(teacher, student.id, **overrides)
    assert load_concern(concern_id).urgent is True

    submitted = teacher.get(f"/concerns/{concern_id}?submitted=1")
    assert submitted.status_code == 200
    panel = submitted.get_data(as_text=True)
    assert "If the child is in danger, call now" in panel
    assert all(number in panel for number in CALL_NUMBERS)
    assert "The school psychologists and administrators have been notified." in panel

    assert notified_about("psychologist@school1.demo", concern_id) == ["concern.urgent"]
    assert notified_about("admin@school1.demo", concern_id) == ["concern.urgent"]
    for bystander in ("teacher@school1.demo", "teacher2@school1.demo", "teacher4@school1.demo",
                      "psychologist@school2.demo", "admin@school2.demo", "admin@school3.demo"):
        assert notified_about(bystander, concern_id) == [], bystander
    messages = as_user("psychologist@school1.demo").get("/notifications").get_data(as_text=True)
    assert "An urgent concern needs attention now" in messages


def test_a_routine_concern_is_not_urgent_and_shows_no_call_panel(as_user):
    teacher = as_user("teacher@school1.demo")
    student = quiet_students("school1", "5А")[0]
    concern_id = flag(teacher, student.id, categories=["learning", "absence"], severity="high")
    assert load_concern(concern_id).urgent is False
    page = teacher.get(f"/concerns/{concern_id}?submitted=1").get_data(as_text=True)
    assert "call now" not in page and not any(number in page for number in CALL_NUMBERS)
    assert "concern.urgent" not in notified_about("psychologist@school1.demo", concern_id)
    assert "concern.urgent" not in notified_about("admin@school1.demo", concern_id)


# --- a member of staff involved ----------------------------------------------------------------


def _deputy_admin() -> str:
    """A second administrator of school 1 (invented), so a concern about the first one still has a reader."""
    with in_app():
        first = db.session.scalar(select(User).where(User.email == "admin@school1.demo"))
        db.session.add(User(email="deputy@school1.demo", full_name="Алия Демоова", role=roles.SCHOOL_ADMIN,
                            school_id=first.school_id, password_hash=hash_password(DEMO_PASSWORD), is_demo=True,
                            active=True))
        db.session.commit()
    return "deputy@school1.demo"


def _can_see(browser, concern_id: int, student_id: int) -> dict:
    queue = browser.get("/concerns?show=all").get_data(as_text=True)
    profile = browser.get(f"/students/{student_id}").get_data(as_text=True)
    return {
        "page": browser.get(f"/concerns/{concern_id}").status_code,
        "queue": f'href="/concerns/{concern_id}"' in queue,
        "profile": f'href="/concerns/{concern_id}"' in profile,
    }


def test_a_concern_naming_the_psychologist_goes_to_administrators_only(as_user):
    teacher = as_user("teacher@school1.demo")
    student = quiet_students("school1", "7Б")[0]
    psychologist = user("psychologist@school1.demo")
    concern_id = flag(teacher, student.id, categories=["psychological_violence"], involves_staff="y",
                      involved_staff_id=str(psychologist.id), facts="Психолог накричал на ученика при классе.")
    stored = load_concern(concern_id)
    assert (stored.involves_staff, stored.involved_staff_id) == (True, psychologist.id)

    assert notified_about("psychologist@school1.demo", concern_id) == []
    assert notified_about("admin@school1.demo", concern_id) == ["concern.urgent"]

    hidden = as_user("psychologist@school1.demo")
    denials_before = len(audit_actions("authz.deny"))
    assert _can_see(hidden, concern_id, student.id) == {"page": 404, "queue": False, "profile": False}
    denied = [e for e in audit_actions("authz.deny")[denials_before:] if e.object_type == "concern"]
    assert [(e.object_id, e.actor_id) for e in denied] == [(concern_id, psychologist.id)]
    version = str(stored.version)
    assert hidden.post(f"/concerns/{concern_id}/acknowledge", data={"version": version}).status_code == 404
    assert hidden.post(f"/concerns/{concern_id}/addenda", data={"reason": "r", "text": "t"}).status_code == 404
    assert "Психолог накричал" not in hidden.get("/").get_data(as_text=True)

    admin = as_user("admin@school1.demo")
    assert _can_see(admin, concern_id, student.id) == {"page": 200, "queue": True, "profile": True}
    page = admin.get(f"/concerns/{concern_id}").get_data(as_text=True)
    assert "Involves a member of staff" in page and "Айгерим Нурпеисова" in page
    assert acknowledge(admin, concern_id).status_code == 303
    assert load_concern(concern_id).status == "acknowledged"


def test_a_concern_naming_an_administrator_is_hidden_from_them_and_from_psychologists(as_user):
    deputy = _deputy_admin()
    teacher = as_user("teacher2@school1.demo")
    student = quiet_students("school1", "8А")[0]
    admin = user("admin@school1.demo")
    concern_id = flag(teacher, student.id, categories=["other"], involves_staff="y", involved_staff_id=str(admin.id),
                      facts="Директор просил не сообщать о драке в классе.")

    assert notified_about("admin@school1.demo", concern_id) == []
    assert notified_about("psychologist@school1.demo", concern_id) == []
    assert notified_about(deputy, concern_id) == ["concern.new"]

    named = as_user("admin@school1.demo")
    assert _can_see(named, concern_id, student.id) == {"page": 404, "queue": False, "profile": False}
    assert "Директор просил" not in named.get("/").get_data(as_text=True)
    assert named.post(f"/concerns/{concern_id}/acknowledge", data={"version": "1"}).status_code == 404
    assert _can_see(as_user("psychologist@school1.demo"), concern_id, student.id) == {
        "page": 404, "queue": False, "profile": False}
    assert _can_see(as_user(deputy), concern_id, student.id) == {"page": 200, "queue": True, "profile": True}
    assert load_concern(concern_id).status == "submitted"


def test_the_demo_concern_about_teacher4_is_hidden_from_teacher4_and_the_psychologist(as_user):
    involved = concern_of("school1", involves_staff=True)
    assert involved.involved_staff_id == user("teacher4@school1.demo").id
    assert involved.reporter_id == user("teacher3@school1.demo").id
    assert as_user("teacher4@school1.demo").get(f"/concerns/{involved.id}").status_code == 404
    psychologist = as_user("psychologist@school1.demo")
    assert psychologist.get(f"/concerns/{involved.id}").status_code == 404
    assert f'href="/concerns/{involved.id}"' not in psychologist.get("/concerns?show=all").get_data(as_text=True)
    assert f'href="/concerns/{involved.id}"' in as_user("admin@school1.demo").get("/concerns").get_data(as_text=True)
    # the reporter still follows it on the ladder
    reporter_view = as_user("teacher3@school1.demo").get(f"/concerns/{involved.id}")
    assert reporter_view.status_code == 200
    assert 'class="ladder"' in reporter_view.get_data(as_text=True)


# --- acknowledgement deadlines ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekday", "at", "urgent", "due_weekday", "due_at"),
    [
        (4, (16, 20), False, 1, (16, 20)),  # Friday afternoon → the next Tuesday, same local time
        (4, (16, 20), True, 4, (18, 20)),  # urgent: 2 hours, weekend or not
        (2, (10, 0), False, 4, (10, 0)),  # Wednesday → Friday
        (3, (3, 15), False, 0, (3, 15)),  # Thursday 03:15 in Astana (still Wednesday in UTC) → Monday
        (5, (22, 0), True, 6, (0, 0)),  # urgent late on Saturday → just after midnight
    ],
    ids=["friday-to-tuesday", "urgent-2-hours", "wednesday-to-friday", "early-thursday-local", "urgent-saturday"],
)
def test_acknowledgement_deadline_is_set_on_submission(as_user, weekday, at, urgent, due_weekday, due_at):
    submitted = local_moment(weekday, *at)
    clock.freeze(submitted)
    teacher = as_user("teacher@school1.demo")
    student = quiet_students("school1", "9В")[0]
    overrides = {"categories": ["self_harm"]} if urgent else {"categories": ["learning"]}
    concern_id = flag(teacher, student.id, **overrides)
    stored = load_concern(concern_id)
    assert stored.created_at == submitted
    due_local = clock.to_local(stored.ack_due_at)
    assert due_local.weekday() == due_weekday
    assert (due_local.hour, due_local.minute) == due_at
    assert timedelta(0) < stored.ack_due_at - submitted <= timedelta(days=5)

    page = as_user("psychologist@school1.demo").get(f"/concerns/{concern_id}").get_data(as_text=True)
    shown = f"{due_local.month}/{due_local.day}/{due_local:%y}, {due_local.hour % 12 or 12}:{due_local:%M}"
    assert re.search(rf"Acknowledge by {re.escape(shown)}\s{due_local:%p}", page), page[page.index("<main"):][:1500]


def test_friday_afternoon_concern_is_due_on_tuesday_at_the_same_local_time(as_user):
    friday = local_moment(4, 15, 45)
    clock.freeze(friday)
    concern_id = flag(as_user("teacher@school1.demo"), quiet_students("school1", "9В")[0].id,
                      categories=["difficult_situation"])
    assert load_concern(concern_id).ack_due_at == friday + timedelta(days=4)
    assert clock.to_local(load_concern(concern_id).ack_due_at).strftime("%A %H:%M") == "Tuesday 15:45"


def test_deadline_settings_are_honoured(app, as_user):
    app.config["CONCERN_ACK_SCHOOL_DAYS"] = 1
    app.config["CONCERN_ACK_URGENT_HOURS"] = 1
    friday = local_moment(4, 15, 45)
    clock.freeze(friday)
    teacher = as_user("teacher@school1.demo")
    routine = flag(teacher, quiet_students("school1", "9В")[0].id, categories=["learning"])
    urgent = flag(teacher, quiet_students("school1", "9В")[1].id, categories=["physical_violence"])
    assert clock.to_local(load_concern(routine).ack_due_at).strftime("%A %H:%M") == "Monday 15:45"
    assert load_concern(urgent).ack_due_at == friday + timedelta(hours=1)


# --- addenda ------------------------------------------------------------------------------------


def test_corrections_are_addenda_shown_in_order_and_the_concern_stays_as_written(as_user):
    teacher = as_user("teacher@school1.demo")
    student = quiet_students("school1", "7Б")[0]
    facts = "Ученик пришёл с синяком на руке."
    concern_id = flag(teacher, student.id, categories=["physical_violence"], facts=facts)
    original = load_concern(concern_id)

    first = teacher.post(f"/concerns/{concern_id}/addenda",
                         data={"reason": "Уточнение места", "text": "Синяк на левой руке, не на правой."})
    assert first.status_code == 303 and first.headers["Location"].endswith(f"/concerns/{concern_id}")
    psychologist = as_user("psychologist@school1.demo")
    assert psychologist.post(f"/concerns/{concern_id}/addenda",
                             data={"reason": "Беседа", "text": "Поговорила с классным руководителем."}).status_code == 303
    assert teacher.post(f"/concerns/{concern_id}/addenda",
                        data={"reason": "Новое", "text": "Ученик сказал, что упал дома."}).status_code == 303

    stored = load_concern(concern_id)
    assert (stored.facts, stored.category_codes, stored.version, stored.occurred_at) == (
        facts, original.category_codes, original.version, original.occurred_at)
    assert [a.reason for a in stored.addenda] == ["Уточнение места", "Беседа", "Новое"]
    assert len(events("concern.addendum", concern_id)) == 3

    full = psychologist.get(f"/concerns/{concern_id}").get_data(as_text=True)
    positions = [full.index(t) for t in ("Синяк на левой руке", "Поговорила с классным", "сказал, что упал дома")]
    assert positions == sorted(positions)
    assert facts in full

    ladder = teacher.get(f"/concerns/{concern_id}").get_data(as_text=True)
    own = [ladder.index("Синяк на левой руке"), ladder.index("сказал, что упал дома")]
    assert own == sorted(own)
    assert "Поговорила с классным" not in ladder  # what others wrote stays with them
    # the reporter's additions are announced to the school, the psychologist's own is not sent back to her
    assert notified_about("psychologist@school1.demo", concern_id).count("concern.addendum") == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [({"reason": "", "text": "Текст"}, "This field is required."),
     ({"reason": "Причина", "text": ""}, "This field is required."),
     ({"reason": "Причина", "text": "Ошибка\x00"}, "Contains characters that are not allowed.")],
    ids=["no-reason", "no-text", "nul"],
)
def test_an_addendum_needs_a_reason_and_a_text(as_user, data, message):
    teacher = as_user("teacher@school1.demo")
    concern_id = flag(teacher, quiet_students("school1", "7Б")[0].id)
    response = teacher.post(f"/concerns/{concern_id}/addenda", data=data)
    assert response.status_code == 400
    assert message in ERROR_RE.findall(response.get_data(as_text=True))
    assert load_concern(concern_id).addenda == []
    assert events("concern.addendum", concern_id) == []


def test_only_the_reporter_and_the_triagers_can_add_to_a_concern(as_user):
    concern_id = flag(as_user("teacher@school1.demo"), quiet_students("school1", "7Б")[0].id)
    for email in ("teacher2@school1.demo", "psychologist@school2.demo", "admin@school3.demo"):
        response = as_user(email).post(f"/concerns/{concern_id}/addenda", data={"reason": "x", "text": "чужое"})
        assert response.status_code == 404, email
    assert load_concern(concern_id).addenda == []


# --- the reporter's ladder ----------------------------------------------------------------------


def _ladder_step(page: str) -> str:
    match = re.search(r'<ol class="ladder"[^>]*>.*?<li class="reached" aria-current="step">([^<]+)</li>', page, re.S)
    assert match, page[:2000]
    return match.group(1)


def test_the_reporter_follows_the_concern_on_a_status_ladder(as_user):
    teacher = as_user("teacher@school1.demo")
    student = quiet_students("school1", "7Б")[0]
    concern_id = flag(teacher, student.id, categories=["neglect"])
    page = teacher.get(f"/concerns/{concern_id}").get_data(as_text=True)
    assert _ladder_step(page) == "Submitted"
    assert "Acknowledge</button>" not in page and "Record the decision" not in page
    assert teacher.post(f"/concerns/{concern_id}/acknowledge", data={"version": "1"}).status_code == 403

    psychologist = as_user("psychologist@school1.demo")
    assert acknowledge(psychologist, concern_id).status_code == 303
    assert _ladder_step(teacher.get(f"/concerns/{concern_id}").get_data(as_text=True)) == "Acknowledged"

    page = psychologist.get(f"/concerns/{concern_id}").get_data(as_text=True)
    decided = psychologist.post(f"/concerns/{concern_id}/decide", data={
        "version": version_on(page), "risk_level": "medium", "risk_rationale": "Нужна поддержка",
        "outcome": "monitor", "monitor_until": (clock.local_today() + timedelta(days=14)).isoformat()})
    assert decided.status_code == 303
    assert _ladder_step(teacher.get(f"/concerns/{concern_id}").get_data(as_text=True)) == "Action taken / closed"
    for path in ("/concerns", "/", f"/students/{student.id}"):
        page = main_part(teacher.get(path).get_data(as_text=True))
        start = page.index(f'href="/concerns/{concern_id}"')
        assert _ladder_step(page[start:]) == "Action taken / closed", path
