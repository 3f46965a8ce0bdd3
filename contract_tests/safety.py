"""Leave a real server as the suite found it: record every change the suite makes, undo them
at the end (even after a failure or Ctrl-C), and say if the factors still differ.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from contract_tests.factor_calls import FactorCalls, rpc_of


@dataclass(frozen=True)
class Change:
    """A successful add or remove: enough to undo it."""

    api: str
    kind: str
    action: str
    factor: str


class ChangeLog:
    """The changes made so far, in order; safe to append from several threads."""

    def __init__(self) -> None:
        self._changes: list[Change] = []
        self._lock = threading.Lock()

    def record(self, operation_id: str, status: int, body: Any, path_type: str | None) -> None:
        """Note a call if it changed the server (an add or remove that answered 200)."""
        found = rpc_of(operation_id)
        if found is None or status != 200:
            return
        api, action, kind = found
        factor = path_type if action == "remove" else _body_type(body)
        if action != "list" and factor is not None:
            with self._lock:
                self._changes.append(Change(api, kind, action, str(factor)))

    def record_case(self, case: Any, status: int) -> None:
        """`record` for a schemathesis case and the status it got."""
        operation_id = case.operation.definition.raw.get("operationId", "")
        self.record(operation_id, status, case.body, (case.path_parameters or {}).get("type"))

    def changes(self) -> list[Change]:
        with self._lock:
            return list(self._changes)


def _body_type(body: Any) -> Any:
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    return body.get("type") if isinstance(body, dict) else None


def snapshot(calls: FactorCalls, apis: tuple[str, ...]) -> dict[tuple[str, str], list[str]]:
    """What every list shows now."""
    return {(api, kind): calls.listed(api, kind) for api in apis for kind in ("second", "multi")}


def undo(calls: FactorCalls, log: ChangeLog) -> list[str]:
    """Undo the logged changes, newest first; returns what could not be undone."""
    problems = []
    for change in reversed(log.changes()):
        if change.action == "add":
            reply = calls.remove(change.api, change.kind, change.factor)
        else:
            name = _name(calls, change.kind, change.factor)
            reply = calls.add(change.api, change.kind, name)
        if reply.status != 200:
            problems.append(f"undo {change.action} {change.factor} ({change.api}) answered {reply.status}")
    return problems


def _name(calls: FactorCalls, kind: str, factor: str) -> str:
    """A path value (name or digits) as the name to add back."""
    if factor.isdigit():
        return calls.kinds[kind].names_by_number.get(int(factor), factor)
    return factor
