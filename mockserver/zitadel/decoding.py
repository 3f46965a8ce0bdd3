"""Decode a request into its protobuf message as ZITADEL's gateway does, before authentication.

The body goes through Go's JSON decoder and protojson (the first JSON value only; unknown fields
and unknown enum names dropped; enum names or numbers; Durations as `"NNNs"`), path parameters
through grpc-gateway's converters (an enum is a name or a Go integer that is a defined value), and
query parameters are set field by field (`ctx.orgId=...`); a Connect call's body goes through
connect-go's codec instead (the whole body, never empty). Every failure is a 400 with gRPC code 3
and no details. The result is the message as plain data, in protojson's canonical form: enum
names, zero values left out (proto3 has no presence for them, except in a oneof).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from mockserver.contract.messages import Field, Message, RequestShape, field_at
from mockserver.zitadel.errors import ZitadelError

_INT32 = (-(2**31), 2**31 - 1)
_GO_DECIMAL = re.compile(r"[+-]?(0|[1-9](_?[0-9])*)")
_GO_LEGACY_OCTAL = re.compile(r"([+-]?)0((_?[0-7])+)")
_GO_PREFIXED = re.compile(r"[+-]?0([xX](_?[0-9a-fA-F])+|[oO](_?[0-7])+|[bB](_?[01])+)")
_DURATION = re.compile(r"(-?)([0-9]+)(?:\.([0-9]{1,9}))?s")
_GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}
_EMPTY = object()


def decode_request(
    shape: RequestShape,
    path: Mapping[str, str],
    query: Mapping[str, Sequence[str]],
    body: bytes,
    *,
    connect_type: str | None = None,
) -> dict[str, Any]:
    """The request's message: body first (when the gateway reads it), then path, then query.
    With `connect_type` (the message's Go type) the body came over the Connect protocol."""
    if connect_type is not None:
        message = decode_connect_body(body, shape.message, connect_type)
    else:
        message = decode_body(body, shape.message) if shape.reads_body else {}
    for name in shape.path_fields:
        field = shape.message.fields[name]
        _assign(message, field, decode_path_value(name, path[name], field))
    if shape.query_fields:
        _decode_query(message, shape, query)
    return with_defaults(message, shape.message)


def malformed(reason: str) -> ZitadelError:
    """A body or parameter the gateway cannot decode."""
    return ZitadelError(3, reason, by_gateway=True)


# Path parameters ----------------------------------------------------------------------------------


def decode_path_value(name: str, value: str, field: Field) -> Any:
    """A path parameter as grpc-gateway converts it; a 400 type mismatch when it cannot."""
    converted: Any
    if field.kind == "enum" and field.enum is not None:
        number = field.enum.numbers.get(value)
        if number is None:
            number = parse_go_int32(value)
            if number is None or not field.enum.is_defined(number):
                raise malformed(f"type mismatch, parameter: {name}, error: {value} is not valid")
        converted = number
    elif field.kind == "bool":
        converted = _go_bool(value)
    elif field.kind == "integer":
        converted = parse_go_int32(value)
    else:
        return value
    if converted is None:
        raise malformed(f"type mismatch, parameter: {name}, error: {value} is not valid")
    return _canonical(field, converted)


def parse_go_int32(text: str) -> int | None:
    """Go's `strconv.ParseInt(text, 0, 32)`: None where Go returns an error."""
    octal = _GO_LEGACY_OCTAL.fullmatch(text)
    if octal:
        number = int(octal.group(1) + octal.group(2).replace("_", ""), 8)
    elif _GO_DECIMAL.fullmatch(text) or _GO_PREFIXED.fullmatch(text):
        number = int(text, 0)
    else:
        return None
    return number if _INT32[0] <= number <= _INT32[1] else None


def _go_bool(text: str) -> bool | None:
    if text in _GO_TRUE:
        return True
    if text in _GO_FALSE:
        return False
    return None


# Query parameters ---------------------------------------------------------------------------------


def _decode_query(message: dict[str, Any], shape: RequestShape, query: Mapping[str, Sequence[str]]) -> None:
    """grpc-gateway's PopulateQueryParameters: dotted names, one value per singular field."""
    for key, values in query.items():
        path = tuple(key.split("."))
        field = field_at(shape.message, path)
        if field is None or field.kind == "message" or path[0] in shape.path_fields:
            continue  # unknown parameters are ignored
        if not field.repeated and len(values) > 1:
            raise malformed(f'too many values for field "{field.proto_name}": {", ".join(values)}')
        parent = _parent_message(message, shape.message, path)
        if field.oneof is not None:
            taken = [f for f in _siblings(shape.message, path) if f.oneof == field.oneof and f.name in parent]
            if any(f.name != field.name for f in taken):
                raise malformed(f'field already set for oneof "{field.oneof}"')
        decoded = [_query_value(field, value) for value in values]
        _assign(parent, field, decoded if field.repeated else decoded[0])


def _parent_message(message: dict[str, Any], root: Message, path: tuple[str, ...]) -> dict[str, Any]:
    current = message
    node: Message | None = root
    for segment in path[:-1]:
        field = node.field(segment) if node is not None else None
        name = field.name if field is not None else segment
        current = current.setdefault(name, {})
        node = field.message if field is not None else None
    return current


def _siblings(root: Message, path: tuple[str, ...]) -> list[Field]:
    parent = field_at(root, path[:-1]) if len(path) > 1 else None
    message = parent.message if parent is not None else root
    return list(message.fields.values()) if message is not None else []


def _query_value(field: Field, value: str) -> Any:
    converted: Any = value
    if field.kind == "bool":
        converted = _go_bool(value)
        if converted is None:
            raise malformed(f'parsing field "{field.proto_name}": strconv.ParseBool: parsing "{value}": invalid syntax')
    elif field.kind == "enum" and field.enum is not None:
        converted = field.enum.numbers.get(value, parse_go_int32(value))
        if converted is None:
            raise malformed(f'parsing field "{field.proto_name}": {value} is not valid')
    elif field.kind == "integer":
        converted = parse_go_int32(value)
        if converted is None:
            raise malformed(f'parsing field "{field.proto_name}": strconv.ParseInt: parsing "{value}": invalid syntax')
    elif field.kind == "duration":
        converted = _duration(value)
    return _canonical(field, converted)


# The JSON body ------------------------------------------------------------------------------------


def decode_body(raw: bytes, message: Message) -> dict[str, Any]:
    """The body as the message: `{}` for an empty body (io.EOF is ignored), else protojson."""
    value = _first_json_value(raw)
    if value is _EMPTY:
        return {}
    if not isinstance(value, dict):
        raise malformed(f"proto: syntax error: unexpected token {_token(value)}")
    return _message(value, message)


def decode_connect_body(raw: bytes, message: Message, go_type: str) -> dict[str, Any]:
    """The body as connect-go's JSON codec reads it: all of it, as one protojson message, and
    never empty (`{}` is the empty message). Its errors name the Go type it unmarshals into."""
    if not raw:
        raise malformed("unmarshal message: zero-length payload is not a valid JSON object")
    prefix = f"unmarshal message: unmarshal into *{go_type}: "
    text = raw.decode("utf-8", errors="replace")
    try:
        value = json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        found = text[error.pos : error.pos + 1] or "EOF"
        raise malformed(
            f"{prefix}proto: syntax error (line {error.lineno}:{error.colno}): invalid value {found}"
        ) from None
    except _DuplicateField as duplicate:
        raise malformed(f'{prefix}proto: duplicate field "{duplicate}"') from None
    if not isinstance(value, dict):
        raise malformed(f"{prefix}proto: syntax error (line 1:1): unexpected token {_token(value)}")
    try:
        return _message(value, message)
    except ZitadelError as error:
        raise malformed(prefix + error.message) from None


def _message(data: dict[str, Any], message: Message) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for key, value in data.items():
        field = message.field(key)
        if field is None or value is None:
            continue  # DiscardUnknown; null leaves a field unset
        if field.name in decoded:
            raise malformed(f'proto: duplicate field "{key}"')
        if field.oneof is not None and any(message.fields[name].oneof == field.oneof for name in decoded):
            raise malformed(f'proto: error parsing "{key}", oneof {field.oneof} is already set')
        if field.repeated:
            if not isinstance(value, list):
                raise malformed(f"proto: invalid value for list field {field.name}: {_token(value)}")
            items = [_element(field, item) for item in value]
            _assign(decoded, field, [item for item in items if item is not _EMPTY])
        else:
            element = _element(field, value)
            if element is not _EMPTY:
                _assign(decoded, field, element)
    return decoded


def _element(field: Field, value: Any) -> Any:
    """One value of a field; _EMPTY for an unknown enum name (dropped, as DiscardUnknown does)."""
    if field.kind == "enum" and field.enum is not None:
        if isinstance(value, str):
            return field.enum.numbers.get(value, _EMPTY)
        if isinstance(value, bool) or not _integral(value):
            raise malformed(f"proto: invalid value for enum field {field.name}: {_token(value)}")
        return int(value)
    if field.kind == "message" and field.message is not None:
        if not isinstance(value, dict):
            raise malformed(f"proto: invalid value for message field {field.name}: {_token(value)}")
        return _message(value, field.message)
    if field.kind == "duration":
        if not isinstance(value, str):
            raise malformed(f"proto: invalid google.protobuf.Duration value {_token(value)}")
        return _duration(value)
    expected = {"string": str, "bool": bool, "timestamp": str}.get(field.kind)
    if expected is not None and (not isinstance(value, expected) or (expected is str and isinstance(value, bool))):
        raise malformed(f"proto: invalid value for {field.kind} field {field.name}: {_token(value)}")
    if field.kind == "integer" and (isinstance(value, bool) or not _integral(value)):
        raise malformed(f"proto: invalid value for int32 field {field.name}: {_token(value)}")
    return int(value) if field.kind == "integer" else value


def _integral(value: Any) -> bool:
    number = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer())
    return number and _INT32[0] <= int(value) <= _INT32[1]


def _duration(text: str) -> str:
    """A Duration in protojson's written form (0, 3, 6 or 9 fractional digits)."""
    found = _DURATION.fullmatch(text)
    if found is None:
        raise malformed(f"proto: invalid google.protobuf.Duration value {_token(text)}")
    sign, seconds, fraction = found.group(1), int(found.group(2)), (found.group(3) or "").ljust(9, "0")
    nanos = int(fraction)
    if nanos == 0:
        return f"{sign}{seconds}s"
    digits = f"{nanos:09d}"
    while digits.endswith("000"):
        digits = digits[:-3]
    return f"{sign}{seconds}.{digits}s"


# Canonical form -----------------------------------------------------------------------------------


def _canonical(field: Field, value: Any) -> Any:
    """Enum numbers as their written names where defined and not 0; other values unchanged."""
    if field.kind == "enum" and field.enum is not None and isinstance(value, int) and not isinstance(value, bool):
        if value != 0 and field.enum.is_defined(value):
            return field.enum.names[value]
        if value == 0 and not field.repeated:
            return 0
    return value


def _assign(message: dict[str, Any], field: Field, value: Any) -> None:
    """Set a field in canonical form, leaving it out when it is proto3's zero (except in a oneof)."""
    value = [_canonical(field, item) for item in value] if field.repeated else _canonical(field, value)
    zero = value in (None, False, "", 0, []) and not isinstance(value, dict)
    if zero and field.oneof is None:
        message.pop(field.name, None)
    else:
        message[field.name] = value


def with_defaults(message: dict[str, Any], shape: Message) -> dict[str, Any]:
    """The message with the schema's `default` for every field it leaves out (Durations `0s`)."""
    for field in shape.fields.values():
        if field.name not in message and field.default is not None:
            message[field.name] = field.default
        elif field.kind == "message" and field.message is not None and isinstance(message.get(field.name), dict):
            with_defaults(message[field.name], field.message)
    return message


# Go's JSON decoder --------------------------------------------------------------------------------


def _first_json_value(raw: bytes) -> Any:
    """The first JSON value of the body, like Go's json.Decoder; _EMPTY for an empty body."""
    text = raw.decode("utf-8", errors="replace").lstrip(" \t\r\n")
    if not text:
        return _EMPTY
    decoder = json.JSONDecoder(object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
    try:
        value, _ = decoder.raw_decode(text)
    except json.JSONDecodeError as error:
        raise malformed(_go_json_message(text, error)) from None
    except _DuplicateField as duplicate:
        raise malformed(f'proto: duplicate field "{duplicate}"') from None
    return value


class _DuplicateField(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateField(key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"invalid constant {name}", name, 0)


def _go_json_message(text: str, error: json.JSONDecodeError) -> str:
    """Go's wording for the usual cases; the code (3) matters, the text is best effort."""
    if error.pos >= len(text):
        return "unexpected EOF"
    return f"invalid character {text[error.pos]!r} looking for beginning of value"


def _token(value: Any) -> str:
    return json.dumps(value)[:40]
