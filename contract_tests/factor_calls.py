"""The twelve operations as plain calls (list, add, remove per API and kind), built from the
contract's operationIds and paths, for the deterministic tests and for restoring a server.
"""

from __future__ import annotations

from typing import Any

from contract_tests.target import Reply, Target
from mockserver.factors import factor_kinds
from mockserver.spec import Contract, Operation

SERVICES = {"management": "ManagementService", "admin": "AdminService"}
RPCS = {
    ("list", "second"): "ListLoginPolicySecondFactors",
    ("add", "second"): "AddSecondFactorToLoginPolicy",
    ("remove", "second"): "RemoveSecondFactorFromLoginPolicy",
    ("list", "multi"): "ListLoginPolicyMultiFactors",
    ("add", "multi"): "AddMultiFactorToLoginPolicy",
    ("remove", "multi"): "RemoveMultiFactorFromLoginPolicy",
}


def rpc_of(operation_id: str) -> tuple[str, str, str] | None:
    """(api, action, kind) of an operationId of the twelve, else None."""
    service, _, rpc = operation_id.partition("_")
    apis = {name: api for api, name in SERVICES.items()}
    for (action, kind), name in RPCS.items():
        if name == rpc and service in apis:
            return apis[service], action, kind
    return None


class FactorCalls:
    """List, add and remove factors on the target, through the contract's paths."""

    def __init__(self, target: Target, contract: Contract) -> None:
        self.target = target
        self.contract = contract
        self.kinds = factor_kinds(contract)
        self.touched: set[str] = set()  # `METHOD path` of each operation called, for the summary

    def operation(self, api: str, action: str, kind: str) -> Operation:
        operation = self.contract.operation(f"{SERVICES[api]}_{RPCS[(action, kind)]}")
        self.touched.add(f"{operation.method} {operation.path}")
        return operation

    def defined(self, kind: str) -> list[str]:
        """Every configurable factor name of a kind (not UNSPECIFIED), in enum order."""
        return [name for name, number in self.kinds[kind].numbers.items() if number]

    def number(self, kind: str, name: str) -> int:
        return self.kinds[kind].numbers[name]

    def search(self, api: str, kind: str, **options: Any) -> Reply:
        operation = self.operation(api, "list", kind)
        return self.target.call(operation.method, operation.path, api, **options)

    def listed(self, api: str, kind: str) -> list[str]:
        """The factors a list shows; fails loudly when the list itself fails."""
        reply = self.search(api, kind)
        if reply.status != 200:
            raise AssertionError(f"listing {api} {kind} factors answered {reply.status}: {reply.body[:300]!r}")
        return list((reply.json() or {}).get("result", []))

    def add(self, api: str, kind: str, factor: str | int, **options: Any) -> Reply:
        operation = self.operation(api, "add", kind)
        return self.target.call(operation.method, operation.path, api, json_body={"type": factor}, **options)

    def remove(self, api: str, kind: str, factor: str | int, **options: Any) -> Reply:
        operation = self.operation(api, "remove", kind)
        path = operation.path.replace("{type}", str(factor))
        return self.target.call(operation.method, path, api, **options)
