"""ZITADEL's checks on every call, in ZITADEL's order, for any operation of the contract.

Decoding (400, before anything else) → authentication (401) → the organization `x-zitadel-orgid`
names (403) → membership (404) → the permission in the operation's `x-zitadel-permission` (403)
→ validation of the request (400); connect-go's own checks come first for a Connect call. What
the operation then does is not decided here: a call that
passes every check comes back as a `CheckedCall` for a behaviour or an example to answer.
This module knows nothing of HTTP servers: it takes the parts of a request, not a request.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.contract.messages import RequestShape, request_shape
from mockserver.contract.spec import Contract, Operation
from mockserver.errors import SpecError
from mockserver.zitadel.authz import Authorizer
from mockserver.zitadel.decoding import decode_request
from mockserver.zitadel.validation import validate_message
from mockserver.zitadel.wire import check_connect_request

ORG_HEADER = "x-zitadel-orgid"


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
    connect_type: str | None  # the request's Go type, for connect-go's decoding errors


class Gateway:
    """The checks every operation goes through, planned per operation at start-up."""

    def __init__(self, contract: Contract, authorizer: Authorizer) -> None:
        self._authorizer = authorizer
        self.plans = {operation.operation_id: _plan(contract, operation) for operation in contract.operations}

    def check(self, call: ApiCall, organizations: Collection[str]) -> CheckedCall:
        """The call decoded, authenticated, authorized and validated; ZitadelError otherwise."""
        plan = self.plans[call.operation.operation_id]
        if plan.connect_type is not None:
            check_connect_request(call.headers)
        message = decode_request(
            plan.shape, call.path_parameters, call.query, call.body, connect_type=plan.connect_type
        )
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
    shape = request_shape(contract, operation)
    return OperationPlan(operation, shape, permission, _go_type(operation, shape) if operation.is_connect else None)


def _go_type(operation: Operation, shape: RequestShape) -> str:
    """`settings.GetLoginSettingsRequest` for `/zitadel.settings.v2.SettingsService/...`: the Go
    package is the proto package's last part that is not a version."""
    package = operation.path.strip("/").split("/", 1)[0].split(".")[:-1]
    name = next((part for part in reversed(package) if not (part[:1] == "v" and part[1:].isdigit())), "")
    return f"{name}.{shape.message.name}" if name else shape.message.name
