"""Everything this toolkit raises on purpose, as one exception tree.

    MockServerError
    ├── PlacedError              something is wrong at a place in a file
    │   ├── YamlSourceError      a YAML file cannot be read (syntax, duplicate key)
    │   ├── SpecError            openapi.yaml is unusable (invalid OpenAPI, dangling $ref, ...)
    │   └── FixtureError         a fixture file is unusable (breaks the contract, unknown path, ...)
    ├── StoreUnavailable         the state store cannot be reached (the mock answers 503)
    ├── ZitadelError             an error answer, in ZITADEL's shape (mockserver.zitadel.errors)
    ├── ContractViolation        the mock answered what the contract forbids (also an AssertionError)
    ├── ProxyError               the validating proxy cannot start, or cannot reach its target
    └── ReviewSourceError        a review command cannot read its input (contract_tests.review)

Every message names the file, the place inside it (line and JSON pointer) and the reason, so a
bad file stops start-up with something a person can act on. Command-line tools catch
`MockServerError` alone: anything else is a bug and may show its traceback.
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


class PlacedError(MockServerError):
    """An error that belongs to a place in a file."""

    def __init__(self, place: Place, reason: str) -> None:
        self.place = place
        self.reason = reason
        super().__init__(f"{place}: {reason}")


class YamlSourceError(PlacedError):
    """A YAML file cannot be read."""


class SpecError(PlacedError):
    """The contract (openapi.yaml) cannot be used."""


class FixtureError(PlacedError):
    """A fixture file cannot be used."""


class StoreUnavailable(MockServerError):
    """The store could not be reached or kept failing; the mock answers 503 in ZITADEL's shape."""


class ContractViolation(AssertionError, MockServerError):
    """The mock answered something the contract forbids: a bug in the mock or its fixtures."""


class ProxyError(MockServerError):
    """The validating proxy cannot start (a bad target URL, an unusable record folder) or cannot
    reach its target (the proxy answers 502 or 504)."""


class ReviewSourceError(MockServerError):
    """A review command's input (a contract file or git revision) cannot be read or used."""
