"""Decode a request as ZITADEL's gRPC gateway does, before any authentication.

The path `{type}` goes through grpc-gateway's `runtime.Enum` (a name, or a Go integer that is
a defined value); an add body through Go's JSON decoder and protojson (first JSON value only,
unknown fields and unknown enum names dropped, names or numbers accepted). List bodies are
never read.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from mockserver import zitadel_errors
from mockserver.factors import FactorKind

_INT32 = (-(2**31), 2**31 - 1)
_GO_DECIMAL = re.compile(r"[+-]?(0|[1-9](_?[0-9])*)")
_GO_LEGACY_OCTAL = re.compile(r"([+-]?)0((_?[0-7])+)")
_GO_PREFIXED = re.compile(r"[+-]?0([xX](_?[0-9a-fA-F])+|[oO](_?[0-7])+|[bB](_?[01])+)")


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


def decode_path_type(value: str, kind: FactorKind) -> int:
    """The number of the path `{type}`, or a 400 type mismatch as the gateway answers."""
    if value in kind.numbers:
        return kind.numbers[value]
    number = parse_go_int32(value)
    if number is None or not kind.is_defined(number):
        raise zitadel_errors.path_type_mismatch(value)
    return number


def decode_add_type(raw: bytes, kind: FactorKind) -> int:
    """The `type` of an add body as a number, defined or not: validation judges it later.

    0 when the body is empty, `type` is absent or null, or names an unknown value (protojson
    drops unknown names); a body that is not a JSON object, or a `type` that is neither a
    string nor an integral number, is a 400 from the gateway.
    """
    message = _first_json_value(raw)
    if message is _EMPTY:
        return 0  # io.EOF is ignored: an empty body is an empty message
    if not isinstance(message, dict):
        token = _json_token(message)
        raise zitadel_errors.malformed_body(f"proto: syntax error: unexpected token {token}")
    return _enum_number(message.get("type"), kind)


def _enum_number(value: Any, kind: FactorKind) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return kind.numbers.get(value, 0)
    integral = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer())
    if isinstance(value, bool) or not integral or not _INT32[0] <= int(value) <= _INT32[1]:
        token = _json_token(value)
        raise zitadel_errors.malformed_body(f"proto: invalid value for enum field type: {token}")
    return int(value)


_EMPTY = object()


def _first_json_value(raw: bytes) -> Any:
    """The first JSON value of the body, like Go's json.Decoder; _EMPTY for an empty body."""
    text = raw.decode("utf-8", errors="replace").lstrip(" \t\r\n")
    if not text:
        return _EMPTY
    decoder = json.JSONDecoder(object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
    try:
        value, _ = decoder.raw_decode(text)
    except json.JSONDecodeError as error:
        raise zitadel_errors.malformed_body(_go_json_message(text, error)) from None
    except _DuplicateField as duplicate:
        raise zitadel_errors.malformed_body(f'proto: duplicate field "{duplicate}"') from None
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
    character = text[error.pos]
    return f"invalid character {character!r} looking for beginning of value"


def _json_token(value: Any) -> str:
    return json.dumps(value)[:40]
