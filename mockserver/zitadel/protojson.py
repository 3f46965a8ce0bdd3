"""How protojson writes a message (ZITADEL's gateway and Connect both use its defaults): fields
with proto3's zero value left out, timestamps in RFC 3339 UTC with 0, 3, 6 or 9 fractional digits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

_ZERO: tuple[Any, ...] = (None, False, "", 0, [])


def without_zero_values(value: Any) -> Any:
    """`value` with every field that holds false, "", 0, [] or null left out, at every depth.

    A nested object is a message and stays, even when empty (message fields have presence).
    """
    if isinstance(value, dict):
        return {
            key: without_zero_values(item)
            for key, item in value.items()
            if isinstance(item, dict) or not _is_zero(item)
        }
    if isinstance(value, list):
        return [without_zero_values(item) for item in value]
    return value


def _is_zero(value: Any) -> bool:
    return any(value is zero or (type(value) is type(zero) and value == zero) for zero in _ZERO)


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
