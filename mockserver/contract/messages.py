"""The protobuf view of the contract: the request message each operation carries, with its
fields, enums, defaults and validation rules.

ZITADEL's gateway decodes a request into a protobuf message (path, query and body together) and
validates it with protoc-gen-validate. The mock decodes and validates the same way and the
contract suite builds its requests from the same view, so it is read here, once, from the
schemas and a few extensions:

- `x-proto-enum` on an enum schema: every value name with its number (0 included, aliases too);
- `x-proto: google.protobuf.Duration` on a schema: a Duration (`"864000s"` in JSON);
- `x-pgv` on a field: its protoc-gen-validate rules, as in the proto (`enum: {definedOnly, notIn}`);
- `x-proto-oneof` on a field: the oneof it belongs to;
- `x-proto-message` on an object schema: the message's proto name, where the component's differs;
- `x-proto-request` on an operation: the message when it is not the request body (query fields);
- `x-zitadel-body: ignored` on a request body: the gateway never reads it (no `body:` mapping).

The root message is named `<Rpc>Request` after the operationId (`Service_Rpc`), as ZITADEL's
protos name every request message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from mockserver.errors import SpecError

if TYPE_CHECKING:
    from mockserver.contract.spec import Contract, Operation

FieldKind = Literal["string", "bool", "integer", "number", "enum", "message", "duration", "timestamp", "any"]
_KNOWN_TYPES: dict[str, FieldKind] = {
    "google.protobuf.Duration": "duration",
    "google.protobuf.Timestamp": "timestamp",
}
_JSON_TYPES: dict[str, FieldKind] = {"string": "string", "boolean": "bool", "integer": "integer", "number": "number"}


@dataclass(frozen=True)
class ProtoEnum:
    """A protobuf enum: names to numbers (aliases share a number; protojson writes the first)."""

    numbers: Mapping[str, int]

    @cached_property
    def names(self) -> dict[int, str]:
        """The name protojson writes for each number: the first one declared."""
        names: dict[int, str] = {}
        for name, number in self.numbers.items():
            names.setdefault(number, name)
        return names

    def is_defined(self, number: int) -> bool:
        return number in self.names

    def defined_names(self) -> list[str]:
        """The names a client may configure: every number but 0, by its written name."""
        return [name for number, name in self.names.items() if number != 0]


@dataclass(frozen=True)
class Field:
    """One field of a message, by its JSON (lowerCamelCase) name."""

    name: str
    kind: FieldKind
    repeated: bool = False
    enum: ProtoEnum | None = None
    message: Message | None = None
    default: Any = None
    rules: Mapping[str, Any] = field(default_factory=dict)
    oneof: str | None = None

    @property
    def proto_name(self) -> str:
        """The proto field name (`passwordless_type`), which protojson also accepts."""
        return re.sub(r"(?<!^)([A-Z])", r"_\1", self.name).lower()

    @property
    def go_name(self) -> str:
        """The Go field name (`PasswordlessType`), as protoc-gen-validate writes it in messages."""
        return "".join(part[:1].upper() + part[1:] for part in self.proto_name.split("_"))


@dataclass(frozen=True)
class Message:
    """A protobuf message: its name (for validation messages) and its fields in proto order."""

    name: str
    fields: dict[str, Field]

    def field(self, name: str) -> Field | None:
        """The field called `name`, by JSON name or proto name."""
        found = self.fields.get(name)
        if found is None:
            found = next((f for f in self.fields.values() if f.proto_name == name), None)
        return found


@dataclass(frozen=True)
class RequestShape:
    """How an operation's request becomes its message: which parts the gateway reads."""

    message: Message
    reads_body: bool
    path_fields: tuple[str, ...]
    query_fields: dict[str, tuple[str, ...]]


def request_shape(contract: Contract, operation: Operation) -> RequestShape:
    """The request message of `operation` and where its fields come from."""
    reader = _SchemaReader(contract)
    definition = contract.definition(operation)
    rpc_name = f"{operation.rpc}Request"
    body = contract.request_body(operation)
    reads_body = body is not None and body.get("x-zitadel-body") != "ignored" and operation.method != "GET"
    message = Message(rpc_name, {})
    if "x-proto-request" in definition:
        message = reader.message_at(str(definition["x-proto-request"]).removeprefix("#"), rpc_name)
    elif reads_body and body is not None:
        message = reader.message(body.get("content", {}).get("application/json", {}).get("schema", {}), rpc_name)
    fields = dict(message.fields)
    path_fields: list[str] = []
    query_fields: dict[str, tuple[str, ...]] = {}
    for parameter in contract.parameters(operation):
        if parameter["in"] == "path":
            path_fields.append(parameter["name"])
            if parameter["name"] not in fields:
                fields[parameter["name"]] = reader.field(parameter["name"], parameter.get("schema", {}), parameter)
        elif parameter["in"] == "query":
            query_fields[parameter["name"]] = tuple(parameter["name"].split("."))
    return RequestShape(Message(message.name, fields), reads_body, tuple(path_fields), query_fields)


def field_at(message: Message, path: tuple[str, ...]) -> Field | None:
    """The field at a dotted path (`ctx.orgId`) of `message`, or None."""
    current: Message | None = message
    found: Field | None = None
    for segment in path:
        if current is None:
            return None
        found = current.field(segment)
        current = found.message if found is not None else None
    return found


def enums_in(contract: Contract) -> Iterator[tuple[str, ProtoEnum]]:
    """Every `x-proto-enum` of the contract's schemas, with its schema's pointer."""
    for name, schema in contract.document.get("components", {}).get("schemas", {}).items():
        if isinstance(schema, dict) and "x-proto-enum" in schema:
            yield f"/components/schemas/{name}", ProtoEnum(dict(schema["x-proto-enum"]))


class _SchemaReader:
    """Reads messages and fields out of JSON schemas (following `$ref`, `allOf`, `anyOf`)."""

    def __init__(self, contract: Contract) -> None:
        self._contract = contract

    def message_at(self, pointer: str, rpc_name: str) -> Message:
        try:
            self._contract.node(pointer)
        except KeyError:
            raise SpecError(self._contract.place(pointer), "x-proto-request leads nowhere") from None
        return self.message({"$ref": f"#{pointer}"}, rpc_name)

    def message(self, schema: Any, name: str) -> Message:
        """The message a schema describes, called `name` unless `x-proto-message` says otherwise."""
        merged = self._merged(schema)
        properties = merged.get("properties", {})
        fields = {key: self.field(key, value, value) for key, value in properties.items()}
        return Message(str(merged.get("x-proto-message", name)), fields)

    def field(self, name: str, schema: Any, annotations: Mapping[str, Any]) -> Field:
        """A field from its schema; `annotations` (the property or parameter) may add rules."""
        merged = self._merged(schema)
        rules = {**merged.get("x-pgv", {}), **annotations.get("x-pgv", {})}
        oneof = annotations.get("x-proto-oneof", merged.get("x-proto-oneof"))
        default = annotations.get("default", merged.get("default"))
        if _type(merged) == "array":
            element = self.field(name, merged.get("items", {}), {})
            return Field(name, element.kind, True, element.enum, element.message, None, rules, oneof)
        enum = self._enum(schema, depth=0)
        if enum is not None:
            return Field(name, "enum", enum=enum, default=default, rules=rules, oneof=oneof)
        if merged.get("x-proto") in _KNOWN_TYPES:
            return Field(name, _KNOWN_TYPES[merged["x-proto"]], default=default, rules=rules, oneof=oneof)
        if _type(merged) == "object" or "properties" in merged:
            message = self.message(schema, _component_name(schema) or name[:1].upper() + name[1:])
            return Field(name, "message", message=message, rules=rules, oneof=oneof)
        kind = _JSON_TYPES.get(str(_type(merged)), "any")
        return Field(name, kind, default=default, rules=rules, oneof=oneof)

    def _merged(self, schema: Any) -> dict[str, Any]:
        """The schema with `$ref` followed and `allOf` parts merged: the outer keys win, and the
        properties of every part are kept, the parts' first (their proto order)."""
        node = self._contract.resolve(schema)
        if not isinstance(node, dict):
            return {}
        merged: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        for part in node.get("allOf", []):
            inner = self._merged(part)
            properties.update(inner.get("properties", {}))
            merged.update(inner)
        merged.update({key: value for key, value in node.items() if key != "allOf"})
        if properties or "properties" in node:
            merged["properties"] = {**properties, **node.get("properties", {})}
        return merged

    def _enum(self, schema: Any, depth: int) -> ProtoEnum | None:
        """The `x-proto-enum` reached through `$ref`, `allOf`, `anyOf` or `oneOf`, if any."""
        node = self._contract.resolve(schema)
        if not isinstance(node, dict) or depth > 8:
            return None
        if "x-proto-enum" in node:
            return ProtoEnum(dict(node["x-proto-enum"]))
        for keyword in ("allOf", "anyOf", "oneOf"):
            for part in node.get(keyword, []):
                found = self._enum(part, depth + 1)
                if found is not None:
                    return found
        return None


def _type(schema: Mapping[str, Any]) -> str | None:
    """The schema's JSON type, leaving out `null` (which protojson reads as "not set")."""
    declared = schema.get("type")
    if isinstance(declared, list):
        return next((str(kind) for kind in declared if kind != "null"), None)
    return str(declared) if declared is not None else None


def _component_name(schema: Any) -> str | None:
    """`RequestContext` for `{$ref: '#/components/schemas/RequestContext'}`, else None."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        return str(schema["$ref"].rsplit("/", 1)[1])
    return None
