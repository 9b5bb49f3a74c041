"""Administration through HTTP: regions, schools and accounts, by sysadmin and school administrators."""

import re

import pytest
from sqlalchemy import func, select

from portal.admin.models import Region, School
from portal.auth.models import User
from portal.auth.passwords import password_problem
from portal.extensions import db
from portal.students.models import Student
from tests.conftest import Browser, audit_actions, in_app, user

GOOD_PASSWORD = "correct horse battery"
REGION_ROW_RE = re.compile(r"<tr><td>([a-z0-9-]+)</td><td lang=\"kk\">")


@pytest.fixture
def as_user(login_as):
    """A logged-in browser that asks for English pages, so messages can be read in the assertions."""

    def _as(email):
        b = login_as(email)
        b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return b

    return _as


def fresh_browser(app) -> Browser:
    b = Browser(app, app.test_client())
    b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return b


def count(model, *conditions) -> int:
    with in_app():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def region(code: str) -> Region:
    with in_app():
        return db.session.scalar(select(Region).where(Region.code == code))


def school(number: int) -> School:
    with in_app():
        return db.session.scalar(select(School).where(School.name.contains(f"№ {number} ")))


def account(email: str) -> User | None:
    with in_app():
        return db.session.scalar(select(User).where(User.email == email))


def new_user(**overrides) -> dict:
    """What the sysadmin's account form sends: both selects are always posted, "0" meaning none."""
    data = {
        "full_name": "Алма Жунусова",
        "email": "alma@school1.kz",
        "role": "teacher",
        "school_id": str(school(1).id),
        "region_id": "0",
        "class_name": "",
        "password": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


def errors(response) -> list[str]:
    return re.findall(r'<p class="error"[^>]*>([^<]*)</p>', response.get_data(as_text=True))


# --- regions ------------------------------------------------------------------------------------


def test_sysadmin_sees_all_twenty_regions_in_three_languages(as_user):
    response = as_user("sysadmin@portal.demo").get("/admin/regions")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert len(REGION_ROW_RE.findall(page)) == 20
    for name in ("Ақмола облысы", "Акмолинская область", "Akmola Region", "Шымкент қаласы", "город Алматы",
                 "West Kazakhstan Region", "Ұлытау облысы"):
        assert name in page


def test_sysadmin_renames_a_region(as_user):
    akmola = region("akmola")
    sysadmin = as_user("sysadmin@portal.demo")
    assert sysadmin.get(f"/admin/regions/{akmola.id}/edit").status_code == 200
    response = sysadmin.post(
        f"/admin/regions/{akmola.id}/edit",
        data={"code": "akmola", "name_kk": "Ақмола облысы (жаңа)", "name_ru": "Акмолинская область (новая)",
              "name_en": "Akmola Region (new)"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/regions")
    renamed = region("akmola")
    assert (renamed.id, renamed.name_kk, renamed.name_ru, renamed.name_en) == (
        akmola.id, "Ақмола облысы (жаңа)", "Акмолинская область (новая)", "Akmola Region (new)")
    page = sysadmin.get("/admin/regions").get_data(as_text=True)
    assert "Akmola Region (new)" in page
    assert count(Region) == 20
    assert [e.object_id for e in audit_actions("region.update")] == [akmola.id]


def test_sysadmin_adds_a_region(as_user):
    response = as_user("sysadmin@portal.demo").post(
        "/admin/regions/new",
        data={"code": "test-region", "name_kk": "Сынақ облысы", "name_ru": "Тестовая область", "name_en": "Test Region"},
    )
    assert response.status_code == 303
    assert count(Region) == 21
    assert region("test-region").name_en == "Test Region"


@pytest.mark.parametrize("code", ["akmola", "shymkent"])
def test_a_region_with_a_code_already_in_use_is_refused(as_user, code):
    sysadmin = as_user("sysadmin@portal.demo")
    response = sysadmin.post(
        "/admin/regions/new",
        data={"code": code, "name_kk": "Қайталау", "name_ru": "Дубликат", "name_en": "Duplicate"},
    )
    assert response.status_code == 400
    assert "This code is already used by another region." in errors(response)
    assert count(Region) == 20
    assert count(Region, Region.name_en == "Duplicate") == 0


def test_renaming_a_region_to_another_regions_code_is_refused(as_user):
    abai = region("abai")
    response = as_user("sysadmin@portal.demo").post(
        f"/admin/regions/{abai.id}/edit",
        data={"code": "akmola", "name_kk": abai.name_kk, "name_ru": abai.name_ru, "name_en": abai.name_en},
    )
    assert response.status_code == 400
    assert "This code is already used by another region." in errors(response)
    assert region("abai").id == abai.id


# --- schools ------------------------------------------------------------------------------------


def test_sysadmin_creates_and_edits_a_school(as_user):
    sysadmin = as_user("sysadmin@portal.demo")
    akmola = region("akmola")
    assert sysadmin.get("/admin/schools/new").status_code == 200
    response = sysadmin.post(
        "/admin/schools/new",
        data={"name": "Школа-гимназия № 45", "region_id": str(akmola.id), "district": "Шортандинский район",
              "is_active": "y"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/schools")
    with in_app():
        created = db.session.scalar(select(School).where(School.name == "Школа-гимназия № 45"))
        assert (created.region_id, created.district, created.is_active) == (
            akmola.id, "Шортандинский район", True)
        school_id = created.id
    listing = sysadmin.get("/admin/schools").get_data(as_text=True)
    assert "Школа-гимназия № 45" in listing and "Akmola Region" in listing

    astana = region("astana")
    edited = sysadmin.post(
        f"/admin/schools/{school_id}/edit",
        data={"name": "Школа-гимназия № 46", "region_id": str(astana.id), "district": ""},  # "active" unticked
    )
    assert edited.status_code == 303
    with in_app():
        school_now = db.session.get(School, school_id)
        assert (school_now.name, school_now.region_id, school_now.is_active) == (
            "Школа-гимназия № 46", astana.id, False)
        assert not school_now.district
    assert count(School) == 4
    assert [e.object_id for e in audit_actions("school.create")] == [school_id]
    assert [e.object_id for e in audit_actions("school.update")] == [school_id]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "Мектеп\x00№ 7"}, "Contains characters that are not allowed."),
        ({"region_id": "999999"}, "Not a valid choice."),
    ],
    ids=["missing-name", "nul-in-name", "unknown-region"],
)
def test_a_school_with_bad_data_is_refused(as_user, overrides, message):
    data = {"name": "Мектеп № 7", "region_id": str(region("akmola").id), "district": "", "is_active": "y"}
    response = as_user("sysadmin@portal.demo").post("/admin/schools/new", data={**data, **overrides})
    assert response.status_code == 400
    assert message in errors(response)
    assert count(School) == 3
    assert audit_actions("school.create") == []


# --- accounts: creation by the sysadmin ---------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "attachments", "expected_school", "expected_region", "expected_class"),
    [
        ("teacher", {"school_id": 1, "class_name": "6 б"}, 1, None, "6Б"),
        ("psychologist", {"school_id": 2}, 2, None, None),
        ("school_admin", {"school_id": 3}, 3, None, None),
        # A school left selected for a reviewer is dropped; the region is what counts.
        ("regional_reviewer", {"region_id": "akmola", "school_id": 1}, None, "akmola", None),
        ("sysadmin", {"school_id": 2, "class_name": "7Б"}, None, None, None),
    ],
)
def test_sysadmin_creates_an_account_of_each_role_that_can_log_in(
    app, as_user, role, attachments, expected_school, expected_region, expected_class
):
    email = f"new-{role.replace('_', '-')}@example.kz"
    data = new_user(email=email, role=role, school_id="0")
    if "school_id" in attachments:
        data["school_id"] = str(school(attachments["school_id"]).id)
    if "region_id" in attachments:
        data["region_id"] = str(region(attachments["region_id"]).id)
    data["class_name"] = attachments.get("class_name", "")

    sysadmin = as_user("sysadmin@portal.demo")
    response = sysadmin.post("/admin/users/new", data=data)
    assert response.status_code == 303, errors(response)
    created = account(email)
    assert response.headers["Location"].endswith(f"/admin/users/{created.id}")
    assert created.role == role and created.active and not created.is_demo
    assert created.school_id == (school(expected_school).id if expected_school else None)
    assert created.region_id == (region(expected_region).id if expected_region else None)
    assert created.class_name == expected_class
    assert GOOD_PASSWORD not in created.password_hash
    events = [e for e in audit_actions("user.create") if e.object_id == created.id]
    assert len(events) == 1 and "password" in events[0].fields

    newcomer = fresh_browser(app)
    assert newcomer.login(email, GOOD_PASSWORD).status_code == 303
    home = newcomer.get("/")
    assert home.status_code == 200
    assert "Алма Жунусова" in home.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw", "The password must be at least 10 characters long."),
        ("qwertyuiop", "This password is too common; choose another one."),
        ("QwertyUiop", "This password is too common; choose another one."),
        ("x" * 129, "The password must be at most 128 characters long."),
        ("alma@school1.kz", "The password must not be the same as the e-mail address."),
        ("", "Set an initial password."),
    ],
    ids=["too-short", "common", "common-other-case", "too-long", "same-as-email", "missing"],
)
def test_a_weak_password_is_refused(as_user, password, message):
    before = count(User)
    response = as_user("sysadmin@portal.demo").post("/admin/users/new", data=new_user(password=password))
    assert response.status_code == 400
    assert message in errors(response)
    assert count(User) == before
    assert account("alma@school1.kz") is None


@pytest.mark.parametrize("email", ["teacher@school2.demo", "Teacher@School2.DEMO", " psychologist@school1.demo "])
def test_an_e_mail_already_in_use_is_refused(as_user, email):
    before = count(User)
    response = as_user("sysadmin@portal.demo").post("/admin/users/new", data=new_user(email=email))
    assert response.status_code == 400
    assert "An account with this e-mail already exists." in errors(response)
    assert count(User) == before
    assert count(User, User.full_name == "Алма Жунусова") == 0


@pytest.mark.parametrize("role", ["teacher", "psychologist", "school_admin"])
def test_a_school_role_without_a_school_is_refused(as_user, role):
    before = count(User)
    response = as_user("sysadmin@portal.demo").post("/admin/users/new", data=new_user(role=role, school_id="0"))
    assert response.status_code == 400
    assert "Choose the school for this role." in errors(response)
    assert count(User) == before


def test_a_reviewer_without_a_region_is_refused(as_user):
    before = count(User)
    response = as_user("sysadmin@portal.demo").post(
        "/admin/users/new", data=new_user(role="regional_reviewer", school_id="0", region_id="0")
    )
    assert response.status_code == 400
    assert "Choose the region for a regional reviewer." in errors(response)
    assert count(User) == before


def test_the_demo_password_is_refused_outside_demo_mode(app):
    with in_app(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        app.config["DEMO_MODE"] = True
        assert password_problem("demo-portal-2026") is None
        app.config["DEMO_MODE"] = False
        assert password_problem("demo-portal-2026") == "This password is publicly known; choose another one."
        assert password_problem("DEMO-PORTAL-2026") == "This password is publicly known; choose another one."
        assert password_problem(GOOD_PASSWORD) is None


def test_the_demo_password_is_refused_in_the_account_form_outside_demo_mode(app, as_user):
    sysadmin = as_user("sysadmin@portal.demo")
    ops = new_user(full_name="Оператор Портала", email="ops@portal.kz", role="sysadmin", school_id="0")
    assert sysadmin.post("/admin/users/new", data=ops).status_code == 303

    app.config["DEMO_MODE"] = False
    operator = fresh_browser(app)
    assert operator.login("ops@portal.kz", GOOD_PASSWORD).status_code == 303
    before = count(User)
    response = operator.post("/admin/users/new", data=new_user(password="demo-portal-2026"))
    assert response.status_code == 400
    assert "This password is publicly known; choose another one." in errors(response)
    assert count(User) == before
    # Demo accounts stop working when demo mode is off.
    assert sysadmin.get("/").status_code == 302


# --- disabling and ending sessions --------------------------------------------------------------


def _redirects_to_login(response) -> bool:
    return response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_disabling_an_account_ends_its_sessions_at_once(app, as_user):
    teacher_session = as_user("teacher@school1.demo")
    assert teacher_session.get("/").status_code == 200
    teacher_id = user("teacher@school1.demo").id
    sysadmin = as_user("sysadmin@portal.demo")

    response = sysadmin.post(f"/admin/users/{teacher_id}/disable")
    assert response.status_code == 303
    assert account("teacher@school1.demo").active is False
    assert _redirects_to_login(teacher_session.get("/"))
    assert _redirects_to_login(teacher_session.get("/students"))
    assert "Disabled" in sysadmin.get(f"/admin/users/{teacher_id}").get_data(as_text=True)

    again = fresh_browser(app).login("teacher@school1.demo")
    assert again.status_code == 401
    assert "Wrong e-mail or password." in again.get_data(as_text=True)
    assert [e.object_id for e in audit_actions("user.disable")] == [teacher_id]

    assert sysadmin.post(f"/admin/users/{teacher_id}/enable").status_code == 303
    assert account("teacher@school1.demo").active is True
    back = fresh_browser(app)
    assert back.login("teacher@school1.demo").status_code == 303
    assert back.get("/").status_code == 200
    # The old session stays dead after re-enabling.
    assert _redirects_to_login(teacher_session.get("/"))


def test_ending_all_sessions_logs_the_account_out_but_keeps_it_active(app, as_user):
    first = as_user("psychologist@school1.demo")
    second = as_user("psychologist@school1.demo")
    psychologist_id = user("psychologist@school1.demo").id
    sysadmin = as_user("sysadmin@portal.demo")
    assert "<dd>2</dd>" in sysadmin.get(f"/admin/users/{psychologist_id}").get_data(as_text=True)

    assert sysadmin.post(f"/admin/users/{psychologist_id}/end-sessions").status_code == 303
    assert _redirects_to_login(first.get("/"))
    assert _redirects_to_login(second.get("/students"))
    assert account("psychologist@school1.demo").active is True
    assert "<dd>0</dd>" in sysadmin.get(f"/admin/users/{psychologist_id}").get_data(as_text=True)
    assert [e.object_id for e in audit_actions("user.end_sessions")] == [psychologist_id]

    again = fresh_browser(app)
    assert again.login("psychologist@school1.demo").status_code == 303
    assert again.get("/students").status_code == 200


def test_a_new_password_set_by_the_sysadmin_ends_the_accounts_sessions(app, as_user):
    teacher_session = as_user("teacher2@school1.demo")
    target = user("teacher2@school1.demo")
    data = new_user(full_name=target.full_name, email=target.email, school_id=str(target.school_id),
                    class_name=target.class_name, password="new secret for teacher2")
    response = as_user("sysadmin@portal.demo").post(f"/admin/users/{target.id}/edit", data=data)
    assert response.status_code == 303
    assert _redirects_to_login(teacher_session.get("/"))
    assert fresh_browser(app).login("teacher2@school1.demo").status_code == 401
    assert fresh_browser(app).login("teacher2@school1.demo", "new secret for teacher2").status_code == 303


def test_the_sysadmin_cannot_disable_their_own_account(as_user):
    sysadmin = as_user("sysadmin@portal.demo")
    own_id = user("sysadmin@portal.demo").id
    assert sysadmin.post(f"/admin/users/{own_id}/disable").status_code == 400
    assert account("sysadmin@portal.demo").active is True
    assert sysadmin.get("/").status_code == 200


# --- school administrators manage their own staff only ------------------------------------------


def test_school_admin_lists_only_teachers_and_psychologists_of_own_school(as_user):
    response = as_user("admin@school1.demo").get("/admin/users")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    listed = re.findall(r"<td>([^<@]+@[^<]+)</td>", page)
    assert sorted(listed) == sorted(
        ["teacher@school1.demo", "teacher2@school1.demo", "teacher3@school1.demo", "teacher4@school1.demo",
         "psychologist@school1.demo"]
    )
    for absent in ("admin@school1.demo", "teacher@school2.demo", "sysadmin@portal.demo", "reviewer@astana.demo"):
        assert absent not in page


def test_school_admin_searching_staff_never_finds_other_schools(as_user):
    admin = as_user("admin@school1.demo")
    page = admin.get("/admin/users", query_string={"q": "school2"}).get_data(as_text=True)
    assert "school2.demo" not in page
    assert "No accounts found." in page


def test_school_admin_creates_a_teacher_of_own_school(app, as_user):
    admin = as_user("admin@school1.demo")
    form = admin.get("/admin/users/new").get_data(as_text=True)
    assert 'value="sysadmin"' not in form and 'value="school_admin"' not in form
    # The school administrator's form has no school or region select.
    data = {"full_name": "Алма Жунусова", "email": "alma@school1.kz", "role": "teacher", "class_name": "9в",
            "password": GOOD_PASSWORD}
    response = admin.post("/admin/users/new", data=data)
    assert response.status_code == 303, errors(response)
    created = account("alma@school1.kz")
    assert (created.role, created.school_id, created.class_name) == ("teacher", school(1).id, "9В")
    assert "alma@school1.kz" in admin.get("/admin/users").get_data(as_text=True)
    assert fresh_browser(app).login("alma@school1.kz", GOOD_PASSWORD).status_code == 303


def test_school_admin_cannot_place_staff_in_another_school(as_user):
    admin = as_user("admin@school1.demo")
    data = {"full_name": "Алма Жунусова", "email": "alma@school1.kz", "role": "teacher",
            "school_id": str(school(2).id), "password": GOOD_PASSWORD}
    admin.post("/admin/users/new", data=data)
    assert count(User, User.school_id == school(2).id, User.email == "alma@school1.kz") == 0


@pytest.mark.parametrize("role", ["sysadmin", "school_admin", "regional_reviewer"])
def test_school_admin_cannot_create_other_roles(as_user, role):
    before = count(User)
    data = {"full_name": "Алма Жунусова", "email": "alma@school1.kz", "role": role, "password": GOOD_PASSWORD,
            "region_id": str(region("astana").id)}
    response = as_user("admin@school1.demo").post("/admin/users/new", data=data)
    assert response.status_code == 400
    assert "Not a valid choice." in errors(response)
    assert count(User) == before
    assert account("alma@school1.kz") is None


def test_school_admin_cannot_raise_a_teacher_to_admin(as_user):
    target = user("teacher3@school1.demo")
    data = {"full_name": target.full_name, "email": target.email, "role": "school_admin", "class_name": "5А",
            "password": ""}
    response = as_user("admin@school1.demo").post(f"/admin/users/{target.id}/edit", data=data)
    assert response.status_code == 400
    assert account("teacher3@school1.demo").role == "teacher"


@pytest.mark.parametrize("email", ["teacher@school2.demo", "sysadmin@portal.demo", "admin@school1.demo",
                                   "reviewer@astana.demo"])
def test_school_admin_gets_404_for_accounts_outside_their_staff(as_user, email):
    admin = as_user("admin@school1.demo")
    target = user(email)
    assert admin.get(f"/admin/users/{target.id}/edit").status_code == 404
    assert admin.get(f"/admin/users/{target.id}").status_code == 404
    data = {"full_name": "Взломщик", "email": target.email, "role": "teacher", "password": GOOD_PASSWORD}
    assert admin.post(f"/admin/users/{target.id}/edit", data=data).status_code == 404
    if email != "admin@school1.demo":
        assert admin.post(f"/admin/users/{target.id}/disable").status_code == 404
        assert admin.post(f"/admin/users/{target.id}/end-sessions").status_code == 404
    now = account(email)
    assert (now.full_name, now.role, now.active, now.password_hash) == (
        target.full_name, target.role, True, target.password_hash)
    assert [e for e in audit_actions("authz.deny") if e.object_type == "user" and e.object_id == target.id]


def test_school_admin_disables_a_teacher_of_own_school(app, as_user):
    teacher_session = as_user("teacher4@school1.demo")
    target = user("teacher4@school1.demo")
    assert as_user("admin@school1.demo").post(f"/admin/users/{target.id}/disable").status_code == 303
    assert _redirects_to_login(teacher_session.get("/"))
    assert fresh_browser(app).login("teacher4@school1.demo").status_code == 401


@pytest.mark.parametrize("path", ["/admin/regions", "/admin/schools", "/admin/regions/new", "/admin/schools/new"])
def test_school_admin_is_refused_reference_data(as_user, path):
    assert as_user("admin@school1.demo").get(path).status_code == 403


def test_school_admin_cannot_edit_a_school_or_region(as_user):
    own = school(1)
    admin = as_user("admin@school1.demo")
    response = admin.post(f"/admin/schools/{own.id}/edit",
                          data={"name": "Переименовано", "region_id": str(own.region_id), "is_active": "y"})
    assert response.status_code == 403
    assert school(1).name == own.name


# --- no child data for the sysadmin; no administration for others -------------------------------


def test_sysadmin_never_sees_a_student(as_user):
    sysadmin = as_user("sysadmin@portal.demo")
    with in_app():
        students = db.session.scalars(select(Student).order_by(Student.id)).all()
    assert sysadmin.get("/students").status_code == 403
    assert sysadmin.get(f"/students/{students[0].id}").status_code == 403
    pages = [sysadmin.get(path).get_data(as_text=True) for path in (
        "/", "/admin/users", "/admin/schools", "/admin/regions", f"/admin/schools/{students[0].school_id}/edit",
        f"/admin/users?q={students[0].surname}", f"/admin/users/{user('teacher@school1.demo').id}",
    )]
    for student in students[::7]:
        for page in pages:
            assert student.full_name not in page
            assert student.iin not in page


@pytest.mark.parametrize(
    "email", ["teacher@school1.demo", "psychologist@school1.demo", "reviewer@astana.demo", "reviewer@akmola.demo"]
)
def test_staff_and_reviewers_are_refused_account_administration(as_user, email):
    b = as_user(email)
    before = count(User)
    assert b.get("/admin/users").status_code == 403
    assert b.get("/admin/users/new").status_code == 403
    assert b.get(f"/admin/users/{user('teacher2@school1.demo').id}").status_code == 403
    assert b.post("/admin/users/new", data=new_user()).status_code == 403
    assert b.get("/admin/regions").status_code == 403
    assert b.get("/admin/schools").status_code == 403
    assert count(User) == before


# --- robustness of the account search ----------------------------------------------------------


def test_a_nul_byte_in_the_account_search_is_not_a_server_error(as_user):
    response = as_user("sysadmin@portal.demo").get("/admin/users", query_string={"q": "teacher\x00"})
    assert response.status_code in (200, 400)
    assert "teacher@school1.demo" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/schools"])
def test_an_absurd_page_number_is_not_a_server_error(as_user, path):
    response = as_user("sysadmin@portal.demo").get(path, query_string={"page": "9" * 20})
    assert response.status_code in (200, 400, 404)
