"""The regional overview and the dashboards: per-school counts that match the rows, without names, where every
count links to exactly the list it counts; the reviewer's and the school administrator's home pages."""

import html
import re
from datetime import timedelta

import pytest

from portal import clock
from tests.conftest import user
from tests.escalations.helpers import (
    ADMIN,
    AKMOLA_REVIEWER,
    PSYCHOLOGIST,
    REVIEWER,
    act,
    demo_case,
    draft,
    expected_overview,
    load,
    plain,
    region_students,
    row_html,
    school_id,
    shown_datetime,
    text,
)

KEYS = ("queue", "accepted", "returned", "declined", "overdue")
SCHOOL_ROW_RE = re.compile(r"<tr>\s*<td>([^<]+)</td>(.*?)</tr>", re.S)
LINK_RE = re.compile(r'<a href="(/escalations\?show=(\w+)(?:&amp;school=(\d+))?)">(\d+)</a>')


def overview_table(page: str) -> dict[int, dict]:
    """School id → {count key: (number, link)} and the median cell, as the overview page shows them."""
    table = {}
    for _name, cells in SCHOOL_ROW_RE.findall(page):
        links = LINK_RE.findall(cells)
        assert [show for _href, show, _school, _n in links] == list(KEYS), cells
        schools = {int(school) for _href, _show, school, _n in links}
        assert len(schools) == 1, cells
        median = re.findall(r"<td>([^<]*)</td>\s*$", cells.strip())
        table[schools.pop()] = {
            **{show: (int(n), html.unescape(href)) for href, show, _school, n in links},
            "median": median[0] if median else None,
        }
    return table


def listed(browser, href: str) -> list[int]:
    response = browser.get(href)
    assert response.status_code == 200, href
    return [int(i) for _classes, i in re.findall(r'<tr class="([^"]*)">\s*<td><a href="/escalations/(\d+)">',
                                                  text(response))]


@pytest.mark.parametrize("email,region", [(REVIEWER, "astana"), (AKMOLA_REVIEWER, "akmola")])
def test_overview_counts_match_the_rows_link_to_their_lists_and_name_nobody(as_user, email, region):
    reviewer = as_user(email)
    response = reviewer.get("/escalations/overview")
    assert response.status_code == 200
    page = text(response)
    expected = expected_overview(user(email).region_id)
    shown = overview_table(page)
    assert set(shown) == set(expected) and len(shown) == (2 if region == "astana" else 1)
    for school, numbers in expected.items():
        for key in KEYS:
            count, href = shown[school][key]
            assert count == len(numbers[key]), (school, key)
            assert href == f"/escalations?show={key}&school={school}"
            assert sorted(listed(reviewer, href)) == numbers[key], (school, key)
        assert shown[school]["median"] == numbers["median"]
        assert numbers["median"] != "—"  # the demo has decisions in every school
    # the demo has something in every column
    for key in KEYS:
        assert sum(len(v[key]) for v in expected.values()) > 0, key
    # totals link to the whole region's lists
    footer = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1)
    for href, key, _school, n in LINK_RE.findall(footer):
        assert int(n) == sum(len(v[key]) for v in expected.values()) == len(listed(reviewer, html.unescape(href)))
    # no child is named: no surname, given name or full name of any student of the region
    words = html.unescape(page)
    students = region_students(region)
    assert len(students) >= 30 * len(shown)
    for pupil in students:
        assert pupil.surname not in words and pupil.full_name not in words, pupil.surname
    assert "Median time to decision, hours" in words


def test_the_median_time_to_decision_follows_new_decisions(as_user):
    school1, school2 = school_id("school1"), school_id("school2")
    region = user(REVIEWER).region_id
    before = overview_table(text(as_user(REVIEWER).get("/escalations/overview")))
    assert before[school1]["median"] == expected_overview(region)[school1]["median"] == "20.0"
    # every escalation of school 1 waiting for a decision is decided 100 hours or more after submission
    waiting = expected_overview(region)[school1]["queue"]
    assert len(waiting) == 4
    clock.freeze(max(load(i).submitted_at for i in waiting) + timedelta(hours=100))
    reviewer = as_user(REVIEWER)
    for escalation_id in waiting:
        if load(escalation_id).status == "submitted":
            assert act(reviewer, escalation_id, "claim").status_code == 303
        assert act(reviewer, escalation_id, "decline", reason="Не в компетенции управления.").status_code == 303
    expected = expected_overview(region)
    shown = overview_table(text(reviewer.get("/escalations/overview")))
    # waits in minutes: 1200 ×4 and 1440 from the demo, four of 6000 or more now: the median is 1440, 24 hours
    assert shown[school1]["median"] == expected[school1]["median"] == "24.0"
    assert shown[school1]["queue"][0] == 0 and shown[school1]["declined"][0] == 5
    assert shown[school2]["median"] == before[school2]["median"]


def test_reviewer_home_shows_queue_counts_that_link_to_the_lists(as_user):
    reviewer = as_user(REVIEWER)
    home = plain(reviewer.get("/"))
    counts = dict((show, int(n)) for show, n in re.findall(
        r'<a href="/escalations\?show=(\w+)"[^>]*>(\d+) [^<]+</a>', home))
    assert set(counts) == {"queue", "overdue", "mine", "decided_month"}
    for show, n in counts.items():
        assert len(listed(reviewer, f"/escalations?show={show}")) == n, show
    expected = expected_overview(user(REVIEWER).region_id)
    assert counts["queue"] == sum(len(v["queue"]) for v in expected.values()) == 8
    assert counts["overdue"] == sum(len(v["overdue"]) for v in expected.values())
    assert counts["mine"] == 4  # the demo in-review escalations of both Astana schools
    # the queue on the dashboard: urgent first, each with its deadline; the per-school table links too
    queue_ids = listed(reviewer, "/escalations?show=queue")
    for escalation_id in queue_ids:
        assert shown_datetime(load(escalation_id).due_at) in row_html(home, escalation_id)
    first_standard = next(i for i, eid in enumerate(queue_ids) if load(eid).urgency == "standard")
    assert all(load(eid).urgency == "urgent" for eid in queue_ids[:first_standard])
    for school in (school_id("school1"), school_id("school2")):
        for show in ("queue", "overdue"):
            n = re.search(rf'href="/escalations\?show={show}&school={school}">(\d+)</a>', home)
            assert n and int(n.group(1)) == len(expected[school][show])
    assert 'href="/escalations/overview"' in home
    # no student's name on the reviewer's home page
    for pupil in region_students("astana"):
        assert pupil.full_name not in home


def test_school_admin_home_shows_escalations_with_deadlines(as_user):
    clock.freeze(clock.now().replace(microsecond=0))
    fresh = draft(as_user(PSYCHOLOGIST), demo_case(1), urgency="urgent")
    admin = as_user(ADMIN)
    assert act(admin, fresh, "submit").status_code == 303
    home = plain(admin.get("/"))
    panel = re.search(r"<h2>Escalations to the directorate</h2>(.*?)</section>", home, re.S)
    assert panel, home[:3000]
    panel = panel.group(1)
    open_ids = listed(admin, "/escalations?show=open")
    assert fresh in open_ids
    for escalation_id in open_ids[:8]:
        e = load(escalation_id)
        row = row_html(panel, escalation_id)
        if e.status in ("submitted", "in_review"):
            assert shown_datetime(e.due_at) in row, escalation_id
            assert ("Overdue" in row) == (e.due_at < clock.now()), escalation_id
        else:
            assert "—" in row
    assert "Urgent" in row_html(panel, fresh)
    counts = dict((show, int(n)) for show, n in re.findall(
        r'<a href="/escalations\?show=(\w+)"[^>]*>(\d+) [^<]+</a>', panel))
    assert set(counts) == {"queue", "overdue", "drafts"}
    for show, n in counts.items():
        assert len(listed(admin, f"/escalations?show={show}")) == n, show
    assert counts["queue"] == 5 and counts["drafts"] == 2  # 4 demo + the fresh one; the draft and the returned one
    # the psychologist sees the same panel; a teacher none
    assert "Escalations to the directorate" in plain(as_user(PSYCHOLOGIST).get("/"))


def _more_schools(count: int) -> None:
    """Schools without escalations in the Astana region (a region has hundreds)."""
    from sqlalchemy import select

    from portal.admin.models import Region, School
    from portal.extensions import db
    from tests.conftest import in_app

    with in_app():
        region = db.session.scalar(select(Region).where(Region.code == "astana"))
        for n in range(count):
            db.session.add(School(region_id=region.id, name=f"Школа-гимназия № {100 + n}", is_active=True))
        db.session.commit()


def test_a_region_of_many_schools_is_shown_fifty_at_a_time_with_totals_over_all(as_user):
    _more_schools(58)  # with the two demo schools of Astana: 60
    reviewer = as_user(REVIEWER)
    first = text(reviewer.get("/escalations/overview"))
    second = text(reviewer.get("/escalations/overview?page=2"))
    rows_first, rows_second = overview_table(first), overview_table(second)
    assert len(rows_first) == 50 and len(rows_second) == 10
    assert not set(rows_first) & set(rows_second)
    assert 'rel="next"' in first and 'rel="prev"' in second
    footer = re.search(r"<tfoot>(.*?)</tfoot>", first, re.S).group(1)
    assert footer == re.search(r"<tfoot>(.*?)</tfoot>", second, re.S).group(1)  # the region's totals on each page
    shown = {key: sum(row[key][0] for row in (*rows_first.values(), *rows_second.values())) for key in KEYS}
    assert [int(n) for _h, _s, _school, n in LINK_RE.findall(footer)] == [shown[key] for key in KEYS]
    assert reviewer.get("/escalations/overview?page=999").status_code == 200  # past the end: the last page


def test_the_reviewers_home_lists_the_schools_that_need_them_first(as_user):
    from portal.escalations import queries
    from portal.extensions import db
    from tests.conftest import in_app

    _more_schools(30)  # without escalations: they stay off the home page
    page = text(as_user(REVIEWER).get("/"))
    section = re.search(r"<h2>Schools of the region</h2>(.*?)</section>", page, re.S).group(1)
    names = re.findall(r"<tr><td>([^<]+)</td>", section)
    assert len(names) == 2 and all("демо" in n for n in names)  # the two Astana schools with escalations waiting
    assert 'href="/escalations/overview"' in section
    with in_app():
        from sqlalchemy import select

        from portal.auth.models import User

        reviewer = db.session.scalar(select(User).where(User.email == REVIEWER))
        rows = queries.needing_attention(reviewer, 10)
        assert [r["school"].name for r in rows] == names
        assert [(r["overdue"], r["queue"]) for r in rows] == sorted(((r["overdue"], r["queue"]) for r in rows),
                                                                   reverse=True)
        top = queries.needing_attention(reviewer, 1)  # at most the limit, the most urgent kept
        assert [(r["school"].name, r["overdue"], r["queue"]) for r in top] == [
            (r["school"].name, r["overdue"], r["queue"]) for r in rows[:1]]
