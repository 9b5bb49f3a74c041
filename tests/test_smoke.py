from tests.conftest import student_of


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_teacher_logs_in_and_sees_own_class(login_as, app):
    teacher = login_as("teacher@school1.demo")
    page = teacher.get("/").get_data(as_text=True)
    assert "7Б" in page
    own = student_of("school1", class_name="7Б")
    assert own.full_name in page


def test_the_layouts_csrf_field_is_the_one_a_form_renders(app):
    """The layout renders its buttons' CSRF field without form objects; it must be the field a form renders."""
    from portal.web.forms import CsrfOnly, EmptyForm

    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context("/"):
        assert str(CsrfOnly().csrf_token) == str(EmptyForm(formdata=None).csrf_token)
        assert 'name="csrf_token" type="hidden" value="' in str(CsrfOnly().csrf_token)
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/"):
        assert CsrfOnly().csrf_token == "" == getattr(EmptyForm(formdata=None), "csrf_token", "")
