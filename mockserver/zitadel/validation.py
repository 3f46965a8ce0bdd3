"""Validate a decoded request as ZITADEL's validation interceptor does: protoc-gen-validate's
rules, read from the contract's `x-pgv`, checked field by field in proto order, the first broken
rule answered with a 400 (gRPC code 3, no details) worded as protoc-gen-validate words it.

Rules understood (protoc-gen-validate's names): `enum: {notIn: [..], in: [..], definedOnly}`,
`string: {minLen, maxLen}`, `bool: {const}`, `repeated: {minItems, maxItems}`; embedded messages
are validated in turn (`embedded message failed validation | caused by: ...`).
"""

from __future__ import annotations

from typing import Any

from mockserver.contract.messages import Field, Message
from mockserver.zitadel.errors import ZitadelError


def validate_message(message: dict[str, Any], shape: Message) -> None:
    """Raise ZITADEL's 400 for the first rule the message breaks."""
    problem = first_problem(message, shape)
    if problem is not None:
        raise ZitadelError(3, problem)


def first_problem(message: dict[str, Any], shape: Message) -> str | None:
    """protoc-gen-validate's message for the first broken rule, or None."""
    for field in shape.fields.values():
        value = message.get(field.name)
        reason = _field_problem(field, value)
        if reason is not None:
            return f"invalid {shape.name}.{field.go_name}: {reason}"
        embedded = _embedded_problem(field, value)
        if embedded is not None:
            where, inner = embedded
            return (
                f"invalid {shape.name}.{field.go_name}{where}: embedded message failed validation | caused by: {inner}"
            )
    return None


def _embedded_problem(field: Field, value: Any) -> tuple[str, str] | None:
    if field.kind != "message" or field.message is None or value is None:
        return None
    items = list(enumerate(value)) if field.repeated else [(None, value)]
    for index, item in items:
        inner = first_problem(item, field.message) if isinstance(item, dict) else None
        if inner is not None:
            return ("" if index is None else f"[{index}]"), inner
    return None


def _field_problem(field: Field, value: Any) -> str | None:
    rules = field.rules
    if field.oneof is not None and value is None:
        return None  # only the member of a oneof that is set is validated
    if field.repeated and "repeated" in rules:
        return _repeated_problem(rules["repeated"], value or [])
    if "enum" in rules and not field.repeated:
        return _enum_problem(rules["enum"], field, value)
    if "string" in rules:
        return _string_problem(rules["string"], value or "")
    if "bool" in rules and "const" in rules["bool"]:
        expected = bool(rules["bool"]["const"])
        if bool(value) != expected:
            return f"value must equal {str(expected).lower()}"
    return None


def _enum_problem(rule: dict[str, Any], field: Field, value: Any) -> str | None:
    number = _number(field, value)
    if "in" in rule and number not in rule["in"]:
        return f"value must be in list {_go_list(rule['in'])}"
    if "notIn" in rule and number in rule["notIn"]:
        return f"value must not be in list {_go_list(rule['notIn'])}"
    if rule.get("definedOnly") and field.enum is not None and not field.enum.is_defined(number):
        return "value must be one of the defined enum values"
    return None


def _number(field: Field, value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str) and field.enum is not None:
        return field.enum.numbers[value]
    return int(value)


def _string_problem(rule: dict[str, Any], value: str) -> str | None:
    length = len(value)
    low, high = rule.get("minLen"), rule.get("maxLen")
    if low is not None and high is not None and not low <= length <= high:
        return f"value length must be between {low} and {high} runes, inclusive"
    if low is not None and length < low:
        return f"value length must be at least {low} runes"
    if high is not None and length > high:
        return f"value length must be at most {high} runes"
    return None


def _repeated_problem(rule: dict[str, Any], value: list[Any]) -> str | None:
    low, high = rule.get("minItems"), rule.get("maxItems")
    if low is not None and len(value) < low:
        return f"value must contain at least {low} item(s)"
    if high is not None and len(value) > high:
        return f"value must contain no more than {high} item(s)"
    return None


def _go_list(values: list[Any]) -> str:
    """A list as Go's `%v` prints it: `[0]`, `[0 1]`."""
    return "[" + " ".join(str(value) for value in values) + "]"
