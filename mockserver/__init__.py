"""A stateful mock of ZITADEL's login-policy API, served from openapi.yaml and fixtures/.

The public names are imported when first used (PEP 562): importing one module of the package
(`mockserver.server.serving`, the errors) does not pay for reading contracts, and the mock's
start-up imports only what serving needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.contract.spec import Contract, Operation, load_spec
    from mockserver.errors import FixtureError, MockServerError, Place, SpecError

_HOMES = {
    "Contract": "mockserver.contract.spec",
    "Operation": "mockserver.contract.spec",
    "load_spec": "mockserver.contract.spec",
    "FixtureError": "mockserver.errors",
    "MockServerError": "mockserver.errors",
    "Place": "mockserver.errors",
    "SpecError": "mockserver.errors",
}

__all__ = [
    "Contract",
    "FixtureError",
    "MockServerError",
    "Operation",
    "Place",
    "SpecError",
    "load_spec",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
    return getattr(import_module(home), name)
