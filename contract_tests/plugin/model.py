"""What the contract suite knows about each operation, read from the contract and the behaviours
the fixtures declare: the request message it takes, what it documents, whether it changes state,
which named examples are its state outcomes, and which operations act on the same set.

Checks and tests choose what applies to an operation from these facts, never from its name or
its path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.behaviour.model import Behaviour, Step
from mockserver.contract.messages import Field, RequestShape, request_shape
from mockserver.contract.spec import Contract, NamedExample, Operation

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ORG_HEADER = "x-zitadel-orgid"
_PARAMETER = re.compile(r"\{[^}/]+\}")


@dataclass(frozen=True)
class OperationFacts:
    """One operation as the suite sees it."""

    operation: Operation
    shape: RequestShape
    behaviour: Behaviour | None
    documented: frozenset[str]
    takes_org_header: bool
    examples: Mapping[str, NamedExample]
    permission: str = ""  # x-zitadel-permission: what ZITADEL checks before the operation runs

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id

    @property
    def changes_state(self) -> bool:
        """From the declared behaviour; without one, anything but a safe method may change state."""
        if self.behaviour is not None:
            return self.behaviour.changes_state
        return self.operation.method not in SAFE_METHODS

    @property
    def state_outcomes(self) -> frozenset[int]:
        """The statuses of the errors the behaviour can answer for a valid request (409, 404, ...)."""
        if self.behaviour is None:
            return frozenset()
        names = {name for step in self.behaviour.steps for _, name in step.error_examples()}
        return frozenset(int(self.examples[name].status) for name in names if self.examples[name].status.isdigit())

    def error_example(self, name: str) -> NamedExample:
        return self.examples[name]


@dataclass(frozen=True)
class SetFamily:
    """Operations that add to, remove from and read one set (the factors of a policy, say)."""

    adder: OperationFacts
    add_step: Step
    remover: OperationFacts | None
    remove_step: Step | None
    reader: OperationFacts | None

    @property
    def item_field(self) -> Field:
        """The field of the add request that holds the item."""
        name = str(self.add_step.options["item"]).split(".")[1]
        return self.adder.shape.message.fields[name]

    @property
    def remove_field(self) -> str | None:
        return str(self.remove_step.options["item"]).split(".")[1] if self.remove_step else None


@dataclass(frozen=True)
class ObjectFamily:
    """Operations that create, replace, delete and read one object (an organization's policy),
    and the read of the place it falls back to when it does not exist (the instance default)."""

    at: str
    creator: OperationFacts | None
    create_step: Step | None
    replacer: OperationFacts | None
    replace_step: Step | None
    deleter: OperationFacts | None
    delete_step: Step | None
    reader: OperationFacts | None
    fallback_reader: OperationFacts | None

    @property
    def name(self) -> str:
        present = [facts.operation_id for facts in (self.creator, self.replacer, self.deleter) if facts]
        return present[0] if present else self.at


class SuiteModel:
    """Every operation of the contract, with its facts."""

    def __init__(self, contract: Contract, behaviours: Mapping[str, Behaviour]) -> None:
        self.contract = contract
        self.behaviours = behaviours
        self.operations = {op.operation_id: self._facts(op) for op in contract.operations}

    def _facts(self, operation: Operation) -> OperationFacts:
        parameters = self.contract.parameters(operation)
        takes_org = any(p["in"] == "header" and p["name"].lower() == ORG_HEADER for p in parameters)
        return OperationFacts(
            operation,
            request_shape(self.contract, operation),
            self.behaviours.get(operation.operation_id),
            frozenset(self.contract.definition(operation)["responses"]),
            takes_org,
            self.contract.named_examples(operation),
            str(self.contract.definition(operation).get("x-zitadel-permission", "")),
        )

    def selected(self, api: str | None) -> list[OperationFacts]:
        """The operations of one API (the first segment of their path), or all of them."""
        return [f for f in self.operations.values() if api is None or f.operation.path.startswith(f"/{api}/")]

    def set_families(self, api: str | None = None) -> list[SetFamily]:
        """Every operation that adds one item to a set with a conflict, with its remover and reader."""
        families = []
        for adder in self.selected(api):
            for step in _steps(adder, "add_to_set"):
                if "item" in step.options and "conflict" in step.options:
                    remover, remove_step = self._remover(adder, step)
                    families.append(SetFamily(adder, step, remover, remove_step, self._reader(adder, step)))
        return families

    def object_families(self, api: str | None = None) -> list[ObjectFamily]:
        """Every place an operation creates, replaces or deletes, with those operations and its reads."""
        found: dict[str, dict[str, tuple[OperationFacts, Step]]] = {}
        for facts in self.selected(api):
            for action in ("create", "replace", "delete"):
                for step in _steps(facts, action):
                    found.setdefault(str(step.at), {}).setdefault(action, (facts, step))
        families = []
        for at, actions in sorted(found.items()):
            some = next(iter(actions.values()))[0]
            reader = self._whole_reader(at, some)
            fallback = None
            if reader is not None and reader.behaviour is not None:
                read_step = reader.behaviour.steps_doing("read")[0]
                if "fallback" in read_step.options:
                    fallback = self._whole_reader(str(read_step.options["fallback"]), None)
            none: tuple[OperationFacts | None, Step | None] = (None, None)
            (creator, create), (replacer, replace), (deleter, delete) = (
                actions.get(action, none) for action in ("create", "replace", "delete")
            )
            families.append(ObjectFamily(at, creator, create, replacer, replace, deleter, delete, reader, fallback))
        return families

    def views(self, facts: OperationFacts) -> list[OperationFacts]:
        """The other operations that read what `facts` reads (the same place and fallback): the
        same object, another view (v1 and v2 of a policy)."""
        place = _read_place(facts)
        return [
            other
            for other in self.operations.values()
            if other is not facts and place is not None and _read_place(other) == place and _same_scope(facts, other)
        ]

    def _whole_reader(self, at: str, scope: OperationFacts | None) -> OperationFacts | None:
        """An operation that reads the object at `at` and answers it whole (`$result`)."""
        for candidate in self.operations.values():
            if scope is not None and not _same_scope(scope, candidate):
                continue
            for step in _steps(candidate, "read"):
                whole = candidate.behaviour is not None and template_path(candidate.behaviour.answer, "$result")
                if step.at == at and "field" not in step.options and whole is not None:
                    return candidate
        return None

    def readers(self, api: str | None = None) -> list[OperationFacts]:
        """Operations whose behaviour only reads."""
        return [f for f in self.selected(api) if f.behaviour is not None and not f.behaviour.changes_state]

    def _remover(self, adder: OperationFacts, step: Step) -> tuple[OperationFacts | None, Step | None]:
        for candidate in self.operations.values():
            for other in _steps(candidate, "remove_from_set"):
                if other.at == step.at and "item" in other.options and _same_scope(adder, candidate):
                    return candidate, other
        return None, None

    def _reader(self, adder: OperationFacts, step: Step) -> OperationFacts | None:
        visible = str(step.options.get("mirror", step.at))
        for candidate in self.operations.values():
            for other in _steps(candidate, "read"):
                field = f"/{other.options['field']}" if "field" in other.options else ""
                if f"{other.at}{field}" == visible and _same_scope(adder, candidate):
                    return candidate
        return None

    def gateway_error(self, name: str) -> tuple[int, Any]:
        """The status and body of one of the gateway's own errors (`x-zitadel-gateway.errors`)."""
        entry = self.contract.node(f"/x-zitadel-gateway/errors/{name}")
        return int(entry["status"]), self.contract.resolve(entry["example"]).get("value")

    def route_exists(self, method: str, path: str) -> bool:
        """Whether some operation has `method` on a template that matches `path`."""
        return any(op.method == method and matches(op.path, path) for op in self.contract.operations)

    def path_exists(self, path: str) -> bool:
        return any(matches(op.path, path) for op in self.contract.operations)


def matches(template: str, path: str) -> bool:
    """Whether a concrete path fits a path template (a parameter is one segment)."""
    pattern = "".join(
        "[^/]+" if _PARAMETER.fullmatch(part) else re.escape(part) for part in re.split(r"(\{[^}/]+\})", template)
    )
    return re.fullmatch(pattern, path) is not None


def template_path(template: Any, expression: str) -> tuple[str, ...] | None:
    """Where in an answer's template `expression` stands (`("result",)` for `$result`), or None."""
    if template == expression:
        return ()
    if isinstance(template, dict):
        for key, value in template.items():
            found = template_path(value, expression)
            if found is not None:
                return (key, *found)
    return None


def value_at(body: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def _steps(facts: OperationFacts, action: str) -> Iterator[Step]:
    if facts.behaviour is not None:
        yield from facts.behaviour.steps_doing(action)


def _read_place(facts: OperationFacts) -> tuple[str, str] | None:
    """(at, fallback) of an operation that only reads a whole object, else None."""
    if facts.behaviour is None or facts.behaviour.changes_state:
        return None
    reads = facts.behaviour.steps_doing("read")
    if len(reads) != 1 or "field" in reads[0].options:
        return None
    return str(reads[0].at), str(reads[0].options.get("fallback", ""))


def _same_scope(first: OperationFacts, second: OperationFacts) -> bool:
    """Both act on the organization the org header names, or neither does."""
    return first.takes_org_header == second.takes_org_header
