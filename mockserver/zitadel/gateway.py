"""ZITADEL's checks on every call, in ZITADEL's order, for any operation of the contract.

Decoding (400, before anything else) → authentication (401) → the organization `x-zitadel-orgid`
names (403) → membership (404) → the permission in the operation's `x-zitadel-permission` (403)
→ validation of the request (400). What the operation then does is not decided here: a call that
passes every check comes back as a `CheckedCall` for a behaviour or an example to answer.
This module knows nothing of HTTP servers: it takes the parts of a request, not a request.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mockserver.contract.messages import RequestShape, request_shape
from mockserver.contract.spec import Contract, Operation
from mockserver.errors import SpecError
from mockserver.zitadel.authz import Authorizer
from mockserver.zitadel.decoding import decode_request
from mockserver.zitadel.errors import ZitadelError
from mockserver.zitadel.validation import validate_message

ORG_HEADER = "x-zitadel-orgid"
# ZITADEL's no-cache interceptor, forwarded by the gateway (header metadata becomes Grpcgateway-*).
NO_CACHE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Grpcgateway-Cache-Control": "no-store",
    "Grpcgateway-Pragma": "no-cache",
    "Grpcgateway-Content-Type": "application/grpc",
}


@dataclass(frozen=True)
class Answer:
    """What goes back: status, headers and a JSON body."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_error(cls, error: ZitadelError) -> Answer:
        return cls(error.http_status, error.body(), error.headers())

    @classmethod
    def success(cls, body: Any) -> Answer:
        return cls(200, body, dict(NO_CACHE_HEADERS))


@dataclass(frozen=True)
class ApiCall:
    """The parts of a request the gateway reads; header names in lower case."""

    operation: Operation
    path_parameters: Mapping[str, str]
    query: Mapping[str, Sequence[str]]
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class CheckedCall:
    """A call that passed every check: its decoded message and the organization it acts in."""

    operation: Operation
    message: dict[str, Any]
    org_id: str


@dataclass(frozen=True)
class OperationPlan:
    """What the gateway needs of one operation, read from the contract once."""

    operation: Operation
    shape: RequestShape
    permission: str


class Gateway:
    """The checks every operation goes through, planned per operation at start-up."""

    def __init__(self, contract: Contract, authorizer: Authorizer) -> None:
        self._authorizer = authorizer
        self.plans = {operation.operation_id: _plan(contract, operation) for operation in contract.operations}

    def check(self, call: ApiCall, organizations: Collection[str]) -> CheckedCall:
        """The call decoded, authenticated, authorized and validated; ZitadelError otherwise."""
        plan = self.plans[call.operation.operation_id]
        message = decode_request(plan.shape, call.path_parameters, call.query, call.body)
        user = self._authorizer.authenticate(call.headers.get("authorization"))
        org_id = self._authorizer.authorize(user, call.headers.get(ORG_HEADER), plan.permission, organizations)
        validate_message(message, plan.shape.message)
        return CheckedCall(call.operation, message, org_id)


def _plan(contract: Contract, operation: Operation) -> OperationPlan:
    permission = contract.definition(operation).get("x-zitadel-permission")
    if not isinstance(permission, str) or not permission:
        reason = (
            f"{operation.operation_id} needs x-zitadel-permission (the permission ZITADEL checks, "
            "or `authenticated` for any valid token)"
        )
        raise SpecError(contract.place(operation.pointer), reason)
    return OperationPlan(operation, request_shape(contract, operation), permission)
