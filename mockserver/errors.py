"""What can go wrong before a request is answered, as one exception tree.

    MockServerError
    ├── SpecError        openapi.yaml is unreadable or breaks OpenAPI
    └── FixtureError     a fixture file is unreadable or breaks the contract

Every message names the file, the place inside it (line and JSON pointer) and the reason,
so a bad file stops start-up with something a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Place:
    """A spot in a file: the file, a JSON pointer into its data and, when known, the line."""

    file: Path
    pointer: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where} at {self.pointer or '/'}"


class MockServerError(Exception):
    """The root of every error this toolkit raises on purpose."""


class _PlacedError(MockServerError):
    """An error that belongs to a place in a file."""

    def __init__(self, place: Place, reason: str) -> None:
        self.place = place
        self.reason = reason
        super().__init__(f"{place}: {reason}")


class SpecError(_PlacedError):
    """The contract (openapi.yaml) cannot be used."""


class FixtureError(_PlacedError):
    """A fixture file cannot be used."""
