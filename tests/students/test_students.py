"""Students through HTTP, as the real demo users: search, profile access, add, edit, leave."""

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.admin.models import School
from portal.extensions import db
from portal.students.iin import make
from portal.students.models import Student
from tests.conftest import audit_actions, in_app, student_of, user

ROW_RE = re.compile(r'<tr>\s*<td>(?:<a href="/students/(\d+)">)?([^<]+)')
TOTAL_RE = re.compile(r"(\d+) students? found")


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def as_user(login_as):
    """A logged-in browser that asks for English pages, so messages can be read in the assertions."""

    def _as(email):
        b = login_as(email)
        b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return b

    return _as


def rows(html: str) -> list[tuple[int | None, str]]:
    """(student id when the name is a link, full name) for every row of the results table."""
    return [(int(sid) if sid else None, name.strip()) for sid, name in ROW_RE.findall(html)]


def names(html: str) -> list[str]:
    return [name for _, name in rows(html)]


def total(html: str) -> int:
    match = TOTAL_RE.search(html)
    assert match, html[:2000]
    return int(match.group(1))


def school_id(key: str) -> int:
    number = key[-1]
    with in_app():
        return db.session.scalar(select(School.id).where(School.name.contains(f"№ {number} ")))


def students_where(*conditions) -> list[Student]:
    with in_app():
        return db.session.scalars(select(Student).where(*conditions).order_by(Student.id)).all()


def student_count() -> int:
    with in_app():
        return db.session.scalar(select(func.count()).select_from(Student))


def reload(student_id: int) -> Student:
    with in_app():
        return db.session.get(Student, student_id)


def fresh_iin(born: date, sex: str, start: int = 9000) -> str:
    """An invented IIN that no demo student has (demo serials stay far below 9000)."""
    serial = start
    while (iin := make(born, sex, serial)) is None:
        serial += 1
    return iin


def new_student(**overrides) -> dict:
    born = date(2014, 5, 14)
    data = {
        "surname": "Тестова",
        "given_name": "Айгуль",
        "patronymic": "Маратовна",
        "class_name": "7 б",
        "birth_date": born.isoformat(),
        "sex": "F",
        "iin": fresh_iin(born, "F"),
        "guardians-0-full_name": "Марат Тестов",
        "guardians-0-relation": "father",
        "guardians-0-phone": "+7 701 555 12 34",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(student: Student, **overrides) -> dict:
    with in_app():
        student = db.session.get(Student, student.id)
        data = {
            "surname": student.surname,
            "given_name": student.given_name,
            "patronymic": student.patronymic or "",
            "class_name": student.class_name,
            "birth_date": student.birth_date.isoformat(),
            "sex": student.sex,
            "iin": student.iin or "",
            "version": str(student.version),
        }
        for i, g in enumerate(student.guardians):
            data[f"guardians-{i}-full_name"] = g.full_name
            data[f"guardians-{i}-relation"] = g.relation
            data[f"guardians-{i}-phone"] = g.phone or ""
    data.update(overrides)
    return data


# --- search -------------------------------------------------------------------------------------


def test_teacher_finds_students_of_own_school_by_lower_case_cyrillic_surname(as_user):
    school1, school2 = school_id("school1"), school_id("school2")
    # A surname that both schools have, so a leak from school2 would change the result.
    in_1 = Counter(s.surname for s in students_where(Student.school_id == school1))
    in_2 = Counter(s.surname for s in students_where(Student.school_id == school2))
    surname = next(name for name in sorted(in_1) if name in in_2 and name.lower() != name)
    expected = sorted(
        s.full_name
        for s in students_where(Student.school_id == school1, Student.status == "active")
        if surname.lower() in s.full_name.lower()
    )
    everywhere = [s for s in students_where() if surname.lower() in s.full_name.lower()]
    assert len(everywhere) > len(expected)

    teacher = as_user("teacher@school1.demo")
    response = teacher.get("/students", query_string={"q": surname.lower()})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert sorted(names(page)) == expected
    assert total(page) == len(expected)


def test_teacher_finds_a_class_by_the_class_filter_and_by_typing_it(as_user):
    school1 = school_id("school1")
    expected = sorted(s.full_name for s in students_where(Student.school_id == school1, Student.class_name == "8А"))
    assert len(expected) == 7
    teacher = as_user("teacher@school1.demo")
    by_filter = teacher.get("/students", query_string={"class": "8а"}).get_data(as_text=True)
    assert sorted(names(by_filter)) == expected
    typed = teacher.get("/students", query_string={"q": "8 а"}).get_data(as_text=True)
    assert sorted(names(typed)) == expected


def test_staff_find_a_student_by_iin_prefix_teachers_only_by_the_whole_iin(as_user):
    target = student_of("school1", class_name="9В")
    prefix = target.iin[:9]
    expected = sorted(
        s.full_name
        for s in students_where(Student.school_id == target.school_id, Student.iin.startswith(prefix))
    )
    assert target.full_name in expected
    page = as_user("psychologist@school1.demo").get("/students", query_string={"q": prefix}).get_data(as_text=True)
    assert sorted(names(page)) == expected
    teacher = as_user("teacher@school1.demo")
    # a prefix would let a teacher read IINs of children outside their class digit by digit
    assert names(teacher.get("/students", query_string={"q": prefix}).get_data(as_text=True)) == []
    whole = teacher.get("/students", query_string={"q": target.iin}).get_data(as_text=True)
    assert names(whole) == [target.full_name]


def test_search_never_shows_students_of_another_school(as_user):
    other = student_of("school2")
    for email in ("teacher@school1.demo", "psychologist@school1.demo", "admin@school1.demo"):
        b = as_user(email)
        for q in (other.iin, other.iin[:10]):
            page = b.get("/students", query_string={"q": q}).get_data(as_text=True)
            assert total(page) == 0, (email, q)
            assert names(page) == []
        whole = b.get("/students", query_string={"status": "all", "page": 2}).get_data(as_text=True)
        assert total(whole) == 35


def test_search_is_paginated_by_25(as_user):
    school1 = school_id("school1")
    everyone = sorted(s.full_name for s in students_where(Student.school_id == school1, Student.status == "active"))
    assert len(everyone) == 35
    teacher = as_user("teacher@school1.demo")
    first = teacher.get("/students").get_data(as_text=True)
    second = teacher.get("/students", query_string={"page": 2}).get_data(as_text=True)
    assert total(first) == total(second) == 35
    assert len(rows(first)) == 25
    assert len(rows(second)) == 10
    assert sorted(names(first) + names(second)) == everyone
    assert "Page 2 of 2" in second
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert rows(teacher.get("/students", query_string={"page": 3}).get_data(as_text=True)) == []


def test_htmx_request_gets_only_the_results_partial(as_user):
    teacher = as_user("teacher@school1.demo")
    partial = teacher.get(
        "/students", query_string={"q": "7Б"}, headers={"HX-Request": "true", "HX-Request-Type": "partial"}
    )
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200
    assert body.lstrip().startswith('<div id="student-results"')
    assert "<html" not in body and "<form" not in body
    assert len(rows(body)) == 7
    assert "HX-Request" in partial.headers.get("Vary", "")
    assert "no-store" in partial.headers.get("Cache-Control", "")

    full = teacher.get("/students", query_string={"q": "7Б"})
    page = full.get_data(as_text=True)
    assert "<html" in page and '<div id="student-results"' in page and 'role="search"' in page
    assert "HX-Request" in full.headers.get("Vary", "")


# --- profile access -----------------------------------------------------------------------------


def _denials_for(student_id: int, actor_email: str):
    actor = user(actor_email)
    return [
        e for e in audit_actions("authz.deny")
        if e.object_type == "student" and e.object_id == student_id and e.actor_id == actor.id
    ]


def test_teacher_opens_only_students_of_own_class(as_user):
    teacher = as_user("teacher@school1.demo")
    own = student_of("school1", class_name="7Б")
    other_class = student_of("school1", not_class="7Б")
    other_school = student_of("school2", class_name="7Б")

    response = teacher.get(f"/students/{own.id}")
    assert response.status_code == 200
    assert own.full_name in response.get_data(as_text=True)

    for student in (other_class, other_school):
        response = teacher.get(f"/students/{student.id}")
        assert response.status_code == 404
        assert student.full_name not in response.get_data(as_text=True)
        denials = _denials_for(student.id, "teacher@school1.demo")
        assert len(denials) == 1
        assert denials[0].outcome == "denied"


def test_a_missing_student_answers_like_a_foreign_one(as_user):
    teacher = as_user("teacher@school1.demo")
    assert teacher.get("/students/999999").status_code == 404
    assert _denials_for(999999, "teacher@school1.demo")


@pytest.mark.parametrize("email", ["psychologist@school1.demo", "admin@school1.demo"])
def test_psychologist_and_admin_open_any_student_of_their_school_only(as_user, email):
    b = as_user(email)
    for class_name in ("5А", "7Б", "9В"):
        student = student_of("school1", class_name=class_name)
        response = b.get(f"/students/{student.id}")
        assert response.status_code == 200
        assert student.full_name in response.get_data(as_text=True)
    for key in ("school2", "school3"):
        student = student_of(key)
        response = b.get(f"/students/{student.id}")
        assert response.status_code == 404
        assert student.full_name not in response.get_data(as_text=True)
        assert _denials_for(student.id, email)


@pytest.mark.parametrize("email", ["reviewer@astana.demo", "reviewer@akmola.demo", "sysadmin@portal.demo"])
def test_reviewer_and_sysadmin_are_refused_students(as_user, email):
    b = as_user(email)
    student = student_of("school1")
    assert b.get("/students").status_code == 403
    response = b.get(f"/students/{student.id}")
    assert response.status_code == 403
    assert student.full_name not in response.get_data(as_text=True)
    assert b.get("/students", query_string={"q": student.iin}).status_code == 403


def test_reading_a_profile_is_audited(as_user):
    psychologist = as_user("psychologist@school1.demo")
    student = student_of("school1", class_name="6Б")
    assert [e for e in audit_actions("student.read") if e.object_id == student.id] == []
    assert psychologist.get(f"/students/{student.id}").status_code == 200
    reads = [e for e in audit_actions("student.read") if e.object_id == student.id]
    assert len(reads) == 1
    assert reads[0].object_type == "student"
    assert reads[0].actor_id == user("psychologist@school1.demo").id
    assert reads[0].school_id == student.school_id


# --- adding a student ---------------------------------------------------------------------------


def test_admin_adds_a_student_with_a_guardian(as_user):
    admin = as_user("admin@school1.demo")
    before = student_count()
    data = new_student()
    response = admin.post("/admin/students/new", data=data)
    assert response.status_code == 303
    assert student_count() == before + 1

    created = students_where(Student.iin == data["iin"])
    assert len(created) == 1
    student = created[0]
    assert response.headers["Location"].endswith(f"/students/{student.id}")
    assert (student.surname, student.given_name, student.patronymic) == ("Тестова", "Айгуль", "Маратовна")
    assert student.class_name == "7Б"
    assert student.birth_date == date(2014, 5, 14)
    assert student.sex == "F"
    assert student.status == "active"
    assert student.school_id == school_id("school1")
    assert student.iin_duplicate is False
    with in_app():
        guardians = [(g.full_name, g.relation, g.phone) for g in db.session.get(Student, student.id).guardians]
    assert guardians == [("Марат Тестов", "father", "+7 701 555 12 34")]

    created_events = [e for e in audit_actions("student.create") if e.object_id == student.id]
    assert len(created_events) == 1
    assert created_events[0].actor_id == user("admin@school1.demo").id

    profile = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Тестова Айгуль Маратовна" in profile and "Марат Тестов" in profile
    # The class teacher of 7Б now finds and opens the new student.
    teacher = as_user("teacher@school1.demo")
    assert "Тестова Айгуль Маратовна" in names(teacher.get("/students", query_string={"q": "тестова"}).get_data(
        as_text=True))
    assert teacher.get(f"/students/{student.id}").status_code == 200


def test_a_student_without_iin_can_be_added(as_user):
    before = student_count()
    response = as_user("admin@school1.demo").post("/admin/students/new", data=new_student(iin=""))
    assert response.status_code == 303
    assert student_count() == before + 1
    assert students_where(Student.surname == "Тестова")[0].iin is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"surname": ""}, "This field is required."),
        ({"surname": "   "}, "This field is required."),
        ({"iin": "14051460001"}, "An IIN has exactly 12 digits; this one has 11."),
        ({"iin": "14051460001X"}, "An IIN consists of digits only."),
        ({"iin": "wrong-check"}, "The check digit (the last one) does not match"),
        ({"iin": "other-date"}, "The IIN encodes another birth date than the one entered."),
        ({"iin": "other-sex"}, "The IIN encodes the other sex than the one chosen."),
        ({"birth_date": "2014-02-30"}, "Enter a real date."),
        ({"birth_date": "14.05.2014x"}, "Enter a real date."),
        ({"birth_date": "1990-05-14", "iin": ""}, "The birth date must be within the last 25 years."),
        ({"class_name": "15Z"}, "Write the class as a grade and a letter, for example 7Б."),
        ({"class_name": "7ББ"}, "Write the class as a grade and a letter, for example 7Б."),
        ({"surname": "Ив\x00анов"}, "Contains characters that are not allowed."),
        ({"given_name": "Ай\x07гуль"}, "Contains characters that are not allowed."),
        ({"guardians-0-full_name": "Марат\x00Тестов"}, "Contains characters that are not allowed."),
        ({"guardians-0-full_name": ""}, "name or leave the row empty."),
        ({"guardians-0-phone": "call me"}, "Use digits, spaces, brackets and an optional leading +."),
    ],
    ids=[
        "missing-surname", "blank-surname", "iin-11-digits", "iin-letter", "iin-check-digit", "iin-other-date",
        "iin-other-sex", "31-february", "not-a-date", "too-old", "class-15Z", "class-two-letters",
        "nul-in-surname", "control-char", "nul-in-guardian", "guardian-phone-without-name", "bad-phone",
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(as_user, overrides, message):
    born = date(2014, 5, 14)
    valid = fresh_iin(born, "F")
    if overrides.get("iin") == "wrong-check":
        overrides = {**overrides, "iin": valid[:-1] + str((int(valid[-1]) + 1) % 10)}
    elif overrides.get("iin") == "other-date":
        overrides = {**overrides, "iin": fresh_iin(date(2014, 5, 15), "F")}
    elif overrides.get("iin") == "other-sex":
        overrides = {**overrides, "iin": fresh_iin(born, "M")}
    admin = as_user("admin@school1.demo")
    before = student_count()
    guardians_before = _guardian_count()
    response = admin.post("/admin/students/new", data=new_student(**overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Please correct the marked fields." in page
    assert student_count() == before
    assert _guardian_count() == guardians_before
    assert audit_actions("student.create") == []


def _guardian_count() -> int:
    from portal.students.models import Guardian

    with in_app():
        return db.session.scalar(select(func.count()).select_from(Guardian))


def test_a_refused_form_keeps_what_was_typed(as_user):
    response = as_user("admin@school1.demo").post("/admin/students/new", data=new_student(class_name="15Z"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Тестова"' in page and 'value="Марат Тестов"' in page


# --- duplicate IIN ------------------------------------------------------------------------------


@pytest.mark.parametrize("holder_school", ["school1", "school3"])
def test_duplicate_iin_needs_confirmation(as_user, holder_school):
    holder = student_of(holder_school, class_name="6Б")
    admin = as_user("admin@school1.demo")
    data = new_student(iin=holder.iin, birth_date=holder.birth_date.isoformat(), sex=holder.sex)
    before = student_count()

    refused = admin.post("/admin/students/new", data=data)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Another student in the portal already has this IIN" in page
    assert 'name="confirm_duplicate_iin"' in page
    assert holder.full_name not in page  # the other student's identity is not revealed
    assert student_count() == before
    assert reload(holder.id).iin_duplicate is False

    confirmed = admin.post("/admin/students/new", data={**data, "confirm_duplicate_iin": "y"})
    assert confirmed.status_code == 303
    assert student_count() == before + 1
    both = students_where(Student.iin == holder.iin)
    assert len(both) == 2
    assert all(s.iin_duplicate for s in both)
    again = reload(holder.id)
    assert (again.full_name, again.school_id) == (holder.full_name, holder.school_id)
    new = next(s for s in both if s.id != holder.id)
    assert new.full_name == "Тестова Айгуль Маратовна"
    profile = admin.get(f"/students/{new.id}").get_data(as_text=True)
    assert "The same IIN is recorded for another student" in profile


# --- editing ------------------------------------------------------------------------------------


def test_edit_with_the_current_version_saves_and_audits_changed_fields(as_user):
    student = student_of("school1", class_name="5А")
    admin = as_user("admin@school1.demo")
    form = admin.get(f"/admin/students/{student.id}/edit")
    assert form.status_code == 200
    assert f'name="version" value="{student.version}"' in form.get_data(as_text=True)

    response = admin.post(
        f"/admin/students/{student.id}/edit", data=edit_data(student, surname="Новикова", class_name="6 б")
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/students/{student.id}")
    saved = reload(student.id)
    assert (saved.surname, saved.class_name) == ("Новикова", "6Б")
    assert saved.given_name == student.given_name and saved.iin == student.iin
    assert saved.version == student.version + 1
    with in_app():
        assert len(db.session.get(Student, student.id).guardians) == 1
    updates = [e for e in audit_actions("student.update") if e.object_id == student.id]
    assert len(updates) == 1
    assert set(updates[0].fields.split(",")) == {"surname", "class_name"}
    # The new surname is searchable at once.
    found = admin.get("/students", query_string={"q": "новикова"}).get_data(as_text=True)
    assert (student.id, saved.full_name) in rows(found)


def test_edit_with_a_stale_version_is_refused_with_409_and_overwrites_nothing(as_user):
    student = student_of("school1", class_name="9В")
    first = as_user("admin@school1.demo")
    second = as_user("admin@school1.demo")
    stale = edit_data(student)  # both opened the form at the same version

    saved = second.post(f"/admin/students/{student.id}/edit", data={**stale, "given_name": "Сабина"})
    assert saved.status_code == 303

    refused = first.post(f"/admin/students/{student.id}/edit", data={**stale, "surname": "Перезаписанова"})
    assert refused.status_code == 409
    assert "Someone else saved this student while you were editing" in refused.get_data(as_text=True)
    now = reload(student.id)
    assert now.surname == student.surname
    assert now.given_name == "Сабина"
    assert now.version == student.version + 1
    assert len([e for e in audit_actions("student.update") if e.object_id == student.id]) == 1


def test_admin_of_another_school_cannot_edit_or_mark_as_left(as_user):
    student = student_of("school1", class_name="7Б")
    other_admin = as_user("admin@school2.demo")
    assert other_admin.get(f"/admin/students/{student.id}/edit").status_code == 404
    response = other_admin.post(f"/admin/students/{student.id}/edit", data=edit_data(student, surname="Чужой"))
    assert response.status_code == 404
    left = other_admin.post(
        f"/admin/students/{student.id}/leave",
        data={"left_on": "2026-01-10", "reason": "Переезд", "version": str(student.version)},
    )
    assert left.status_code == 404
    assert other_admin.post(f"/admin/students/{student.id}/reinstate").status_code == 404
    now = reload(student.id)
    assert (now.surname, now.status, now.version) == (student.surname, "active", student.version)
    assert _denials_for(student.id, "admin@school2.demo")


@pytest.mark.parametrize("email", ["teacher@school1.demo", "psychologist@school1.demo"])
def test_teacher_and_psychologist_cannot_add_or_edit_students(as_user, email):
    b = as_user(email)
    student = student_of("school1", class_name="7Б")
    before = student_count()
    assert b.get("/admin/students/new").status_code == 403
    assert b.post("/admin/students/new", data=new_student()).status_code == 403
    assert b.get(f"/admin/students/{student.id}/edit").status_code == 403
    assert b.post(f"/admin/students/{student.id}/edit", data=edit_data(student, surname="Х")).status_code == 403
    assert student_count() == before
    assert reload(student.id).surname == student.surname


# --- leaving and coming back --------------------------------------------------------------------


def test_mark_as_left_hides_from_active_search_and_reinstate_brings_back(as_user):
    student = student_of("school1", class_name="8А")
    admin = as_user("admin@school1.demo")
    left_on = clock.now().date() - timedelta(days=3)

    response = admin.post(
        f"/admin/students/{student.id}/leave",
        data={"left_on": left_on.isoformat(), "reason": "Переезд в Алматы", "version": str(student.version)},
    )
    assert response.status_code == 303
    now = reload(student.id)
    assert (now.status, now.left_on, now.left_reason) == ("left", left_on, "Переезд в Алматы")
    assert [e.object_id for e in audit_actions("student.leave")] == [student.id]

    active = admin.get("/students", query_string={"q": student.iin}).get_data(as_text=True)
    assert total(active) == 0
    assert total(admin.get("/students").get_data(as_text=True)) == 34
    gone = admin.get("/students", query_string={"q": student.iin, "status": "left"}).get_data(as_text=True)
    assert rows(gone) == [(student.id, student.full_name)]
    assert "Left the school" in gone
    profile = admin.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Переезд в Алматы" in profile and "Return to the active list" in profile

    back = admin.post(f"/admin/students/{student.id}/reinstate")
    assert back.status_code == 303
    now = reload(student.id)
    assert (now.status, now.left_on, now.left_reason) == ("active", None, None)
    assert [e.object_id for e in audit_actions("student.reinstate")] == [student.id]
    active = admin.get("/students", query_string={"q": student.iin}).get_data(as_text=True)
    assert rows(active) == [(student.id, student.full_name)]


def test_leaving_date_in_the_future_is_refused(as_user):
    student = student_of("school1", class_name="8А")
    admin = as_user("admin@school1.demo")
    response = admin.post(
        f"/admin/students/{student.id}/leave",
        data={
            "left_on": (clock.now().date() + timedelta(days=2)).isoformat(),
            "reason": "Переезд",
            "version": str(student.version),
        },
    )
    assert response.status_code == 400
    assert "The date cannot be in the future." in response.get_data(as_text=True)
    now = reload(student.id)
    assert (now.status, now.left_on, now.version) == ("active", None, student.version)
    assert audit_actions("student.leave") == []


def test_leaving_without_a_reason_is_refused(as_user):
    student = student_of("school1", class_name="8А")
    response = as_user("admin@school1.demo").post(
        f"/admin/students/{student.id}/leave",
        data={"left_on": clock.now().date().isoformat(), "reason": "", "version": str(student.version)},
    )
    assert response.status_code == 400
    assert reload(student.id).status == "active"


def test_mark_as_left_with_a_stale_version_is_refused(as_user):
    student = student_of("school1", class_name="8А")
    admin = as_user("admin@school1.demo")
    stale_version = str(student.version)
    assert admin.post(f"/admin/students/{student.id}/edit", data=edit_data(student, given_name="Алия")).status_code == 303
    response = admin.post(
        f"/admin/students/{student.id}/leave",
        data={"left_on": clock.now().date().isoformat(), "reason": "Переезд", "version": stale_version},
    )
    assert response.status_code == 409
    assert reload(student.id).status == "active"


def test_teacher_search_does_not_list_students_who_left(as_user):
    student = student_of("school1", class_name="7Б")
    admin = as_user("admin@school1.demo")
    assert admin.post(
        f"/admin/students/{student.id}/leave",
        data={"left_on": clock.now().date().isoformat(), "reason": "Переезд", "version": str(student.version)},
    ).status_code == 303
    teacher = as_user("teacher@school1.demo")
    page = teacher.get("/students", query_string={"class": "7Б"}).get_data(as_text=True)
    assert student.id not in [sid for sid, _ in rows(page)]
    assert total(page) == 6


# --- robustness of the search -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [{"q": "Ив\x00анов"}, {"q": "7\x00"}, {"class": "7\x00Б"}],
    ids=["nul-in-name", "nul-in-short-query", "nul-in-class"],
)
def test_a_nul_byte_in_the_search_is_not_a_server_error(as_user, query):
    """SECURITY.md: NUL bytes are refused, never a 500 (PostgreSQL rejects NUL in text)."""
    response = as_user("psychologist@school1.demo").get("/students", query_string=query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert rows(response.get_data(as_text=True)) == []


def test_an_absurd_page_number_is_not_a_server_error(as_user):
    response = as_user("teacher@school1.demo").get("/students", query_string={"page": "9" * 20})
    assert response.status_code in (200, 400, 404)
    if response.status_code == 200:
        assert rows(response.get_data(as_text=True)) == []
