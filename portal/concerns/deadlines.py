"""Acknowledgement deadlines: hours for urgent concerns, school days for the rest (both settings)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

ALMATY = ZoneInfo("Asia/Almaty")


def add_school_days(start_utc: datetime, days: int, week_days: int = 5) -> datetime:
    """Move `days` school days forward in local time; Saturday (and Sunday) are skipped on a 5-day week."""
    local = start_utc.replace(tzinfo=UTC).astimezone(ALMATY)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if local.weekday() < week_days:
            added += 1
    return local.astimezone(UTC).replace(tzinfo=None)


def ack_deadline(created_at: datetime, urgent: bool) -> datetime:
    config = current_app.config
    if urgent:
        return created_at + timedelta(hours=config["CONCERN_ACK_URGENT_HOURS"])
    return add_school_days(created_at, config["CONCERN_ACK_SCHOOL_DAYS"], config["SCHOOL_WEEK_DAYS"])
