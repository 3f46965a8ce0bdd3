"""fixtures/ is checked against the contract: the shipped one loads, broken ones are refused."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from mockserver import Contract, FixtureError
from mockserver.fixtures.loader import load_fixtures
from tests.conftest import ACME, GLOBEX, REPO_ROOT


@pytest.fixture
def fixtures_copy(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", target)
    return target


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_fixtures_hold_the_demo_world(contract: Contract) -> None:
    fixtures = load_fixtures(REPO_ROOT / "fixtures", contract)
    world = fixtures.world
    assert world["instance"]["id"] == "250000000000000000"
    assert world["instance"]["loginPolicy"]["secondFactors"] == ["SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_U2F"]
    assert world["instance"]["loginPolicy"]["multiFactors"] == ["MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION"]
    assert world["organizations"][ACME]["loginPolicy"]["secondFactors"] == ["SECOND_FACTOR_TYPE_OTP"]
    assert "loginPolicy" not in world["organizations"][GLOBEX]
    assert set(fixtures.users) == {"iam-owner", "acme-owner", "acme-viewer", "login-client", "outsider"}
    assert fixtures.users["outsider"].organization == GLOBEX and fixtures.users["outsider"].memberships == ()
    assert set(fixtures.scenarios) == {"all-factors", "database-down", "flaky", "no-factors", "slow-network"}
    assert set(fixtures.behaviours) <= {operation.operation_id for operation in contract.operations}


def test_scenario_world_replaces_parts_of_the_world(contract: Contract) -> None:
    fixtures = load_fixtures(REPO_ROOT / "fixtures", contract)
    world = fixtures.world_for("no-factors")
    assert "secondFactors" not in world["instance"]["loginPolicy"]
    assert world["projection"] == fixtures.world["projection"]  # not replaced: the shipped world's
    world["instance"]["loginPolicy"]["secondFactors"] = ["x"]
    assert "secondFactors" not in fixtures.world_for("no-factors")["instance"]["loginPolicy"]  # a copy


def test_a_wildcard_canned_answer_skips_operations_that_do_not_document_its_status(
    contract: Contract, fixtures_copy: Path
) -> None:
    (fixtures_copy / "scenarios" / "x.yaml").write_text(
        "description: x\nresponses:\n  - operationId: '*'\n    response: {status: 409, body: {code: 6, message: m}}\n"
    )
    canned = load_fixtures(fixtures_copy, contract).scenarios["x"].responses[0]
    documenting = {op.operation_id for op in contract.operations if "409" in contract.definition(op)["responses"]}
    assert canned.operation_ids == documenting and documenting


ACME_POINTER = "/world/organizations/251000000000000001"
Breaker = Callable[[Path], object]
BROKEN: list[tuple[str, Breaker, str, str, int | None]] = [
    (
        "unknown factor",
        lambda d: edit(d / "world.yaml", "[SECOND_FACTOR_TYPE_OTP]", "[SECOND_FACTOR_TYPE_TOTP]"),
        "world.yaml",
        f"{ACME_POINTER}/loginPolicy/secondFactors/0",
        37,
    ),
    (
        "unspecified factor",
        lambda d: edit(
            d / "world.yaml", "[MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION]", "[MULTI_FACTOR_TYPE_UNSPECIFIED]"
        ),
        "world.yaml",
        "/world/instance/loginPolicy/multiFactors/0",
        20,
    ),
    (
        "undeclared slot",
        lambda d: edit(d / "world.yaml", "      activeFactors:", "      activeFactorz:"),
        "world.yaml",
        f"{ACME_POINTER}/activeFactorz",
        38,
    ),
    (
        "bad timestamp",
        lambda d: edit(d / "world.yaml", "2026-07-10T09:01:02.641Z", "10/07/2026"),
        "world.yaml",
        "/world/projection/viewTimestamp",
        23,
    ),
    (
        "uint64 as number",
        lambda d: edit(d / "world.yaml", "details: {sequence: '4',", "details: {sequence: 4,"),
        "world.yaml",
        f"{ACME_POINTER}/loginPolicy/details/sequence",
        29,
    ),
    (
        "a row owned by another aggregate",
        lambda d: edit(
            d / "world.yaml", "resourceOwner: '251000000000000001'}", "resourceOwner: '251000000000000002'}"
        ),
        "world.yaml",
        f"{ACME_POINTER}/loginPolicy/details/resourceOwner",
        29,
    ),
    (
        "slot schema naming a contract schema that does not exist",
        lambda d: edit(d / "world.yaml", "schemas/SecondFactorType'}", "schemas/DefinedSecondFactorType'}"),
        "world.yaml",
        "/slots/~1instance~1loginPolicy/properties/secondFactors/items/$ref",
        62,
    ),
    (
        "unknown role",
        lambda d: edit(d / "world.yaml", "roles: [ORG_OWNER]", "roles: [ORG_OWNR]"),
        "world.yaml",
        "/users/1/memberships/0/roles",
        None,
    ),
    (
        "unknown organization",
        lambda d: edit(d / "world.yaml", "organization: '251000000000000002'", "organization: '9'"),
        "world.yaml",
        "/users/4/organization",
        None,
    ),
    (
        "duplicate token",
        lambda d: edit(d / "world.yaml", "token: outsider", "token: iam-owner"),
        "world.yaml",
        "/users/4/token",
        None,
    ),
    (
        "duplicate key",
        lambda d: edit(d / "world.yaml", "    sequence: 12\n", "    sequence: 12\n    sequence: 13\n"),
        "world.yaml",
        "/world/instance/sequence",
        7,
    ),
    (
        "behaviour of an unknown operation",
        lambda d: edit(
            d / "behaviours.yaml",
            "  AdminService_ListLoginPolicyMultiFactors:",
            "  AdminService_ListLoginPolicyMultiFactorz:",
        ),
        "behaviours.yaml",
        "/operations/AdminService_ListLoginPolicyMultiFactorz",
        None,
    ),
    (
        "behaviour naming an example the operation does not document",
        lambda d: edit(
            d / "behaviours.yaml", "conflict: OrgSecondFactorAlreadyExists", "conflict: OrgMultiFactorAlreadyExists"
        ),
        "behaviours.yaml",
        "/operations/ManagementService_AddSecondFactorToLoginPolicy/steps/0/add_to_set/conflict",
        36,
    ),
    (
        "behaviour naming an unknown state path",
        lambda d: edit(
            d / "behaviours.yaml",
            "at: /organizations/{org}/activeFactors/secondFactors\n          item",
            "at: /organizations/{org}/activeFactors/secondFactor\n          item",
        ),
        "behaviours.yaml",
        "/operations/ManagementService_AddSecondFactorToLoginPolicy/steps/0/add_to_set/at",
        34,
    ),
    (
        "behaviour naming an unknown request field",
        lambda d: edit(
            d / "behaviours.yaml",
            "item: $request.type\n          conflict: OrgSecondFactorAlreadyExists",
            "item: $request.kind\n          conflict: OrgSecondFactorAlreadyExists",
        ),
        "behaviours.yaml",
        "/operations/ManagementService_AddSecondFactorToLoginPolicy/steps/0/add_to_set/item",
        35,
    ),
    (
        "behaviour undone by a link that does not exist",
        lambda d: edit(d / "behaviours.yaml", "undo: {link: RemoveTheAddedFactor}", "undo: {link: RemoveIt}"),
        "behaviours.yaml",
        "/operations/ManagementService_AddSecondFactorToLoginPolicy/undo/link",
        40,
    ),
    (
        "behaviour step with an unknown action",
        lambda d: edit(
            d / "behaviours.yaml",
            "- add_to_set: {at: /instance/loginPolicy/secondFactors",
            "- add_to_sett: {at: /instance/loginPolicy/secondFactors",
        ),
        "behaviours.yaml",
        "/operations/AdminService_AddSecondFactorToLoginPolicy/steps/0",
        152,
    ),
    (
        "canned body breaks the contract",
        lambda d: edit(d / "scenarios" / "database-down.yaml", "code: 13", "code: '13'"),
        "database-down.yaml",
        "/responses/0/response/body",
        None,
    ),
    (
        "canned status not documented",
        lambda d: (d / "scenarios" / "x.yaml").write_text(
            "description: x\nresponses:\n  - operationId: AdminService_ListLoginPolicySecondFactors\n"
            "    response: {status: 409, body: {code: 6, message: m}}\n"
        ),
        "x.yaml",
        "/responses/0/response/status",
        None,
    ),
    (
        "canned 401 without WWW-Authenticate",
        lambda d: (d / "scenarios" / "x.yaml").write_text(
            "description: x\nresponses:\n  - operationId: AdminService_ListLoginPolicySecondFactors\n"
            "    response: {status: 401, body: {code: 16, message: auth header missing}}\n"
        ),
        "x.yaml",
        "/responses/0/response",
        None,
    ),
    (
        "unknown operation",
        lambda d: (d / "scenarios" / "x.yaml").write_text(
            "description: x\nresponses:\n  - operationId: Nope\n    response: {status: 200, body: {}}\n"
        ),
        "x.yaml",
        "/responses/0/operationId",
        3,
    ),
    (
        "bad fault rate",
        lambda d: edit(d / "scenarios" / "flaky.yaml", "errorRate: 0.25", "errorRate: 25"),
        "flaky.yaml",
        "/faults/errorRate",
        3,
    ),
    (
        "invalid YAML",
        lambda d: (d / "scenarios" / "x.yaml").write_text("description: [x\n"),
        "x.yaml",
        "",
        None,
    ),
]


@pytest.mark.parametrize(("name", "breaker", "file", "pointer", "line"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_fixture_is_refused_with_file_place_and_reason(
    contract: Contract,
    fixtures_copy: Path,
    name: str,
    breaker: Breaker,
    file: str,
    pointer: str,
    line: int | None,
) -> None:
    breaker(fixtures_copy)
    with pytest.raises(FixtureError) as raised:
        load_fixtures(fixtures_copy, contract)
    place = raised.value.place
    assert place.file.name == file
    assert place.pointer == pointer
    if line is not None:
        assert place.line == line
    assert raised.value.reason and str(place) in str(raised.value)


def test_missing_world_file_is_refused(contract: Contract, tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="cannot read the file"):
        load_fixtures(tmp_path, contract)
