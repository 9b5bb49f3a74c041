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
