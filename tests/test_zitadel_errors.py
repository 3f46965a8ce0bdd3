"""ZITADEL's error answers: the gateway's catalogue read from the contract, the two error bodies
(grpc-gateway's and Connect's) and the code-to-status table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockserver import Contract, SpecError, load_spec
from mockserver.zitadel.errors import GATEWAY_ERRORS, ErrorCatalogue, ZitadelError
from tests.conftest import minimal_document


@pytest.mark.parametrize("name", GATEWAY_ERRORS)
def test_each_gateway_error_answers_exactly_its_contract_example(contract: Contract, name: str) -> None:
    entry = contract.node(f"/x-zitadel-gateway/errors/{name}")
    error = ErrorCatalogue.from_contract(contract).error(name)
    assert error.body() == contract.resolve(entry["example"])["value"]
    assert error.http_status == entry["status"]


def test_a_contract_without_the_gateways_errors_is_refused(spec_factory: Callable[..., Path]) -> None:
    with pytest.raises(SpecError, match="'routeNotFound' error needs an entry"):
        ErrorCatalogue.from_contract(load_spec(spec_factory(minimal_document())))


@pytest.mark.parametrize(
    ("code", "status"),
    [(3, 400), (5, 404), (6, 409), (7, 403), (9, 400), (12, 501), (13, 500), (14, 503), (16, 401)],
)
def test_http_status_follows_the_grpc_code(code: int, status: int) -> None:
    assert ZitadelError(code, "x").http_status == status


def test_zitadels_own_errors_carry_one_detail_and_gateway_errors_none() -> None:
    raised = ZitadelError.raised(6, "Multifactor already exists", "Org-2B0ps")
    assert raised.body() == {
        "code": 6,
        "message": "Multifactor already exists (Org-2B0ps)",
        "details": [
            {
                "@type": "type.googleapis.com/zitadel.v1.ErrorDetail",
                "id": "Org-2B0ps",
                "message": "Multifactor already exists",
            }
        ],
    }
    assert "details" not in ZitadelError(12, "Method Not Allowed", http_status=405).body()


# The bodies below are ZITADEL's, as connect-go writes them (value: the ErrorDetail's protobuf, base64).
def test_connect_body_of_a_zitadel_error() -> None:
    error = ZitadelError.raised(16, "Errors.Token.Invalid", "AUTH-7fs1e")
    assert error.connect_body() == {
        "code": "unauthenticated",
        "message": "Errors.Token.Invalid (AUTH-7fs1e)",
        "details": [
            {
                "type": "zitadel.v1.ErrorDetail",
                "value": "CgpBVVRILTdmczFlEhRFcnJvcnMuVG9rZW4uSW52YWxpZA",
                "debug": {"id": "AUTH-7fs1e", "message": "Errors.Token.Invalid"},
            }
        ],
    }
    membership = ZitadelError.raised(5, "membership not found", "AUTHZ-cdgFk").connect_body()
    assert membership["details"][0]["value"] == "CgtBVVRIWi1jZGdGaxIUbWVtYmVyc2hpcCBub3QgZm91bmQ"


def test_connect_body_of_a_plain_status_has_no_details() -> None:
    assert ZitadelError(16, "auth header missing").connect_body() == {
        "code": "unauthenticated",
        "message": "auth header missing",
    }


@pytest.mark.parametrize(
    "body",
    [
        {
            "code": 6,
            "message": "Multifactor already exists (Org-2B0ps)",
            "details": [{"@type": "x", "id": "Org-2B0ps", "message": "Multifactor already exists"}],
        },
        {
            "code": "not_found",
            "message": "membership not found (AUTHZ-cdgFk)",
            "details": [{"type": "x", "value": "v", "debug": {"id": "AUTHZ-cdgFk", "message": "membership not found"}}],
        },
    ],
)
def test_examples_in_either_form_read_back_as_the_same_error(body: dict[str, object]) -> None:
    error = ZitadelError.from_example(409, body)
    assert error.error_id in ("Org-2B0ps", "AUTHZ-cdgFk") and error.http_status == 409
