"""Several app servers share the login limits through Redis (RATELIMIT_STORAGE_URI)."""

import socket
import uuid

import pytest

from portal import create_app
from portal.extensions import limiter
from tests.conftest import Browser, base_config

REDIS = ("127.0.0.1", 6379)


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379 on this machine")
def test_two_app_servers_share_one_limit(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    prefix = f"portal-test-{uuid.uuid4().hex}"
    settings = {
        **base_config(url),
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_LIMIT_PER_IP": "3 per minute",
    }
    first, second = create_app(settings), create_app(settings)
    try:
        a = Browser(first, first.test_client())
        b = Browser(second, second.test_client())
        codes = [a.login("x@school1.demo", "wrong-password-1").status_code for _ in range(2)]
        codes.append(b.login("x@school1.demo", "wrong-password-1").status_code)
        codes.append(b.login("x@school1.demo", "wrong-password-1").status_code)
        assert codes == [401, 401, 401, 429]
        import redis

        keys = redis.Redis(host=REDIS[0], port=REDIS[1], db=15).keys(f"*{prefix}*")
        assert keys, "the limit was not kept in Redis"
    finally:
        with first.app_context():
            limiter.reset()


def test_healthz_reports_a_dead_database(app, client, monkeypatch):
    from portal.extensions import db

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    with app.app_context():
        monkeypatch.setattr(db.session, "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert "database gone" not in response.get_data(as_text=True)
