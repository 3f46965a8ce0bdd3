"""The login policy itself (get, create, update, reset; the instance default; the v2 read), and
every surprise of ZITADEL's that a mock author would get wrong, against the mock.

Expected values are ZITADEL's as read from its source (docs/zitadel-behaviour.md restates them):
the demo world's policies, the error ids and texts, which fields are left out. Each test names the
surprise it holds the mock to.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from mockserver.server.app import create_app
from tests.conftest import ACME, GLOBEX, INSTANCE, REPO_ROOT, M, bearer

A = "/admin/v1/policies/login"
V2 = "/v2/settings/login"
CONNECT = "/zitadel.settings.v2.SettingsService/GetLoginSettings"
OTP, U2F, EMAIL = "SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_U2F", "SECOND_FACTOR_TYPE_OTP_EMAIL"
PASSKEY = "MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION"
LIFETIMES = {
    "passwordCheckLifetime": "864000s",
    "externalLoginCheckLifetime": "864000s",
    "mfaInitSkipLifetime": "2592000s",
    "secondFactorCheckLifetime": "64800s",
    "multiFactorCheckLifetime": "43200s",
}
ZERO_LIFETIMES = dict.fromkeys(LIFETIMES, "0s")
# A fresh instance's default login policy (ZITADEL's cmd/defaults.yaml and instance setup).
DEFAULT_FIELDS = {
    "allowUsernamePassword": True,
    "allowRegister": True,
    "allowExternalIdp": True,
    "passwordlessType": "PASSWORDLESS_TYPE_ALLOWED",
    "isDefault": True,
    **LIFETIMES,
    "secondFactors": [OTP, U2F],
    "multiFactors": [PASSKEY],
    "allowDomainDiscovery": True,
}


def as_org(token: str, org: str, **headers: str) -> dict[str, str]:
    return bearer(token, **{"x-zitadel-orgid": org, **headers})


def policy_of(client: Any, org: str) -> Any:
    response = client.get(M, headers=as_org("iam-owner", org))
    assert response.status_code == 200, response.json
    return response.json


def without_details(policy: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in policy.items() if key != "details"}


def error_id(response: Any) -> str:
    return str(response.json["details"][0]["id"])


# The demo world and the reads -----------------------------------------------------------------------


def test_the_instance_default_is_a_fresh_instances(client: Any) -> None:
    answer = client.get(A, headers=bearer("iam-owner")).json
    assert without_details(answer["policy"]) == DEFAULT_FIELDS
    assert answer["policy"]["details"]["resourceOwner"] == INSTANCE
    assert set(answer["policy"]["details"]) == {"sequence", "creationDate", "changeDate", "resourceOwner"}
    assert "isDefault" not in answer  # only GetLoginPolicy (management) repeats it outside
    assert client.get(f"{M.rsplit('/', 1)[0]}/default/login", headers=as_org("acme-owner", ACME)).json == answer


def test_acme_reads_its_own_policy_without_isdefault(client: Any) -> None:
    answer = policy_of(client, ACME)
    assert set(answer) == {"policy"}
    assert without_details(answer["policy"]) == {
        "allowUsernamePassword": True,
        "allowRegister": True,
        **LIFETIMES,
        "secondFactors": [OTP],
    }
    assert answer["policy"]["details"]["resourceOwner"] == ACME


def test_surprise_6_an_org_without_a_custom_policy_reads_the_default_with_isdefault_twice(client: Any) -> None:
    answer = policy_of(client, GLOBEX)
    assert answer["isDefault"] is True and answer["policy"]["isDefault"] is True
    assert answer["policy"]["details"]["resourceOwner"] == INSTANCE  # not globex


# Surprises 1-5: writes -----------------------------------------------------------------------------


def test_surprise_1_reset_needs_policy_delete_not_policy_write(tmp_path: Path) -> None:
    # ZITADEL's default roles grant both or neither; an operator's own role may grant only one.
    fixtures = tmp_path / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", fixtures)
    world = (fixtures / "world.yaml").read_text(encoding="utf-8")
    world = world.replace("rolePermissions:\n", "rolePermissions:\n  POLICY_EDITOR: [policy.read, policy.write]\n")
    world = world.replace(
        "users:\n",
        "users:\n  - token: policy-editor\n    id: '252000000000000009'\n    organization: '251000000000000001'\n"
        "    memberships:\n      - {scope: '251000000000000001', roles: [POLICY_EDITOR]}\n",
        1,
    )
    (fixtures / "world.yaml").write_text(world, encoding="utf-8")
    client = create_app(fixtures_dir=fixtures, test_config={"TESTING": True}).test_client()
    editor = bearer("policy-editor")
    assert client.put(M, json={"forceMfa": True}, headers=editor).status_code == 200  # policy.write
    denied = client.delete(M, headers=editor)
    assert denied.status_code == 403 and error_id(denied) == "AUTH-5mWD2"
    assert client.delete(M, headers=bearer("acme-owner")).status_code == 200
    no_membership = client.delete(M, headers=as_org("outsider", GLOBEX))
    assert no_membership.status_code == 404 and error_id(no_membership) == "AUTHZ-cdgFk"


def test_surprise_2_a_custom_policy_inherits_nothing(client: Any) -> None:
    created = client.post(M, json={"allowUsernamePassword": True}, headers=as_org("iam-owner", GLOBEX))
    assert created.status_code == 200, created.json
    assert set(created.json["details"]) == {"sequence", "creationDate", "resourceOwner"}  # no changeDate
    assert created.json["details"]["resourceOwner"] == GLOBEX
    policy = policy_of(client, GLOBEX)["policy"]
    assert without_details(policy) == {"allowUsernamePassword": True, **ZERO_LIFETIMES}  # no factors at all


def test_surprise_2_an_empty_body_creates_an_empty_policy(client: Any) -> None:
    assert client.post(M, headers=as_org("iam-owner", GLOBEX)).status_code == 200
    assert without_details(policy_of(client, GLOBEX)["policy"]) == ZERO_LIFETIMES


def test_surprise_3_updates_replace_every_field(client: Any) -> None:
    changed = client.put(M, json={"forceMfa": True}, headers=bearer("acme-owner"))
    assert changed.status_code == 200, changed.json
    assert set(changed.json["details"]) == {"sequence", "changeDate", "resourceOwner"}  # no creationDate
    policy = policy_of(client, ACME)["policy"]
    assert without_details(policy) == {"forceMfa": True, **ZERO_LIFETIMES, "secondFactors": [OTP]}


def test_surprise_3_the_same_update_twice_is_400_with_code_9(client: Any) -> None:
    body = {"allowUsernamePassword": True, "allowRegister": True, **LIFETIMES}  # acme's values already
    again = client.put(M, json=body, headers=bearer("acme-owner"))
    assert again.status_code == 400
    assert again.json == {
        "code": 9,
        "message": "Errors.Org.LoginPolicy.NotChanged (Org-5M9vdd)",
        "details": [
            {
                "@type": "type.googleapis.com/zitadel.v1.ErrorDetail",
                "id": "Org-5M9vdd",
                "message": "Errors.Org.LoginPolicy.NotChanged",
            }
        ],
    }
    default = {key: value for key, value in DEFAULT_FIELDS.items() if key not in ("isDefault", "secondFactors")}
    default.pop("multiFactors")
    admin = client.put(A, json=default, headers=bearer("iam-owner"))
    assert admin.status_code == 400 and admin.json["code"] == 9
    assert admin.json["message"] == "Default Login Policy has not been changed (INSTANCE-5M9vdd)"


def test_surprise_4_an_update_cannot_change_factors(client: Any) -> None:
    body = {"allowRegister": True, **LIFETIMES, "secondFactors": [U2F], "multiFactors": [PASSKEY]}
    assert client.put(M, json=body, headers=bearer("acme-owner")).status_code == 200
    policy = policy_of(client, ACME)["policy"]
    assert policy["secondFactors"] == [OTP] and "multiFactors" not in policy and "allowUsernamePassword" not in policy


def test_surprise_5_omission_rules_differ_by_field(client: Any) -> None:
    assert client.put(M, json={"passwordlessType": 0}, headers=bearer("acme-owner")).status_code == 200
    policy = policy_of(client, ACME)["policy"]
    assert "passwordlessType" not in policy and "isDefault" not in policy
    assert all(policy[name] == "0s" for name in LIFETIMES)  # Durations are messages: always written
    listed = client.post(f"{M}/auth_factors/_search", headers=bearer("acme-owner")).json
    assert "result" not in listed and "totalResult" not in listed["details"]


def test_the_admin_update_changes_the_default_everyone_without_a_custom_policy_reads(client: Any) -> None:
    body = {"allowUsernamePassword": True, **LIFETIMES, "secondFactors": [EMAIL]}
    changed = client.put(A, json=body, headers=bearer("iam-owner"))
    assert changed.status_code == 200 and changed.json["details"]["resourceOwner"] == INSTANCE
    globex = policy_of(client, GLOBEX)["policy"]
    assert globex["allowUsernamePassword"] is True and "allowRegister" not in globex
    assert globex["secondFactors"] == [OTP, U2F]  # factors are not fields of the update
    assert policy_of(client, ACME)["policy"]["allowRegister"] is True  # acme keeps its own policy


# Surprises 7-11: ghost factors, ids, sequences, duplicates, enums -------------------------------------


def test_surprise_7_a_factor_added_without_a_custom_policy_is_a_ghost(client: Any) -> None:
    headers = as_org("iam-owner", GLOBEX)
    assert client.post(f"{M}/second_factors", json={"type": EMAIL}, headers=headers).status_code == 200
    assert policy_of(client, GLOBEX)["policy"]["secondFactors"] == [OTP, U2F]  # invisible: the default shows
    assert client.post(M, json={"secondFactors": [U2F]}, headers=headers).status_code == 200
    assert policy_of(client, GLOBEX)["policy"]["secondFactors"] == [U2F]  # still invisible
    again = client.post(f"{M}/second_factors", json={"type": EMAIL}, headers=headers)
    assert again.status_code == 409 and error_id(again) == "Org-2B0ps"  # yet it counts as added


def test_surprise_7_a_reset_clears_every_factor_state(client: Any) -> None:
    headers = bearer("acme-owner")
    assert client.delete(M, headers=headers).status_code == 200
    removed = client.delete(f"{M}/second_factors/{OTP}", headers=headers)
    assert removed.status_code == 404 and error_id(removed) == "Org-3M9od"
    assert client.post(f"{M}/second_factors", json={"type": OTP}, headers=headers).status_code == 200


def test_surprise_8_the_ids_of_create_reset_and_update_errors(client: Any) -> None:
    exists = client.post(M, json={}, headers=bearer("acme-owner"))
    assert exists.status_code == 409 and error_id(exists) == "Org-Dgfb2"
    assert exists.json["message"] == "Login Policy already exists (Org-Dgfb2)"
    headers = as_org("iam-owner", GLOBEX)
    reset = client.delete(M, headers=headers)
    assert reset.status_code == 404 and error_id(reset) == "Org-GHB37"
    update = client.put(M, json={"forceMfa": True}, headers=headers)
    assert update.status_code == 404 and error_id(update) == "Org-M0sif"


def test_surprise_9_the_create_answers_with_the_last_events_sequence(client: Any) -> None:
    headers = as_org("iam-owner", GLOBEX)
    created = client.post(M, json={"secondFactors": [OTP, U2F], "multiFactors": [PASSKEY]}, headers=headers)
    policy = policy_of(client, GLOBEX)["policy"]
    assert created.json["details"]["sequence"] == policy["details"]["sequence"]
    # globex's aggregate is at 2 in the demo world: the policy and its three factors are 3 to 6
    assert created.json["details"]["sequence"] == "6"


def test_surprise_10_duplicates_in_a_create_are_listed_twice(client: Any) -> None:
    headers = as_org("iam-owner", GLOBEX)
    assert client.post(M, json={"secondFactors": [OTP, OTP]}, headers=headers).status_code == 200
    assert policy_of(client, GLOBEX)["policy"]["secondFactors"] == [OTP, OTP]
    assert client.delete(f"{M}/second_factors/{OTP}", headers=headers).status_code == 200
    assert "secondFactors" not in policy_of(client, GLOBEX)["policy"]  # a remove drops every copy


def test_surprise_11_unknown_enum_names_are_dropped_but_bad_numbers_refused(client: Any) -> None:
    headers = as_org("iam-owner", GLOBEX)
    created = client.post(M, json={"passwordlessType": "FOO", "secondFactors": ["FOO", U2F]}, headers=headers)
    assert created.status_code == 200
    policy = policy_of(client, GLOBEX)["policy"]
    assert "passwordlessType" not in policy and policy["secondFactors"] == [U2F]
    for bad in ([0], [9]):
        refused = client.post(M, json={"secondFactors": bad}, headers=as_org("acme-owner", ACME))
        assert refused.status_code == 400 and error_id(refused) == "Org-SFeea"  # before the 409
    undefined = client.post(M, json={"passwordlessType": 7}, headers=headers)
    assert undefined.status_code == 400 and undefined.json == {
        "code": 3,
        "message": "invalid AddCustomLoginPolicyRequest.PasswordlessType: value must be one of the defined enum values",
    }


@pytest.mark.parametrize(
    ("uri", "accepted"),
    [("", True), ("myapp://callback", True), ("https://app.example.com/done", True), ("http://", False), ("x", False)],
)
def test_the_default_redirect_uri_needs_a_scheme_and_for_http_a_host(client: Any, uri: str, accepted: bool) -> None:
    created = client.post(M, json={"defaultRedirectUri": uri}, headers=as_org("iam-owner", GLOBEX))
    assert (created.status_code == 200) is accepted
    if not accepted:
        assert created.status_code == 400 and error_id(created) == "Org-WSfdq"


def test_an_identity_provider_that_does_not_exist_is_refused_after_the_409_check(client: Any) -> None:
    body = {"idps": [{"idpId": "nope", "ownerType": "IDP_OWNER_TYPE_ORG"}]}
    refused = client.post(M, json=body, headers=as_org("iam-owner", GLOBEX))
    assert refused.status_code == 400 and refused.json["code"] == 9 and error_id(refused) == "Org-FEd32"
    assert policy_of(client, GLOBEX)["isDefault"] is True  # nothing was created
    exists = client.post(M, json=body, headers=bearer("acme-owner"))
    assert exists.status_code == 409


# Surprises 12-15: the v2 read and Connect ----------------------------------------------------------


def test_surprise_12_v2_writes_the_otp_name_not_totp(client: Any) -> None:
    settings = client.get(V2, headers=bearer("acme-owner")).json["settings"]
    assert settings["secondFactors"] == [OTP]
    assert "SECOND_FACTOR_TYPE_TOTP" not in client.get(V2, headers=bearer("acme-owner")).get_data(as_text=True)


def test_v2_shows_the_same_policy_as_v1(client: Any) -> None:
    for org in (ACME, GLOBEX):
        v1 = policy_of(client, org)["policy"]
        v2 = client.get(f"{V2}?ctx.orgId={org}", headers=bearer("acme-owner")).json
        assert v2["details"] == v1["details"]
        settings = v2["settings"]
        assert settings["secondFactors"] == v1["secondFactors"]
        assert settings.get("multiFactors") == v1.get("multiFactors")
        assert settings["allowLocalAuthentication"] == settings["allowUsernamePassword"] == v1["allowUsernamePassword"]
        assert (settings.get("passkeysType") == "PASSKEYS_TYPE_ALLOWED") == ("passwordlessType" in v1)
        expected_owner = "RESOURCE_OWNER_TYPE_INSTANCE" if v1.get("isDefault") else "RESOURCE_OWNER_TYPE_ORG"
        assert settings["resourceOwnerType"] == expected_owner
        assert "idps" not in settings and "isDefault" not in settings


def test_surprise_13_ctx_org_id_is_not_checked_and_an_unknown_one_reads_the_default(client: Any) -> None:
    unknown = client.get(f"{V2}?ctx.orgId=999", headers=bearer("acme-owner"))
    assert unknown.status_code == 200
    assert unknown.json["settings"]["resourceOwnerType"] == "RESOURCE_OWNER_TYPE_INSTANCE"
    other = client.get(f"{V2}?ctx.orgId={GLOBEX}", headers=bearer("acme-owner"))  # acme's owner reads globex's
    assert other.status_code == 200 and other.json["details"]["resourceOwner"] == INSTANCE


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("ctx.instance=yes", 'parsing field "instance": strconv.ParseBool: parsing "yes": invalid syntax'),
        (f"ctx.orgId={ACME}&ctx.instance=true", 'field already set for oneof "resource_owner"'),
    ],
)
def test_v2_rest_query_errors_come_before_authentication(client: Any, query: str, message: str) -> None:
    refused = client.get(f"{V2}?{query}")
    assert (refused.status_code, refused.json) == (400, {"code": 3, "message": message})


def test_v2_rest_instance_false_is_refused_after_authentication(client: Any) -> None:
    assert client.get(f"{V2}?ctx.instance=false").status_code == 401
    refused = client.get(f"{V2}?ctx.instance=false", headers=bearer("acme-owner"))
    assert refused.status_code == 400 and "value must equal true" in refused.json["message"]


def test_surprise_14_connect_errors_differ_from_rest_errors(client: Any) -> None:
    json_type = {"Content-Type": "application/json"}
    missing = client.post(CONNECT, data=b"{}", headers=json_type)
    assert missing.status_code == 401 and missing.json == {"code": "unauthenticated", "message": "auth header missing"}
    assert "WWW-Authenticate" not in missing.headers
    outsider = client.post(CONNECT, data=b"{}", headers={**json_type, **bearer("outsider")})
    assert outsider.status_code == 404
    assert outsider.json["details"] == [
        {
            "type": "zitadel.v1.ErrorDetail",
            "value": "CgtBVVRIWi1jZGdGaxIUbWVtYmVyc2hpcCBub3QgZm91bmQ",
            "debug": {"id": "AUTHZ-cdgFk", "message": "membership not found"},
        }
    ]
    rest = client.get(V2, headers=bearer("outsider"))
    assert rest.status_code == 404 and rest.json["code"] == 5  # the REST form keeps the v1 shape


def test_surprise_14_an_empty_connect_body_is_400_before_any_check(client: Any) -> None:
    empty = client.post(CONNECT, data=b"", headers={"Content-Type": "application/json"})
    assert empty.status_code == 400 and empty.json["code"] == "invalid_argument"
    assert client.post(CONNECT, data=b"{}", headers={"Content-Type": "application/json"}).status_code == 401


def test_connect_refuses_other_methods_and_content_types_without_a_body(client: Any) -> None:
    get = client.get(CONNECT, headers=bearer("acme-owner"))
    assert (get.status_code, get.headers["Allow"], get.get_data()) == (405, "POST", b"")
    text = client.post(CONNECT, data=b"{}", headers={**bearer("acme-owner"), "Content-Type": "text/plain"})
    assert text.status_code == 415 and text.get_data() == b"" and "application/json" in text.headers["Accept-Post"]
    nowhere = client.post(f"{CONNECT}Nope", data=b"{}", headers={"Content-Type": "application/json"})
    assert nowhere.status_code == 404 and nowhere.get_data() == b"404 page not found\n"


def test_connect_answers_the_same_settings_as_rest(client: Any) -> None:
    body = {"ctx": {"orgId": GLOBEX}}
    answer = client.post(CONNECT, json=body, headers=bearer("acme-owner"))
    assert answer.status_code == 200
    assert answer.json == client.get(f"{V2}?ctx.orgId={GLOBEX}", headers=bearer("acme-owner")).json
    assert {"Cache-Control", "Pragma", "Expires"} <= set(answer.headers.keys())


def test_surprise_15_every_read_is_fresh_after_a_write(client: Any) -> None:
    headers = bearer("acme-owner")
    assert client.post(f"{M}/second_factors", json={"type": U2F}, headers=headers).status_code == 200
    assert policy_of(client, ACME)["policy"]["secondFactors"] == [OTP, U2F]
    assert client.get(V2, headers=headers).json["settings"]["secondFactors"] == [OTP, U2F]
    listed = client.post(f"{M}/second_factors/_search", headers=headers).json
    assert listed["result"] == [OTP, U2F]


def test_connect_body_with_both_members_of_the_oneof_is_400_before_authentication(client: Any) -> None:
    both = client.post(CONNECT, json={"ctx": {"orgId": ACME, "instance": True}})
    assert both.status_code == 400 and both.json["code"] == "invalid_argument"
    assert "oneof" in both.json["message"] and "already set" in both.json["message"]
    # protojson reads null as "not set", before it looks at the oneof
    one = client.post(CONNECT, json={"ctx": {"orgId": GLOBEX, "instance": None}}, headers=bearer("acme-owner"))
    assert one.status_code == 200 and one.json["details"]["resourceOwner"] == INSTANCE
