"""The lint rules about values written in the contract: every example against its schema, enum
entries (no duplicates, each of the declared type) and mapping keys (strings, as JSON has them).

Examples are where generated clients, Prism and the docs take their values from, so one that
breaks its schema teaches every reader something the API refuses. They may stand on a schema
(`example`, `examples`), a parameter or a header (`example`, `examples`), and a media type of a
request or a response (`example`, `examples`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from mockserver.contract.spec import Contract, iter_nodes
from mockserver.contract.yaml_source import escape_pointer_token

Raw = Iterator[tuple[str, str, str, str]]
# The keywords of a schema that hold schemas: a map of them, a list of them, or one.
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONES = ("items", "not", "additionalProperties", "contains", "propertyNames", "if", "then", "else")
_HOLDERS = {"content": "media type", "parameters": "parameter", "headers": "header"}


def schemas(contract: Contract) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema written in the document (not followed through `$ref`), with its pointer."""
    roots = [
        (f"/components/schemas/{escape_pointer_token(name)}", node)
        for name, node in (contract.document.get("components", {}).get("schemas") or {}).items()
    ]
    roots += [(f"{pointer}/schema", node["schema"]) for pointer, node, _ in _holders(contract)]
    for pointer, node in roots:
        yield from _walk_schema(pointer, node)


def _walk_schema(pointer: str, node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if not isinstance(node, dict):
        return
    yield pointer, node
    for keyword in _SCHEMA_MAPS:
        for name, child in (node.get(keyword) or {}).items() if isinstance(node.get(keyword), dict) else ():
            yield from _walk_schema(f"{pointer}/{keyword}/{escape_pointer_token(name)}", child)
    for keyword in _SCHEMA_LISTS:
        for index, child in enumerate(node.get(keyword) or []):
            yield from _walk_schema(f"{pointer}/{keyword}/{index}", child)
    for keyword in _SCHEMA_ONES:
        if isinstance(node.get(keyword), dict):
            yield from _walk_schema(f"{pointer}/{keyword}", node[keyword])


def _holders(contract: Contract) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Media types, parameters and headers that carry a schema: (pointer, node, kind)."""
    for pointer, node in iter_nodes(contract.document):
        parent = pointer.rsplit("/", 2)[-2] if pointer.count("/") >= 2 else ""
        if isinstance(node, dict) and "schema" in node and parent in _HOLDERS and "/properties/" not in pointer:
            yield pointer, node, _HOLDERS[parent]


def examples(contract: Contract) -> Raw:
    """`example-valid`: every example value keeps the schema it illustrates."""
    for pointer, node in schemas(contract):
        if "example" in node:
            yield from _check(contract, pointer, node["example"], f"{pointer}/example")
        if isinstance(node.get("examples"), list):
            for index, value in enumerate(node["examples"]):
                yield from _check(contract, pointer, value, f"{pointer}/examples/{index}")
    for pointer, node, _ in _holders(contract):
        if "example" in node:
            yield from _check(contract, f"{pointer}/schema", node["example"], f"{pointer}/example")
        for name, example in (node.get("examples") or {}).items() if isinstance(node.get("examples"), dict) else ():
            resolved = contract.resolve(example)
            if isinstance(resolved, dict) and "value" in resolved:
                where = f"{pointer}/examples/{escape_pointer_token(name)}"
                yield from _check(contract, f"{pointer}/schema", resolved["value"], where)


def _check(contract: Contract, schema_pointer: str, value: Any, where: str) -> Raw:
    for problem in contract.schema_errors(schema_pointer, value):
        yield "error", "example-valid", where, problem


def enums(contract: Contract) -> Raw:
    """`enum-unique` and `enum-type`: no entry twice, and every entry of a type the schema allows."""
    for pointer, node in schemas(contract):
        values = node.get("enum")
        if not isinstance(values, list):
            continue
        seen: set[str] = set()
        for index, value in enumerate(values):
            key = json_text(value)
            if key in seen:
                yield "error", "enum-unique", f"{pointer}/enum/{index}", f"{key} is listed twice"
            seen.add(key)
            allowed = _types(node.get("type"))
            if allowed and not _fits(value, allowed):
                reason = f"{key} is of type {_type_of(value)}, and the schema allows {' or '.join(sorted(allowed))}"
                yield "error", "enum-type", f"{pointer}/enum/{index}", reason


def string_keys(contract: Contract) -> Raw:
    """`string-keys`: a YAML key such as `3`, `true` or `null` is no JSON key: quote it."""
    for pointer, node in iter_nodes(contract.document):
        if isinstance(node, dict):
            for key in node:
                if not isinstance(key, str):
                    where = f"{pointer}/{json_text(key)}"
                    yield (
                        "error",
                        "string-keys",
                        where,
                        f"the key {json_text(key)} is not a string: write '{json_text(key)}'",
                    )


def json_text(value: Any) -> str:
    """A value as JSON writes it (a string as itself): how an enum entry names its description."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _types(declared: Any) -> set[str]:
    if isinstance(declared, str):
        return {declared}
    return {kind for kind in declared if isinstance(kind, str)} if isinstance(declared, list) else set()


def _fits(value: Any, allowed: set[str]) -> bool:
    kind = _type_of(value)
    return kind in allowed or (kind == "integer" and "number" in allowed)


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    kinds = {float: "number", str: "string", list: "array", dict: "object", type(None): "null"}
    return kinds.get(type(value), "unknown")
