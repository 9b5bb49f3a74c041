"""Deny by default: every route × method × role × ownership has an expected answer.

A route missing from MATRIX fails test_every_route_is_in_the_matrix, so new routes cannot slip in unchecked.
Ownership: "own" (in the viewer's scope), "other_school" (same region), "other_region". Out of scope is 404,
exactly like a missing id, and the denial is audited. A role without the route gets 403; anonymous users are
sent to the login page (GET) or get 401 (POST).
"""

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth import roles
from portal.extensions import db
from tests.conftest import Browser, concern_of, in_app, student_of, user

ANON = "anonymous"
ACCOUNTS = {
    roles.TEACHER: "teacher@school1.demo",
    roles.PSYCHOLOGIST: "psychologist@school1.demo",
    roles.SCHOOL_ADMIN: "admin@school1.demo",
    roles.REGIONAL_REVIEWER: "reviewer@astana.demo",
    roles.SYSADMIN: "sysadmin@portal.demo",
}
ALL_ROLES = tuple(ACCOUNTS)
SCHOOL_STAFF = (roles.TEACHER, roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)
MANAGERS = (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN)
OWNERSHIPS = ("own", "other_school", "other_region")


@dataclass(frozen=True)
class Route:
    rule: str
    method: str
    allowed: tuple = ()  # roles that may use it at all
    public: bool = False
    obj: str | None = None  # "student" or "user": the <id> is an object with an owner
    global_scope: tuple = ()  # roles whose scope covers every ownership (sysadmin for accounts)
    region_scope: tuple = ()  # roles whose scope covers the other school of the region (regional reviewers)


MATRIX = [
    Route("/healthz", "GET", public=True),
    Route("/login", "GET", public=True),
    Route("/login", "POST", public=True),
    Route("/login/otp", "GET", public=True),
    Route("/login/otp", "POST", public=True),
    Route("/language", "POST", public=True),
    Route("/logout", "POST", ALL_ROLES),
    Route("/session/status", "GET", ALL_ROLES),
    Route("/account", "GET", ALL_ROLES),
    Route("/account", "POST", ALL_ROLES),
    Route("/account/2fa", "GET", ALL_ROLES),
    Route("/account/2fa", "POST", ALL_ROLES),
    Route("/account/2fa/start", "POST", ALL_ROLES),
    Route("/account/2fa/recovery-codes", "POST", ALL_ROLES),
    # 403 for the roles that must use 2FA; the suite runs with 2FA off (tests/auth/test_two_factor.py covers it)
    Route("/account/2fa/disable", "POST", ALL_ROLES),
    Route("/", "GET", ALL_ROLES),
    Route("/students", "GET", SCHOOL_STAFF),
    Route("/students/<int:student_id>", "GET", SCHOOL_STAFF, obj="student"),
    Route("/admin/students/new", "GET", (roles.SCHOOL_ADMIN,)),
    Route("/admin/students/new", "POST", (roles.SCHOOL_ADMIN,)),
    Route("/admin/students/<int:student_id>/edit", "GET", (roles.SCHOOL_ADMIN,), obj="student"),
    Route("/admin/students/<int:student_id>/edit", "POST", (roles.SCHOOL_ADMIN,), obj="student"),
    Route("/admin/students/<int:student_id>/leave", "GET", (roles.SCHOOL_ADMIN,), obj="student"),
    Route("/admin/students/<int:student_id>/leave", "POST", (roles.SCHOOL_ADMIN,), obj="student"),
    Route("/admin/students/<int:student_id>/reinstate", "POST", (roles.SCHOOL_ADMIN,), obj="student"),
    Route("/concerns", "GET", SCHOOL_STAFF),
    Route("/concerns/new", "GET", SCHOOL_STAFF),
    Route("/concerns/new", "POST", SCHOOL_STAFF),
    Route("/concerns/student-search", "GET", SCHOOL_STAFF),
    Route("/concerns/<int:concern_id>", "GET", SCHOOL_STAFF, obj="concern"),
    Route("/concerns/<int:concern_id>/acknowledge", "POST", (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN), obj="concern"),
    Route("/concerns/<int:concern_id>/decide", "POST", (roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN), obj="concern"),
    Route("/concerns/<int:concern_id>/addenda", "POST", SCHOOL_STAFF, obj="concern"),
    Route("/notifications", "GET", ALL_ROLES),
    Route("/notifications/badge", "GET", ALL_ROLES),
    Route("/notifications/read-all", "POST", ALL_ROLES),
    Route("/notifications/<int:notification_id>/read", "POST", ALL_ROLES, obj="notification"),
    Route("/cases", "GET", SCHOOL_STAFF),
    Route("/cases/<int:case_id>", "GET", SCHOOL_STAFF, obj="case"),
    Route("/cases/<int:case_id>/chronology", "GET", MANAGERS, obj="case"),
    Route("/cases/<int:case_id>/viewers", "GET", (roles.SCHOOL_ADMIN,), obj="case"),
    Route("/cases/<int:case_id>/council", "POST", (roles.SCHOOL_ADMIN,), obj="case"),
    Route("/cases/<int:case_id>/team", "POST", MANAGERS, obj="case"),
    Route("/cases/<int:case_id>/team/<int:user_id>/remove", "POST", MANAGERS, obj="case"),
    Route("/cases/<int:case_id>/notes", "POST", SCHOOL_STAFF, obj="case"),
    Route("/cases/<int:case_id>/confidential-notes", "POST", (roles.PSYCHOLOGIST,), obj="case"),
    Route("/cases/<int:case_id>/close", "POST", MANAGERS, obj="case"),
    Route("/cases/<int:case_id>/reopen", "POST", MANAGERS, obj="case"),
    Route("/cases/<int:case_id>/reviews/new", "GET", MANAGERS, obj="case"),
    Route("/cases/<int:case_id>/reviews/new", "POST", MANAGERS, obj="case"),
    Route("/cases/<int:case_id>/plan", "GET", SCHOOL_STAFF, obj="case"),
    Route("/cases/<int:case_id>/plan/new", "POST", MANAGERS, obj="case"),
    Route("/cases/<int:case_id>/plan/<int:plan_id>", "GET", SCHOOL_STAFF, obj="plan"),
    Route("/cases/<int:case_id>/plan/<int:plan_id>/edit", "POST", MANAGERS, obj="plan"),
    Route("/cases/<int:case_id>/plan/<int:plan_id>/submit", "POST", MANAGERS, obj="plan"),
    Route("/cases/<int:case_id>/plan/<int:plan_id>/approve", "POST", (roles.SCHOOL_ADMIN,), obj="plan"),
    Route("/cases/<int:case_id>/plan/<int:plan_id>/return", "POST", (roles.SCHOOL_ADMIN,), obj="plan"),
    *(
        Route(rule.replace("ITEMS", items), method, allowed, obj="plan")
        for items in ("goals", "measures")
        for rule, method, allowed in [
            ("/cases/<int:case_id>/plan/<int:plan_id>/ITEMS", "GET", SCHOOL_STAFF),
            ("/cases/<int:case_id>/plan/<int:plan_id>/ITEMS", "POST", MANAGERS),
            ("/cases/<int:case_id>/plan/<int:plan_id>/ITEMS/<int:item_id>", "POST", MANAGERS),
            ("/cases/<int:case_id>/plan/<int:plan_id>/ITEMS/<int:item_id>/delete", "POST", MANAGERS),
        ]
    ),
    Route("/tasks", "GET", SCHOOL_STAFF),
    Route("/tasks/<int:measure_id>/logs", "POST", SCHOOL_STAFF, obj="measure"),
    Route("/cases/<int:case_id>/escalations/new", "GET", MANAGERS, obj="case"),
    Route("/cases/<int:case_id>/escalations/new", "POST", MANAGERS, obj="case"),
    Route("/escalations", "GET", (*MANAGERS, roles.REGIONAL_REVIEWER)),
    Route("/escalations/overview", "GET", (roles.REGIONAL_REVIEWER,)),
    Route("/escalations/<int:escalation_id>", "GET", (*MANAGERS, roles.REGIONAL_REVIEWER), obj="escalation",
          region_scope=(roles.REGIONAL_REVIEWER,)),
    Route("/escalations/<int:escalation_id>/edit", "POST", MANAGERS, obj="escalation"),
    Route("/escalations/<int:escalation_id>/submit", "POST", (roles.SCHOOL_ADMIN,), obj="escalation"),
    *(
        Route(f"/escalations/<int:escalation_id>/{action}", "POST", (roles.REGIONAL_REVIEWER,), obj="escalation",
              region_scope=(roles.REGIONAL_REVIEWER,))
        for action in ("claim", "accept", "return", "decline", "helproom", "close")
    ),
    Route("/audit", "GET", (roles.SCHOOL_ADMIN,)),
    Route("/admin/regions", "GET", (roles.SYSADMIN,)),
    Route("/admin/regions/new", "GET", (roles.SYSADMIN,)),
    Route("/admin/regions/new", "POST", (roles.SYSADMIN,)),
    Route("/admin/regions/<int:region_id>/edit", "GET", (roles.SYSADMIN,)),
    Route("/admin/regions/<int:region_id>/edit", "POST", (roles.SYSADMIN,)),
    Route("/admin/schools", "GET", (roles.SYSADMIN,)),
    Route("/admin/schools/new", "GET", (roles.SYSADMIN,)),
    Route("/admin/schools/new", "POST", (roles.SYSADMIN,)),
    Route("/admin/schools/<int:school_id>/edit", "GET", (roles.SYSADMIN,)),
    Route("/admin/schools/<int:school_id>/edit", "POST", (roles.SYSADMIN,)),
    Route("/admin/users", "GET", (roles.SYSADMIN, roles.SCHOOL_ADMIN)),
    Route("/admin/users/new", "GET", (roles.SYSADMIN, roles.SCHOOL_ADMIN)),
    Route("/admin/users/new", "POST", (roles.SYSADMIN, roles.SCHOOL_ADMIN)),
    *(
        Route(rule, method, (roles.SYSADMIN, roles.SCHOOL_ADMIN), obj="user", global_scope=(roles.SYSADMIN,))
        for rule, method in [
            ("/admin/users/<int:user_id>", "GET"),
            ("/admin/users/<int:user_id>/edit", "GET"),
            ("/admin/users/<int:user_id>/edit", "POST"),
            ("/admin/users/<int:user_id>/disable", "POST"),
            ("/admin/users/<int:user_id>/enable", "POST"),
            ("/admin/users/<int:user_id>/end-sessions", "POST"),
        ]
    ),
    Route("/admin/users/<int:user_id>/reset-2fa", "POST", (roles.SYSADMIN,), obj="user",
          global_scope=(roles.SYSADMIN,)),
]


def test_every_route_is_in_the_matrix(app):
    listed = {(r.rule, r.method) for r in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (rule.rule, method) not in listed:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes missing from the access matrix: " + ", ".join(sorted(missing))
    stale = listed - {(r.rule, m) for r in app.url_map.iter_rules() for m in r.methods}
    assert not stale, f"matrix lists routes that no longer exist: {stale}"


def _objects(kind: str, role: str) -> dict:
    """Ids per ownership, seen from school 1 (Astana): school 2 is the same region, school 3 is Akmola."""
    if kind == "concern":
        return {
            "own": concern_of("school1", reporter="teacher@school1.demo").id,
            "other_reporter": concern_of("school1", not_reporter="teacher@school1.demo").id,
            "staff_involved": concern_of("school1", involves_staff=True).id,
            "other_school": concern_of("school2").id,
            "other_region": concern_of("school3").id,
        }
    if kind in ("case", "plan"):
        return _case_objects(kind)
    if kind == "escalation":
        return {
            "own": _escalation_of("school1"),
            "own_draft": _escalation_of("school1", "draft"),
            "other_school": _escalation_of("school2"),
            "other_region": _escalation_of("school3"),
        }
    if kind == "measure":
        own = _measure_of(ACCOUNTS.get(role))
        others = {
            "colleague": _measure_of("psychologist@school1.demo" if role == roles.TEACHER else "teacher@school1.demo"),
            "other_school": _measure_of("teacher@school2.demo"),
            "other_region": _measure_of("teacher@school3.demo"),
        }
        return {"own": own, **others} if own else others
    if kind == "notification":
        mine = user(ACCOUNTS[role]) if role in ACCOUNTS else None
        return {
            "own": _notification_for(mine.id if mine else user("teacher@school1.demo").id),
            "someone_else": _notification_for(user("teacher2@school1.demo").id),
        }
    if kind == "student":
        return {
            "own": student_of("school1", class_name="7Б").id,
            "other_class": student_of("school1", not_class="7Б").id,
            "other_school": student_of("school2").id,
            "other_region": student_of("school3").id,
        }
    return {
        "own": user("teacher2@school1.demo").id,
        "other_school": user("teacher2@school2.demo").id,
        "other_region": user("teacher2@school3.demo").id,
    }


def _case_with_plan(school_key: str):
    """The school's case that has an approved plan and the class teacher on its team (demo case 1)."""
    from portal.cases.models import CaseMember, SupportCase
    from portal.plans.models import Plan

    with in_app():
        teacher = user(f"teacher@{school_key}.demo")
        case = db.session.scalar(
            select(SupportCase).join(CaseMember).where(CaseMember.user_id == teacher.id).order_by(SupportCase.id)
        )
        plan = db.session.scalar(select(Plan).where(Plan.case_id == case.id).order_by(Plan.id))
        return {"case_id": case.id, "plan_id": plan.id, "item_id": plan.goals[0].id, "user_id": teacher.id,
                "measure_item": plan.measures[0].id}


def _measure_item(params: dict) -> int:
    from portal.plans.models import Plan

    with in_app():
        return db.session.get(Plan, params["plan_id"]).measures[0].id


def _case_objects(kind: str) -> dict:
    own, same_region, other_region = (_case_with_plan(k) for k in ("school1", "school2", "school3"))
    if kind == "case":
        keys = ("case_id", "user_id")
        return {name: {k: ids[k] for k in keys} for name, ids in
                (("own", own), ("other_school", same_region), ("other_region", other_region))}
    objects = {name: {"case_id": ids["case_id"], "plan_id": ids["plan_id"], "item_id": ids["item_id"]}
               for name, ids in (("own", own), ("other_school", same_region), ("other_region", other_region))}
    # a plan of another school reached through one's own case id: loaded through its parent, so 404
    objects["foreign_plan_own_case"] = {"case_id": own["case_id"], "plan_id": same_region["plan_id"],
                                        "item_id": same_region["item_id"]}
    return objects


def _escalation_of(school_key: str, status: str = "submitted") -> int:
    """A demo escalation of school1/2/3 in a state (submitted: the reviewer of the region sees it)."""
    from portal.admin.models import School
    from portal.escalations.models import Escalation

    number = school_key[-1]
    with in_app():
        return db.session.scalar(
            select(Escalation.id).join(School, School.id == Escalation.school_id)
            .where(School.name.contains(f"№ {number} "), Escalation.status == status).order_by(Escalation.id)
        )


def _measure_of(email: str | None) -> int | None:
    from portal.plans.models import Measure, Plan

    if email is None:
        return None
    with in_app():
        return db.session.scalar(
            select(Measure.id).join(Plan).where(Measure.responsible_id == user(email).id, Plan.status == "approved")
            .order_by(Measure.id)
        )


def _notification_for(user_id: int) -> int:
    from portal.clock import now
    from portal.notifications.models import Notification

    with in_app():
        item = Notification(user_id=user_id, kind="concern.new", link="/", created_at=now())
        db.session.add(item)
        db.session.commit()
        return item.id


def _path(route: Route, object_id=None) -> str:
    path = route.rule
    if isinstance(object_id, dict):  # several ids: a case and a plan of it, an item of the plan
        for name, value in object_id.items():
            path = path.replace(f"<int:{name}>", str(value))
        return path
    for name in ("student_id", "user_id", "concern_id", "notification_id", "case_id", "measure_id", "escalation_id"):
        path = path.replace(f"<int:{name}>", str(object_id))
    path = path.replace("<int:region_id>", "1").replace("<int:school_id>", "1")
    return path


def _send(browser: Browser, route: Route, path: str):
    if route.method == "GET":
        return browser.client.get(path)
    token = browser.csrf("/login" if browser.anonymous else "/account")
    return browser.client.post(path, data={"csrf_token": token})


def _denials() -> int:
    with in_app():
        return db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "authz.deny")
        )


ALLOWED_STATUSES = {200, 303, 400, 409}


@pytest.mark.parametrize("role", [ANON, *ALL_ROLES])
@pytest.mark.parametrize("route", MATRIX, ids=lambda r: f"{r.method} {r.rule}")
def test_access(app, route, role):
    _plant_canaries()
    browser = Browser(app, app.test_client())
    browser.anonymous = role == ANON
    if role != ANON:
        assert browser.login(ACCOUNTS[role]).status_code == 303

    if route.obj is None:
        response = _send(browser, route, _path(route))
        _check_plain(route, role, response)
        if role == ANON or role not in route.allowed:
            _no_canary(response, route, role)
        return

    ids = _objects(route.obj, role)
    in_scope = [o for o in ids if o == "own" or role in route.global_scope]
    if route.obj == "student":
        in_scope = ["own"] if role == roles.TEACHER else ["own", "other_class"]
    if route.obj == "concern":
        in_scope = {
            roles.TEACHER: ["own"],
            roles.PSYCHOLOGIST: ["own", "other_reporter"],
            roles.SCHOOL_ADMIN: ["own", "other_reporter", "staff_involved"],
        }.get(role, ["own"])
    if route.obj == "measure":
        in_scope = ["own"] if "own" in ids else []
    if route.obj == "escalation":
        # school staff see their school's escalations, drafts included; reviewers every submitted one of the
        # region and never a draft
        in_scope = ["own", "other_school"] if role in route.region_scope else ["own", "own_draft"]
    if route.obj == "plan" and "/measures/" in route.rule:
        ids = {k: {**v, "item_id": _measure_item(v)} for k, v in ids.items()}
    out_of_scope = [o for o in ids if o not in in_scope]

    for ownership in out_of_scope:
        before = _denials()
        response = _send(browser, route, _path(route, ids[ownership]))
        if route.public:
            continue
        _no_canary(response, route, role, ownership)
        if role == ANON:
            _check_anonymous(route, response)
        elif role not in route.allowed:
            assert response.status_code == 403, (ownership, response.status_code)
        else:
            assert response.status_code == 404, (ownership, response.status_code)
            assert _denials() == before + 1, f"out-of-scope {ownership} access was not audited"
    for ownership in in_scope:
        response = _send(browser, route, _path(route, ids[ownership]))
        _check_plain(route, role, response)
        if role == ANON or role not in route.allowed:
            _no_canary(response, route, role, ownership)
        elif role != roles.PSYCHOLOGIST:  # the confidential canary reaches the school's psychologists only
            assert CONFIDENTIAL_CANARY.encode() not in response.data, (route.rule, role, ownership)


CONFIDENTIAL_CANARY = "CANARY-confidential-7f3a9c"
SNAPSHOT_CANARY = "CANARY-snapshot-51e2d8"


def _plant_canaries() -> None:
    """A confidential note on each school's case and a newer snapshot on each school's submitted escalation."""
    from portal.cases.models import ConfidentialNote
    from portal.clock import now
    from portal.escalations.models import EscalationSnapshot

    with in_app():
        for key in ("school1", "school2", "school3"):
            ids = _case_with_plan(key)
            db.session.add(ConfidentialNote(case_id=ids["case_id"], author_id=user(f"psychologist@{key}.demo").id,
                                            text=f"{CONFIDENTIAL_CANARY} {key}", created_at=now()))
            escalation_id = _escalation_of(key)
            latest = db.session.scalars(select(EscalationSnapshot).where(EscalationSnapshot.escalation_id == escalation_id)
                                        .order_by(EscalationSnapshot.number.desc())).first()
            db.session.add(EscalationSnapshot(escalation_id=escalation_id, number=latest.number + 1, created_at=now(),
                                              submitted_by_id=latest.submitted_by_id,
                                              content={**latest.content, "summary": SNAPSHOT_CANARY}))
        db.session.commit()


def _no_canary(response, route, role, ownership=None) -> None:
    """A refused or out-of-scope answer carries nothing of a confidential note or a snapshot."""
    body = response.data
    assert CONFIDENTIAL_CANARY.encode() not in body, (route.rule, role, ownership, "confidential note leaked")
    assert SNAPSHOT_CANARY.encode() not in body, (route.rule, role, ownership, "snapshot leaked")


def _check_anonymous(route: Route, response) -> None:
    if route.method == "GET":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 401


TITLE = re.compile(rb"<title>(.*?)</title>", re.S)


def _title_is_plain_text(route: Route, response) -> None:
    """A page's <title> is text: markup there would be shown to the user in the browser's tab."""
    if response.status_code == 200 and response.mimetype == "text/html":
        for title in TITLE.findall(response.data):
            assert b"<" not in title and len(title.decode()) < 200, (route.rule, title[:400].decode(errors="replace"))


def _check_plain(route: Route, role: str, response) -> None:
    status = response.status_code
    _title_is_plain_text(route, response)
    if route.public:
        assert status in ALLOWED_STATUSES | {302, 401, 429}, status
        assert status != 500
    elif role == ANON:
        _check_anonymous(route, response)
    elif role in route.allowed:
        moved_on = status == 302 and not response.headers["Location"].startswith("/login")
        assert status in ALLOWED_STATUSES or moved_on, f"{role} should be allowed: got {status}"
    else:
        assert status == 403, f"{role} should get 403: got {status}"
