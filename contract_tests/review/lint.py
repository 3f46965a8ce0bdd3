"""`contract-tests lint`: structural validity plus the rules that matter for this API, each
finding with a rule name, a JSON pointer and a line. Errors make the exit code 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract_tests.review.lint_values import enums, examples, json_text, string_keys
from mockserver.contract.messages import request_shape
from mockserver.contract.spec import CONNECT_SUFFIX, Contract, Operation, iter_nodes, load_spec
from mockserver.contract.yaml_source import escape_pointer_token
from mockserver.errors import SpecError

# What ZITADEL's gateway answers for any operation: a success, the authentication error, the
# organization and permission errors (403), no membership (404), and server failures (default).
GATEWAY_STATUSES = {"200", "401", "403", "404", "default"}
REQUEST_KEYS = {"path", "query", "headers", "body", "rawBody", "authorization"}
OPERATION_ID = re.compile(r"[A-Z][A-Za-z0-9]*Service_[A-Z][A-Za-z0-9]+")
UINT64_FIELDS = {"sequence", "totalResult", "processedSequence"}
CAMEL_CASE = re.compile(r"@type|[a-z][A-Za-z0-9]*")


@dataclass(frozen=True)
class Finding:
    """One problem: how bad, which rule, where (pointer and line) and why."""

    severity: str
    rule: str
    pointer: str
    line: int | None
    message: str

    def render(self, file: Path) -> str:
        where = f"{file}:{self.line}" if self.line else str(file)
        return f"{where}: {self.severity} [{self.rule}] {self.pointer or '/'}: {self.message}"


def lint_file(path: Path) -> list[Finding]:
    """Every finding for the document at `path`; a broken document gives one `openapi-valid` error."""
    try:
        contract = load_spec(path)
    except SpecError as error:
        return [Finding("error", "openapi-valid", error.place.pointer, error.place.line, error.reason)]
    return sorted(lint(contract), key=lambda f: (f.line or 0, f.rule))


def lint(contract: Contract) -> Iterator[Finding]:
    """Run every rule."""
    rules = (_operations, _statuses, _descriptions, _enums, _uint64, _examples, _requests, _unused, _camel_case)
    for rule in (*rules, examples, enums, string_keys):
        for severity, name, pointer, message in rule(contract):
            yield Finding(severity, name, pointer, contract.place(pointer).line, message)


Raw = Iterator[tuple[str, str, str, str]]


def _expected_statuses(contract: Contract, operation: Operation) -> set[str]:
    """The gateway's statuses, and 400 where the request can be malformed or invalid."""
    shape = request_shape(contract, operation)
    takes_input = shape.reads_body or shape.path_fields or shape.query_fields
    validated = any(field.rules for field in shape.message.fields.values())
    return GATEWAY_STATUSES | ({"400"} if takes_input or validated else set())


def _operations(contract: Contract) -> Raw:
    declared_tags = {tag["name"] for tag in contract.document.get("tags", [])}
    for operation in contract.operations:
        node = contract.node(operation.pointer)
        name = operation.operation_id.removesuffix(CONNECT_SUFFIX) if operation.is_connect else operation.operation_id
        if not OPERATION_ID.fullmatch(name) or (operation.is_connect and name == operation.operation_id):
            expected = f"`<Service>_<Rpc>{CONNECT_SUFFIX}`" if operation.is_connect else "`<Service>_<Rpc>`"
            yield (
                "error",
                "operation-id",
                f"{operation.pointer}/operationId",
                f"not {expected} as ZITADEL's generator names it",
            )
        for field in ("summary", "description"):
            if not str(node.get(field, "")).strip():
                yield "error", f"operation-{field}", operation.pointer, f"the operation has no {field}"
        tags = node.get("tags") or []
        if not tags:
            yield "error", "operation-tags", operation.pointer, "the operation has no tags"
        for tag in tags:
            if tag not in declared_tags:
                yield "warning", "operation-tags", f"{operation.pointer}/tags", f"tag {tag!r} is not declared"
        permission = node.get("x-zitadel-permission")
        if not permission:
            yield "error", "operation-permission", operation.pointer, "x-zitadel-permission is missing"
        elif f"`{permission}`" not in node.get("description", ""):
            yield "error", "operation-permission", f"{operation.pointer}/description", f"does not name `{permission}`"


def _statuses(contract: Contract) -> Raw:
    for operation in contract.operations:
        responses = contract.node(operation.pointer).get("responses", {})
        pointer = f"{operation.pointer}/responses"
        for status in sorted(_expected_statuses(contract, operation) - set(responses)):
            yield "error", "zitadel-errors", pointer, f"ZITADEL answers {status} here, and it is not documented"
        unauthenticated = contract.resolve(responses.get("401", {}))
        declared = unauthenticated.get("headers", {}).get("WWW-Authenticate")
        if "401" not in responses:
            continue
        if operation.is_connect and declared is not None:
            yield "error", "zitadel-errors", f"{pointer}/401", "connect-go sends no WWW-Authenticate header"
        elif not operation.is_connect and not contract.resolve(declared or {}).get("required"):
            yield "error", "zitadel-errors", f"{pointer}/401", "a 401 must declare a required WWW-Authenticate header"


def _descriptions(contract: Contract) -> Raw:
    components = contract.document.get("components", {})
    for section in ("schemas", "parameters", "responses", "requestBodies", "headers", "securitySchemes"):
        for name, node in components.get(section, {}).items():
            if not str(node.get("description", "")).strip():
                yield "error", "described", f"/components/{section}/{escape_pointer_token(name)}", "no description"
    for name, node in components.get("examples", {}).items():
        if not str(node.get("summary", "")).strip():
            yield "warning", "described", f"/components/examples/{escape_pointer_token(name)}", "no summary"


def _enums(contract: Contract) -> Raw:
    for pointer, node in iter_nodes(contract.document):
        if isinstance(node, dict) and isinstance(node.get("enum"), list) and pointer.startswith("/components/schemas"):
            described = {json_text(key) for key in node.get("x-enumDescriptions", {})}
            for value in node["enum"]:
                if json_text(value) not in described:
                    yield (
                        "error",
                        "enum-described",
                        f"{pointer}/enum",
                        f"value {value!r} has no x-enumDescriptions entry",
                    )


def _uint64(contract: Contract) -> Raw:
    for pointer, node in iter_nodes(contract.document):
        if not (isinstance(node, dict) and isinstance(node.get("properties"), dict)):
            continue
        for name in UINT64_FIELDS & set(node["properties"]):
            schema = _flatten(contract, node["properties"][name])
            where = f"{pointer}/properties/{name}"
            if schema.get("type") != "string" or not re.fullmatch(r"\^.*\[0-9\].*\$", str(schema.get("pattern", ""))):
                yield (
                    "error",
                    "uint64-string",
                    where,
                    "a uint64 must be a string of digits (type string, digit pattern)",
                )


def _flatten(contract: Contract, schema: Any) -> dict[str, Any]:
    """A schema with its `$ref` and single-branch `allOf` merged in (enough to read type and pattern)."""
    schema = contract.resolve(schema)
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", []):
        merged = {**_flatten(contract, part), **merged}
    return merged


def _examples(contract: Contract) -> Raw:
    """Every JSON body has named examples (each is checked by `lint_values.examples`)."""
    for pointer, node in iter_nodes(contract.document):
        if isinstance(node, dict) and "schema" in node and pointer.rsplit("/", 2)[-2:-1] == ["content"]:
            if not node.get("examples"):
                yield "error", "named-examples", pointer, "no named `examples` (Prism's `Prefer: example=` needs names)"


def _requests(contract: Contract) -> Raw:
    """`x-zitadel-requests` entries say which request produces an example: they must be readable."""
    for pointer, node in iter_nodes(contract.document):
        if not isinstance(node, dict) or "x-zitadel-requests" not in node:
            continue
        for index, entry in enumerate(node["x-zitadel-requests"] or []):
            where = f"{pointer}/x-zitadel-requests/{index}"
            if not isinstance(entry, dict):
                yield (
                    "error",
                    "example-requests",
                    where,
                    "a request is a mapping of path, query, headers, body, rawBody, authorization",
                )
            elif set(entry) - REQUEST_KEYS:
                unknown = ", ".join(sorted(set(entry) - REQUEST_KEYS))
                yield (
                    "error",
                    "example-requests",
                    where,
                    f"unknown parts {unknown}; known: {', '.join(sorted(REQUEST_KEYS))}",
                )


def _unused(contract: Contract) -> Raw:
    references = {
        n["$ref"] for _, n in iter_nodes(contract.document) if isinstance(n, dict) and isinstance(n.get("$ref"), str)
    }
    used_schemes = {  # a `security` list anywhere: the document's, an operation's, a callback's
        name
        for pointer, node in iter_nodes(contract.document)
        if pointer.endswith("/security") and isinstance(node, list)
        for requirement in node
        if isinstance(requirement, dict)
        for name in requirement
    }
    for section, entries in contract.document.get("components", {}).items():
        for name in entries:
            pointer = f"/components/{section}/{escape_pointer_token(name)}"
            if f"#{pointer}" not in references and not (section == "securitySchemes" and name in used_schemes):
                yield "error", "unused-component", pointer, "never referenced"


def _camel_case(contract: Contract) -> Raw:
    for pointer, node in iter_nodes(contract.document):
        if (
            pointer.startswith("/components/schemas")
            and isinstance(node, dict)
            and isinstance(node.get("properties"), dict)
        ):
            for name in node["properties"]:
                if not CAMEL_CASE.fullmatch(name):
                    yield (
                        "error",
                        "camel-case",
                        f"{pointer}/properties/{escape_pointer_token(name)}",
                        "ZITADEL's JSON names are lowerCamelCase",
                    )
