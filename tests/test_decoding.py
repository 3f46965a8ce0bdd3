"""Request decoding as ZITADEL's gateway does it, for any operation: path enums, JSON bodies
(protojson), query parameters; numbers, names, durations, unknown fields, oneofs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver import Contract, load_spec
from mockserver.contract.messages import RequestShape, request_shape
from mockserver.zitadel.decoding import decode_request, parse_go_int32
from mockserver.zitadel.errors import ZitadelError
from tests.conftest import minimal_document


def shape_of(contract: Contract, operation_id: str) -> RequestShape:
    return request_shape(contract, contract.operation(operation_id))


@pytest.fixture(scope="module")
def add_second(contract: Contract) -> RequestShape:
    return shape_of(contract, "ManagementService_AddSecondFactorToLoginPolicy")


@pytest.fixture(scope="module")
def remove_second(contract: Contract) -> RequestShape:
    return shape_of(contract, "ManagementService_RemoveSecondFactorFromLoginPolicy")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1", 1),
        ("0", 0),
        ("+5", 5),
        ("-1", -1),
        ("0x5", 5),
        ("0b11", 3),
        ("0o7", 7),
        ("017", 15),
        ("1_0", 10),
        ("0_7", 7),
    ],
)
def test_go_integers_parse_like_strconv_base_zero(text: str, number: int) -> None:
    assert parse_go_int32(text) == number


@pytest.mark.parametrize("text", ["", " 1", "1 ", "09", "1.0", "_1", "1__0", "2147483648", "１", "one"])
def test_go_integer_errors(text: str) -> None:
    assert parse_go_int32(text) is None


def test_enum_numbers_come_from_the_contract(add_second: RequestShape) -> None:
    enum = add_second.message.fields["type"].enum
    assert enum is not None
    assert (
        enum.numbers["SECOND_FACTOR_TYPE_RECOVERY_CODES"] == 5 and enum.numbers["SECOND_FACTOR_TYPE_UNSPECIFIED"] == 0
    )
    assert add_second.message.name == "AddSecondFactorToLoginPolicyRequest" and add_second.reads_body


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ("SECOND_FACTOR_TYPE_U2F", {"type": "SECOND_FACTOR_TYPE_U2F"}),
        ("2", {"type": "SECOND_FACTOR_TYPE_U2F"}),
        ("0x2", {"type": "SECOND_FACTOR_TYPE_U2F"}),
        ("SECOND_FACTOR_TYPE_UNSPECIFIED", {}),
        ("0", {}),
    ],
)
def test_path_enum_accepts_names_and_defined_numbers(remove_second: RequestShape, value: str, decoded: Any) -> None:
    assert decode_request(remove_second, {"type": value}, {}, b"") == decoded


@pytest.mark.parametrize("value", ["FOO", "6", "-1", "_search", "second_factor_type_otp", " 1"])
def test_path_enum_rejects_anything_else(remove_second: RequestShape, value: str) -> None:
    with pytest.raises(ZitadelError) as raised:
        decode_request(remove_second, {"type": value}, {}, b"")
    assert raised.value.body() == {"code": 3, "message": f"type mismatch, parameter: type, error: {value} is not valid"}


@pytest.mark.parametrize(
    ("body", "decoded"),
    [
        (b"", {}),
        (b"   ", {}),
        (b"{}", {}),
        (b'{"type": null}', {}),
        (b'{"type": "SECOND_FACTOR_TYPE_OTP"}', {"type": "SECOND_FACTOR_TYPE_OTP"}),
        (b'{"type": 4}', {"type": "SECOND_FACTOR_TYPE_OTP_SMS"}),
        (b'{"type": 4.0}', {"type": "SECOND_FACTOR_TYPE_OTP_SMS"}),
        (b'{"type": 9}', {"type": 9}),
        (b'{"type": 0}', {}),
        (b'{"type": "FOO"}', {}),
        (b'{"type": "1"}', {}),
        (b'{"Type": 1}', {}),
        (b'{"type": 1, "unknown": {"deep": [1, 2]}}', {"type": "SECOND_FACTOR_TYPE_OTP"}),
        (b'{"type": 2} trailing garbage', {"type": "SECOND_FACTOR_TYPE_U2F"}),
        (b'\n {"type": 3}', {"type": "SECOND_FACTOR_TYPE_OTP_EMAIL"}),
    ],
)
def test_body_decodes_like_protojson(add_second: RequestShape, body: bytes, decoded: Any) -> None:
    assert decode_request(add_second, {}, {}, body) == decoded


@pytest.mark.parametrize(
    "body",
    [
        b"{x",
        b"{",
        b'{"type": 1',
        b"[1]",
        b"1",
        b'"x"',
        b"null",
        b'{"type": true}',
        b'{"type": {}}',
        b'{"type": 1.5}',
        b'{"type": 1e300}',
        b'{"type": 4294967296}',
        b'{"type": 1, "type": 2}',
        b"NaN",
        b'{"type": NaN}',
    ],
)
def test_malformed_bodies_are_400_without_details(add_second: RequestShape, body: bytes) -> None:
    with pytest.raises(ZitadelError) as raised:
        decode_request(add_second, {}, {}, body)
    assert raised.value.code == 3 and raised.value.detail is None and raised.value.http_status == 400


# A tiny contract of our own, for what the shipped one does not have yet ---------------------------

ENUM = {
    "type": "string",
    "enum": ["COLOUR_RED", "COLOUR_BLUE"],
    "x-proto-enum": {"COLOUR_UNSPECIFIED": 0, "COLOUR_RED": 1, "COLOUR_CRIMSON": 1, "COLOUR_BLUE": 2},
}
MESSAGE = {
    "type": "object",
    "properties": {
        "colours": {"type": "array", "items": {"$ref": "#/components/schemas/Colour"}},
        "lifetime": {"$ref": "#/components/schemas/Duration", "default": "0s"},
        "ctx": {"$ref": "#/components/schemas/Context"},
        "name": {"type": "string"},
        "flag": {"type": "boolean"},
    },
}


@pytest.fixture
def shapes(spec_factory: Callable[..., Path]) -> dict[str, RequestShape]:
    document = minimal_document(
        {
            "/things": {
                "post": {
                    "operationId": "ThingService_AddThing",
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AddThing"}}}
                    },
                    "responses": {"200": {"description": "ok"}},
                },
                "get": {
                    "operationId": "ThingService_GetThing",
                    "x-proto-request": "#/components/schemas/AddThing",
                    "parameters": [
                        {"name": "ctx.orgId", "in": "query", "schema": {"type": "string"}},
                        {"name": "ctx.instance", "in": "query", "schema": {"type": "boolean"}},
                        {"name": "colours", "in": "query", "schema": {"type": "array", "items": ENUM}},
                    ],
                    "responses": {"200": {"description": "ok"}},
                },
            }
        }
    )
    document["components"] = {
        "schemas": {
            "Colour": ENUM,
            "Duration": {"type": "string", "x-proto": "google.protobuf.Duration"},
            "Context": {
                "type": "object",
                "properties": {
                    "orgId": {"type": "string", "x-proto-oneof": "owner"},
                    "instance": {"type": "boolean", "x-proto-oneof": "owner"},
                },
            },
            "AddThing": MESSAGE,
        }
    }
    contract = load_spec(spec_factory(document))
    return {op.operation_id: request_shape(contract, op) for op in contract.operations}


@pytest.mark.parametrize(
    ("body", "decoded"),
    [
        (b"{}", {"lifetime": "0s"}),
        (b'{"lifetime": "864000s"}', {"lifetime": "864000s"}),
        (b'{"lifetime": "1.5s"}', {"lifetime": "1.500s"}),
        (b'{"lifetime": "0.000000001s"}', {"lifetime": "0.000000001s"}),
        (b'{"lifetime": "-5s"}', {"lifetime": "-5s"}),
        (
            b'{"colours": ["FOO", "COLOUR_BLUE", 1, 0, 9]}',
            {"colours": ["COLOUR_BLUE", "COLOUR_RED", 0, 9], "lifetime": "0s"},
        ),
        (b'{"colours": ["COLOUR_CRIMSON"]}', {"colours": ["COLOUR_RED"], "lifetime": "0s"}),
        (b'{"colours": []}', {"lifetime": "0s"}),
        (b'{"name": "", "flag": false}', {"lifetime": "0s"}),
        (b'{"ctx": {"instance": false}}', {"ctx": {"instance": False}, "lifetime": "0s"}),
        (b'{"ctx": {}}', {"ctx": {}, "lifetime": "0s"}),
        (b'{"ctx": {"org_id": "7"}}', {"ctx": {"orgId": "7"}, "lifetime": "0s"}),
    ],
)
def test_protojson_rules_for_lists_durations_aliases_and_oneofs(
    shapes: dict[str, RequestShape], body: bytes, decoded: Any
) -> None:
    assert decode_request(shapes["ThingService_AddThing"], {}, {}, body) == decoded


@pytest.mark.parametrize(
    "body", [b'{"lifetime": "10d"}', b'{"lifetime": 5}', b'{"colours": "COLOUR_RED"}', b'{"name": 5}', b'{"ctx": 1}']
)
def test_wrong_json_types_are_400(shapes: dict[str, RequestShape], body: bytes) -> None:
    with pytest.raises(ZitadelError) as raised:
        decode_request(shapes["ThingService_AddThing"], {}, {}, body)
    assert raised.value.code == 3


@pytest.mark.parametrize(
    ("query", "decoded"),
    [
        ({}, {}),
        ({"ctx.orgId": ["42"]}, {"ctx": {"orgId": "42"}}),
        ({"ctx.org_id": ["42"]}, {"ctx": {"orgId": "42"}}),
        ({"ctx.instance": ["true"]}, {"ctx": {"instance": True}}),
        ({"ctx.instance": ["false"]}, {"ctx": {"instance": False}}),
        ({"unknown": ["x"]}, {}),
        ({"colours": ["COLOUR_RED", "2"]}, {"colours": ["COLOUR_RED", "COLOUR_BLUE"]}),
    ],
)
def test_query_parameters_set_message_fields(
    shapes: dict[str, RequestShape], query: dict[str, list[str]], decoded: Any
) -> None:
    expected = {**decoded, "lifetime": "0s"}
    assert decode_request(shapes["ThingService_GetThing"], {}, query, b"ignored on GET") == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"ctx.instance": ["yes"]}, 'parsing field "instance": strconv.ParseBool: parsing "yes": invalid syntax'),
        ({"ctx.orgId": ["1"], "ctx.instance": ["true"]}, 'field already set for oneof "owner"'),
        ({"ctx.orgId": ["a", "b"]}, 'too many values for field "org_id": a, b'),
    ],
)
def test_bad_query_parameters_are_400_with_grpc_gateways_words(
    shapes: dict[str, RequestShape], query: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(ZitadelError) as raised:
        decode_request(shapes["ThingService_GetThing"], {}, query, b"")
    assert raised.value.body() == {"code": 3, "message": message}
