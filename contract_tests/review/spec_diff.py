"""`contract-tests diff BASE HEAD`: what changed between two versions of the contract, each change
classed as breaking or not from a client's point of view, as Markdown for a pull request.

Requests and responses are judged in opposite directions: narrowing what a request may carry
breaks clients that send it; widening what a response may carry breaks clients that read it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mockserver.contract.spec import find_operations, resolve_pointer
from mockserver.errors import ReviewSourceError

REQUEST, RESPONSE = "request", "response"
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")


@dataclass(frozen=True)
class Change:
    """One difference: whether it breaks clients, where it is and what it is."""

    breaking: bool
    where: str
    message: str


def load_document(reference: str) -> dict[str, Any]:
    """A file path, or a git revision (`REV` for its openapi.yaml, or `REV:path`)."""
    file = Path(reference)
    if file.is_file():
        text = file.read_text(encoding="utf-8")
    else:
        revision, _, path = reference.partition(":")
        shown = subprocess.run(
            ["git", "show", f"{revision}:{path or 'openapi.yaml'}"], capture_output=True, text=True, check=False
        )
        if shown.returncode != 0:
            raise ReviewSourceError(f"{reference!r} is neither a file nor a git revision: {shown.stderr.strip()}")
        text = shown.stdout
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ReviewSourceError(f"{reference!r} is not YAML: {error}") from error
    if not isinstance(document, dict):
        raise ReviewSourceError(f"{reference!r} is not an OpenAPI document")
    return document


def diff_documents(base: dict[str, Any], head: dict[str, Any]) -> list[Change]:
    """Every change from `base` to `head`, breaking ones first."""
    changes = list(_Differ(base, head).operations())
    return sorted(changes, key=lambda change: not change.breaking)


def render_markdown(changes: list[Change], base_name: str, head_name: str) -> str:
    """A pull-request comment."""
    breaking = sum(change.breaking for change in changes)
    lines = [f"### Contract changes: `{base_name}` → `{head_name}`", ""]
    if not changes:
        return "\n".join([*lines, "No changes to operations, parameters, bodies or responses."])
    lines += [f"**{breaking} breaking**, {len(changes) - breaking} non-breaking.", ""]
    lines += ["| | where | change |", "|---|---|---|"]
    for change in changes:
        verdict = "**breaking**" if change.breaking else "non-breaking"
        lines.append(f"| {verdict} | `{change.where}` | {change.message.replace('|', '/')} |")
    return "\n".join(lines)


class _Differ:
    """Walks both documents side by side."""

    def __init__(self, base: dict[str, Any], head: dict[str, Any]) -> None:
        self.base, self.head = base, head

    def operations(self) -> Iterator[Change]:
        base_ops = {(op.method, op.path): op for op in find_operations(self.base)}
        head_ops = {(op.method, op.path): op for op in find_operations(self.head)}
        for key in sorted(base_ops.keys() - head_ops.keys()):
            yield Change(True, " ".join(key), "operation removed")
        for key in sorted(head_ops.keys() - base_ops.keys()):
            yield Change(False, " ".join(key), "operation added")
        for key in sorted(base_ops.keys() & head_ops.keys()):
            old = resolve_pointer(self.base, base_ops[key].pointer)
            new = resolve_pointer(self.head, head_ops[key].pointer)
            label = " ".join(key)
            yield from self._parameters(label, old, new)
            yield from self._request_body(label, old.get("requestBody"), new.get("requestBody"))
            yield from self._responses(label, old.get("responses", {}), new.get("responses", {}))

    def _parameters(self, label: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
        def by_key(document: dict[str, Any], operation: dict[str, Any]) -> dict[tuple[str, str], Any]:
            resolved = (_resolve(document, p) for p in operation.get("parameters", []))
            return {(p["in"], p["name"].lower() if p["in"] == "header" else p["name"]): p for p in resolved}

        before, after = by_key(self.base, old), by_key(self.head, new)
        for where, name in sorted(after.keys() - before.keys()):
            required = after[(where, name)].get("required", False)
            yield Change(
                required,
                f"{label} {where} `{name}`",
                "new required parameter" if required else "new optional parameter",
            )
        for where, name in sorted(before.keys() - after.keys()):
            yield Change(where == "path", f"{label} {where} parameter {name}", "parameter removed")
        for key in sorted(before.keys() & after.keys()):
            where = f"{label} {key[0]} parameter {key[1]}"
            if after[key].get("required") and not before[key].get("required"):
                yield Change(True, where, "parameter became required")
            yield from self._schema(where, before[key].get("schema", {}), after[key].get("schema", {}), REQUEST)

    def _request_body(self, label: str, old: Any, new: Any) -> Iterator[Change]:
        old_body, new_body = _resolve(self.base, old or {}), _resolve(self.head, new or {})
        where = f"{label} request body"
        if new_body.get("required") and not old_body.get("required"):
            yield Change(True, where, "the body became required")
        for media in sorted(set(old_body.get("content", {})) - set(new_body.get("content", {}))):
            yield Change(True, where, f"media type {media} no longer accepted")
        old_schema = old_body.get("content", {}).get("application/json", {}).get("schema")
        new_schema = new_body.get("content", {}).get("application/json", {}).get("schema")
        if old_schema is not None and new_schema is not None:
            yield from self._schema(where, old_schema, new_schema, REQUEST)

    def _responses(self, label: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
        for status in sorted(set(old) - set(new)):
            yield Change(True, f"{label} response {status}", "response removed")
        for status in sorted(set(new) - set(old)):
            yield Change(False, f"{label} response {status}", "response added")
        for status in sorted(set(old) & set(new)):
            before, after = _resolve(self.base, old[status]), _resolve(self.head, new[status])
            where = f"{label} response {status}"
            yield from self._headers(where, before.get("headers", {}), after.get("headers", {}))
            old_schema = before.get("content", {}).get("application/json", {}).get("schema")
            new_schema = after.get("content", {}).get("application/json", {}).get("schema")
            if old_schema is None or new_schema is None:
                if old_schema is not None:
                    yield Change(True, where, "the JSON body is gone")
                continue
            yield from self._schema(where, old_schema, new_schema, RESPONSE)

    def _headers(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
        for name in sorted(old):
            was_required = _resolve(self.base, old[name]).get("required", False)
            if was_required and not _resolve(self.head, new.get(name, {})).get("required", False):
                yield Change(True, f"{where} header {name}", "a required header is no longer guaranteed")

    def _schema(self, where: str, old: Any, new: Any, direction: str, depth: int = 0) -> Iterator[Change]:
        old, new = _flatten(self.base, old), _flatten(self.head, new)
        if depth > 40:
            return
        narrowing_breaks = direction == REQUEST  # in a request, narrowing breaks; in a response, widening
        for key, verb in (("type", "type"), ("format", "format"), ("const", "constant"), ("pattern", "pattern")):
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            # Adding a constraint narrows, dropping one widens; replacing it may do both.
            breaks = True if before is not None and after is not None else (after is not None) == narrowing_breaks
            yield Change(breaks, where, f"{verb} changed from {before!r} to {after!r}")
        yield from _enum_changes(where, old, new, narrowing_breaks)
        yield from _bound_changes(where, old, new, narrowing_breaks)
        yield from self._object_changes(where, old, new, direction, depth)
        if "items" in old and "items" in new:
            yield from self._schema(f"{where}[]", old["items"], new["items"], direction, depth + 1)
        for keyword in ("anyOf", "oneOf"):
            before, after = old.get(keyword, []), new.get(keyword, [])
            if len(before) != len(after):
                yield Change(True, where, f"{keyword} changed from {len(before)} to {len(after)} schemas")
            for left, right in zip(before, after, strict=False):
                yield from self._schema(where, left, right, direction, depth + 1)
        if old.get("not") != new.get("not") and _resolve(self.base, old.get("not")) != _resolve(
            self.head, new.get("not")
        ):
            yield Change(True, where, "`not` changed")

    def _object_changes(
        self, where: str, old: dict[str, Any], new: dict[str, Any], direction: str, depth: int
    ) -> Iterator[Change]:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        for name in sorted(new_required - old_required):
            if direction == REQUEST:
                yield Change(True, f"{where} /{name}", "new required field")
        for name in sorted(old_required - new_required):
            if direction == RESPONSE:
                yield Change(True, f"{where} /{name}", "field no longer required: clients cannot rely on it")
        for name in sorted(set(old_props) - set(new_props)):
            yield Change(direction == RESPONSE, f"{where} /{name}", "field removed")
        for name in sorted(set(new_props) - set(old_props)):
            yield Change(False, f"{where} /{name}", "field added")
        for name in sorted(set(old_props) & set(new_props)):
            yield from self._schema(f"{where} /{name}", old_props[name], new_props[name], direction, depth + 1)
        closed_before, closed_after = old.get("additionalProperties") is False, new.get("additionalProperties") is False
        if direction == REQUEST and closed_after and not closed_before:
            yield Change(True, where, "unknown fields are no longer accepted")
        if direction == RESPONSE and closed_before and not closed_after:
            yield Change(True, where, "the response may now carry fields clients do not expect")


def _resolve(document: dict[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 20:
        try:
            node = resolve_pointer(document, node["$ref"].removeprefix("#"))
        except KeyError:
            return {}
        seen += 1
    return node if node is not None else {}


def _flatten(document: dict[str, Any], node: Any) -> dict[str, Any]:
    """A schema with `$ref` followed and `allOf` merged in, so wrappers do not look like changes."""
    schema = _resolve(document, node)
    if not isinstance(schema, dict):
        return {}
    merged: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        merged = _merge(merged, _flatten(document, part))
    return _merge(merged, {key: value for key, value in schema.items() if key != "allOf"})


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **extra}
    merged["properties"] = {**base.get("properties", {}), **extra.get("properties", {})}
    merged["required"] = sorted(set(base.get("required", [])) | set(extra.get("required", [])))
    return {key: value for key, value in merged.items() if value not in ({}, [])}


def _enum_changes(where: str, old: dict[str, Any], new: dict[str, Any], narrowing_breaks: bool) -> Iterator[Change]:
    if "enum" not in old and "enum" not in new:
        return
    if "enum" not in old or "enum" not in new:
        yield Change(True, where, "enum added" if "enum" in new else "enum removed")
        return
    removed = [value for value in old["enum"] if value not in new["enum"]]
    added = [value for value in new["enum"] if value not in old["enum"]]
    if removed:
        yield Change(narrowing_breaks, where, f"enum narrowed: {', '.join(map(str, removed))} removed")
    if added:
        yield Change(not narrowing_breaks, where, f"enum widened: {', '.join(map(str, added))} added")


def _bound_changes(where: str, old: dict[str, Any], new: dict[str, Any], narrowing_breaks: bool) -> Iterator[Change]:
    for keyword in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
        before, after = old.get(keyword), new.get(keyword)
        if before == after:
            continue
        lower = keyword in _LOWER_BOUNDS
        narrower = after is not None and (before is None or (after > before if lower else after < before))
        yield Change(narrower == narrowing_breaks, where, f"{keyword} changed from {before} to {after}")
