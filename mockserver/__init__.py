"""A stateful mock of ZITADEL's login-policy API, served from openapi.yaml and fixtures/."""

from mockserver.contract.spec import Contract, Operation, load_spec
from mockserver.errors import FixtureError, MockServerError, Place, SpecError

__all__ = [
    "Contract",
    "FixtureError",
    "MockServerError",
    "Operation",
    "Place",
    "SpecError",
    "load_spec",
]
