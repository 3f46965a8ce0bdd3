"""Request decoding as ZITADEL's gateway does it: path enums and add bodies."""

from __future__ import annotations

import pytest

from mockserver import Contract, zitadel_errors
from mockserver.decoding import decode_add_type, decode_path_type, parse_go_int32
from mockserver.factors import FactorKind, factor_kinds


@pytest.fixture(scope="module")
def second(contract: Contract) -> FactorKind:
    return factor_kinds(contract)["second"]


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


def test_factor_kinds_come_from_the_contract(contract: Contract) -> None:
    kinds = factor_kinds(contract)
    assert kinds["second"].numbers["SECOND_FACTOR_TYPE_RECOVERY_CODES"] == 5
    assert kinds["second"].numbers["SECOND_FACTOR_TYPE_UNSPECIFIED"] == 0
    assert kinds["multi"].names_by_number == {
        0: "MULTI_FACTOR_TYPE_UNSPECIFIED",
        1: "MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION",
    }


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("SECOND_FACTOR_TYPE_U2F", 2),
        ("2", 2),
        ("0x2", 2),
        ("SECOND_FACTOR_TYPE_UNSPECIFIED", 0),
        ("0", 0),
    ],
)
def test_path_type_accepts_names_and_defined_numbers(second: FactorKind, value: str, number: int) -> None:
    assert decode_path_type(value, second) == number


@pytest.mark.parametrize("value", ["FOO", "6", "-1", "_search", "second_factor_type_otp", " 1"])
def test_path_type_rejects_anything_else(second: FactorKind, value: str) -> None:
    with pytest.raises(zitadel_errors.ZitadelError) as raised:
        decode_path_type(value, second)
    assert raised.value.body() == {
        "code": 3,
        "message": f"type mismatch, parameter: type, error: {value} is not valid",
    }


@pytest.mark.parametrize(
    ("body", "number"),
    [
        (b"", 0),
        (b"   ", 0),
        (b"{}", 0),
        (b'{"type": null}', 0),
        (b'{"type": "SECOND_FACTOR_TYPE_OTP"}', 1),
        (b'{"type": 4}', 4),
        (b'{"type": 4.0}', 4),
        (b'{"type": 9}', 9),
        (b'{"type": "FOO"}', 0),
        (b'{"type": "1"}', 0),
        (b'{"Type": 1}', 0),
        (b'{"type": 1, "unknown": {"deep": [1, 2]}}', 1),
        (b'{"type": 2} trailing garbage', 2),
        (b'\n {"type": 3}', 3),
    ],
)
def test_add_body_decodes_like_protojson(second: FactorKind, body: bytes, number: int) -> None:
    assert decode_add_type(body, second) == number


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
def test_malformed_add_bodies_are_400(second: FactorKind, body: bytes) -> None:
    with pytest.raises(zitadel_errors.ZitadelError) as raised:
        decode_add_type(body, second)
    assert raised.value.code == 3 and raised.value.error_id is None
