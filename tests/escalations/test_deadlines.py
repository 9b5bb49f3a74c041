"""Decision deadlines with a controllable clock: urgent 24 hours, standard 5 working days counted in Astana time;
an overdue escalation is flagged to the region in the queue, on the dashboard and in the overview."""

import re
from datetime import date, timedelta

import pytest

from portal import clock
from tests.escalations.helpers import (
    ADMIN,
    PSYCHOLOGIST,
    REVIEWER,
    act,
    demo_case,
    draft,
    expected_overview,
    load,
    local_moment,
    plain,
    row_html,
    rows,
    school_id,
    shown_datetime,
    text,
)

FRIDAY = date(2027, 3, 5)


def overdue_badge_after(page: str, due) -> bool:
    """The page shows the deadline followed by the overdue badge."""
    badge = r'\s*<span class="badge badge-urgent">Overdue</span>'
    return re.search(re.escape(shown_datetime(due)) + badge, page) is not None


def submit_now(as_user, case_number: int, urgency: str) -> int:
    escalation_id = draft(as_user(PSYCHOLOGIST), demo_case(case_number), urgency=urgency)
    assert act(as_user(ADMIN), escalation_id, "submit").status_code == 303
    return escalation_id


@pytest.mark.parametrize("submitted,due", [
    ((FRIDAY, 15, 30), (date(2027, 3, 12), 15, 30)),   # Friday afternoon → next Friday, same time
    ((date(2027, 3, 6), 10, 0), (date(2027, 3, 12), 10, 0)),   # Saturday → Friday (Mon..Fri)
    ((date(2027, 3, 3), 9, 0), (date(2027, 3, 10), 9, 0)),   # Wednesday → next Wednesday
    ((date(2027, 3, 8), 0, 30), (date(2027, 3, 15), 0, 30)),   # Monday 00:30 in Astana is Sunday in UTC
    ((date(2027, 3, 5), 23, 45), (date(2027, 3, 12), 23, 45)),   # Friday night stays Friday
])
def test_standard_escalations_are_due_in_five_working_days_of_astana_time(as_user, submitted, due):
    assert submitted[0].weekday() in (0, 2, 4, 5)
    clock.freeze(local_moment(*submitted))
    escalation_id = submit_now(as_user, 1, "standard")
    e = load(escalation_id)
    assert e.submitted_at == local_moment(*submitted)
    assert e.due_at == local_moment(*due)
    assert clock.to_local(e.due_at).weekday() < 5


def test_overdue_is_flagged_to_the_region_when_the_clock_passes_the_deadline(as_user):
    assert FRIDAY.weekday() == 4
    start = local_moment(FRIDAY, 15, 30)
    clock.freeze(start)
    standard = submit_now(as_user, 1, "standard")
    urgent = submit_now(as_user, 2, "urgent")
    assert load(standard).due_at == local_moment(date(2027, 3, 12), 15, 30)
    assert load(urgent).due_at == start + timedelta(hours=24)
    school1 = school_id("school1")

    def look():
        """A fresh login (the clock jumps past the idle timeout): queue rows, overdue rows, dashboard and overview."""
        reviewer = as_user(REVIEWER)
        home = plain(reviewer.get("/"))
        overview = text(reviewer.get("/escalations/overview"))
        dashboard_overdue = int(re.search(r'href="/escalations\?show=overdue"[^>]*>(\d+) overdue(?: escalations?)?</a>', home).group(1))
        cell = re.search(rf'href="/escalations\?show=overdue&amp;school={school1}">(\d+)</a>', overview)
        return reviewer, rows(reviewer), rows(reviewer, "overdue"), dashboard_overdue, int(cell.group(1))

    def expected_overdue():
        table = expected_overview(load(standard).region_id)
        return sum(len(v["overdue"]) for v in table.values()), len(table[school1]["overdue"])

    # Saturday 15:29: the urgent one has a minute left; the standard one is nowhere near
    clock.freeze(start + timedelta(hours=24, minutes=-1))
    reviewer, queue, overdue, on_dashboard, in_overview = look()
    assert standard in queue and urgent in queue and "overdue" not in queue[urgent]
    assert urgent not in overdue and standard not in overdue
    assert "Overdue" not in row_html(text(reviewer.get("/escalations")), urgent)
    assert (on_dashboard, in_overview) == expected_overdue()
    base_dashboard, base_overview = on_dashboard, in_overview

    # Saturday 15:31: the urgent one is overdue
    clock.advance(timedelta(minutes=2))
    reviewer, queue, overdue, on_dashboard, in_overview = look()
    assert "overdue" in queue[urgent] and "overdue" not in queue[standard]
    assert urgent in overdue and standard not in overdue
    assert '<span class="badge badge-urgent">Overdue</span>' in row_html(
        text(reviewer.get("/escalations", query_string={"show": "overdue"})), urgent)
    assert (on_dashboard, in_overview) == (base_dashboard + 1, base_overview + 1) == expected_overdue()
    assert overdue_badge_after(plain(reviewer.get(f"/escalations/{urgent}")), load(urgent).due_at)

    # next Friday 15:29 (four working days later, over a weekend): the standard one is still in time
    clock.freeze(local_moment(date(2027, 3, 12), 15, 29))
    reviewer, queue, overdue, on_dashboard, in_overview = look()
    assert standard not in overdue and "overdue" not in queue[standard]
    assert (on_dashboard, in_overview) == (base_dashboard + 1, base_overview + 1) == expected_overdue()

    # 15:31: both overdue, everywhere the region looks
    clock.advance(timedelta(minutes=2))
    reviewer, queue, overdue, on_dashboard, in_overview = look()
    assert {standard, urgent} <= set(overdue) and "overdue" in queue[standard]
    assert (on_dashboard, in_overview) == (base_dashboard + 2, base_overview + 2) == expected_overdue()
    assert {standard, urgent} <= set(rows(reviewer, "overdue", school1))
    # the school sees its deadline passed too
    assert overdue_badge_after(plain(as_user(ADMIN).get(f"/escalations/{standard}")), load(standard).due_at)

    # claiming does not stop the clock; a decision does
    assert act(reviewer, standard, "claim").status_code == 303
    assert standard in rows(reviewer, "overdue")
    assert act(reviewer, standard, "decline", reason="Не в компетенции управления.").status_code == 303
    reviewer, queue, overdue, on_dashboard, in_overview = look()
    assert standard not in overdue and standard not in queue
    assert (on_dashboard, in_overview) == (base_dashboard + 1, base_overview + 1) == expected_overdue()
