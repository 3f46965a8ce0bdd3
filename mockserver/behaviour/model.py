"""What an operation does to the world, as the fixtures declare it: a few steps from a small
vocabulary, the answer's template, and how to undo it.

    LabelService_AddLabel:            # an operationId of the contract
      steps:
        - add_to_set:
            at: /organizations/{org}/labels
            item: $request.name
            conflict: LabelAlreadyExists   # a named example of the operation
      answer: {details: {sequence: $event.sequence, creationDate: $event.date, resourceOwner: $owner}}
      undo: {link: RemoveTheAddedLabel}  # a link of its 200 response

The vocabulary, each step named for what it does to the world:

- `read`: the value at `at`, or at `fallback` when `at` holds nothing (`field` reads one field of
  the object found; `org` names another organization to read; `fallbackWhen` reads the fallback
  straight away when true);
- `add_to_set` / `remove_from_set`: one `item` (or every one of `items`) in or out of the set at
  `at`, answering the `conflict` / `notFound` example when it already is / is not there; `mirror`
  is a list kept in step where it exists (a projection of the set); with `in` (and `key`), an
  added item is what the first of those places holds under the item (or its `key` field);
- `create` / `replace` / `delete`: the object at `at` made from the request, overwritten by it
  (every field the request declares), or removed (`clear` empties sets along with it);
  `conflict`, `notFound` and `unchanged` name the examples for the object that exists, the one
  that does not, and a replacement that changes nothing;
- `check`: a rule (`redirect-uri`, `defined`, `known`) on a request value or on each of a list's
  values, answering the `else` example when it fails.

Error examples are named as the contract names them (the component, or the key in the
operation's examples), so ids and messages are only ever written in openapi.yaml. This module
only reads the declarations; the engine runs them and the contract suite reads them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

ACTIONS = ("read", "add_to_set", "remove_from_set", "create", "replace", "delete", "check")
CHECK_RULES = ("redirect-uri", "defined", "known")


@dataclass(frozen=True)
class Step:
    """One step: its action, where in the world it acts, and its options as declared."""

    action: str
    options: Mapping[str, Any]
    pointer: str  # where the step stands in the behaviours file

    @property
    def at(self) -> str | None:
        value = self.options.get("at")
        return str(value) if value is not None else None

    @property
    def changes_state(self) -> bool:
        return self.action not in ("read", "check")

    def error_examples(self) -> Iterator[tuple[str, str]]:
        """(option, example name) of every error this step can answer with."""
        for option in ("conflict", "notFound", "unchanged", "else"):
            if isinstance(self.options.get(option), str):
                yield option, str(self.options[option])

    def paths(self) -> Iterator[tuple[str, str]]:
        """(option, pointer template) of every place in the world the step names."""
        field = f"/{self.options['field']}" if "field" in self.options else ""
        for option in ("at", "fallback"):
            if isinstance(self.options.get(option), str):
                yield option, str(self.options[option]) + field
        if isinstance(self.options.get("mirror"), str):
            yield "mirror", str(self.options["mirror"])
        for option in ("clear", "in"):
            for path in self.options.get(option, []):
                yield option, str(path)


@dataclass(frozen=True)
class Undo:
    """How the contract suite undoes a change: follow `link` of the change's 200 response, or, with
    `before`, read with that operation first and follow `link` of the read's 200 afterwards."""

    link: str
    before: str | None = None


@dataclass(frozen=True)
class Behaviour:
    """Everything an operation does, as declared."""

    operation_id: str
    steps: tuple[Step, ...]
    answer: Any
    undo: Undo | None
    pointer: str

    @cached_property
    def changes_state(self) -> bool:  # asked several times on every request
        return any(step.changes_state for step in self.steps)

    @cached_property
    def path_templates(self) -> tuple[str, ...]:
        """Every place in the world its steps name (the organizations a change copies first)."""
        return tuple(path for step in self.steps for _, path in step.paths())

    def steps_doing(self, action: str) -> list[Step]:
        return [step for step in self.steps if step.action == action]


def parse_behaviours(data: Mapping[str, Any]) -> dict[str, Behaviour]:
    """The behaviours of a file already checked against its schema (fixtures/format.yaml)."""
    behaviours = {}
    for operation_id, entry in (data.get("operations") or {}).items():
        pointer = f"/operations/{operation_id}"
        steps = tuple(_step(step, f"{pointer}/steps/{index}") for index, step in enumerate(entry["steps"]))
        undo = entry.get("undo")
        behaviours[operation_id] = Behaviour(
            operation_id,
            steps,
            entry.get("answer"),
            Undo(undo["link"], undo.get("before")) if undo else None,
            pointer,
        )
    return behaviours


def _step(entry: Mapping[str, Any], pointer: str) -> Step:
    ((action, options),) = entry.items()
    return Step(action, dict(options), f"{pointer}/{action}")
