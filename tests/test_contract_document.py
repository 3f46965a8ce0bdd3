"""openapi.yaml itself, checked without any server: valid, loadable, complete and faithful."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from openapi_spec_validator import validate

from mockserver import Contract
from mockserver.contract.spec import iter_nodes
from tests.conftest import REPO_ROOT

# Every operation, as ZITADEL's gateway (or connect-go) routes it and its generator names it, with
# the summary ZITADEL's OpenAPI gives it, the permission of its `auth_option` and the statuses it
# really answers (reference: the factor operations' table and the login policy's §1, §4, §6).
LIST = {"200", "401", "403", "404", "default"}
ADD = {"200", "400", "401", "403", "404", "409", "default"}
CHANGE = {"200", "400", "401", "403", "404", "default"}
READ = {"200", "401", "403", "404", "default"}
EXPECTED = {
    ("POST", "/management/v1/policies/login/second_factors/_search"): ("ManagementService_ListLoginPolicySecondFactors", "List Second Factors (2FA)", "policy.read", LIST),
    ("POST", "/management/v1/policies/login/second_factors"): ("ManagementService_AddSecondFactorToLoginPolicy", "Add Second Factor (2FA)", "policy.write", ADD),
    ("DELETE", "/management/v1/policies/login/second_factors/{type}"): ("ManagementService_RemoveSecondFactorFromLoginPolicy", "Remove Second Factor (2FA)", "policy.write", CHANGE),
    ("POST", "/management/v1/policies/login/auth_factors/_search"): ("ManagementService_ListLoginPolicyMultiFactors", "List Multi-factors (MFA)", "policy.read", LIST),
    ("POST", "/management/v1/policies/login/multi_factors"): ("ManagementService_AddMultiFactorToLoginPolicy", "Add Multi-Factor (MFA)", "policy.write", ADD),
    ("DELETE", "/management/v1/policies/login/multi_factors/{type}"): ("ManagementService_RemoveMultiFactorFromLoginPolicy", "Remove Multi-factor (MFA)", "policy.write", CHANGE),
    ("POST", "/admin/v1/policies/login/second_factors/_search"): ("AdminService_ListLoginPolicySecondFactors", "List Second Factors (2FA)", "iam.policy.read", LIST),
    ("POST", "/admin/v1/policies/login/second_factors"): ("AdminService_AddSecondFactorToLoginPolicy", "Add Second Factor (2FA)", "iam.policy.write", ADD),
    ("DELETE", "/admin/v1/policies/login/second_factors/{type}"): ("AdminService_RemoveSecondFactorFromLoginPolicy", "Remove Second Factor (2FA)", "iam.policy.write", CHANGE),
    ("POST", "/admin/v1/policies/login/multi_factors/_search"): ("AdminService_ListLoginPolicyMultiFactors", "List Multi-factors (MFA)", "iam.policy.read", LIST),
    ("POST", "/admin/v1/policies/login/multi_factors"): ("AdminService_AddMultiFactorToLoginPolicy", "Add Multi-Factor (MFA)", "iam.policy.write", ADD),
    ("DELETE", "/admin/v1/policies/login/multi_factors/{type}"): ("AdminService_RemoveMultiFactorFromLoginPolicy", "Remove Multi-factor (MFA)", "iam.policy.write", CHANGE),
    ("GET", "/management/v1/policies/login"): ("ManagementService_GetLoginPolicy", "Get Login Settings", "policy.read", READ),
    ("GET", "/management/v1/policies/default/login"): ("ManagementService_GetDefaultLoginPolicy", "Get Default Login Settings", "policy.read", READ),
    ("POST", "/management/v1/policies/login"): ("ManagementService_AddCustomLoginPolicy", "Create Custom Login Settings", "policy.write", ADD),
    ("PUT", "/management/v1/policies/login"): ("ManagementService_UpdateCustomLoginPolicy", "Update Custom Login Settings", "policy.write", CHANGE),
    ("DELETE", "/management/v1/policies/login"): ("ManagementService_ResetLoginPolicyToDefault", "Reset Custom Login Settings to Default", "policy.delete", READ),
    ("GET", "/admin/v1/policies/login"): ("AdminService_GetLoginPolicy", "Get Login Settings", "iam.policy.read", READ),
    ("PUT", "/admin/v1/policies/login"): ("AdminService_UpdateLoginPolicy", "Update Login Settings", "iam.policy.write", CHANGE),
    ("GET", "/v2/settings/login"): ("SettingsService_GetLoginSettings", None, "policy.read", CHANGE),
    ("POST", "/zitadel.settings.v2.SettingsService/GetLoginSettings"): ("SettingsService_GetLoginSettings_Connect", None, "policy.read", CHANGE | {"415"}),
}  # fmt: skip
EXPECTED_OPERATIONS = {route: facts[0] for route, facts in EXPECTED.items()}
FACTS = {facts[0]: facts[1:] for facts in EXPECTED.values()}
CONNECT_OPERATIONS = {"SettingsService_GetLoginSettings_Connect"}

# The gRPC code behind each error status (400 is InvalidArgument or FailedPrecondition), and
# connect-go's name for it.
GRPC_CODES_FOR_STATUS = {"400": {3, 9}, "401": {16}, "403": {7}, "404": {5}, "409": {6}}
CONNECT_CODES_FOR_STATUS = {
    "400": {"invalid_argument", "failed_precondition"},
    "401": {"unauthenticated"},
    "403": {"permission_denied"},
    "404": {"not_found"},
}


def api_of(operation: Any) -> str:
    """`management`, `admin` or the v2 settings: the first segment of the operation's path."""
    return str(operation.path.strip("/").split("/", 1)[0])


def rpc_name(operation_id: str) -> str:
    return operation_id.split("_", 1)[1]


def example_sites(contract: Contract) -> list[tuple[str, str, Any]]:
    """(pointer of the example, pointer of its schema, value) for every example in the document."""
    sites = []
    for pointer, node in iter_nodes(contract.document):
        if not isinstance(node, dict) or "schema" not in node:
            continue  # examples sit beside a schema: in a media type or a parameter
        schema_pointer = f"{pointer}/schema"
        for name, example in (node.get("examples") or {}).items():
            value = contract.resolve(example)["value"]
            sites.append((f"{pointer}/examples/{name}", schema_pointer, value))
        if "example" in node:
            sites.append((f"{pointer}/example", schema_pointer, node["example"]))
    for pointer, node in iter_nodes(contract.node("/components/schemas")):
        if isinstance(node, dict) and "example" in node:
            schema_pointer = f"/components/schemas{pointer}"
            sites.append((f"{schema_pointer}/example", schema_pointer, node["example"]))
    return sites


def test_document_is_valid_openapi_31(contract: Contract) -> None:
    assert contract.document["openapi"] == "3.1.0"
    validate(contract.document)


def test_document_loads_in_openapi_core(contract: Contract) -> None:
    from openapi_core.testing import MockRequest, MockResponse

    request = MockRequest(
        "http://zitadel.example",
        "post",
        "/management/v1/policies/login/second_factors",
        headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
        data=b'{"type": "SECOND_FACTOR_TYPE_OTP"}',
        content_type="application/json",
    )
    from mockserver.server.validation import openapi_of

    openapi = openapi_of(contract)
    openapi.validate_request(request)
    body = b'{"details":{"sequence":"5","creationDate":"2026-07-10T09:00:00Z","resourceOwner":"1"}}'
    openapi.validate_response(request, MockResponse(body, status_code=200))


def test_document_loads_in_schemathesis() -> None:
    schema = schemathesis.openapi.from_path(REPO_ROOT / "openapi.yaml")
    from schemathesis.core.result import Ok

    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results)
    labels = {result.ok().label for result in results if isinstance(result, Ok)}
    assert labels == {f"{method} {path}" for method, path in EXPECTED_OPERATIONS}


def test_exactly_the_expected_operations(contract: Contract) -> None:
    found = {(op.method, op.path): op.operation_id for op in contract.operations}
    assert found == EXPECTED_OPERATIONS


@pytest.mark.parametrize("operation_id", sorted(EXPECTED_OPERATIONS.values()))
def test_operation_has_zitadel_summary_tags_and_permission(contract: Contract, operation_id: str) -> None:
    summary, permission, _ = FACTS[operation_id]
    node = contract.node(contract.operation(operation_id).pointer)
    if summary is not None:
        assert node["summary"] == summary
    assert node["x-zitadel-permission"] == permission
    assert f"Required permission: `{permission}`" in node["description"]


@pytest.mark.parametrize("operation_id", sorted(EXPECTED_OPERATIONS.values()))
def test_operation_has_exactly_one_declared_tag(contract: Contract, operation_id: str) -> None:
    # Swagger UI and generated clients list an operation once per tag.
    tags = contract.node(contract.operation(operation_id).pointer)["tags"]
    assert len(tags) == 1
    assert tags[0] in {tag["name"] for tag in contract.document["tags"]}


@pytest.mark.parametrize("operation_id", sorted(EXPECTED_OPERATIONS.values()))
def test_operation_documents_exactly_zitadels_statuses(contract: Contract, operation_id: str) -> None:
    responses = contract.node(contract.operation(operation_id).pointer)["responses"]
    assert set(responses) == FACTS[operation_id][2]


@pytest.mark.parametrize("operation_id", sorted(EXPECTED_OPERATIONS.values()))
def test_all_but_admin_operations_take_the_org_header(contract: Contract, operation_id: str) -> None:
    operation = contract.operation(operation_id)
    parameters = contract.node(operation.pointer).get("parameters", [])
    headers = [contract.resolve(p)["name"] for p in parameters if contract.resolve(p)["in"] == "header"]
    assert headers == ([] if api_of(operation) == "admin" else ["x-zitadel-orgid"])


def test_every_error_example_has_the_grpc_code_of_its_status(contract: Contract) -> None:
    checked = 0
    for operation in contract.operations:
        codes = CONNECT_CODES_FOR_STATUS if operation.operation_id in CONNECT_OPERATIONS else GRPC_CODES_FOR_STATUS
        responses = contract.node(operation.pointer)["responses"]
        for status, response in responses.items():
            if status not in codes:
                continue
            media = contract.resolve(response)["content"]["application/json"]
            for name, example in media["examples"].items():
                code = contract.resolve(example)["value"]["code"]
                assert code in codes[status], (operation.operation_id, status, name)
                checked += 1
    assert checked > 100


def test_every_rest_401_declares_a_required_www_authenticate_header(contract: Contract) -> None:
    for operation in contract.operations:
        response = contract.resolve(contract.node(operation.pointer)["responses"]["401"])
        if operation.operation_id in CONNECT_OPERATIONS:
            assert "WWW-Authenticate" not in response.get("headers", {})  # connect-go never sets it
            continue
        header = contract.resolve(response["headers"]["WWW-Authenticate"])
        assert header["required"] is True, operation.operation_id


@pytest.mark.parametrize(
    "example",
    [
        "AuthHeaderMissing",
        "InvalidToken",
        "OrganisationNotFound",
        "MembershipNotFound",
        "NoMatchingPermissions",
        "OrgSecondFactorAlreadyExists",
        "OrgSecondFactorNotExisting",
        "AddSecondFactorUnspecified",
        "ListEmpty",
    ],
)
def test_every_reference_case_has_a_named_example_in_use(contract: Contract, example: str) -> None:
    reference = f"#/components/examples/{example}"
    uses = [p for p, n in iter_nodes(contract.document) if isinstance(n, dict) and n.get("$ref") == reference]
    assert uses, f"{example} is never used"


def test_every_list_has_a_with_factors_and_an_empty_example(contract: Contract) -> None:
    lists = [op for op in contract.operations if rpc_name(op.operation_id).startswith("List")]
    for operation in lists:
        ok = contract.node(operation.pointer)["responses"]["200"]["content"]["application/json"]
        empty = contract.resolve(ok["examples"]["empty"])["value"]
        full = contract.resolve(ok["examples"]["withFactors"])["value"]
        assert "result" not in empty and "totalResult" not in empty["details"]
        assert int(full["details"]["totalResult"]) == len(full["result"])


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "example_site" in metafunc.fixturenames:
        from mockserver import load_spec

        sites = example_sites(load_spec(REPO_ROOT / "openapi.yaml"))
        metafunc.parametrize("example_site", sites, ids=[site[0] for site in sites])


def test_example_matches_its_schema(contract: Contract, example_site: tuple[str, str, Any]) -> None:
    _, schema_pointer, value = example_site
    assert contract.schema_errors(schema_pointer, value) == []


def test_examples_are_found_for_every_operation(contract: Contract) -> None:
    pointers = [site[0] for site in example_sites(contract)]
    for operation in contract.operations:
        assert any(p.startswith(operation.pointer) for p in pointers), operation.operation_id


def test_every_named_component_is_used(contract: Contract) -> None:
    references = {n["$ref"] for _, n in iter_nodes(contract.document) if isinstance(n, dict) and "$ref" in n}
    for section, entries in contract.document["components"].items():
        if section == "securitySchemes":
            continue  # used by name in `security`, not by $ref
        for name in entries:
            assert f"#/components/{section}/{name}" in references, f"{section}/{name} is unused"


def test_every_ref_resolves(contract: Contract) -> None:
    references = [n["$ref"] for _, n in iter_nodes(contract.document) if isinstance(n, dict) and "$ref" in n]
    assert len(references) > 100
    for reference in references:
        assert contract.node(reference.removeprefix("#")) is not None, reference


def test_second_factor_type_has_five_described_values(contract: Contract) -> None:
    schema = contract.node("/components/schemas/SecondFactorType")
    assert schema["enum"] == [
        "SECOND_FACTOR_TYPE_OTP",
        "SECOND_FACTOR_TYPE_U2F",
        "SECOND_FACTOR_TYPE_OTP_EMAIL",
        "SECOND_FACTOR_TYPE_OTP_SMS",
        "SECOND_FACTOR_TYPE_RECOVERY_CODES",
    ]
    assert set(schema["x-enumDescriptions"]) == set(schema["enum"])


def test_multi_factor_type_has_one_described_value(contract: Contract) -> None:
    schema = contract.node("/components/schemas/MultiFactorType")
    assert schema["enum"] == ["MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION"]
    assert set(schema["x-enumDescriptions"]) == set(schema["enum"])


def test_no_enum_offers_a_value_zitadel_refuses_or_never_writes(contract: Contract) -> None:
    # Generators (openapi-typescript, openapi-python-client) turn every `enum` into a type, and
    # drop `not`: an UNSPECIFIED there is a value clients may send and must handle, in vain.
    for pointer, node in iter_nodes(contract.document):
        if isinstance(node, dict) and isinstance(node.get("enum"), list):
            for value in node["enum"]:
                assert not (isinstance(value, str) and value.endswith("_UNSPECIFIED")), pointer


def test_v2_second_factor_names_the_authenticator_app_as_zitadel_writes_it(contract: Contract) -> None:
    # protojson writes the first name declared for 1: SECOND_FACTOR_TYPE_OTP, never the TOTP alias.
    schema = contract.node("/components/schemas/SettingsSecondFactorType")
    assert "SECOND_FACTOR_TYPE_OTP" in schema["enum"]
    assert "SECOND_FACTOR_TYPE_TOTP" not in schema["enum"]
    assert schema["x-proto-enum"]["SECOND_FACTOR_TYPE_TOTP"] == schema["x-proto-enum"]["SECOND_FACTOR_TYPE_OTP"] == 1


def test_info_version_is_a_python_package_version(contract: Contract) -> None:
    from packaging.version import Version

    version = contract.document["info"]["version"]
    assert str(Version(version)) == version  # openapi-python-client needs PEP 440


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ("SecondFactorTypeInput", "SECOND_FACTOR_TYPE_OTP", True),
        ("SecondFactorTypeInput", 5, True),
        ("SecondFactorTypeInput", "SECOND_FACTOR_TYPE_UNSPECIFIED", False),
        ("SecondFactorTypeInput", 0, False),
        ("SecondFactorTypeInput", 6, False),
        ("SecondFactorTypeInput", "1", False),
        ("SecondFactorTypePathValue", "1", True),
        ("SecondFactorTypePathValue", "SECOND_FACTOR_TYPE_RECOVERY_CODES", True),
        ("SecondFactorTypePathValue", "0", False),
        ("SecondFactorTypePathValue", "_search", False),
        ("MultiFactorTypeInput", 1, True),
        ("MultiFactorTypeInput", 2, False),
        ("MultiFactorTypePathValue", "MULTI_FACTOR_TYPE_UNSPECIFIED", False),
    ],
)
def test_type_inputs_accept_names_and_defined_numbers_only(
    contract: Contract, schema: str, value: object, valid: bool
) -> None:
    errors = contract.schema_errors(f"/components/schemas/{schema}", value)
    assert (errors == []) is valid, errors


@pytest.mark.parametrize(
    ("schema", "body"),
    [
        ("ListLoginPolicySecondFactorsResponse", {"details": {}, "result": []}),
        ("ListLoginPolicySecondFactorsResponse", {"details": {"totalResult": "0"}}),
        (
            "ListLoginPolicySecondFactorsResponse",
            {"details": {"totalResult": 1}, "result": ["SECOND_FACTOR_TYPE_OTP"]},
        ),
        (
            "ListLoginPolicySecondFactorsResponse",
            {"details": {"total_result": "1"}, "result": ["SECOND_FACTOR_TYPE_OTP"]},
        ),
        (
            "ListLoginPolicySecondFactorsResponse",
            {"details": {}, "result": ["SECOND_FACTOR_TYPE_UNSPECIFIED"]},
        ),
        (
            "ListLoginPolicySecondFactorsResponse",
            {"details": {}, "result": ["SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_OTP"]},
        ),
        ("ListLoginPolicySecondFactorsResponse", {"details": {}, "result": [1]}),
        ("ListLoginPolicySecondFactorsResponse", {"result": ["SECOND_FACTOR_TYPE_OTP"]}),
        ("ListDetails", {"viewTimestamp": "2026-07-10T09:01:02+00:00"}),
        ("ListDetails", {"processedSequence": "-1"}),
        (
            "AddFactorToLoginPolicyResponse",
            {
                "details": {
                    "sequence": "1",
                    "changeDate": "2026-07-10T09:01:02Z",
                    "resourceOwner": "1",
                }
            },
        ),
        (
            "AddFactorToLoginPolicyResponse",
            {
                "details": {
                    "sequence": 1,
                    "creationDate": "2026-07-10T09:01:02Z",
                    "resourceOwner": "1",
                }
            },
        ),
        (
            "RemoveFactorFromLoginPolicyResponse",
            {
                "details": {
                    "sequence": "1",
                    "creationDate": "2026-07-10T09:01:02Z",
                    "changeDate": "2026-07-10T09:01:02Z",
                    "resourceOwner": "1",
                }
            },
        ),
        ("Status", {"code": 0, "message": "ok"}),
        ("Status", {"code": 5, "message": "x", "details": []}),
        ("Status", {"code": 5, "message": "x", "details": [{"id": "X-1", "message": "x"}]}),
        ("UnauthenticatedStatus", {"code": 7, "message": "auth header missing"}),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_schemas_reject_realistic_encoding_mistakes(contract: Contract, schema: str, body: dict[str, Any]) -> None:
    assert contract.schema_errors(f"/components/schemas/{schema}", body) != []


def test_uint64_fields_are_digit_strings(contract: Contract) -> None:
    uint64 = contract.node("/components/schemas/Uint64String")
    assert uint64["type"] == "string" and uint64["pattern"] == "^[1-9][0-9]{0,19}$"
    for pointer in (
        "/components/schemas/ListDetails/properties/processedSequence/allOf/0",
        "/components/schemas/TotalResult/allOf/0",
        "/components/schemas/ObjectDetails/properties/sequence/allOf/0",
    ):
        assert contract.node(pointer) == {"$ref": "#/components/schemas/Uint64String"}


def test_bearer_security_applies_to_every_operation(contract: Contract) -> None:
    scheme = contract.node("/components/securitySchemes/bearerAuth")
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert contract.document["security"] == [{"bearerAuth": []}]
    for operation in contract.operations:
        assert "security" not in contract.node(operation.pointer), operation.operation_id
