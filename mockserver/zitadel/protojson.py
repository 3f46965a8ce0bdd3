"""How protojson writes a message (ZITADEL's gateway and Connect both use its defaults): fields
with proto3's zero value left out, timestamps in RFC 3339 UTC with 0, 3, 6 or 9 fractional digits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def without_zero_values(value: Any) -> Any:
    """`value` with every field that holds false, "", 0, [] or null left out, at every depth.

    A nested object is a message and stays, even when empty (message fields have presence).
    """
    kind = type(value)
    if kind is dict:
        return {key: without_zero_values(item) for key, item in value.items() if not is_zero(item)}
    if kind is list:
        return value if all(type(item) in _SCALARS for item in value) else [without_zero_values(i) for i in value]
    return value


_SCALARS = (str, int, float, bool, type(None))


def is_zero(value: Any) -> bool:
    """Whether protojson leaves a field holding `value` out (an object never: it has presence)."""
    if value is None or value is False:
        return True
    kind = type(value)
    if kind is str or kind is list:
        return not value
    return kind is int and value == 0


def format_timestamp(moment: datetime) -> str:
    """`2026-07-10T09:01:02.641Z` for a moment (naive moments are taken as UTC)."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    base = moment.isoformat(timespec="seconds")[:19]  # strftime was a twentieth of a write
    micros = moment.microsecond
    if micros == 0:
        return f"{base}Z"
    if micros % 1000 == 0:
        return f"{base}.{micros // 1000:03d}Z"
    return f"{base}.{micros:06d}Z"


def now_timestamp() -> str:
    return format_timestamp(datetime.now(UTC))
