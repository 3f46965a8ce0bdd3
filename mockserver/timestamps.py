"""Timestamps as protojson writes them: RFC 3339, UTC, `Z`, 0, 3, 6 or 9 fractional digits."""

from __future__ import annotations

from datetime import UTC, datetime


def format_timestamp(moment: datetime) -> str:
    """`2026-07-10T09:01:02.641Z` for a moment (naive moments are taken as UTC)."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    micros = moment.microsecond
    if micros == 0:
        return f"{base}Z"
    if micros % 1000 == 0:
        return f"{base}.{micros // 1000:03d}Z"
    return f"{base}.{micros:06d}Z"


def now_timestamp() -> str:
    return format_timestamp(datetime.now(UTC))
