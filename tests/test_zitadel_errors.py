"""The mock's error catalog says exactly what the contract's named examples say."""

from __future__ import annotations

import pytest

from mockserver import Contract
from mockserver import zitadel_errors as errors

CATALOG = [
    (errors.auth_header_missing(), "AuthHeaderMissing"),
    (errors.invalid_auth_header(), "InvalidAuthHeader"),
    (errors.invalid_token(), "InvalidToken"),
    (errors.organisation_not_found(), "OrganisationNotFound"),
    (errors.membership_not_found(), "MembershipNotFound"),
    (errors.no_matching_permissions(), "NoMatchingPermissions"),
    (errors.factor_already_exists("management", "second"), "OrgSecondFactorAlreadyExists"),
    (errors.factor_already_exists("management", "multi"), "OrgMultiFactorAlreadyExists"),
    (errors.factor_already_exists("admin", "second"), "InstanceSecondFactorAlreadyExists"),
    (errors.factor_already_exists("admin", "multi"), "InstanceMultiFactorAlreadyExists"),
    (errors.factor_not_existing("management", "second"), "OrgSecondFactorNotExisting"),
    (errors.factor_not_existing("management", "multi"), "OrgMultiFactorNotExisting"),
    (errors.factor_not_existing("admin", "second"), "InstanceSecondFactorNotExisting"),
    (errors.factor_not_existing("admin", "multi"), "InstanceMultiFactorNotExisting"),
    (errors.type_not_in_list("AddSecondFactorToLoginPolicyRequest"), "AddSecondFactorUnspecified"),
    (errors.type_not_defined("AddSecondFactorToLoginPolicyRequest"), "AddSecondFactorUndefined"),
    (errors.type_not_in_list("AddMultiFactorToLoginPolicyRequest"), "AddMultiFactorUnspecified"),
    (errors.type_not_defined("AddMultiFactorToLoginPolicyRequest"), "AddMultiFactorUndefined"),
    (
        errors.type_not_in_list("RemoveSecondFactorFromLoginPolicyRequest"),
        "RemoveSecondFactorUnspecified",
    ),
    (
        errors.type_not_in_list("RemoveMultiFactorFromLoginPolicyRequest"),
        "RemoveMultiFactorUnspecified",
    ),
    (errors.path_type_mismatch("FOO"), "PathTypeMismatch"),
]


@pytest.mark.parametrize(("error", "example"), CATALOG, ids=[name for _, name in CATALOG])
def test_error_body_equals_the_contract_example(contract: Contract, error: errors.ZitadelError, example: str) -> None:
    assert error.body() == contract.node(f"/components/examples/{example}/value")


@pytest.mark.parametrize(
    ("code", "status"),
    [(3, 400), (5, 404), (6, 409), (7, 403), (9, 400), (12, 501), (13, 500), (14, 503), (16, 401)],
)
def test_http_status_follows_the_grpc_code(code: int, status: int) -> None:
    assert errors.ZitadelError(code, "x").http_status == status


def test_only_401_repeats_the_message_in_www_authenticate() -> None:
    assert errors.invalid_token().headers() == {"WWW-Authenticate": "Errors.Token.Invalid (AUTH-7fs1e)"}
    assert errors.no_matching_permissions().headers() == {}


def test_gateway_errors_have_no_details() -> None:
    assert "details" not in errors.method_not_allowed().body()
    assert errors.method_not_allowed().http_status == 405
