"""Request validation as ZITADEL's validation interceptor does it: protoc-gen-validate's rules
from the contract's `x-pgv`, its words, and the first broken rule only."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver import Contract
from mockserver.contract.messages import Field, Message, ProtoEnum, request_shape
from mockserver.zitadel.errors import ZitadelError
from mockserver.zitadel.validation import first_problem, validate_message

FACTOR = ProtoEnum({"X_UNSPECIFIED": 0, "X_ONE": 1, "X_TWO": 2})


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ({}, "invalid AddSecondFactorToLoginPolicyRequest.Type: value must not be in list [0]"),
        ({"type": 9}, "invalid AddSecondFactorToLoginPolicyRequest.Type: value must be one of the defined enum values"),
        ({"type": "SECOND_FACTOR_TYPE_OTP"}, None),
    ],
)
def test_the_shipped_contract_validates_like_zitadel(
    contract: Contract, message: dict[str, Any], problem: str | None
) -> None:
    shape = request_shape(contract, contract.operation("AdminService_AddSecondFactorToLoginPolicy"))
    assert first_problem(message, shape.message) == problem


def test_a_broken_rule_is_a_400_without_details(contract: Contract) -> None:
    shape = request_shape(contract, contract.operation("AdminService_RemoveMultiFactorFromLoginPolicy"))
    with pytest.raises(ZitadelError) as raised:
        validate_message({}, shape.message)
    assert raised.value.body() == {
        "code": 3,
        "message": "invalid RemoveMultiFactorFromLoginPolicyRequest.Type: value must not be in list [0]",
    }


INNER = Message(
    "Thing_Item",
    {"itemId": Field("itemId", "string", rules={"string": {"minLen": 1, "maxLen": 3}})},
)
CONTEXT = Message(
    "RequestContext",
    {
        "orgId": Field("orgId", "string", oneof="owner"),
        "instance": Field("instance", "bool", rules={"bool": {"const": True}}, oneof="owner"),
    },
)
OUTER = Message(
    "ThingRequest",
    {
        "kind": Field("kind", "enum", enum=FACTOR, rules={"enum": {"definedOnly": True}}),
        "items": Field("items", "message", repeated=True, message=INNER),
        "ctx": Field("ctx", "message", message=CONTEXT),
        "passwordlessType": Field("passwordlessType", "enum", enum=FACTOR, rules={"enum": {"in": [0, 1]}}),
    },
)


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ({}, None),
        ({"kind": 7}, "invalid ThingRequest.Kind: value must be one of the defined enum values"),
        ({"passwordlessType": "X_TWO"}, "invalid ThingRequest.PasswordlessType: value must be in list [0 1]"),
        (
            {"items": [{"itemId": "ok"}, {"itemId": ""}]},
            "invalid ThingRequest.Items[1]: embedded message failed validation | caused by: "
            "invalid Thing_Item.ItemId: value length must be between 1 and 3 runes, inclusive",
        ),
        (
            {"ctx": {"instance": False}},
            "invalid ThingRequest.Ctx: embedded message failed validation | caused by: "
            "invalid RequestContext.Instance: value must equal true",
        ),
        ({"ctx": {"orgId": "1"}}, None),
        ({"ctx": {}}, None),
        (
            {"kind": 7, "items": [{"itemId": ""}]},
            "invalid ThingRequest.Kind: value must be one of the defined enum values",
        ),
    ],
)
def test_protoc_gen_validate_words_and_order(message: dict[str, Any], problem: str | None) -> None:
    assert first_problem(message, OUTER) == problem
