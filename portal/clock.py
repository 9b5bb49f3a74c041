"""The portal's clock: naive UTC datetimes, replaceable in tests."""

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    """Current time in UTC without tzinfo (the database convention)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None) + _offset


def freeze(at: datetime | None) -> None:
    """Stop the clock at a given UTC time (None lets it run again)."""
    global _frozen
    _frozen = at


def advance(delta: timedelta) -> None:
    """Move the clock forward, frozen or not."""
    global _offset, _frozen
    if _frozen is not None:
        _frozen = _frozen + delta
    else:
        _offset = _offset + delta


def reset() -> None:
    global _offset, _frozen
    _offset = timedelta(0)
    _frozen = None


LOCAL_ZONE = "Asia/Almaty"


def to_local(utc_naive: datetime) -> datetime:
    """Naive UTC → naive Asia/Almaty wall time (what users type and read)."""
    from zoneinfo import ZoneInfo

    return utc_naive.replace(tzinfo=UTC).astimezone(ZoneInfo(LOCAL_ZONE)).replace(tzinfo=None)


def from_local(local_naive: datetime) -> datetime:
    """Naive Asia/Almaty wall time → naive UTC for storage."""
    from zoneinfo import ZoneInfo

    return local_naive.replace(tzinfo=ZoneInfo(LOCAL_ZONE)).astimezone(UTC).replace(tzinfo=None)


def local_today():
    return to_local(now()).date()
