"""HTTP hardening on every response (SECURITY.md: HTTP)."""

import re

import pytest

PAGES = ["/login", "/healthz", "/does-not-exist"]
AUTH_PAGES = ["/", "/students", "/students?q=а", "/account"]


def _nonce(csp: str) -> str:
    match = re.search(r"'nonce-([^']+)'", csp)
    assert match, csp
    return match.group(1)


@pytest.mark.parametrize("path", PAGES)
def test_headers_on_anonymous_pages(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_nonce_changes_per_response_and_every_script_carries_it(client):
    first = client.get("/login")
    second = client.get("/login")
    n1, n2 = _nonce(first.headers["Content-Security-Policy"]), _nonce(second.headers["Content-Security-Policy"])
    assert n1 != n2
    html = first.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts, "the layout loads htmx and app.js"
    for tag in scripts:
        assert f'nonce="{n1}"' in tag
        assert "src=" in tag  # no inline script bodies
    assert "hx-on" not in html and "style=" not in html and "onclick" not in html


@pytest.mark.parametrize("path", AUTH_PAGES)
def test_authenticated_pages_are_never_cached(login_as, path):
    psychologist = login_as("psychologist@school1.demo")
    response = psychologist.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers.get("Vary", "")


def test_htmx_fragments_are_not_cached_either(login_as):
    psychologist = login_as("psychologist@school1.demo")
    response = psychologist.get("/students?q=а", headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_htmx_is_vendored_and_configured_for_csp(client):
    html = client.get("/login").get_data(as_text=True)
    assert "/static/vendor/htmx-4.0.1.min.js" in html
    assert '"includeIndicatorCSS": false' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert client.get("/static/vendor/htmx-4.0.1.min.js").status_code == 200


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://portal.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_state_changes_need_csrf_even_from_htmx(login_as):
    admin = login_as("admin@school1.demo")
    target = "/admin/users"
    page = admin.get(target).get_data(as_text=True)
    assert page
    from tests.conftest import user

    teacher_id = user("teacher2@school1.demo").id
    no_token = admin.client.post(f"/admin/users/{teacher_id}/disable", headers={"HX-Request": "true"})
    assert no_token.status_code == 400
    assert user("teacher2@school1.demo").active
    token = admin.csrf("/account")
    with_header = admin.client.post(
        f"/admin/users/{teacher_id}/disable", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert with_header.status_code == 303
    assert not user("teacher2@school1.demo").active


def test_no_state_change_on_get(app):
    """Every route that changes something refuses GET."""
    changing = {"auth.logout", "auth.set_language", "admin.user_disable", "admin.user_enable",
                "admin.user_end_sessions", "students.reinstate"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in changing:
            assert "GET" not in rule.methods, rule


@pytest.mark.parametrize("code,path,method", [(404, "/nope", "get"), (405, "/logout", "get")])
@pytest.mark.parametrize("lang,word", [("kk", "табылмады"), ("ru", "не найден"), ("en", "Not found")])
def test_error_pages_in_three_languages_without_traces(client, code, path, method, lang, word):
    response = getattr(client, method)(path, headers={"Accept-Language": lang})
    assert response.status_code == code
    text = response.get_data(as_text=True)
    assert f'lang="{lang}"' in text
    assert "Traceback" not in text
    if code == 404:
        assert word.lower() in text.lower()


def test_500_page_hides_the_error(app, client):
    from portal.web.access import public

    @public
    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/__boom", "boom", boom)
    response = client.get("/__boom", headers={"Accept-Language": "ru"})
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert 'lang="ru"' in text


def test_429_page(app):
    from tests.conftest import Browser

    app.config["LOGIN_LIMIT_PER_IP"] = "1 per minute"
    b = Browser(app, app.test_client())
    b.login("x@school1.demo", "wrong-password-1")
    response = b.login("x@school1.demo", "wrong-password-1")
    assert response.status_code == 429
    assert "Traceback" not in response.get_data(as_text=True)
