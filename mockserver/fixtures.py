"""Load fixtures/ (the world the mock starts from, its users, and named scenarios) and check
every part against the contract, so a wrong fixture stops start-up with file, place and reason.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.errors import FixtureError
from mockserver.fixture_schemas import (
    FORMAT_URI,
    fixture_format,
    scenario_file_schema,
    world_file_schema,
)
from mockserver.spec import Contract, Operation
from mockserver.yaml_source import YamlSource, YamlSourceError, escape_pointer_token, read_yaml
from mockserver.zitadel_errors import CODE_FOR_SERVER_FAILURE

WORLD_FILE = "world.yaml"
SCENARIO_FOLDER = "scenarios"
FACTOR_FIELDS = {"second": "secondFactors", "multi": "multiFactors"}


@dataclass(frozen=True)
class Membership:
    """A user's roles on the instance (`scope: instance`) or on one organization."""

    scope: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class User:
    """Who a bearer token stands for."""

    token: str
    id: str
    organization: str
    memberships: tuple[Membership, ...]


@dataclass(frozen=True)
class CannedResponse:
    """A scenario's fixed answer for one operation (or `*`), when its request matcher matches."""

    operation_id: str
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    match_headers: dict[str, str] = field(default_factory=dict)
    match_path: dict[str, str] = field(default_factory=dict)

    def applies_to(self, operation_id: str) -> bool:
        return self.operation_id in ("*", operation_id)


@dataclass(frozen=True)
class Scenario:
    """A named variation: another world, fixed answers, or faults."""

    name: str
    description: str
    world: dict[str, Any] | None
    responses: tuple[CannedResponse, ...]
    faults: dict[str, Any]


@dataclass(frozen=True)
class Fixtures:
    """Everything fixtures/ holds, checked."""

    world: dict[str, Any]
    users: dict[str, User]
    role_permissions: dict[str, frozenset[str]]
    scenarios: dict[str, Scenario]
    files: tuple[Path, ...]

    def world_for(self, scenario: str | None) -> dict[str, Any]:
        """A fresh copy of the world, with the scenario's parts put in."""
        world = copy.deepcopy(self.world)
        chosen = self.scenarios[scenario].world if scenario else None
        world.update(copy.deepcopy(chosen or {}))
        return world


def default_fixtures_dir() -> Path:
    """The packaged copy when installed, else fixtures/ beside the package."""
    package = Path(__file__).resolve().parent
    bundled = package / "_bundled" / "fixtures"
    return bundled if bundled.is_dir() else package.parent / "fixtures"


def load_fixtures(directory: Path, contract: Contract) -> Fixtures:
    """Read and check fixtures/; a FixtureError names the file, line, pointer and reason."""
    checker = _Checker(contract)
    world_file, world, users, role_permissions = _load_world(directory, checker)
    scenario_files = scenario_files_in(directory)
    scenarios = {}
    for file in scenario_files:
        scenario = _load_scenario(file, checker, world, users, role_permissions)
        scenarios[scenario.name] = scenario
    return Fixtures(world, users, role_permissions, scenarios, (world_file, *scenario_files))


def check_fixtures(directory: Path, contract: Contract) -> list[FixtureError]:
    """Every problem in fixtures/: the first of each file (scenarios need a sound world first)."""
    checker = _Checker(contract)
    try:
        _, world, users, role_permissions = _load_world(directory, checker)
    except FixtureError as error:
        return [error]
    problems = []
    for file in scenario_files_in(directory):
        try:
            _load_scenario(file, checker, world, users, role_permissions)
        except FixtureError as error:
            problems.append(error)
    return problems


def scenario_files_in(directory: Path) -> list[Path]:
    return sorted((directory / SCENARIO_FOLDER).glob("*.yaml"))


def _load_world(
    directory: Path, checker: _Checker
) -> tuple[Path, dict[str, Any], dict[str, User], dict[str, frozenset[str]]]:
    source = _read(directory / WORLD_FILE)
    checker.check_schema(source, world_file_schema())
    data = source.data
    world = _state_world(data["world"])
    users = _users(data["users"])
    role_permissions = {role: frozenset(perms) for role, perms in data["rolePermissions"].items()}
    _check_world_references(source, world, users, role_permissions)
    return source.file, world, users, role_permissions


def _read(file: Path) -> YamlSource:
    try:
        return read_yaml(file)
    except YamlSourceError as error:
        raise FixtureError(error.place, error.reason) from error


class _Checker:
    """Validates fixture data against the fixture format and the contract."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self._resources = {FORMAT_URI: fixture_format()}

    def check_schema(self, source: YamlSource, schema: dict[str, Any]) -> None:
        validator = self.contract.validator(schema, self._resources)
        for error in sorted(validator.iter_errors(source.data), key=lambda e: list(e.path)):
            pointer = "".join(f"/{escape_pointer_token(part)}" for part in error.absolute_path)
            raise FixtureError(source.place(pointer), error.message)

    def check_canned(self, source: YamlSource, index: int, canned: CannedResponse) -> None:
        pointer = f"/responses/{index}"
        operations = self._operations_for(source, pointer, canned.operation_id)
        for operation in operations:
            schema_pointer = self._schema_pointer(operation, canned.status)
            if schema_pointer is None:
                reason = f"{operation.operation_id} documents no {canned.status} response"
                raise FixtureError(source.place(f"{pointer}/response/status"), reason)
            for problem in self.contract.schema_errors(schema_pointer, canned.body):
                reason = f"body breaks {operation.operation_id} {canned.status}: {problem}"
                raise FixtureError(source.place(f"{pointer}/response/body"), reason)
            self._check_required_headers(source, pointer, operation, canned)

    def _schema_pointer(self, operation: Operation, status: int) -> str | None:
        """Documented statuses, or server failures through `default`: what ZITADEL can answer."""
        documented = str(status) in self.contract.node(operation.pointer)["responses"]
        if not documented and status not in CODE_FOR_SERVER_FAILURE:
            return None
        return self.contract.response_schema_pointer(operation, status)

    def _operations_for(self, source: YamlSource, pointer: str, operation_id: str) -> list[Operation]:
        if operation_id == "*":
            return list(self.contract.operations)
        try:
            return [self.contract.operation(operation_id)]
        except KeyError as error:
            raise FixtureError(source.place(f"{pointer}/operationId"), str(error.args[0])) from None

    def _check_required_headers(
        self, source: YamlSource, pointer: str, operation: Operation, canned: CannedResponse
    ) -> None:
        responses = self.contract.node(operation.pointer)["responses"]
        response = self.contract.resolve(responses.get(str(canned.status), responses["default"]))
        given = {name.lower() for name in canned.headers}
        for name, header in response.get("headers", {}).items():
            if self.contract.resolve(header).get("required") and name.lower() not in given:
                reason = f"{operation.operation_id} {canned.status} requires the header {name}"
                raise FixtureError(source.place(f"{pointer}/response"), reason)


def _state_world(world: dict[str, Any]) -> dict[str, Any]:
    """The file's world in the shape the state stores keep."""
    state: dict[str, Any] = {}
    if "instance" in world:
        instance = world["instance"]
        state["instance"] = {"id": instance["id"], "sequence": instance.get("sequence", 1)}
        state["instance"].update(_factor_lists(instance["loginPolicy"]))
    if "projection" in world:
        projection = world["projection"]
        state["projection"] = {
            "processedSequence": int(projection["processedSequence"]),
            "viewTimestamp": projection["viewTimestamp"],
        }
    if "organizations" in world:
        state["organizations"] = {org["id"]: _state_organization(org) for org in world["organizations"]}
    return state


def _state_organization(organization: dict[str, Any]) -> dict[str, Any]:
    policy = organization.get("loginPolicy")
    own = policy if policy is not None else organization.get("factorsWithoutPolicy", {})
    return {
        "name": organization["name"],
        "sequence": organization.get("sequence", 1),
        "customLoginPolicy": policy is not None,
        **_factor_lists(own),
    }


def _factor_lists(policy: dict[str, Any]) -> dict[str, list[str]]:
    return {field: list(policy.get(field, [])) for field in FACTOR_FIELDS.values()}


def _users(entries: list[dict[str, Any]]) -> dict[str, User]:
    return {
        entry["token"]: User(
            entry["token"],
            entry["id"],
            entry["organization"],
            tuple(Membership(m["scope"], tuple(m["roles"])) for m in entry["memberships"]),
        )
        for entry in entries
    }


def _check_world_references(
    source: YamlSource,
    world: dict[str, Any],
    users: dict[str, User],
    role_permissions: dict[str, frozenset[str]],
) -> None:
    for part in ("instance", "projection", "organizations"):
        if part not in world:
            raise FixtureError(source.place("/world"), f"the world needs {part!r}")
    organizations = [org["id"] for org in source.data["world"]["organizations"]]
    for index, org_id in enumerate(organizations):
        if organizations.index(org_id) != index or org_id == world["instance"]["id"]:
            pointer = f"/world/organizations/{index}/id"
            raise FixtureError(source.place(pointer), f"id {org_id!r} is used twice")
    tokens = [user["token"] for user in source.data["users"]]
    for index, token in enumerate(tokens):
        if tokens.index(token) != index:
            raise FixtureError(source.place(f"/users/{index}/token"), "token is used twice")
    _check_users(source, world, users, role_permissions)


def _check_users(
    source: YamlSource,
    world: dict[str, Any],
    users: dict[str, User],
    role_permissions: dict[str, frozenset[str]],
) -> None:
    known_scopes = {"instance", *world["organizations"]}
    for index, user in enumerate(users.values()):
        pointer = f"/users/{index}"
        if user.organization not in world["organizations"]:
            reason = f"organization {user.organization!r} is not in the world"
            raise FixtureError(source.place(f"{pointer}/organization"), reason)
        for position, membership in enumerate(user.memberships):
            where = f"{pointer}/memberships/{position}"
            if membership.scope not in known_scopes:
                reason = f"scope must be 'instance' or an organization id, not {membership.scope!r}"
                raise FixtureError(source.place(f"{where}/scope"), reason)
            for role in membership.roles:
                if role not in role_permissions:
                    reason = f"role {role!r} is not in rolePermissions"
                    raise FixtureError(source.place(f"{where}/roles"), reason)


def _load_scenario(
    file: Path,
    checker: _Checker,
    world: dict[str, Any],
    users: dict[str, User],
    role_permissions: dict[str, frozenset[str]],
) -> Scenario:
    source = _read(file)
    checker.check_schema(source, scenario_file_schema())
    data = source.data
    scenario_world = _state_world(data["world"]) if "world" in data else None
    if scenario_world and "organizations" in scenario_world:
        merged = {**world, **scenario_world}
        _check_users(source, merged, users, role_permissions)
    responses = tuple(_canned(entry) for entry in data.get("responses", []))
    for index, canned in enumerate(responses):
        checker.check_canned(source, index, canned)
    return Scenario(file.stem, data["description"], scenario_world, responses, data.get("faults", {}))


def _canned(entry: dict[str, Any]) -> CannedResponse:
    response = entry["response"]
    request = entry.get("request", {})
    return CannedResponse(
        operation_id=entry["operationId"],
        status=response["status"],
        body=response["body"],
        headers=dict(response.get("headers", {})),
        match_headers={k.lower(): v for k, v in request.get("headers", {}).items()},
        match_path=dict(request.get("pathParameters", {})),
    )
