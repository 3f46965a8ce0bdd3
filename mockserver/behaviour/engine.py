"""Run a declared behaviour on a world: its steps in order, then its answer's template.

A step that fails answers with the contract example the behaviour names for it. The caller runs a
behaviour that changes state inside its store's atomic update, so a failing step leaves nothing
behind; a behaviour that only reads runs on a snapshot. A change first takes private copies of
the organizations it acts in (the store shares the others with the stored state).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from mockserver.behaviour import templates
from mockserver.behaviour.model import Behaviour, Step
from mockserver.behaviour.world import MISSING, Event, concrete, get, own_organizations, owner_of, parent, push_event
from mockserver.contract.messages import request_shape
from mockserver.contract.spec import Contract
from mockserver.zitadel.errors import ZitadelError


@dataclass(frozen=True)
class Call:
    """What a behaviour acts on: the caller's organization, the decoded request, the time."""

    org_id: str
    request: Mapping[str, Any]
    now: str


@dataclass
class _Run:
    """What the steps have done so far, for the next steps and the answer."""

    call: Call
    world: dict[str, Any]
    result: Any = None
    count: str | None = None
    events: list[Event] = field(default_factory=list)

    def scope(self) -> dict[str, Any]:
        event = self.events[-1] if self.events else None
        return {
            "request": self.call.request,
            "result": self.result,
            "count": self.count,
            "event": {"sequence": event.sequence, "date": event.date} if event else None,
            "owner": event.owner if event else None,
            "world": self.world,
        }

    def value(self, expression: Any) -> Any:
        return templates.evaluate(expression, self.scope()) if isinstance(expression, str) else expression

    def path(self, template: str) -> str:
        return concrete(template, self.call.org_id)


class Engine:
    """The behaviours of every operation that has one, with their error answers resolved."""

    def __init__(
        self,
        behaviours: Mapping[str, Behaviour],
        errors: Mapping[tuple[str, str], ZitadelError],
        request_fields: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.behaviours = behaviours
        self._answers = {operation_id: templates.compile_template(b.answer) for operation_id, b in behaviours.items()}
        self._errors = errors
        self._request_fields = request_fields
        self._actions: dict[str, Callable[[Behaviour, Step, _Run], None]] = {
            "read": self._read,
            "add_to_set": self._add_to_set,
            "remove_from_set": self._remove_from_set,
            "create": self._create,
            "replace": self._replace,
            "delete": self._delete,
            "check": self._check,
        }

    @classmethod
    def from_contract(cls, contract: Contract, behaviours: Mapping[str, Behaviour]) -> Engine:
        """The engine for checked behaviours, with each named error example read from the contract."""
        errors: dict[tuple[str, str], ZitadelError] = {}
        request_fields: dict[str, tuple[str, ...]] = {}
        for operation_id, behaviour in behaviours.items():
            operation = contract.operation(operation_id)
            examples = contract.named_examples(operation)
            for step in behaviour.steps:
                for _, name in step.error_examples():
                    example = examples[name]
                    status = int(example.status) if example.status.isdigit() else 500
                    errors[(operation_id, name)] = ZitadelError.from_example(status, example.value)
            request_fields[operation_id] = tuple(request_shape(contract, operation).message.fields)
        return cls(behaviours, errors, request_fields)

    def run(self, behaviour: Behaviour, world: dict[str, Any], call: Call) -> Any:
        """The answer's body after every step; a failing step raises its ZitadelError."""
        run = _Run(call, world)
        if behaviour.changes_state:
            own_organizations(world, [run.path(path) for path in behaviour.path_templates])
        for step in behaviour.steps:
            self._actions[step.action](behaviour, step, run)
        return self._answers[behaviour.operation_id](run.scope())

    def _error(self, behaviour: Behaviour, name: str) -> ZitadelError:
        known = self._errors[(behaviour.operation_id, name)]
        return ZitadelError(known.code, known.message, known.detail, http_status=known.http_status)

    # Reading ----------------------------------------------------------------------------------------

    def _read(self, behaviour: Behaviour, step: Step, run: _Run) -> None:
        options = step.options
        org_id = run.value(options.get("org")) or run.call.org_id
        pointer = concrete(str(options["at"]), str(org_id))
        value = MISSING if run.value(options.get("fallbackWhen")) else get(run.world, pointer)
        if value is MISSING and "fallback" in options:
            pointer = concrete(str(options["fallback"]), str(org_id))
            value = get(run.world, pointer)
        value = None if value is MISSING else value
        if "field" in options:
            value = value.get(str(options["field"])) if isinstance(value, dict) else None
        run.result = value
        run.count = str(len(value)) if isinstance(value, list) and value else None

    # Sets -------------------------------------------------------------------------------------------

    def _items(self, step: Step, run: _Run) -> list[Any]:
        if "item" in step.options:
            return [run.value(step.options["item"])]
        return list(run.value(step.options.get("items")) or [])

    def _add_to_set(self, behaviour: Behaviour, step: Step, run: _Run) -> None:
        pointer = run.path(str(step.at))
        for item in self._items(step, run):
            if "in" in step.options:
                item = _looked_up(item, step.options, run)
                if item is MISSING:
                    continue  # not in the registry: a `check ... is: known` step answers for it
            members = _list_at(run.world, pointer)
            if item in members:
                if "conflict" in step.options:
                    raise self._error(behaviour, str(step.options["conflict"]))
            else:
                members.append(item)
            touched = [pointer]
            if "mirror" in step.options:
                mirror = run.path(str(step.options["mirror"]))
                if _append_to_mirror(run.world, mirror, item):
                    touched.append(mirror)
            run.events.append(push_event(run.world, touched, run.call.now))

    def _remove_from_set(self, behaviour: Behaviour, step: Step, run: _Run) -> None:
        pointer = run.path(str(step.at))
        for item in self._items(step, run):
            members = _list_at(run.world, pointer)
            if item not in members:
                raise self._error(behaviour, str(step.options["notFound"]))
            members.remove(item)
            touched = [pointer]
            if "mirror" in step.options:
                mirror = run.path(str(step.options["mirror"]))
                listed = get(run.world, mirror)
                if isinstance(listed, list):
                    listed[:] = [member for member in listed if member != item]  # every copy, as array_remove
                    touched.append(mirror)
            run.events.append(push_event(run.world, touched, run.call.now))

    # Objects ----------------------------------------------------------------------------------------

    def _create(self, behaviour: Behaviour, step: Step, run: _Run) -> None:
        pointer = run.path(str(step.at))
        holder, key = _holder(run.world, pointer)
        if key in holder:
            raise self._error(behaviour, str(step.options["conflict"]))
        omitted = set(step.options.get("omit", []))
        created = {name: value for name, value in run.call.request.items() if name not in omitted}
        created["details"] = {"creationDate": run.call.now, "resourceOwner": owner_of(run.world, pointer)[0]}
        holder[key] = created
        run.events.append(push_event(run.world, [pointer], run.call.now))

    def _replace(self, behaviour: Behaviour, step: Step, run: _Run) -> None:
        pointer = run.path(str(step.at))
        holder, key = _holder(run.world, pointer)
        existing = holder.get(key)
        if not isinstance(existing, dict):
            raise self._error(behaviour, str(step.options["notFound"]))
        replaced = dict(existing)
        for name in self._request_fields.get(behaviour.operation_id, ()):
            if name in run.call.request:
                replaced[name] = run.call.request[name]
            else:
                replaced.pop(name, None)  # a full replacement: what is not sent is reset
        if replaced == existing and "unchanged" in step.options:
            raise self._error(behaviour, str(step.options["unchanged"]))
        holder[key] = replaced
        run.events.append(push_event(run.world, [pointer], run.call.now))

    def _delete(self, behaviour: Behaviour, step: Step, run: _Run) -> None:
        pointer = run.path(str(step.at))
        holder, key = _holder(run.world, pointer)
        if key not in holder:
            raise self._error(behaviour, str(step.options["notFound"]))
        del holder[key]
        for cleared in step.options.get("clear", []):
            members = get(run.world, run.path(str(cleared)))
            if isinstance(members, list):
                members.clear()
        run.events.append(push_event(run.world, [pointer], run.call.now))

    # Checks -----------------------------------------------------------------------------------------

    def _check(self, behaviour: Behaviour, step: Step, run: _Run) -> None:
        options = step.options
        values = [run.value(options["value"])] if "value" in options else list(run.value(options.get("each")) or [])
        for value in values:
            if not _passes(str(options["is"]), value, options, run):
                raise self._error(behaviour, str(options["else"]))


def _list_at(world: dict[str, Any], pointer: str) -> list[Any]:
    """The list at `pointer`, made (with the objects on the way) when it does not exist yet."""
    holder, key = _holder(world, pointer)
    members = holder.setdefault(key, [])
    if not isinstance(members, list):
        raise TypeError(f"{pointer} holds {type(members).__name__}, not a list")
    return members


def _holder(world: dict[str, Any], pointer: str) -> tuple[MutableMapping[str, Any], str]:
    holder, key = parent(world, pointer)
    if holder is None:
        *head, key = pointer.split("/")[1:]
        node: MutableMapping[str, Any] = world
        for token in head:
            node = node.setdefault(token.replace("~1", "/").replace("~0", "~"), {})
        holder = node
    return holder, key


def _append_to_mirror(world: dict[str, Any], pointer: str, item: Any) -> bool:
    """Append to the mirror list if the object holding it exists (a projection row); True if so."""
    holder, key = parent(world, pointer)
    if holder is None:
        return False  # no row: the event is lost for reads, as ZITADEL's projection loses it
    holder.setdefault(key, []).append(item)
    return True


def _passes(rule: str, value: Any, options: Mapping[str, Any], run: _Run) -> bool:
    if rule == "redirect-uri":
        return _is_redirect_uri(value)
    if rule == "defined":
        return isinstance(value, str)  # decoded enums: defined names; 0 and unknown numbers stay ints
    return _looked_up(value, options, run) is not MISSING


def _looked_up(value: Any, options: Mapping[str, Any], run: _Run) -> Any:
    """What the first of the places `in` holds under the value's `key` (or the value); MISSING if none."""
    key = value.get(options["key"]) if isinstance(value, dict) and "key" in options else value
    for place in options["in"]:
        found = get(run.world, run.path(str(place)))
        if isinstance(found, dict) and isinstance(key, str) and key in found:
            return dict(found[key]) if isinstance(found[key], dict) else found[key]
    return MISSING


def _is_redirect_uri(value: Any) -> bool:
    """ZITADEL's ValidateDefaultRedirectURI: empty, or a URL with a scheme (http and https with a host)."""
    if not value:
        return True
    try:
        parts = urlsplit(str(value))
    except ValueError:
        return False
    if not parts.scheme:
        return False
    return parts.scheme not in ("http", "https") or bool(parts.hostname)
