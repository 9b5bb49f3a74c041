"""Property-based fuzzing of every form (SECURITY.md, Input and output; Integrity).

Every POST route of the app has a fuzz target below: the role that may use it, an in-scope object (ids found
like the access matrix finds them, in the workflow state the form acts on) and the WTForms classes whose fields
are fuzzed. A POST route without a target fails test_every_post_route_is_fuzzed, so a new form cannot be missed;
routes that take no fields are listed in NO_FIELDS and are fuzzed with junk fields only.

Hypothesis draws field dicts: mostly plausible values with a few hostile ones (NUL and control characters, emoji,
RTL text, 10k-character strings, numbers as strings up to 10**30, impossible dates, empty values, lists for single
fields, unknown field names), sometimes sent as raw bodies with percent-encoded bytes that are not UTF-8.
Properties: no answer is 5xx; an answer of 4xx stored nothing (row counts of every table except the audit trail,
notifications, session and throttle rows are unchanged); after an accepted submission the page it leads to (where
what was stored is shown) is not 5xx either.

FUZZ_EXAMPLES (default 50) sets the examples per route; each route gets a fresh database (the `app` fixture).
"""

import os
import urllib.parse
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pyotp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from portal.admin.forms import RegionForm, SchoolForm, UserForm
from portal.auth import roles
from portal.auth.forms import (
    EnrolConfirmForm,
    LanguageForm,
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    ReauthForm,
    TwoFactorStartForm,
)
from portal.cases.forms import CloseForm as CaseCloseForm
from portal.cases.forms import CouncilForm, MemberForm, NoteForm, ReopenForm
from portal.concerns.forms import AcknowledgeForm, AddendumForm, ConcernForm, DecisionForm
from portal.escalations.forms import AcceptForm, DeclineForm, DraftForm, HelpRoomForm
from portal.escalations.forms import CloseForm as EscalationCloseForm
from portal.escalations.forms import ReturnForm as EscalationReturnForm
from portal.escalations.forms import VersionForm as EscalationVersionForm
from portal.plans.forms import GoalForm, LogForm, MeasureForm, PlanForm, ReturnForm, ReviewForm, VersionForm
from portal.students.forms import LeaveForm, StudentForm
from tests.conftest import Browser, concern_of, in_app, student_of
from tests.security.states import case_in_state, plan_in_state, row_counts
from tests.security.test_access_matrix import ACCOUNTS, MATRIX, _escalation_of, _objects

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))

TEACHER, PSYCHOLOGIST, ADMIN = roles.TEACHER, roles.PSYCHOLOGIST, roles.SCHOOL_ADMIN
REVIEWER, SYSADMIN, ANON = roles.REGIONAL_REVIEWER, roles.SYSADMIN, None

# POST routes that read no form fields (only the CSRF token): fuzzed with junk fields.
NO_FIELDS = {
    "/logout",
    "/notifications/read-all",
    "/notifications/<int:notification_id>/read",
    "/admin/students/<int:student_id>/reinstate",
    "/cases/<int:case_id>/team/<int:user_id>/remove",
    "/cases/<int:case_id>/plan/new",
    "/cases/<int:case_id>/plan/<int:plan_id>/goals/<int:item_id>/delete",
    "/cases/<int:case_id>/plan/<int:plan_id>/measures/<int:item_id>/delete",
    "/admin/users/<int:user_id>/disable",
    "/admin/users/<int:user_id>/enable",
    "/admin/users/<int:user_id>/end-sessions",
    "/admin/users/<int:user_id>/reset-2fa",
}


@dataclass(frozen=True)
class Target:
    rule: str
    role: str | None  # None: anonymous
    forms: tuple = ()  # form classes, or (form class, prefix)
    ids: object = None  # role -> {url parameter: id}; None when the rule has no parameters
    prepare: object = None  # browser -> {field: strategy}: puts the account in the state the form needs
    otp_of: str | None = None  # anonymous, half-way through the login of this account (password given, code due)

    @property
    def name(self) -> str:
        return self.rule


def _own(kind):
    return lambda role: _objects(kind, role)["own"]


def _student(role):
    return {"student_id": _objects("student", role)["own"]}


def _plan(status, item=None):
    def ids(_role):
        found = plan_in_state(status)
        params = {"case_id": found["case_id"], "plan_id": found["plan_id"]}
        if item:
            params["item_id"] = found[f"{item}_id"]
        return params

    return ids


def _case(status, **options):
    return lambda _role: {"case_id": case_in_state(status, **options)["case_id"]}


def _escalation(status):
    return lambda _role: {"escalation_id": _escalation_of("school1", status)}


def _concern(**criteria):
    return lambda _role: {"concern_id": concern_of("school1", **criteria).id}


def _user(role):
    return {"user_id": _objects("user", role)["own"]}


PASSWORD = "demo-portal-2026"  # every demo account's


class _Totp(pyotp.TOTP):
    min_secret_length_bits = 80  # the published 80-bit demo secret, as an authenticator app takes it


def _code_now(secret: str):
    """A strategy for the code an authenticator app shows at the moment of the draw."""
    return st.builds(lambda: _Totp(secret).now())


def _enrol(email: str) -> None:
    """Give the account two-factor authentication with the demo secret (as `flask demo-load` does)."""
    from portal.auth.models import User
    from portal.auth.two_factor import DEMO_TOTP_SECRET
    from portal.clock import now
    from portal.extensions import db

    with in_app():
        db.session.execute(
            update(User).where(User.email == email).values(totp_secret=DEMO_TOTP_SECRET, totp_enrolled_at=now())
        )
        db.session.commit()


def _enrolled(browser) -> dict:
    """The logged-in teacher has 2FA (so recovery codes can be replaced and 2FA turned off)."""
    from portal.auth.two_factor import DEMO_TOTP_SECRET

    _enrol(ACCOUNTS[TEACHER])
    return {"code": _code_now(DEMO_TOTP_SECRET)}


def _enrolling(browser) -> dict:
    """The logged-in teacher has started setting up an authenticator: a new secret waits for its first code."""
    from portal.auth.models import User, UserSession
    from portal.extensions import db

    response = browser.post("/account/2fa/start", {"password": PASSWORD})
    assert response.status_code == 303, f"2FA set-up did not start: {response.status_code}"
    with in_app():
        secret = db.session.scalar(
            select(UserSession.totp_candidate).join(User, User.id == UserSession.user_id)
            .where(User.email == ACCOUNTS[TEACHER], UserSession.totp_candidate.is_not(None))
            .order_by(UserSession.id.desc())
        )
    assert secret, "no 2FA secret waiting for confirmation"
    return {"code": _code_now(secret)}


P = "/cases/<int:case_id>/plan/<int:plan_id>"
TARGETS = [
    Target("/login", ANON, (LoginForm,)),
    Target("/login/otp", ANON, (OtpForm,), otp_of=ACCOUNTS[ADMIN]),
    Target("/language", TEACHER, (LanguageForm,)),
    Target("/logout", TEACHER),
    Target("/account", TEACHER, (PasswordChangeForm,)),
    Target("/account/2fa", TEACHER, (EnrolConfirmForm,), prepare=_enrolling),
    Target("/account/2fa/start", TEACHER, (TwoFactorStartForm,)),
    Target("/account/2fa/recovery-codes", TEACHER, ((ReauthForm, "codes"),), prepare=_enrolled),
    Target("/account/2fa/disable", TEACHER, ((ReauthForm, "disable"),), prepare=_enrolled),
    Target("/admin/students/new", ADMIN, (StudentForm,)),
    Target("/admin/students/<int:student_id>/edit", ADMIN, (StudentForm,), _student),
    Target("/admin/students/<int:student_id>/leave", ADMIN, (LeaveForm,), _student),
    Target("/admin/students/<int:student_id>/reinstate", ADMIN, (), _student),
    Target("/concerns/new", TEACHER, (ConcernForm,)),
    Target("/concerns/<int:concern_id>/acknowledge", PSYCHOLOGIST, (AcknowledgeForm,), _concern(status="submitted")),
    Target("/concerns/<int:concern_id>/decide", PSYCHOLOGIST, (DecisionForm,), _concern(status="acknowledged")),
    Target("/concerns/<int:concern_id>/addenda", TEACHER, (AddendumForm,),
           _concern(reporter="teacher@school1.demo")),
    Target("/notifications/read-all", TEACHER),
    Target("/notifications/<int:notification_id>/read", TEACHER, (),
           lambda role: {"notification_id": _objects("notification", role)["own"]}),
    Target("/cases/<int:case_id>/council", ADMIN, (CouncilForm,), _own("case")),
    Target("/cases/<int:case_id>/team", PSYCHOLOGIST, (MemberForm,), _own("case")),
    Target("/cases/<int:case_id>/team/<int:user_id>/remove", PSYCHOLOGIST, (), _own("case")),
    Target("/cases/<int:case_id>/notes", TEACHER, (NoteForm,), _own("case")),
    Target("/cases/<int:case_id>/confidential-notes", PSYCHOLOGIST, ((NoteForm, "confidential"),), _own("case")),
    Target("/cases/<int:case_id>/close", PSYCHOLOGIST, (CaseCloseForm,), _case("active")),
    Target("/cases/<int:case_id>/reopen", PSYCHOLOGIST, (ReopenForm,), _case("closed")),
    Target("/cases/<int:case_id>/reviews/new", PSYCHOLOGIST, (ReviewForm,), _own("case")),
    Target("/cases/<int:case_id>/plan/new", PSYCHOLOGIST, (), _case("active")),
    Target(f"{P}/edit", PSYCHOLOGIST, (PlanForm,), _plan("draft")),
    Target(f"{P}/submit", PSYCHOLOGIST, (VersionForm,), _plan("draft")),
    Target(f"{P}/approve", ADMIN, (VersionForm,), _plan("submitted")),
    Target(f"{P}/return", ADMIN, (ReturnForm,), _plan("submitted")),
    Target(f"{P}/goals", PSYCHOLOGIST, (GoalForm,), _plan("draft")),
    Target(f"{P}/goals/<int:item_id>", PSYCHOLOGIST, (GoalForm,), _plan("draft", "goal")),
    Target(f"{P}/goals/<int:item_id>/delete", PSYCHOLOGIST, (), _plan("draft", "goal")),
    Target(f"{P}/measures", PSYCHOLOGIST, (MeasureForm,), _plan("draft")),
    Target(f"{P}/measures/<int:item_id>", PSYCHOLOGIST, (MeasureForm,), _plan("draft", "measure")),
    Target(f"{P}/measures/<int:item_id>/delete", PSYCHOLOGIST, (), _plan("draft", "measure")),
    Target("/tasks/<int:measure_id>/logs", TEACHER, (LogForm,),
           lambda role: {"measure_id": _objects("measure", role)["own"]}),
    Target("/cases/<int:case_id>/escalations/new", PSYCHOLOGIST, (DraftForm,), _case("active", without_escalation=True)),
    Target("/escalations/<int:escalation_id>/edit", PSYCHOLOGIST, (DraftForm,), _escalation("draft")),
    Target("/escalations/<int:escalation_id>/submit", ADMIN, (EscalationVersionForm,), _escalation("draft")),
    Target("/escalations/<int:escalation_id>/claim", REVIEWER, (EscalationVersionForm,), _escalation("submitted")),
    Target("/escalations/<int:escalation_id>/accept", REVIEWER, (AcceptForm,), _escalation("in_review")),
    Target("/escalations/<int:escalation_id>/return", REVIEWER, (EscalationReturnForm,), _escalation("in_review")),
    Target("/escalations/<int:escalation_id>/decline", REVIEWER, (DeclineForm,), _escalation("in_review")),
    Target("/escalations/<int:escalation_id>/helproom", REVIEWER, (HelpRoomForm,), _escalation("accepted")),
    Target("/escalations/<int:escalation_id>/close", REVIEWER, (EscalationCloseForm,), _escalation("accepted")),
    Target("/admin/regions/new", SYSADMIN, (RegionForm,)),
    Target("/admin/regions/<int:region_id>/edit", SYSADMIN, (RegionForm,), lambda _r: {"region_id": 1}),
    Target("/admin/schools/new", SYSADMIN, (SchoolForm,)),
    Target("/admin/schools/<int:school_id>/edit", SYSADMIN, (SchoolForm,), lambda _r: {"school_id": 1}),
    Target("/admin/users/new", SYSADMIN, (UserForm,)),
    Target("/admin/users/<int:user_id>/edit", ADMIN, (UserForm,), _user),
    Target("/admin/users/<int:user_id>/disable", ADMIN, (), _user),
    Target("/admin/users/<int:user_id>/enable", ADMIN, (), _user),
    Target("/admin/users/<int:user_id>/end-sessions", ADMIN, (), _user),
    Target("/admin/users/<int:user_id>/reset-2fa", SYSADMIN, (), _user),
]
BY_RULE = {t.rule: t for t in TARGETS}


def test_every_post_route_is_fuzzed(app):
    post_rules = {r.rule for r in app.url_map.iter_rules() if "POST" in r.methods}
    missing = sorted(post_rules - set(BY_RULE))
    assert not missing, "POST routes without a fuzz target (add one to TARGETS): " + ", ".join(missing)
    stale = sorted(set(BY_RULE) - post_rules)
    assert not stale, f"fuzz targets for routes that no longer exist: {stale}"
    without_form = {t.rule for t in TARGETS if not t.forms}
    assert without_form == NO_FIELDS, (
        "a target without form classes must be an allowed no-field route, and vice versa: "
        f"{sorted(without_form ^ NO_FIELDS)}"
    )
    matrix = {r.rule: r for r in MATRIX if r.method == "POST"}
    for target in TARGETS:
        route = matrix[target.rule]
        if target.role is not None and not route.public:
            assert target.role in route.allowed, f"{target.rule}: {target.role} may not use it (access matrix)"


# ---------------------------------------------------------------------------------------------------------------
# The fields of a form class, each with what a plausible value looks like


@dataclass(frozen=True)
class Spec:
    name: str  # as sent (prefixes and list indices included)
    short: str  # the field's own name
    kind: str  # text, date, datetime, int, bool, choice, multi, version, token, email, password, next
    choices: tuple = ()
    pattern: str | None = None  # a Regexp validator's pattern
    max_len: int | None = None
    optional: bool = False


def _specs(app, form_class, prefix="") -> list[Spec]:
    with app.test_request_context():
        form = form_class(formdata=None, meta={"csrf": False}, prefix=prefix)
        return list(_flatten(form))


def _flatten(fields):
    for field in fields:
        if isinstance(field, FieldList):
            if not field.entries:
                field.append_entry()
            for entry in field.entries:
                yield from (_flatten(entry.form) if isinstance(entry, FormField) else _flatten([entry]))
            continue
        pattern = next((v.regex.pattern for v in field.validators if isinstance(v, Regexp)), None)
        max_len = next((v.max for v in field.validators if isinstance(v, Length) and v.max >= 0), None)
        optional = any(isinstance(v, Optional) for v in field.validators) or not any(
            isinstance(v, (DataRequired, InputRequired)) for v in field.validators)
        yield Spec(field.name, field.short_name, *_kind(field), pattern=pattern, max_len=max_len, optional=optional)


def _kind(field) -> tuple:
    short = field.short_name
    choices = tuple(str(c[0]) for c in (field.choices or [])) if hasattr(field, "choices") else ()
    if short in ("version", "lock_version"):
        return ("version",)
    if short == "token":
        return ("token",)
    if short == "next":
        return ("next",)
    if isinstance(field, SelectMultipleField):
        return ("multi", choices)
    if isinstance(field, (SelectField, RadioField)):
        return ("choice", choices)
    if isinstance(field, DateTimeLocalField):
        return ("datetime",)
    if isinstance(field, DateField):
        return ("date",)
    if isinstance(field, BooleanField):
        return ("bool",)
    if isinstance(field, IntegerField) or (isinstance(field, HiddenField) and short.endswith("_id")):
        return ("int",)
    if isinstance(field, EmailField) or short == "email":
        return ("email",)
    if isinstance(field, PasswordField):
        return ("password",)
    return ("text",)


def _hints(params: dict | None) -> dict:
    """Real values for fields whose valid choices the view sets: current versions, staff, students, goals."""
    from portal.admin.models import School
    from portal.auth.models import User
    from portal.cases.models import SupportCase
    from portal.concerns.models import Concern
    from portal.escalations.models import Escalation
    from portal.extensions import db
    from portal.plans.models import Plan
    from portal.students.models import Student

    params = params or {}
    with in_app():
        staff = db.session.scalars(
            select(User.id).join(School, School.id == User.school_id)
            .where(School.name.contains("№ 1 "), User.role.in_(roles.SCHOOL_ROLES))
        ).all()
        versions, goals = set(), set()
        for key, model, column in (("concern_id", Concern, "version"), ("escalation_id", Escalation, "version"),
                                   ("case_id", SupportCase, "version"), ("student_id", Student, "version"),
                                   ("plan_id", Plan, "lock_version")):
            if key in params:
                versions.add(getattr(db.session.get(model, params[key]), column))
        if "plan_id" in params:
            plan = db.session.get(Plan, params["plan_id"])
            versions |= {item.lock_version for item in [*plan.goals, *plan.measures]}
        if "case_id" in params:
            goals = set(db.session.scalars(select(Plan).where(Plan.case_id == params["case_id"])).all())
            goals = {g.id for plan in goals for g in plan.goals}
    hints = {
        "version": versions, "lock_version": versions, "student_id": [student_of("school1").id], "user_id": staff,
        "involved_staff_id": [0, *staff], "responsible_id": staff, "goal_id": goals, "role": roles.ALL,
        "school_id": range(4), "region_id": range(4), "password": [PASSWORD], "current_password": [PASSWORD],
    }
    return {name: st.sampled_from([str(v) for v in sorted(values)]) for name, values in hints.items() if values}


# ---------------------------------------------------------------------------------------------------------------
# Strategies

_PRINTABLE = st.characters(categories=("L", "M", "N", "P", "S", "Zs"))
_NO_SURROGATES = st.characters(exclude_categories=("Cs",))  # a lone surrogate cannot travel over HTTP
TODAY = date.today()

HOSTILE = st.sampled_from([
    "\x00", "a\x00b", "\x00" * 3, "\x01\x02\x1b[31m", "\x7f", "line\x0bbreak", "\x0c",
    "\u202eevil\u202c", "مرحبا بالعالم", "שלום עולם", "\u200f\u200e", "😀", "👨‍👩‍👧‍👦", "🇰🇿", "\ufeff", "\u200b",
    "\ufffd", "\uffff", "\U0010ffff", "Ａ", "İ", "ß", "Ⅻ", "١٢٣", "²", "Қазақстан", "Ёжик",
    "' OR 1=1 --", "<script>alert(1)</script>", "{{7*7}}", "%s%n%x", "../../etc/passwd", "=cmd|' /C calc'!A0",
    " ", "\t", "\r\n", "\n\n\n", "NaN", "Infinity", "-0", "1e309", "0x1F", "None", "null", "true",
])
NUMBERS = st.one_of(
    st.integers(min_value=-(10**31), max_value=10**31).map(str),
    st.sampled_from([str(10**30), str(-(10**30)), str(2**31), str(2**31 - 1), str(2**63), str(-(2**63) - 1),
                     "0", "-1", "1.5", "1e3", " 7 ", "+5", "007", "9" * 400]),
)
DATES = st.one_of(
    st.sampled_from(["2026-02-30", "0000-01-01", "9999-12-31", "0001-01-01", "2026-13-01", "2024-02-29",
                     "2023-02-29", "1900-01-01", "2026-1-1", "01.02.2026", "2026-01-01T10:00", "2026-06-01T24:00",
                     "9999-12-31T23:59", "0001-01-01T00:00", "-2026-01-01", "20260101", "2026-06-01T10:00:00Z"]),
    st.dates().map(date.isoformat),
)
LONG = st.sampled_from(["x" * 10_000, "я" * 10_001, "😀" * 10_000, "a " * 5_000, "\x00" * 10_000, "9" * 10_000])
JUNK = st.one_of(
    st.text(_NO_SURROGATES, max_size=40),
    st.text(st.characters(max_codepoint=0x7F), max_size=20),
    HOSTILE, NUMBERS, DATES, LONG, st.just(""),
)


def _valid(spec: Spec, hints: dict):
    """A value the form would accept on its own (choices, sane dates, real ids, text matching its pattern)."""
    strategy = _plausible(spec)
    if spec.short in hints:
        hinted = hints[spec.short]
        strategy = st.one_of(hinted, hinted, strategy) if spec.kind != "multi" else st.lists(hinted, max_size=2)
    if spec.optional and spec.kind not in ("multi", "bool"):
        strategy = st.one_of(strategy, st.just(""))
    return strategy


def _plausible(spec: Spec):
    kind = spec.kind
    if kind in ("choice", "multi") and spec.choices:
        one = st.sampled_from(spec.choices)
        return one if kind == "choice" else st.lists(one, min_size=1, max_size=3, unique=True)
    if kind == "multi":  # choices set by the view (chronology entries)
        return st.lists(st.integers(min_value=0, max_value=400).map(str), max_size=2)
    if kind in ("choice", "int"):  # choices set by the view (staff, schools, ...): small ids
        return st.integers(min_value=0, max_value=400).map(str)
    if kind == "version":
        return st.integers(min_value=0, max_value=6).map(str)
    if kind == "token":
        return st.uuids().map(str)
    if kind == "date":
        return st.dates(TODAY - timedelta(days=400), TODAY + timedelta(days=400)).map(date.isoformat)
    if kind == "datetime":
        start = datetime.combine(TODAY, datetime.min.time())
        return st.datetimes(start - timedelta(days=800), start).map(lambda d: d.strftime("%Y-%m-%dT%H:%M"))
    if kind == "bool":
        return st.sampled_from(["y", "1", "on", "true", "", "false"])
    if kind == "email":
        return st.one_of(st.integers(0, 10**6).map(lambda n: f"fuzz{n}@example.org"),
                         st.sampled_from(list(ACCOUNTS.values())))
    if kind == "password":
        return st.text(_PRINTABLE, min_size=10, max_size=40)
    if kind == "next":
        return st.sampled_from(["/", "/cases", "//evil.example", "https://evil.example/", "/\\evil", "javascript:1"])
    if spec.pattern:
        return st.from_regex(spec.pattern, fullmatch=True).filter(lambda v: len(v) <= (spec.max_len or 10**6))
    return st.text(_PRINTABLE, min_size=1, max_size=min(spec.max_len or 60, 60)).filter(str.strip)


def _value(spec: Spec, bad: bool, hints: dict):
    if bad:  # hostile text, or a list for a single field (the field sent several times)
        return st.one_of(JUNK, st.lists(JUNK, min_size=0, max_size=3))
    return _valid(spec, hints)


JUNK_NAMES = st.one_of(
    st.sampled_from(["id", "status", "school_id", "author_id", "role", "version", "lock_version", "is_admin",
                     "goals-10-goal_id", "measures-10-organisation", "guardians-99-full_name",
                     f"goals-{10**30}-progress", "goals--1-goal_id", "a" * 300, "", "\x00", "имя"]),
    st.text(_NO_SURROGATES, min_size=1, max_size=20),
)


def _pairs(data, specs: list[Spec], hints: dict) -> list[tuple[str, str]]:
    """A submission: mostly plausible values, some fields hostile or left out, sometimes unknown fields added."""
    names = [s.name for s in specs]
    modes = ["valid", "valid", "one_bad", "one_bad", "few_bad", "all_bad"]
    mode = data.draw(st.sampled_from(modes), label="mode") if specs else "junk"
    bad: set = set()
    omitted: set = set()
    if mode == "one_bad":
        bad = {data.draw(st.sampled_from(names), label="bad")}
    elif mode == "few_bad":
        bad = data.draw(st.sets(st.sampled_from(names), max_size=len(names)), label="bad")
        omitted = data.draw(st.sets(st.sampled_from(names), max_size=2), label="omitted")
    elif mode == "all_bad":
        bad = set(names)
    pairs = []
    for spec in specs:
        if spec.name in omitted:
            continue
        value = data.draw(_value(spec, spec.name in bad, hints), label=spec.name)
        pairs += [(spec.name, item) for item in (value if isinstance(value, list) else [value])]
    extra = data.draw(st.lists(st.tuples(JUNK_NAMES, JUNK), max_size=3 if mode in ("junk", "all_bad") else 1),
                      label="extra")
    return pairs + extra


INVALID_UTF8 = [b"%FF", b"%ED%A0%80", b"%C0%AF", b"%E2%82", b"%80", b"%F4%90%80%80", b"%FE%FF"]


def _urlencoded_raw(pairs, token, data) -> bytes:
    """An urlencoded body where one value (or an extra field) carries bytes that are not UTF-8."""
    parts = [b"csrf_token=" + urllib.parse.quote_plus(token).encode()]
    parts += [urllib.parse.quote_plus(k).encode() + b"=" + urllib.parse.quote_plus(v).encode() for k, v in pairs]
    bad = data.draw(st.sampled_from(INVALID_UTF8), label="bytes")
    where = data.draw(st.integers(min_value=0, max_value=len(parts)), label="where")
    if where == len(parts):
        parts.append(b"junk=" + bad)
    else:
        parts[where] = parts[where] + bad
    return b"&".join(parts)


def _multipart_raw(pairs, token, data) -> tuple[bytes, str]:
    """A multipart body whose values may carry raw bytes that are not UTF-8 (Werkzeug replaces them by U+FFFD)."""
    boundary = "fuzzboundary7MA4YWxkTrZu0gW"
    raw_bad = data.draw(st.sampled_from([b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80abc", b""]), label="raw")
    body = b""
    for name, value in [("csrf_token", token), *pairs]:
        encoded = value.encode() + (raw_bad if name != "csrf_token" else b"")
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{_quote_header(name)}\"\r\n\r\n").encode()
        body += encoded + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _quote_header(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")


# ---------------------------------------------------------------------------------------------------------------
# The run


class Session:
    """The browser of one target's role, re-logged in when a fuzzed action ended its session."""

    def __init__(self, app, target: Target):
        self.app, self.target = app, target
        self.browser = Browser(app, app.test_client())
        self.token = None
        self.hints = {}
        self.relogins = 0
        self.login()

    def login(self):
        self.browser = browser = Browser(self.app, self.app.test_client())
        target = self.target
        if target.otp_of:
            _enrol(target.otp_of)
            response = browser.login(target.otp_of)
            assert response.status_code == 303 and response.headers["Location"] == "/login/otp", response.status_code
            self.token = browser.csrf("/login/otp")
            return
        if target.role is None:
            self.token = browser.csrf("/login")
            return
        response = browser.login(ACCOUNTS[target.role])
        if response.status_code == 303 and response.headers["Location"] == "/login/otp":  # enrolled by `prepare`
            from portal.auth.two_factor import DEMO_TOTP_SECRET

            response = browser.client.post("/login/otp", data={"code": _Totp(DEMO_TOTP_SECRET).now(),
                                                                "csrf_token": browser.csrf("/login/otp")})
        assert response.status_code == 303, f"login as {target.role}: {response.status_code}"
        self.hints = target.prepare(browser) if target.prepare else {}
        self.token = browser.csrf("/account")

    def post(self, path: str, pairs, encoding: str, data, headers: dict):
        client = self.browser.client
        if encoding == "form":
            return client.post(path, data=MultiDict([("csrf_token", self.token), *pairs]), headers=headers)
        if encoding == "urlencoded_raw":
            return client.post(path, data=_urlencoded_raw(pairs, self.token, data), headers=headers,
                               content_type="application/x-www-form-urlencoded")
        body, content_type = _multipart_raw(pairs, self.token, data)
        return client.post(path, data=body, headers=headers, content_type=content_type)


def _path(rule: str, params: dict | None) -> str:
    for name, value in (params or {}).items():
        rule = rule.replace(f"<int:{name}>", str(value))
    assert "<" not in rule, f"unfilled parameter in {rule}"
    return rule


TOTALS = {"routes": 0, "submissions": 0, "5xx": 0}


@pytest.fixture(scope="module", autouse=True)
def _totals():
    yield
    if TOTALS["routes"]:
        print(f"\nfuzz total: {TOTALS['routes']} routes, {TOTALS['submissions']} submissions, {TOTALS['5xx']} 5xx")


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_fuzz_form(app, target):
    specs = [spec for form in target.forms for spec in _specs(app, *(form if isinstance(form, tuple) else (form,)))]
    params = target.ids(target.role) if target.ids else None
    path = _path(target.rule, params)
    hints = _hints(params)
    if target.rule != "/login":  # the login rate limit is fuzzed on /login; elsewhere re-logins must not trip it
        app.config["LOGIN_LIMIT_PER_IP"] = app.config["LOGIN_LIMIT_GLOBAL"] = "100000 per minute"
    session = Session(app, target)
    stats = {"submissions": 0, "5xx": 0, "4xx": 0, "ok": 0}
    state = {"counts": row_counts()}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False, print_blob=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large, HealthCheck.large_base_example,
                                     HealthCheck.filter_too_much])
    @given(data=st.data())
    def fuzz(data):
        if target.rule == "/logout":
            session.login()  # every example logs out; start each one logged in
        pairs = _pairs(data, specs, {**hints, **session.hints})
        encoding = data.draw(st.sampled_from(["form", "form", "form", "form", "urlencoded_raw", "multipart_raw"]),
                             label="encoding")
        headers = {"HX-Request": "true"} if data.draw(st.booleans(), label="htmx") else {}
        before = state["counts"]
        try:
            response = session.post(path, pairs, encoding, data, headers)
        except Exception as error:  # noqa: BLE001 - an exception escaping the app is a 5xx
            stats["submissions"] += 1
            stats["5xx"] += 1
            raise AssertionError(f"{target.rule}: the app raised {error!r}") from error
        stats["submissions"] += 1
        status = response.status_code
        after = state["counts"] = row_counts()
        if status >= 500:
            stats["5xx"] += 1
        assert status < 500, f"{target.rule}: {status} for {pairs!r} ({encoding})"
        if 400 <= status < 500:
            stats["4xx"] += 1
            changed = {t: (before[t], after[t]) for t in after if before.get(t) != after[t]}
            assert not changed, f"{target.rule}: {status} but rows changed {changed} for {pairs!r} ({encoding})"
        else:
            stats["ok"] += 1
            location = response.headers.get("Location", "")
            if status in (302, 303) and location.startswith("/") and not location.startswith("//"):
                # what was stored is shown next: a value the form took must not break the page (a 500 later)
                shown = session.browser.client.get(location)
                assert shown.status_code < 500, f"{target.rule}: GET {location} answered {shown.status_code} " \
                                                f"after {pairs!r} was accepted"
        if encoding == "urlencoded_raw":
            assert status in (400, 429), f"{target.rule}: a body that is not UTF-8 answered {status}"
        if status == 401 and target.role is not None and target.rule != "/logout":
            session.login()  # a fuzzed action ended the session (password change, ...): carry on logged in
            session.relogins += 1

    try:
        fuzz()
    finally:
        TOTALS["routes"] += 1
        TOTALS["submissions"] += stats["submissions"]
        TOTALS["5xx"] += stats["5xx"]
        print(f"\nfuzz {target.rule} as {target.role or 'anonymous'}: {stats['submissions']} submissions, "
              f"{stats['5xx']} 5xx, {stats['4xx']} 4xx, {stats['ok']} accepted, {session.relogins} re-logins")
    assert stats["5xx"] == 0


def test_a_huge_student_id_in_the_concern_form_is_404(app):
    """Found by the fuzzer: /concerns/new looked the form's (or the address's) student id up as it came, so an id
    beyond the column's range failed in the database (SQLite OverflowError, PostgreSQL "integer out of range")."""
    browser = Browser(app, app.test_client())
    assert browser.login(ACCOUNTS[TEACHER]).status_code == 303
    before = row_counts()
    assert browser.get(f"/concerns/new?student_id={10**20}").status_code == 404
    for huge in (str(10**30), str(2**31), str(-(2**63) - 1)):
        response = browser.post("/concerns/new", {"student_id": huge, "token": "0f6c1e9a-fuzz"})
        assert response.status_code in (400, 404), (huge, response.status_code)
    assert row_counts() == before
