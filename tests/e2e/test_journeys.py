"""The whole life of one concern, in a real browser, each person in a clean browser context.

A teacher flags an urgent concern; a psychologist triages it, opens a case and writes a plan with two goals and two
measures inline; a school administrator records the council decision and approves; the teacher logs a measure; the
psychologist reviews and proposes escalation; the administrator submits; the Akmola reviewer cannot see it; the
Astana reviewer claims it and returns it for information; the school resubmits; the reviewer accepts with a
help-room referral; school staff then see the do-not-re-interview notice.

The same journey runs with JavaScript (htmx live search and inline goal and measure rows) and without (plain forms),
on different schools of the same region, and must reach the same end states. With JavaScript, axe-core checks every
page the journey visits.
"""

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.e2e.conftest import click_and_wait, login, logout, visible_text

ASTANA = ZoneInfo("Asia/Almaty")
NOTICE = "do not interview the child again"


def _today() -> str:
    return datetime.now(ASTANA).date().isoformat()


def _in_days(days: int) -> str:
    return (datetime.now(ASTANA).date() + timedelta(days=days)).isoformat()


def _id_from(url: str, kind: str) -> int:
    match = re.search(rf"/{kind}/(\d+)", url)
    assert match, f"no {kind} id in {url}"
    return int(match.group(1))


class Journey:
    def __init__(self, server, new_context, axe, javascript: bool, school: str):
        self.server = server
        self.new_context = new_context
        self.axe = axe if javascript else None
        self.js = javascript
        self.school = school
        self.student = server.student(school)
        self.page = None
        self.js_errors = []

    def as_user(self, email: str):
        """A fresh browser context (as another person at another PC) logged in as that user."""
        if self.page is not None:
            logout(self.page)
        self.page = self.new_context(javascript=self.js).new_page()
        self.page.on("pageerror", lambda error: self.js_errors.append(f"{self.page.url}: {error}"))
        login(self.page, self.server.url, email)
        self.check()
        return self.page

    def check(self, name: str | None = None):
        assert not self.js_errors, f"JavaScript errors: {self.js_errors}"
        if self.axe is not None:
            self.axe.check(self.page, name)

    def go(self, path: str):
        response = self.page.goto(self.server.url + path)
        assert response.status == 200, f"{path}: {response.status}"
        self.check()

    def submit(self, button, expect_status: int = 200):
        """Press a button that posts a plain form (303 → the next page) and check the page it lands on."""
        with self.page.expect_navigation() as navigation:
            button.click()
        response = navigation.value
        assert response.status == expect_status, f"{self.page.url}: {response.status}\n{visible_text(self.page)[:1500]}"
        self.check()

    def flash_says(self, text: str):
        assert text in visible_text(self.page), f"{text!r} not on {self.page.url}:\n{visible_text(self.page)[:1500]}"

    # --- the steps -------------------------------------------------------------------------------------------

    def teacher_flags_urgent_concern(self) -> int:
        page = self.as_user(f"teacher@{self.school}.demo")
        started = time.monotonic()
        click_and_wait(page, page.locator("nav.main-nav").get_by_role("link", name="Flag a concern"))
        self.check()
        page.get_by_label("Find the student: name, class or IIN").fill(self.student["iin"])
        choice = page.locator(f"input[name=student_id][value='{self.student['id']}']")
        if self.js:
            choice.wait_for()  # live search (htmx) puts the match into the form while typing
        else:
            self.submit(page.get_by_role("button", name="Find"))
        choice.check()
        page.get_by_label("Physical violence").check()
        page.get_by_label("High").check()
        page.get_by_label("The child is in immediate danger").check()
        page.get_by_label("When did it happen?").fill(datetime.now(ASTANA).strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Where?").fill("Corridor, 2nd floor")
        page.get_by_label("What did you see or hear? Facts only.").fill("Bruises on both arms; flinched when touched.")
        self.submit(page.get_by_role("button", name="Submit the concern"))
        alert = page.locator(".call-now")
        for number in ("102", "112", "111"):
            assert number in alert.inner_text()
        elapsed = time.monotonic() - started
        assert elapsed < 60, f"flagging took {elapsed:.0f} s of user time"
        self.flash_says("The concern has been submitted.")
        return _id_from(page.url, "concerns")

    def psychologist_triages_and_plans(self, concern_id: int) -> int:
        page = self.as_user(f"psychologist@{self.school}.demo")
        link = page.locator(f"a[href$='/concerns/{concern_id}']").first
        assert link.is_visible(), "the new concern is not in the psychologist's triage queue"
        click_and_wait(page, link)
        self.check()
        self.submit(page.get_by_role("button", name="Acknowledge"))
        self.flash_says("The concern is acknowledged.")
        page.locator("input[name=risk_level][value=high]").check()
        page.get_by_label("Why this risk level?").fill("Visible injuries and fear of going home.")
        page.get_by_label("Open a support case").check()
        page.get_by_label("Has been subjected to violence").check()
        self.submit(page.get_by_role("button", name="Record the decision"))
        self.flash_says("The decision has been recorded.")
        case_id = int(re.search(r"case #(\d+)", visible_text(page)).group(1))

        self.go(f"/cases/{case_id}")
        self.submit(page.get_by_role("button", name="Write the plan"))
        page.get_by_label("Strengths").fill("Likes drawing; trusts the class teacher.")
        self.submit(page.get_by_role("button", name="Save", exact=True))
        self.flash_says("Saved.")
        for what, indicator in (("Feels safe at school", "Self-report weekly"), ("Attends every day", "Attendance")):
            self.add_inline("goals", "Add a goal", {
                "#what": what, "#indicator": indicator, "#baseline": "Not yet", "#target": "Yes",
                "#target_date": _in_days(42),
            }, "Add the goal", what)
        teacher = self.server.staff_name(f"teacher@{self.school}.demo")
        psychologist = self.server.staff_name(f"psychologist@{self.school}.demo")
        for kind, description, who in (("counselling", "Weekly talk with the psychologist", psychologist),
                                       ("mentoring", "Daily check-in with the class teacher", teacher)):
            self.add_inline("measures", "Add a measure", {
                "#type": ("select", kind), "#description": description, "#responsible_id": ("select", who),
                "#frequency": "weekly", "#start_date": _today(), "#end_date": _in_days(42),
            }, "Add the measure", description)
        self.submit(page.get_by_role("button", name="Submit for approval"))
        self.flash_says("The plan is submitted for approval.")
        return case_id

    def add_inline(self, section: str, summary: str, fields: dict, button: str, expect: str):
        page = self.page
        panel = page.locator(f"#plan-{section}")
        panel.locator("summary", has_text=summary).click()
        for selector, value in fields.items():
            if isinstance(value, tuple):
                field = panel.locator(selector)
                field.select_option(value[1]) if value[1].isascii() else field.select_option(label=value[1])
            else:
                panel.locator(selector).fill(value)
        if self.js:
            with page.expect_response(lambda r: r.request.method == "POST" and f"/{section}" in r.url) as answer:
                panel.get_by_role("button", name=button).click()
            assert answer.value.status == 200
            assert answer.value.request.headers.get("hx-request") == "true", "the row was not added by htmx"
            assert answer.value.headers.get("cache-control", "").startswith("no-store")
            page.locator(f"#plan-{section} tbody", has_text=expect).wait_for()
            self.check(f"/cases/N/plan/N (after adding {section[:-1]})")
        else:
            self.submit(panel.get_by_role("button", name=button))
            assert expect in page.locator(f"#plan-{section} tbody").inner_text()

    def admin_records_council_and_approves(self, case_id: int):
        page = self.as_user(f"admin@{self.school}.demo")
        self.go(f"/cases/{case_id}")
        page.get_by_label("Date of the prevention council decision").fill(_today())
        page.get_by_label("Protocol number").fill("7")
        self.submit(page.get_by_role("button", name="Record", exact=True))
        self.flash_says("The council decision is recorded.")
        click_and_wait(page, page.locator("section.panel", has_text="Individual plan").get_by_role("link", name="Open"))
        self.check()
        self.submit(page.get_by_role("button", name="Approve"))
        self.flash_says("The plan is approved and in force.")

    def teacher_logs_measure(self):
        page = self.as_user(f"teacher@{self.school}.demo")
        click_and_wait(page, page.locator("nav.main-nav").get_by_role("link", name="My tasks"))
        self.check()
        task = page.locator("section.panel", has_text="Daily check-in with the class teacher")
        task.locator("summary").click()
        task.get_by_label("The student attended / took part").check()
        task.get_by_label("What was done").fill("Talked before lessons; calmer today.")
        self.submit(task.get_by_role("button", name="Log"))
        task = page.locator("section.panel", has_text="Daily check-in with the class teacher")
        assert "calmer today" in task.inner_text()

    def psychologist_reviews_and_drafts_escalation(self, case_id: int) -> int:
        page = self.as_user(f"psychologist@{self.school}.demo")
        self.go(f"/cases/{case_id}")
        click_and_wait(page, page.get_by_role("link", name="Record a review"))
        self.check()
        page.locator("#decision").select_option("escalate")
        page.get_by_label("Rationale").fill("Injuries again this week; the family refuses to meet.")
        self.submit(page.get_by_role("button", name="Record the review"))
        assert "/escalations/new" in page.url
        page.get_by_label("Help room for child victims of violence").check()
        page.get_by_label("Summary: why the school cannot resolve this alone").fill(
            "Repeated injuries; the family does not engage; the child fears going home.")
        page.get_by_label("Measures tried and their outcome").fill("Weekly counselling, daily check-ins: no change.")
        self.submit(page.get_by_role("button", name="Save the draft"))
        return _id_from(page.url, "escalations")

    def admin_submits(self, escalation_id: int, resubmit: bool = False):
        page = self.as_user(f"admin@{self.school}.demo")
        self.go(f"/escalations/{escalation_id}")
        if resubmit:
            page.get_by_label("Answer to the directorate's question").fill("Police were informed on Monday.")
            self.submit(page.get_by_role("button", name="Save the draft"))
            self.submit(page.get_by_role("button", name="Resubmit to the directorate"))
        else:
            self.submit(page.get_by_role("button", name="Submit to the directorate"))
        status = page.locator("dl.facts").first.inner_text()
        assert "Submitted" in status, status

    def other_region_cannot_see(self, escalation_id: int):
        page = self.as_user("reviewer@akmola.demo")
        self.go("/escalations")
        assert f"/escalations/{escalation_id}" not in page.content()
        response = page.goto(f"{self.server.url}/escalations/{escalation_id}")
        assert response.status == 404
        assert self.student["surname"] not in visible_text(page)

    def reviewer_claims_and_returns(self, escalation_id: int):
        page = self.as_user("reviewer@astana.demo")
        self.go("/escalations")
        click_and_wait(page, page.locator(f"a[href$='/escalations/{escalation_id}']").first)
        self.check()
        self.submit(page.get_by_role("button", name="Take into review"))
        page.locator("summary", has_text="Return for information").click()
        page.get_by_label("What information is needed").fill("Has the police been informed?")
        self.submit(page.get_by_role("button", name="Return to the school"))
        assert "Returned" in page.locator("dl.facts").first.inner_text()

    def reviewer_accepts_with_help_room(self, escalation_id: int):
        page = self.as_user("reviewer@astana.demo")
        self.go(f"/escalations/{escalation_id}")
        self.submit(page.get_by_role("button", name="Take into review"))
        page.locator("#measures-0-organisation").fill("Help room, city children's hospital")
        page.locator("#measures-0-responsible").fill("A. Seitova")
        page.locator("#measures-0-deadline").fill(_in_days(3))
        page.get_by_label("Help-room appointment date (if referred)").fill(_in_days(2))
        self.submit(page.get_by_role("button", name="Accept", exact=True))
        assert "Accepted" in page.locator("dl.facts").first.inner_text()
        page.get_by_label("One-window interview held on").fill(_today())
        self.submit(page.get_by_role("button", name="Record", exact=True))
        self.flash_says(NOTICE)

    def staff_see_interview_notice(self, case_id: int):
        page = self.as_user(f"teacher@{self.school}.demo")
        self.go(f"/students/{self.student['id']}")
        self.flash_says(NOTICE)
        page = self.as_user(f"psychologist@{self.school}.demo")
        self.go(f"/cases/{case_id}")
        self.flash_says(NOTICE)
        logout(page)


def _run(journey: Journey):
    concern_id = journey.teacher_flags_urgent_concern()
    case_id = journey.psychologist_triages_and_plans(concern_id)
    journey.admin_records_council_and_approves(case_id)
    journey.teacher_logs_measure()
    escalation_id = journey.psychologist_reviews_and_drafts_escalation(case_id)
    journey.admin_submits(escalation_id)
    journey.other_region_cannot_see(escalation_id)
    journey.reviewer_claims_and_returns(escalation_id)
    journey.admin_submits(escalation_id, resubmit=True)
    journey.reviewer_accepts_with_help_room(escalation_id)
    journey.staff_see_interview_notice(case_id)


def test_journey_with_javascript_and_accessibility(server, new_context, axe):
    _run(Journey(server, new_context, axe, javascript=True, school="school1"))
    assert len(axe.seen) >= 13, f"axe checked only {sorted(axe.seen)}"
    assert not axe.report(), "serious or critical accessibility violations:\n" + axe.report()


def test_journey_without_javascript(server, new_context, axe):
    _run(Journey(server, new_context, axe, javascript=False, school="school2"))
