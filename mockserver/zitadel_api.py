"""Answer one call of the twelve operations the way ZITADEL does, in ZITADEL's order of checks.

Decoding (400) → authentication (401) → organization (403) → membership (404) → permission
(403) → validation (400) → the operation (409, 404, or 200). This module knows nothing of
HTTP servers: it takes the parts of a request and returns status, headers and body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver import login_policy, zitadel_errors
from mockserver.authz import authenticate, authorize
from mockserver.decoding import decode_add_type, decode_path_type
from mockserver.errors import SpecError
from mockserver.factors import FactorKind, factor_kinds
from mockserver.fixtures import Fixtures
from mockserver.spec import Contract, Operation
from mockserver.state_store import StateStore
from mockserver.timestamps import now_timestamp

# The six RPCs, by the name after `Service_` in their operationId: what they do, to which kind.
RPCS = {
    "ListLoginPolicySecondFactors": ("list", "second"),
    "AddSecondFactorToLoginPolicy": ("add", "second"),
    "RemoveSecondFactorFromLoginPolicy": ("remove", "second"),
    "ListLoginPolicyMultiFactors": ("list", "multi"),
    "AddMultiFactorToLoginPolicy": ("add", "multi"),
    "RemoveMultiFactorFromLoginPolicy": ("remove", "multi"),
}
SUCCESS_HEADERS = {
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
    def from_error(cls, error: zitadel_errors.ZitadelError) -> Answer:
        return cls(error.http_status, error.body(), error.headers())


@dataclass(frozen=True)
class ApiCall:
    """The parts of a request the operations read; header names in lower case."""

    operation: Operation
    path_parameters: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class _Plan:
    action: str
    kind: FactorKind
    api: str
    permission: str
    request_message: str


class ZitadelApi:
    """The twelve operations over a state store, for the users and roles of the fixtures."""

    def __init__(
        self,
        contract: Contract,
        fixtures: Fixtures,
        store: StateStore,
        clock: Callable[[], str] = now_timestamp,
    ) -> None:
        self._fixtures = fixtures
        self._store = store
        self._clock = clock
        kinds = factor_kinds(contract)
        self._plans = {op.operation_id: _plan(contract, op, kinds) for op in contract.operations}

    def call(self, call: ApiCall, session: str, world: dict[str, Any] | None = None) -> Answer:
        """The answer to `call` in `session` (whose `world` the caller may have read already);
        every ZITADEL error becomes its answer."""
        try:
            return self._call(call, session, world)
        except zitadel_errors.ZitadelError as error:
            return Answer.from_error(error)

    def _call(self, call: ApiCall, session: str, world: dict[str, Any] | None) -> Answer:
        plan = self._plans[call.operation.operation_id]
        number = self._decode(plan, call)
        user = authenticate(call.headers.get("authorization"), self._fixtures.users)
        world = world if world is not None else self._store.read(session)["world"]
        org_id = authorize(
            user,
            call.headers.get("x-zitadel-orgid"),
            plan.permission,
            world["organizations"],
            self._fixtures.role_permissions,
        )
        if plan.action == "list":
            body = login_policy.list_factors(world, plan.api, plan.kind.kind, org_id)
            return Answer(200, body, dict(SUCCESS_HEADERS))
        factor = _validated_factor(plan, number)
        change = login_policy.add_factor if plan.action == "add" else login_policy.remove_factor
        now = self._clock()
        kind = plan.kind.kind
        body = self._store.update(session, lambda state: change(state["world"], plan.api, kind, org_id, factor, now))
        return Answer(200, body, dict(SUCCESS_HEADERS))

    @staticmethod
    def _decode(plan: _Plan, call: ApiCall) -> int:
        if plan.action == "remove":
            return decode_path_type(call.path_parameters["type"], plan.kind)
        if plan.action == "add":
            return decode_add_type(call.body, plan.kind)
        return 0  # lists never read their body


def _validated_factor(plan: _Plan, number: int) -> str:
    """protoc-gen-validate: `not_in: [0]` first, then `defined_only`."""
    if number == 0:
        raise zitadel_errors.type_not_in_list(plan.request_message)
    if not plan.kind.is_defined(number):
        raise zitadel_errors.type_not_defined(plan.request_message)
    return plan.kind.names_by_number[number]


def _plan(contract: Contract, operation: Operation, kinds: dict[str, FactorKind]) -> _Plan:
    rpc = operation.operation_id.partition("_")[2]
    node = contract.node(operation.pointer)
    if rpc not in RPCS or "x-zitadel-permission" not in node:
        reason = f"cannot serve {operation.operation_id}: unknown RPC or no x-zitadel-permission"
        raise SpecError(contract.place(operation.pointer), reason)
    action, kind = RPCS[rpc]
    return _Plan(action, kinds[kind], operation.api, node["x-zitadel-permission"], f"{rpc}Request")
