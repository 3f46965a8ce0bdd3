"""Two versions of one schema, compared keyword by keyword and judged by the way the data travels.

A request's schema says what a server accepts: narrowing it breaks clients that send what it no
longer accepts. A response's schema says what a client may receive: widening it breaks clients
that relied on the narrower shape. `$ref`s are followed and `allOf` parts merged, so moving a
schema into a component or splitting it into parts is no change; `anyOf`/`oneOf` branches are
paired by `$ref` name, then by content or title, never by position.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from contract_tests.review.diff.rules import rule_for
from mockserver.contract.spec import resolve_pointer
from mockserver.contract.yaml_source import escape_pointer_token

REQUEST, RESPONSE = "request", "response"
_ABSENT = object()
# keyword, the word oasdiff's rule ids use, whether it is an upper bound
_BOUNDS = (
    ("maxLength", "max-length", True),
    ("minLength", "min-length", False),
    ("maximum", "max", True),
    ("exclusiveMaximum", "exclusive-max", True),
    ("minimum", "min", False),
    ("exclusiveMinimum", "exclusive-min", False),
    ("maxItems", "max-items", True),
    ("minItems", "min-items", False),
)
_ZERO_WHEN_ABSENT = {"minLength", "minItems"}
_PROPERTY_FAMILY = {REQUEST: "request-property", RESPONSE: "response-property"}

# (rule, where, message, pointer, side) -> None
Emit = Callable[[str, str, str, str, str], None]


@dataclass(frozen=True)
class Spot:
    """Where a schema is compared: its direction, the rule family and the reader's label."""

    direction: str
    family: str
    place: str
    path: str = ""

    @property
    def where(self) -> str:
        """`request body /details/sequence`: the place, and the path inside its schema."""
        return f"{self.place} {self.path}" if self.path else self.place

    def inside(self, step: str) -> Spot:
        """A schema nested in this one (a property, the items)."""
        return Spot(self.direction, _PROPERTY_FAMILY[self.direction], self.place, f"{self.path}{step}")


@dataclass
class Flat:
    """A schema with `$ref`s followed and `allOf` merged; where each keyword was written."""

    keywords: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    properties: dict[str, tuple[Any, str]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    pointer: str = ""

    def at(self, keyword: str) -> str:
        """The pointer of `keyword`, or of the schema when it is not written there."""
        return self.origin.get(keyword, self.pointer)


def follow(document: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """`node` with its `$ref`s followed, and the pointer where it is really written."""
    for _ in range(64):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node, pointer
        pointer = node["$ref"].removeprefix("#")
        node = resolve_pointer(document, pointer)
    return node, pointer


def flatten(document: dict[str, Any], node: Any, pointer: str, depth: int = 0) -> Flat:
    """One schema's keywords, its `allOf` parts' included (a part's properties and required too)."""
    node, pointer = follow(document, node, pointer)
    flat = Flat(pointer=pointer)
    if not isinstance(node, dict) or depth > 32:
        return flat
    for index, part in enumerate(node.get("allOf") or []):
        _merge(flat, flatten(document, part, f"{pointer}/allOf/{index}", depth + 1))
    own = Flat(pointer=pointer)
    for keyword, value in node.items():
        if keyword == "properties" and isinstance(value, dict):
            own.properties = {n: (s, f"{pointer}/properties/{escape_pointer_token(n)}") for n, s in value.items()}
        elif keyword == "required" and isinstance(value, list):
            own.required = set(value)
        elif keyword != "allOf":
            own.keywords[keyword] = value
            own.origin[keyword] = f"{pointer}/{escape_pointer_token(keyword)}"
    _merge(flat, own)
    return flat


def _merge(into: Flat, part: Flat) -> None:
    into.keywords.update(part.keywords)
    into.origin.update(part.origin)
    into.properties.update(part.properties)
    into.required |= part.required


class SchemaDiff:
    """Compares schemas of the BASE and HEAD documents and reports each change through `emit`."""

    def __init__(self, base: dict[str, Any], head: dict[str, Any], emit: Emit) -> None:
        self.base, self.head, self.emit = base, head, emit

    def compare(
        self, old: tuple[Any, str], new: tuple[Any, str], spot: Spot, seen: frozenset[Any] = frozenset()
    ) -> None:
        """Every change from the schema `old` (node, pointer in BASE) to `new` (in HEAD)."""
        before, after = flatten(self.base, *old), flatten(self.head, *new)
        key = (before.pointer, after.pointer)
        if key in seen or len(seen) > 40:
            return  # a recursive schema: this pair is being compared further up
        seen = seen | {key}
        for check in (self._types, self._enum, self._const, self._pattern, self._bounds, self._default, self._not):
            check(before, after, spot)
        self._objects(before, after, spot, seen)
        if "items" in before.keywords and "items" in after.keywords:
            self.compare(_sub(before, "items"), _sub(after, "items"), spot.inside("[]"), seen)
        for keyword in ("anyOf", "oneOf"):
            self._branches(keyword, before, after, spot, seen)

    def _report(self, spot: Spot, suffix: str, message: str, pointer: str, side: str = "head") -> None:
        rule = rule_for(spot.family, suffix)
        if rule is not None:
            self.emit(rule, spot.where, message, pointer, side)

    def _types(self, before: Flat, after: Flat, spot: Spot) -> None:
        old_types, new_types = _types(before), _types(after)
        old_format, new_format = before.keywords.get("format"), after.keywords.get("format")
        old_null, new_null = _nullable(old_types), _nullable(new_types)
        if old_null != new_null:
            suffix = "became-nullable" if new_null else "became-not-nullable"
            self._report(
                spot, suffix, "null is now allowed" if new_null else "null is no longer allowed", after.at("type")
            )
        old_plain, new_plain = _without_null(old_types), _without_null(new_types)
        if old_plain == new_plain and old_format == new_format:
            return
        wider = _covers(new_plain, old_plain) and new_format in (None, old_format)
        narrower = _covers(old_plain, new_plain) and old_format in (None, new_format)
        if spot.direction == REQUEST:
            suffix = "type-generalized" if wider else "type-changed"
        else:
            suffix = "type-specialized" if narrower else "type-generalized" if wider else "type-changed"
        message = f"type/format changed from {_describe(old_plain, old_format)} to {_describe(new_plain, new_format)}"
        self._report(spot, suffix, message, after.at("format" if old_plain == new_plain else "type"))

    def _enum(self, before: Flat, after: Flat, spot: Spot) -> None:
        old, new = before.keywords.get("enum"), after.keywords.get("enum")
        if old == new or not (isinstance(old, list) or isinstance(new, list)):
            return
        request = spot.direction == REQUEST
        if not isinstance(old, list):
            if request:
                self._report(spot, "became-enum", f"only {_values(new)} are accepted now", after.at("enum"))
            return
        if not isinstance(new, list):
            self._report(spot, "enum-removed", f"the enum {_values(old)} was removed", before.at("enum"), "base")
            return
        removed, added = [v for v in old if v not in new], [v for v in new if v not in old]
        if removed:
            self._report(spot, "enum-value-removed", f"enum values removed: {_values(removed)}", after.at("enum"))
        if added:
            self._report(spot, "enum-value-added", f"enum values added: {_values(added)}", after.at("enum"))

    def _const(self, before: Flat, after: Flat, spot: Spot) -> None:
        self._set_or_changed("const", _value, before, after, spot)

    def _pattern(self, before: Flat, after: Flat, spot: Spot) -> None:
        self._set_or_changed("pattern", repr, before, after, spot)

    def _set_or_changed(self, keyword: str, show: Callable[[Any], str], before: Flat, after: Flat, spot: Spot) -> None:
        """A keyword with one value (`const`, `pattern`): added, removed or changed."""
        old, new = before.keywords.get(keyword, _ABSENT), after.keywords.get(keyword, _ABSENT)
        if old == new:
            return
        if old is _ABSENT:
            self._report(spot, f"{keyword}-added", f"{keyword} {show(new)} added", after.at(keyword))
        elif new is _ABSENT:
            self._report(spot, f"{keyword}-removed", f"{keyword} {show(old)} removed", before.at(keyword), "base")
        else:
            message = f"{keyword} changed from {show(old)} to {show(new)}"
            self._report(spot, f"{keyword}-changed", message, after.at(keyword))

    def _bounds(self, before: Flat, after: Flat, spot: Spot) -> None:
        for keyword, word, upper in _BOUNDS:
            old, new = before.keywords.get(keyword), after.keywords.get(keyword)
            if keyword in _ZERO_WHEN_ABSENT:
                old, new = old or None, new or None
            if old == new or not all(isinstance(v, int | float | None) for v in (old, new)):
                continue
            tighter = new is not None and (old is None or (new < old if upper else new > old))
            message = f"{keyword} changed from {_bound(old)} to {_bound(new)}"
            if spot.direction == REQUEST:
                looser_word, tighter_word = ("increased", "decreased") if upper else ("decreased", "increased")
                suffix = tighter_word if tighter else looser_word
                if tighter and old is None and rule_for(spot.family, f"{word}-set"):
                    suffix = "set"
                self._report(spot, f"{word}-{suffix}", message, after.at(keyword))
            elif not tighter:
                unset = new is None and rule_for(spot.family, f"{word}-unset") is not None
                suffix = "unset" if unset else "increased" if upper else "decreased"
                self._report(spot, f"{word}-{suffix}", message, after.at(keyword))

    def _default(self, before: Flat, after: Flat, spot: Spot) -> None:
        old, new = before.keywords.get("default", _ABSENT), after.keywords.get("default", _ABSENT)
        if old == new:
            return
        if old is _ABSENT:
            self._report(spot, "default-value-added", f"default {_value(new)} added", after.at("default"))
        elif new is _ABSENT:
            self._report(spot, "default-value-removed", f"default {_value(old)} removed", before.at("default"), "base")
        else:
            message = f"default changed from {_value(old)} to {_value(new)}"
            self._report(spot, "default-value-changed", message, after.at("default"))

    def _not(self, before: Flat, after: Flat, spot: Spot) -> None:
        old, new = before.keywords.get("not"), after.keywords.get("not")
        if old is None and new is None:
            return
        if _content(self.base, old, before.at("not")) != _content(self.head, new, after.at("not")):
            self._report(spot, "not-changed", "what `not` excludes changed", after.at("not"))

    def _objects(self, before: Flat, after: Flat, spot: Spot, seen: frozenset[Any]) -> None:
        names = sorted(set(before.properties) | set(after.properties) | before.required | after.required)
        for name in names:
            self._property(name, before, after, spot, seen)
        closed_before = before.keywords.get("additionalProperties") is False
        closed_after = after.keywords.get("additionalProperties") is False
        if spot.direction == REQUEST and closed_after and not closed_before:
            message = "unknown fields are no longer accepted"
            self._report(spot, "additional-properties-closed", message, after.at("additionalProperties"))
        if spot.direction == RESPONSE and closed_before and not closed_after:
            message = "the object may now carry fields a client does not expect"
            self._report(spot, "additional-properties-opened", message, after.pointer)
        old_extra, new_extra = before.keywords.get("additionalProperties"), after.keywords.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.compare(
                _sub(before, "additionalProperties"), _sub(after, "additionalProperties"), spot.inside("/*"), seen
            )

    def _property(self, name: str, before: Flat, after: Flat, spot: Spot, seen: frozenset[Any]) -> None:
        where, request = spot.inside(f"/{name}").where, spot.direction == REQUEST
        was_required, is_required = name in before.required, name in after.required
        existed, exists = name in before.properties or was_required, name in after.properties or is_required
        new_pointer = after.properties[name][1] if name in after.properties else after.pointer
        old_pointer = before.properties[name][1] if name in before.properties else before.pointer
        if exists and not existed:
            kind = "required" if is_required else "optional"
            rule = f"new-{kind}-request-property" if request else f"response-{kind}-property-added"
            self.emit(rule, where, f"{kind} property added", new_pointer, "head")
        elif existed and not exists:
            kind = "required" if was_required else "optional"
            rule = "request-property-removed" if request else f"response-{kind}-property-removed"
            self.emit(rule, where, "property removed" if request else f"{kind} property removed", old_pointer, "base")
        elif is_required and not was_required:
            rule = "request-property-became-required" if request else "response-property-became-required"
            self.emit(rule, where, "became required", new_pointer, "head")
        elif was_required and not is_required:
            rule = "request-property-became-optional" if request else "response-property-became-optional"
            message = "became optional" if request else "became optional: a client can no longer rely on it"
            self.emit(rule, where, message, new_pointer, "head")
        if name in before.properties and name in after.properties:
            self.compare(before.properties[name], after.properties[name], spot.inside(f"/{name}"), seen)

    def _branches(self, keyword: str, before: Flat, after: Flat, spot: Spot, seen: frozenset[Any]) -> None:
        old, new = list(_branches(before, keyword)), list(_branches(after, keyword))
        if not old and not new:
            return
        pairs, removed, added = self._pair(old, new)
        word = "any-of" if keyword == "anyOf" else "one-of"
        for node, pointer in removed:
            self._report(spot, f"{word}-removed", f"{keyword} branch {_name(node)} removed", pointer, "base")
        for node, pointer in added:
            self._report(spot, f"{word}-added", f"{keyword} branch {_name(node)} added", pointer)
        for left, right in pairs:
            self.compare(left, right, spot, seen)

    def _pair(
        self, old: list[tuple[Any, str]], new: list[tuple[Any, str]]
    ) -> tuple[list[tuple[tuple[Any, str], tuple[Any, str]]], list[tuple[Any, str]], list[tuple[Any, str]]]:
        """Branches paired as oasdiff pairs them: same `$ref`; same content; same title; content
        equal across a `$ref` and an inline schema; the one inline branch left on each side."""
        pairs = []
        left, right = list(old), list(new)
        matchers: list[Callable[[tuple[Any, str], tuple[Any, str]], bool]] = [
            lambda a, b: _ref(a[0]) is not None and _ref(a[0]) == _ref(b[0]),
            lambda a, b: _ref(a[0]) is None and _ref(b[0]) is None and a[0] == b[0],
            lambda a, b: _title(a[0]) is not None and _title(a[0]) == _title(b[0]),
            lambda a, b: (
                (_ref(a[0]) is None) != (_ref(b[0]) is None) and _content(self.base, *a) == _content(self.head, *b)
            ),
        ]
        for matches in matchers:
            for branch in list(left):
                partner = next((candidate for candidate in right if matches(branch, candidate)), None)
                if partner is not None:
                    pairs.append((branch, partner))
                    left.remove(branch)
                    right.remove(partner)
        inline_left = [b for b in left if _ref(b[0]) is None]
        inline_right = [b for b in right if _ref(b[0]) is None]
        if len(inline_left) == 1 and len(inline_right) == 1:
            pairs.append((inline_left[0], inline_right[0]))
            left.remove(inline_left[0])
            right.remove(inline_right[0])
        return pairs, left, right


def _sub(flat: Flat, keyword: str) -> tuple[Any, str]:
    return flat.keywords[keyword], flat.at(keyword)


def _branches(flat: Flat, keyword: str) -> Iterator[tuple[Any, str]]:
    for index, branch in enumerate(flat.keywords.get(keyword) or []):
        yield branch, f"{flat.at(keyword)}/{index}"


def _types(flat: Flat) -> frozenset[str] | None:
    declared = flat.keywords.get("type")
    if declared is None:
        return None
    return frozenset([declared] if isinstance(declared, str) else declared)


def _nullable(types: frozenset[str] | None) -> bool:
    return types is None or "null" in types


def _without_null(types: frozenset[str] | None) -> frozenset[str] | None:
    return None if types is None else types - {"null"}


def _covers(wide: frozenset[str] | None, narrow: frozenset[str] | None) -> bool:
    """Every value of a `narrow` type is a value of a `wide` one (an integer is a number)."""
    if wide is None:
        return True
    if narrow is None:
        return False
    return all(kind in wide or (kind == "integer" and "number" in wide) for kind in narrow)


def _describe(types: frozenset[str] | None, format_: Any) -> str:
    kind = "any" if types is None else "/".join(sorted(types)) or "nothing"
    return f"{kind} ({format_})" if format_ else kind


def _ref(node: Any) -> str | None:
    return node["$ref"] if isinstance(node, dict) and isinstance(node.get("$ref"), str) else None


def _title(node: Any) -> str | None:
    return node.get("title") if isinstance(node, dict) else None


def _name(node: Any) -> str:
    reference = _ref(node)
    if reference:
        return reference.rsplit("/", 1)[-1]
    return _title(node) or json.dumps(node, sort_keys=True, default=str)[:60]


def _content(document: dict[str, Any], node: Any, pointer: str) -> Any:
    """A schema's content with its `$ref`s followed, less its annotations (for equality)."""
    resolved, _ = follow(document, node, pointer)
    if isinstance(resolved, dict):
        return {k: v for k, v in resolved.items() if k not in ("description", "title", "example", "examples")}
    return resolved


def _values(values: Any) -> str:
    return ", ".join(_value(v) for v in values)


def _value(value: Any) -> str:
    return json.dumps(value, default=str)


def _bound(value: Any) -> str:
    return "none" if value is None else str(value)
