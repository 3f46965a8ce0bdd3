"""Answers written as templates in the fixtures: plain JSON where `$name.path` strings are filled
in from what the behaviour did, and `{$map: <expr>, <value>: <answer>, $default: <answer>}`
translates one value into another. Whatever is missing becomes null, which protojson then
leaves out, like every other zero value.

    details: {sequence: $event.sequence, creationDate: $event.date, resourceOwner: $owner}

Names a template may use: `$request` (the decoded request message), `$result` (what a read
found), `$count` (how many items it found, as a uint64 string), `$event` (`sequence`, `date`
of the last event pushed), `$owner` (the id of the aggregate it was pushed on) and `$world`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from mockserver.zitadel.protojson import is_zero, without_zero_values

Compiled = Callable[[Mapping[str, Any]], Any]
NAMES = ("request", "result", "count", "event", "owner", "world")
MAP_KEY = "$map"
DEFAULT_KEY = "$default"


def render(template: Any, scope: Mapping[str, Any]) -> Any:
    """`template` with every expression replaced by its value in `scope`."""
    if isinstance(template, str) and template.startswith("$"):
        return evaluate(template, scope)
    if isinstance(template, dict):
        if MAP_KEY in template:
            return _map(template, scope)
        return {key: render(value, scope) for key, value in template.items()}
    if isinstance(template, list):
        return [render(item, scope) for item in template]
    return template


def compile_template(template: Any) -> Compiled:
    """`render` worked out ahead, for an answer rendered on every request: a function of the
    scope whose result is already written as protojson writes it (zero values left out)."""
    if isinstance(template, str) and template.startswith("$"):
        name, *path = template[1:].split(".")
        return lambda scope: without_zero_values(_lookup(scope.get(name), path))
    if isinstance(template, dict) and MAP_KEY in template:
        return lambda scope: without_zero_values(_map(template, scope))
    if isinstance(template, dict):
        parts = [(key, compile_template(value)) for key, value in template.items()]
        return lambda scope: {key: value for key, part in parts if not is_zero(value := part(scope))}
    if isinstance(template, list):
        items = [compile_template(item) for item in template]
        return lambda scope: [item(scope) for item in items]
    return lambda scope: template


def _lookup(value: Any, path: list[str]) -> Any:
    for segment in path:
        value = value.get(segment) if isinstance(value, dict) else None
    return value


def evaluate(expression: str, scope: Mapping[str, Any]) -> Any:
    """The value of `$name.field.field` in `scope`; None where a part is missing."""
    name, *path = expression[1:].split(".")
    return _lookup(scope.get(name), path)


def _map(template: Mapping[str, Any], scope: Mapping[str, Any]) -> Any:
    value = render(template[MAP_KEY], scope)
    for case, answer in template.items():
        if case not in (MAP_KEY, DEFAULT_KEY) and case == value:
            return render(answer, scope)
    return render(template.get(DEFAULT_KEY), scope)


def expressions(template: Any) -> Iterator[str]:
    """Every `$...` expression a template uses (for start-up checks)."""
    if isinstance(template, str) and template.startswith("$"):
        yield template
    elif isinstance(template, dict):
        for value in template.values():
            yield from expressions(value)
    elif isinstance(template, list):
        for item in template:
            yield from expressions(item)
