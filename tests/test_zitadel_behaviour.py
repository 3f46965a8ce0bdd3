"""The mock answers like ZITADEL: order of checks, auth, fallback, state, details, encodings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ACME, GLOBEX, INSTANCE, A, M, bearer

OTP, U2F = "SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_U2F"
PASSKEY = "MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION"


def test_acme_second_factors_are_listed_exactly_as_zitadel_writes_them(client: Any) -> None:
    response = client.post(f"{M}/second_factors/_search", headers=bearer("acme-owner"))
    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.get_data(as_text=True) == (
        '{"details":{"totalResult":"1","viewTimestamp":"2026-07-10T09:01:02.641Z"},"result":["SECOND_FACTOR_TYPE_OTP"]}'
    )
    assert response.headers["Cache-Control"] == "no-store"


def test_empty_list_omits_result_and_total(client: Any) -> None:
    response = client.post(f"{M}/auth_factors/_search", headers=bearer("acme-owner"))
    assert response.json == {"details": {"viewTimestamp": "2026-07-10T09:01:02.641Z"}}


def test_org_without_custom_policy_lists_the_instance_default(client: Any) -> None:
    headers = bearer("iam-owner", **{"x-zitadel-orgid": GLOBEX})
    assert client.post(f"{M}/second_factors/_search", headers=headers).json["result"] == [OTP, U2F]
    assert client.post(f"{M}/auth_factors/_search", headers=headers).json["result"] == [PASSKEY]


def test_admin_lists_the_instance_default(client: Any) -> None:
    response = client.post(f"{A}/second_factors/_search", headers=bearer("iam-owner"))
    assert response.json["result"] == [OTP, U2F] and response.json["details"]["totalResult"] == "2"


def test_list_ignores_any_body(client: Any) -> None:
    for body in (b"not json at all", b"[1,2", b'{"query": {"limit": 1}}'):
        response = client.post(f"{M}/second_factors/_search", data=body, headers=bearer("acme-owner"))
        assert response.status_code == 200 and response.json["result"] == [OTP]


def test_add_then_list_shows_the_factor_in_added_order(client: Any) -> None:
    added = client.post(
        f"{M}/second_factors",
        json={"type": "SECOND_FACTOR_TYPE_OTP_SMS"},
        headers=bearer("acme-owner"),
    )
    assert added.status_code == 200
    listed = client.post(f"{M}/second_factors/_search", headers=bearer("acme-owner")).json
    assert listed["result"] == [OTP, "SECOND_FACTOR_TYPE_OTP_SMS"]
    assert listed["details"]["totalResult"] == "2"
    assert "processedSequence" not in listed["details"]  # ZITADEL leaves it zero (reference, corrections)
    assert listed["details"]["viewTimestamp"] == added.json["details"]["creationDate"]


def test_add_details_have_creation_date_and_org_owner(client: Any) -> None:
    details = client.post(f"{M}/multi_factors", json={"type": PASSKEY}, headers=bearer("acme-owner")).json["details"]
    assert set(details) == {"sequence", "creationDate", "resourceOwner"}
    assert details["sequence"] == "5" and details["resourceOwner"] == ACME


def test_remove_details_have_change_date_and_instance_owner(client: Any) -> None:
    details = client.delete(f"{A}/second_factors/{U2F}", headers=bearer("iam-owner")).json["details"]
    assert set(details) == {"sequence", "changeDate", "resourceOwner"}
    assert details["sequence"] == "13" and details["resourceOwner"] == INSTANCE


def test_sequences_grow_per_aggregate(client: Any) -> None:
    org = [client.post(f"{M}/second_factors", json={"type": t}, headers=bearer("acme-owner")).json for t in (2, 3)]
    instance = client.post(f"{A}/second_factors", json={"type": 3}, headers=bearer("iam-owner")).json
    assert [o["details"]["sequence"] for o in org] == ["5", "6"]
    assert instance["details"]["sequence"] == "13"


def test_second_add_is_409_with_zitadels_body(client: Any) -> None:
    response = client.post(f"{M}/second_factors", json={"type": 1}, headers=bearer("acme-owner"))
    assert response.status_code == 409
    assert response.json["details"][0]["id"] == "Org-2B0ps"


def test_admin_duplicate_message_is_the_untranslated_key(client: Any) -> None:
    response = client.post(f"{A}/multi_factors", json={"type": 1}, headers=bearer("iam-owner"))
    assert response.status_code == 409
    assert response.json["message"] == "Errors.Instance.MFA.AlreadyExists (INSTANCE-3M9od)"


def test_remove_then_list_no_longer_shows_it_and_a_second_remove_is_404(client: Any) -> None:
    assert client.delete(f"{M}/second_factors/1", headers=bearer("acme-owner")).status_code == 200
    assert "result" not in client.post(f"{M}/second_factors/_search", headers=bearer("acme-owner")).json
    again = client.delete(f"{M}/second_factors/{OTP}", headers=bearer("acme-owner"))
    assert again.status_code == 404 and again.json["details"][0]["id"] == "Org-3M9od"


def test_add_on_org_without_policy_is_recorded_but_lists_keep_the_default(client: Any) -> None:
    headers = bearer("iam-owner", **{"x-zitadel-orgid": GLOBEX})
    added = client.post(f"{M}/second_factors", json={"type": "SECOND_FACTOR_TYPE_OTP_EMAIL"}, headers=headers)
    assert added.status_code == 200 and added.json["details"]["resourceOwner"] == GLOBEX
    assert client.post(f"{M}/second_factors/_search", headers=headers).json["result"] == [OTP, U2F]
    assert client.post(f"{M}/second_factors", json={"type": 3}, headers=headers).status_code == 409
    assert client.delete(f"{M}/second_factors/3", headers=headers).status_code == 200


def test_removing_a_default_factor_from_an_org_without_policy_is_404(client: Any) -> None:
    headers = bearer("iam-owner", **{"x-zitadel-orgid": GLOBEX})
    response = client.delete(f"{M}/second_factors/{OTP}", headers=headers)
    assert response.status_code == 404 and response.json["details"][0]["id"] == "Org-3M9od"


def test_numbers_are_accepted_where_names_are(client: Any) -> None:
    assert client.post(f"{A}/second_factors", json={"type": 5}, headers=bearer("iam-owner")).status_code == 200
    listed = client.post(f"{A}/second_factors/_search", headers=bearer("iam-owner")).json["result"]
    assert listed[-1] == "SECOND_FACTOR_TYPE_RECOVERY_CODES"
    assert client.delete(f"{A}/second_factors/5", headers=bearer("iam-owner")).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "value must not be in list [0]"),
        ({"type": 0}, "value must not be in list [0]"),
        ({"type": "SECOND_FACTOR_TYPE_UNSPECIFIED"}, "value must not be in list [0]"),
        ({"type": "FOO"}, "value must not be in list [0]"),
        ({"type": 7}, "value must be one of the defined enum values"),
    ],
)
def test_unspecified_or_unknown_types_are_400(client: Any, body: dict[str, Any], message: str) -> None:
    response = client.post(f"{M}/second_factors", json=body, headers=bearer("acme-owner"))
    assert response.status_code == 400
    assert response.json == {
        "code": 3,
        "message": f"invalid AddSecondFactorToLoginPolicyRequest.Type: {message}",
    }


def test_remove_unspecified_is_400_from_validation(client: Any) -> None:
    response = client.delete(f"{A}/multi_factors/0", headers=bearer("iam-owner"))
    assert response.json == {
        "code": 3,
        "message": "invalid RemoveMultiFactorFromLoginPolicyRequest.Type: value must not be in list [0]",
    }


def test_missing_token_is_401_with_www_authenticate(client: Any) -> None:
    response = client.post(f"{M}/second_factors/_search")
    assert response.status_code == 401
    assert response.json == {"code": 16, "message": "auth header missing"}
    assert response.headers["WWW-Authenticate"] == "auth header missing"


@pytest.mark.parametrize("header", ["bearer acme-owner", "Basic YWNtZQ==", "acme-owner", "Bearer a Bearer b"])
def test_header_without_exact_bearer_prefix_is_invalid(client: Any, header: str) -> None:
    response = client.post(f"{M}/second_factors/_search", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json["message"] == "invalid auth header (AUTH-toLo1)"
    assert response.headers["WWW-Authenticate"] == "invalid auth header (AUTH-toLo1)"


@pytest.mark.parametrize("header", ["Bearer nobody", "Bearer ", "Bearer acme-owner "])
def test_unknown_token_is_invalid_token(client: Any, header: str) -> None:
    response = client.post(f"{A}/second_factors/_search", headers={"Authorization": header})
    assert response.status_code == 401 and response.json["details"][0]["id"] == "AUTH-7fs1e"


def test_unknown_org_is_403_for_management_and_admin(client: Any) -> None:
    headers = bearer("iam-owner", **{"x-zitadel-orgid": "999"})
    for path in (f"{M}/second_factors/_search", f"{A}/second_factors/_search"):
        response = client.post(path, headers=headers)
        assert response.status_code == 403 and response.json["details"][0]["id"] == "AUTH-Bs7Ds"


def test_no_membership_is_404(client: Any) -> None:
    response = client.post(f"{M}/second_factors/_search", headers=bearer("outsider"))
    assert response.status_code == 404 and response.json["details"][0]["id"] == "AUTHZ-cdgFk"
    other_org = bearer("acme-owner", **{"x-zitadel-orgid": GLOBEX})
    assert client.post(f"{M}/second_factors/_search", headers=other_org).status_code == 404


@pytest.mark.parametrize(
    ("token", "method", "path", "status"),
    [
        ("acme-viewer", "post", f"{M}/second_factors/_search", 200),
        ("acme-viewer", "post", f"{M}/second_factors", 403),
        ("login-client", "post", f"{M}/auth_factors/_search", 200),
        ("login-client", "post", f"{A}/multi_factors/_search", 200),
        ("login-client", "post", f"{A}/multi_factors", 403),
        ("acme-owner", "post", f"{A}/second_factors/_search", 403),
        ("acme-owner", "delete", f"{M}/second_factors/1", 200),
        ("iam-owner", "delete", f"{A}/multi_factors/1", 200),
    ],
)
def test_roles_grant_the_permissions_of_the_reference(
    client: Any, token: str, method: str, path: str, status: int
) -> None:
    body = {"type": 2} if method == "post" and not path.endswith("_search") else None
    response = client.open(path, method=method.upper(), json=body, headers=bearer(token))
    assert response.status_code == status, response.json
    if status == 403:
        assert response.json["details"][0]["id"] == "AUTH-5mWD2"


def test_decoding_errors_come_before_authentication(client: Any) -> None:
    assert client.post(f"{M}/second_factors", data=b"{x").status_code == 400
    assert client.delete(f"{M}/second_factors/FOO").json["message"].startswith("type mismatch")


def test_authentication_comes_before_validation(client: Any) -> None:
    assert client.post(f"{M}/second_factors", json={"type": 0}).status_code == 401


def test_permission_comes_before_validation_and_business(client: Any) -> None:
    response = client.post(f"{M}/second_factors", json={"type": 0}, headers=bearer("acme-viewer"))
    assert response.status_code == 403


def test_routing_404_and_405(client: Any) -> None:
    assert client.post(f"{M}/third_factors/_search").json == {"code": 5, "message": "Not Found"}
    not_allowed = client.get(f"{M}/second_factors/_search")
    assert not_allowed.status_code == 405 and not_allowed.json == {
        "code": 12,
        "message": "Method Not Allowed",
    }
    assert "Allow" not in not_allowed.headers
    assert client.post(f"{M}/second_factors/{OTP}").status_code == 405
    assert client.delete(f"{M}/second_factors/_search").status_code == 400


def test_management_and_admin_multi_factor_lists_live_at_different_paths(client: Any) -> None:
    assert client.post(f"{M}/multi_factors/_search", headers=bearer("iam-owner")).status_code == 405
    assert client.post(f"{A}/auth_factors/_search", headers=bearer("iam-owner")).status_code == 404


def test_any_content_type_is_read_as_json(client: Any) -> None:
    response = client.post(
        f"{M}/second_factors",
        data=b'{"type": 2}',
        content_type="text/plain",
        headers=bearer("acme-owner"),
    )
    assert response.status_code == 200
    assert "X-Mock-Request-Violation" in response.headers  # the contract says application/json


@pytest.mark.parametrize("body", [b"\xff\xfe", b"\x80abc", b'{"type": 3}\xff'])
def test_undecodable_bodies_are_answered_not_crashed_on(client: Any, body: bytes) -> None:
    response = client.post(
        f"{M}/second_factors",
        data=body,
        headers=bearer("iam-owner", **{"Content-Type": "application/json"}),
    )
    assert response.status_code in (200, 400)
    assert "X-Mock-Request-Violation" in response.headers


def test_violation_headers_carry_printable_ascii_only(client: Any) -> None:
    # A raw control character in a body that is not JSON reaches openapi-core's message as it is.
    response = client.post(
        f"{M}/second_factors",
        data=b'{"\x01": 1}',
        headers=bearer("iam-owner", **{"Content-Type": "application/json"}),
    )
    value = response.headers["X-Mock-Request-Violation"]
    assert '{"?": 1}' in value  # the control character was there, and was replaced
    assert all(" " <= character <= "~" for character in value)
