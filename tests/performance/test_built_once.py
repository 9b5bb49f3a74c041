"""Statements built once per process (portal/db.py: built_once, BoundViewer, clock parameters) give every viewer
their own answer and follow the clock: the same counts as statements built afresh for that viewer and moment."""

from datetime import timedelta

import pytest
from flask_login import login_user

from portal import clock
from portal.cases import queries as case_queries
from portal.concerns import queries as concern_queries
from portal.db import BoundViewer, side_by_side, split_row
from portal.escalations import queries as escalation_queries
from portal.extensions import db
from tests.conftest import in_app, user

VIEWERS = ["psychologist@school1.demo", "admin@school1.demo", "psychologist@school2.demo", "admin@school3.demo"]


def _both(app, email):
    """The home page's counts (built once) and the same counts from statements built now with literal values."""
    from portal.dashboard.routes import _school_counts

    viewer = user(email)
    with app.test_request_context("/"):
        login_user(db.session.merge(viewer))
        shared = _school_counts()
        statement, widths = side_by_side(concern_queries.queue_counts_query(viewer),
                                         case_queries.case_counts_query(viewer),
                                         escalation_queries.counts_query(viewer))
        queue, cases, escalations = split_row(db.session.execute(statement).one(), widths)
        fresh = {"queue_counts": concern_queries.queue_counts(viewer, queue),
                 "case_counts": case_queries.case_counts(viewer, cases),
                 "escalation_counts": escalation_queries.counts(viewer, escalations)}
        db.session.rollback()
    return {k: shared[k] for k in fresh}, fresh


def test_each_viewer_gets_their_own_counts_from_the_shared_statement(app):
    from sqlalchemy import select

    from portal.concerns.models import SUBMITTED, Concern

    with in_app():  # the demo schools are alike: make school 2's queue differ from school 1's
        school2 = user("psychologist@school2.demo").school_id
        concern = db.session.scalars(select(Concern).where(Concern.school_id == school2, Concern.status == SUBMITTED,
                                                           Concern.involves_staff.is_(False))).first()
        concern.urgent = not concern.urgent
        db.session.commit()
    answers = {}
    for email in VIEWERS:
        shared, fresh = _both(app, email)
        assert shared == fresh, email
        answers[email] = shared
    assert answers[VIEWERS[0]] != answers[VIEWERS[2]]  # two schools, one statement, different answers


def test_shared_statements_read_the_clock_when_they_run(app):
    before, _ = _both(app, "admin@school1.demo")
    clock.advance(timedelta(days=60))  # submitted concerns and escalations pass their deadlines, reviews fall due
    after, fresh = _both(app, "admin@school1.demo")
    assert after == fresh
    assert after != before
    assert after["queue_counts"]["overdue"] >= before["queue_counts"]["overdue"]
    assert after["case_counts"]["review_overdue"] > before["case_counts"]["review_overdue"]


def test_a_bound_viewer_has_no_other_attributes(app):
    viewer = BoundViewer(user("teacher@school1.demo"))
    assert viewer.class_name and viewer.school_id and viewer.region_id is None
    with pytest.raises(AttributeError):
        _ = viewer.email  # a scope reading it would freeze one viewer's value into a shared statement


@pytest.mark.parametrize("email,show", [("reviewer@astana.demo", "queue"), ("reviewer@astana.demo", "all"),
                                        ("admin@school1.demo", "open"), ("psychologist@school2.demo", "all")])
def test_a_built_page_is_the_page_flask_sqlalchemy_would_give(app, email, show):
    """The escalation list pages from statements built once; every page (and one past the end) holds what
    Flask-SQLAlchemy's paginate gives for the same query, with the same totals and pager."""
    from portal.escalations.queries import listing, listing_page
    from portal.web.htmx import paginate

    app.config["PAGE_SIZE"] = 2
    viewer = user(email)
    for number in range(1, 6):
        with app.test_request_context(f"/escalations?page={number}"):
            login_user(db.session.merge(viewer))
            ours, theirs = listing_page(viewer, show, None), paginate(listing(viewer, show, None))
            assert [e.id for e in ours.items] == [e.id for e in theirs.items], (email, show, number)
            assert (ours.total, ours.pages, ours.has_prev, ours.has_next, ours.prev_num, ours.next_num) == \
                   (theirs.total, theirs.pages, theirs.has_prev, theirs.has_next, theirs.prev_num, theirs.next_num)
            db.session.rollback()
    assert theirs.total > 2  # more than one page was compared
