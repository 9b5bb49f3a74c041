"""Fixtures for the escalation tests: browsers that speak English, and a second reviewer of the Astana region."""

import pytest
from sqlalchemy import select

from portal.auth import roles
from portal.auth.models import User
from portal.auth.passwords import DEMO_PASSWORD, hash_password
from portal.extensions import db
from tests.conftest import in_app
from tests.escalations.helpers import REVIEWER, REVIEWER2


@pytest.fixture
def as_user(login_as):
    def _as(email):
        b = login_as(email)
        b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return b

    return _as


@pytest.fixture
def second_reviewer(app):
    """Another regional reviewer of Astana (the demo has one per region)."""
    with in_app():
        first = db.session.scalar(select(User).where(User.email == REVIEWER))
        db.session.add(User(email=REVIEWER2, full_name="Дана Сулейменова", role=roles.REGIONAL_REVIEWER,
                            region_id=first.region_id, password_hash=hash_password(DEMO_PASSWORD), active=True,
                            is_demo=True))
        db.session.commit()
    return REVIEWER2
