"""A stateful mock of ZITADEL's login-policy MFA API, served from openapi.yaml and fixtures/."""

from mockserver.errors import FixtureError, MockServerError, Place, SpecError
from mockserver.spec import Contract, Operation, load_spec

__all__ = [
    "Contract",
    "FixtureError",
    "MockServerError",
    "Operation",
    "Place",
    "SpecError",
    "load_spec",
]
