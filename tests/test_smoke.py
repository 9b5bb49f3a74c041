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
