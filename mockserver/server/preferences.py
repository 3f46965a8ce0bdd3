"""What a caller asks the mock to answer instead of ZITADEL's behaviour (Prism-compatible).

`Prefer: code=404, example=notExisting, dynamic=true, delay=200` (or `delay=100-300`), the same
as query parameters `__code`, `__example`, `__dynamic`, `__delay`, or sticky per session. The
request's header wins over its query, which wins over the session's sticky choice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.zitadel.errors import ZitadelError

KEYS = ("code", "example", "dynamic", "delay")
_DELAY = re.compile(r"(\d{1,5})(?:-(\d{1,5}))?")


@dataclass(frozen=True)
class Preferences:
    """The choices that apply to one request."""

    code: int | None = None
    example: str | None = None
    dynamic: bool = False
    delay_ms: tuple[int, int] | None = None

    @property
    def overrides_answer(self) -> bool:
        return self.code is not None or self.example is not None or self.dynamic


NOTHING_ASKED = Preferences()


def parse_prefer_header(value: str | None) -> dict[str, str]:
    """`code=404, example=x` (commas or semicolons) as a dict of the keys we know."""
    found: dict[str, str] = {}
    if not value:  # most requests: no header, no regular expression
        return found
    for item in re.split(r"[,;]", value):
        key, _, setting = item.strip().partition("=")
        if key.strip().lower() in KEYS and setting.strip():
            found[key.strip().lower()] = setting.strip().strip('"')
    return found


def query_preferences(query: Mapping[str, str]) -> dict[str, str]:
    """`__code=404&__example=x` as a dict of the keys we know."""
    return {key: query[f"__{key}"] for key in KEYS if query.get(f"__{key}")}


def resolve(*layers: Mapping[str, Any]) -> Preferences:
    """Combine raw settings, the first layer winning; a bad value is a 400 in ZITADEL's shape."""
    if not any(layers):  # most requests ask for nothing
        return NOTHING_ASKED
    merged: dict[str, Any] = {}
    for layer in reversed(layers):
        merged.update({key: value for key, value in layer.items() if key in KEYS})
    return Preferences(
        code=_code(merged.get("code")),
        example=str(merged["example"]) if merged.get("example") else None,
        dynamic=str(merged.get("dynamic", "false")).lower() == "true",
        delay_ms=parse_delay(merged.get("delay")),
    )


def parse_delay(value: Any) -> tuple[int, int] | None:
    """`200` → (200, 200); `100-300` or [100, 300] → (100, 300); at most 60 s."""
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple) and len(value) == 2:
        low, high = int(value[0]), int(value[1])
    else:
        found = _DELAY.fullmatch(str(value).strip())
        if found is None:
            raise _bad("delay", value)
        low = int(found.group(1))
        high = int(found.group(2) or low)
    if not 0 <= low <= high <= 60_000:
        raise _bad("delay", value)
    return low, high


def _code(value: Any) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or not 100 <= int(text) <= 599:
        raise _bad("code", value)
    return int(text)


def _bad(key: str, value: Any) -> ZitadelError:
    return ZitadelError(3, f"mock: invalid preference {key}={value!r}")
