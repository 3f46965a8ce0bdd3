"""The two error bodies ZITADEL writes, checked on any reply: grpc-gateway's (REST) and
connect-go's (Connect). The rules are the wire formats', the same for every operation:

- REST: `{code: <gRPC code>, message, details?}`; the HTTP status follows from the code; each
  detail is a `zitadel.v1.ErrorDetail` whose id ends the message; a 401 repeats its message in
  `WWW-Authenticate`.
- Connect: `{code: "<snake_case>", message?, details?}`; the status follows from the code; each
  detail is `{type, value, debug}` where `value` is the ErrorDetail's protobuf in base64 without
  padding and says what `debug` says; there is no `WWW-Authenticate`.

The protobuf is decoded here, independently of the mock, so a wrong encoding fails the check.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from mockserver.zitadel.errors import CONNECT_CODES, CONNECT_DETAIL_TYPE, ERROR_DETAIL_TYPE, HTTP_STATUS_FOR_CODE

GATEWAY_STATUSES = {405: 12, 413: 8}  # answered by the gateway with another code than the table's
ISSUE_11730 = (
    "ZITADEL v4.11.0 to v4.13.1 answer a missing token and invalid requests with 500, gRPC code 2 "
    "(`rpc error: code = ...`): a known server bug, ZITADEL issue #11730, fixed by PR #11786"
)


def assert_error_shape(status: int, body: dict[str, Any], www_authenticate: str | None, connect: bool = False) -> None:
    """The rules every error body of its transport keeps, whatever its operation."""
    if is_issue_11730(status, body):
        raise AssertionError(f"HTTP {status} {body.get('message')!r}: {ISSUE_11730}")
    if connect:
        _assert_connect_error(status, body, www_authenticate)
        return
    code, message = body["code"], body["message"]
    expected = GATEWAY_STATUSES.get(status, None)
    mapped = HTTP_STATUS_FOR_CODE.get(code)
    if (expected is not None and code != expected) or (expected is None and mapped != status):
        raise AssertionError(f"HTTP {status} carries gRPC code {code}, which maps to {mapped}")
    for detail in body.get("details", []):
        if detail.get("@type") != ERROR_DETAIL_TYPE or not message.endswith(f"({detail.get('id')})"):
            raise AssertionError(f"detail {detail} does not match the message {message!r}")
    if status == 401 and www_authenticate != message:
        raise AssertionError(f"401 must repeat its message in WWW-Authenticate, got {www_authenticate!r}")


def is_issue_11730(status: int, body: Any) -> bool:
    """The answer of a ZITADEL with the bug of issue #11730 where a 400 or 401 belongs."""
    return (
        status == 500
        and isinstance(body, dict)
        and body.get("code") in (2, "unknown")
        and str(body.get("message", "")).startswith("rpc error: code = ")
    )


def is_error_body(body: Any, connect: bool) -> bool:
    """Whether `body` has the outline of its transport's error (the details are checked apart)."""
    if not isinstance(body, dict):
        return False
    if connect:
        return isinstance(body.get("code"), str) and isinstance(body.get("message", ""), str)
    return type(body.get("code")) is int and isinstance(body.get("message"), str)


def _assert_connect_error(status: int, body: dict[str, Any], www_authenticate: str | None) -> None:
    code, message = body.get("code"), body.get("message", "")
    numbers = [number for number, name in CONNECT_CODES.items() if name == code]
    if not numbers:
        raise AssertionError(f"Connect code {code!r} is not one of connect-go's codes")
    mapped = HTTP_STATUS_FOR_CODE[numbers[0]]
    if mapped != status:
        raise AssertionError(f"HTTP {status} carries the Connect code {code!r}, which maps to {mapped}")
    if "message" in body and not message:
        raise AssertionError('connect-go leaves out an empty message, it does not send `""`')
    for detail in body.get("details", []):
        _assert_connect_detail(detail, message)
    if www_authenticate is not None:
        raise AssertionError(f"connect-go sends no WWW-Authenticate, got {www_authenticate!r}")


def _assert_connect_detail(detail: Any, message: str) -> None:
    if not isinstance(detail, dict) or detail.get("type") != CONNECT_DETAIL_TYPE:
        raise AssertionError(f"detail {detail} is not a {CONNECT_DETAIL_TYPE}")
    value = str(detail.get("value", ""))
    if value.endswith("="):
        raise AssertionError(f"detail value {value!r} is padded; connect-go writes base64 without padding")
    try:
        fields = decode_error_detail(base64.b64decode(value + "=" * (-len(value) % 4), validate=True))
    except (binascii.Error, ValueError) as error:
        raise AssertionError(f"detail value {value!r} is not a zitadel.v1.ErrorDetail in base64: {error}") from None
    debug = detail.get("debug")
    if debug is not None and debug != fields:
        raise AssertionError(f"detail value says {fields}, its debug says {debug}")
    if not message.endswith(f"({fields.get('id')})"):
        raise AssertionError(f"detail {fields} does not match the message {message!r}")


def decode_error_detail(data: bytes) -> dict[str, str]:
    """zitadel.v1.ErrorDetail from protobuf's wire format: field 1 `id`, field 2 `message`."""
    fields: dict[str, str] = {}
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        if key & 7 != 2:
            raise ValueError(f"field {key >> 3} has wire type {key & 7}, not a string")
        length, position = _varint(data, position)
        if position + length > len(data):
            raise ValueError("a string runs past the end")
        name = {1: "id", 2: "message"}.get(key >> 3)
        if name is not None:
            fields[name] = data[position : position + length].decode("utf-8")
        position += length
    return fields


def _varint(data: bytes, position: int) -> tuple[int, int]:
    number, shift = 0, 0
    for _ in range(10):  # a varint has at most ten bytes
        if position >= len(data):
            raise ValueError("a varint runs past the end")
        byte = data[position]
        position += 1
        number |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return number, position
        shift += 7
    raise ValueError("a varint longer than ten bytes")


def error_id(body: Any) -> str | None:
    """The ZITADEL error id of an error body in either shape (`details[0].id`, or Connect's
    `details[0].debug.id`); None for an error without one."""
    details = body.get("details") if isinstance(body, dict) else None
    first = details[0] if isinstance(details, list) and details and isinstance(details[0], dict) else {}
    debug = first.get("debug")
    debug_id = debug.get("id") if isinstance(debug, dict) else None
    return str(first.get("id") or debug_id or "") or None
