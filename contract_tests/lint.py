"""`contract-tests lint`: structural validity plus the rules that matter for this API, each
finding with a rule name, a JSON pointer and a line. Errors make the exit code 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.errors import SpecError
from mockserver.spec import Contract, Operation, iter_nodes, load_spec
from mockserver.yaml_source import escape_pointer_token

# What ZITADEL answers, by kind of operation (reference §5d and §4).
EXPECTED_STATUSES = {
    "List": {"200", "401", "403", "404", "default"},
    "Add": {"200", "400", "401", "403", "404", "409", "default"},
    "Remove": {"200", "400", "401", "403", "404", "default"},
}
OPERATION_ID = re.compile(r"(ManagementService|AdminService)_[A-Z][A-Za-z]+")
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
    for rule in (_operations, _statuses, _descriptions, _enums, _uint64, _examples, _unused, _camel_case):
        for severity, name, pointer, message in rule(contract):
            yield Finding(severity, name, pointer, contract.place(pointer).line, message)


Raw = Iterator[tuple[str, str, str, str]]


def _kind(operation: Operation) -> str | None:
    rpc = operation.operation_id.partition("_")[2]
    return next((kind for kind in EXPECTED_STATUSES if rpc.startswith(kind)), None)


def _operations(contract: Contract) -> Raw:
    declared_tags = {tag["name"] for tag in contract.document.get("tags", [])}
    for operation in contract.operations:
        node = contract.node(operation.pointer)
        if not OPERATION_ID.fullmatch(operation.operation_id):
            yield (
                "error",
                "operation-id",
                f"{operation.pointer}/operationId",
                "not `<Service>_<Rpc>` as ZITADEL names it",
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
        kind = _kind(operation)
        responses = contract.node(operation.pointer).get("responses", {})
        pointer = f"{operation.pointer}/responses"
        if kind is None:
            yield "warning", "zitadel-errors", operation.pointer, "not one of List/Add/Remove: statuses not checked"
            continue
        for status in sorted(EXPECTED_STATUSES[kind] - set(responses)):
            yield "error", "zitadel-errors", pointer, f"ZITADEL answers {status} here, and it is not documented"
        for status in sorted(set(responses) - EXPECTED_STATUSES[kind]):
            yield "warning", "zitadel-errors", f"{pointer}/{status}", f"ZITADEL never answers {status} here"
        unauthenticated = contract.resolve(responses.get("401", {}))
        header = contract.resolve(unauthenticated.get("headers", {}).get("WWW-Authenticate", {}))
        if "401" in responses and not header.get("required"):
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
            described = {str(key) for key in node.get("x-enumDescriptions", {})}
            for value in node["enum"]:
                if str(value) not in described:
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
    for pointer, node in iter_nodes(contract.document):
        if not (isinstance(node, dict) and "schema" in node and ("/content/" in pointer or "/parameters/" in pointer)):
            continue
        if "/content/" in pointer and not node.get("examples"):
            yield "error", "named-examples", pointer, "no named `examples` (Prism's `Prefer: example=` needs names)"
        for name, example in (node.get("examples") or {}).items():
            value = contract.resolve(example).get("value")
            for problem in contract.schema_errors(f"{pointer}/schema", value):
                yield "error", "example-valid", f"{pointer}/examples/{escape_pointer_token(name)}", problem


def _unused(contract: Contract) -> Raw:
    references = {
        n["$ref"] for _, n in iter_nodes(contract.document) if isinstance(n, dict) and isinstance(n.get("$ref"), str)
    }
    used_schemes = {name for requirement in contract.document.get("security", []) for name in requirement}
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
