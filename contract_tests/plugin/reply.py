"""What came back from the server under test, with what it takes to reproduce the request."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    """Status, headers (lower-case names) and the raw body; `curl` and `request` say what was sent."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    curl: str = ""
    request: str = ""

    def json(self) -> Any:
        """The body as JSON (None for an empty body); ValueError when it is not JSON."""
        return json.loads(self.body) if self.body else None

    def json_or_none(self) -> Any:
        try:
            return self.json()
        except ValueError:
            return None
