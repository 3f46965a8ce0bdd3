"""The pytest plugin of the contract suite: options to pick the target and the contract, and the
fixtures every contract test uses.

Installed with the package, pytest loads it through the `pytest11` entry point. Without
`--base-url` the suite tests the mock in-process; with it, any server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from contract_tests.plugin.calls import Calls
from contract_tests.plugin.identities import Identities, load_identities
from contract_tests.plugin.model import SuiteModel
from contract_tests.plugin.options import RUN_OPTIONS
from contract_tests.plugin.summary import OPERATIONS_PROPERTY, OperationSummary
from contract_tests.plugin.target import DEFAULT_APP, TOKEN_VARIABLE, LiveClient, Target, WsgiClient, load_app
from contract_tests.plugin.undo import ChangeLog, restore_order, snapshot
from mockserver.contract.spec import Contract, default_spec_path, load_spec
from mockserver.errors import MockServerError
from mockserver.fixtures.loader import default_fixtures_dir, load_fixtures

IN_PROCESS_TOKEN = "iam-owner"
IN_PROCESS_ORG = "251000000000000001"
IN_PROCESS_FALLBACK_ORG = "251000000000000002"  # the demo world's globex: no custom policy
_restore_key = pytest.StashKey[tuple[list[str], list[str]]]()
_model_key = pytest.StashKey[SuiteModel]()
_roles_key = pytest.StashKey[Mapping[str, frozenset[str]]]()
_identities_key = pytest.StashKey[Identities]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "ZITADEL login-policy contract tests")
    for name, settings in RUN_OPTIONS:
        group.addoption(name, **settings)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(OperationSummary(), "contract-tests-summary")
    config.addinivalue_line("markers", "changes_state: changes the target's state (left out by --read-only)")
    config.addinivalue_line("markers", "needs_identities: runs only with --identities")


def suite_model(config: pytest.Config) -> SuiteModel:
    """The contract and the declared behaviours the options name, read once per run."""
    if _model_key not in config.stash:
        spec = config.getoption("--spec") or default_spec_path()
        fixtures = Path(config.getoption("--fixtures-dir") or default_fixtures_dir())
        try:
            contract = load_spec(spec)
            loaded = load_fixtures(fixtures, contract)
        except MockServerError as error:
            raise pytest.UsageError(f"contract-tests: {error}") from None
        config.stash[_model_key] = SuiteModel(contract, loaded.behaviours)
        config.stash[_roles_key] = loaded.role_permissions
    return config.stash[_model_key]


def suite_identities(config: pytest.Config) -> Identities | None:
    """The identities `--identities` names (None without the option), read once per run."""
    path = config.getoption("--identities")
    if path is None:
        return None
    if _identities_key not in config.stash:
        suite_model(config)
        try:
            config.stash[_identities_key] = load_identities(Path(path), config.stash[_roles_key])
        except MockServerError as error:
            raise pytest.UsageError(f"contract-tests: {error}") from None
    return config.stash[_identities_key]


def build_target(config: pytest.Config) -> Target:
    """The target the options describe; a usage error when something needed is missing."""
    option = config.getoption
    token = option("--token") or os.environ.get(TOKEN_VARIABLE)
    common: dict[str, Any] = {
        "fallback_org_id": option("--fallback-org-id"),
        "api": option("--api"),
        "read_only": option("--read-only"),
        "max_examples": option("--max-examples"),
        "seed": option("--seed"),
    }
    base_url = option("--base-url")
    if base_url:
        if not token:
            raise pytest.UsageError(f"--base-url needs a token: --token or ${TOKEN_VARIABLE}")
        return Target(LiveClient(base_url), base_url, base_url.rstrip("/"), token, option("--org-id"), **common)
    app = load_app(option("--app") or DEFAULT_APP, spec_path=option("--spec"), fixtures_dir=option("--fixtures-dir"))
    return Target(
        WsgiClient(app),
        f"in-process {option('--app') or DEFAULT_APP}",
        "http://localhost",
        token or IN_PROCESS_TOKEN,
        option("--org-id") or IN_PROCESS_ORG,
        app=app,
        **{**common, "fallback_org_id": common["fallback_org_id"] or IN_PROCESS_FALLBACK_ORG},
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--read-only` deselects (never skips) what would change the target, and a run without
    `--identities` what needs several identities."""
    read_only = config.getoption("--read-only")

    def left_out(item: pytest.Item) -> bool:
        changes = item.get_closest_marker("changes_state") is not None
        return (read_only and changes) or item.get_closest_marker("needs_identities") is not None

    dropped = [item for item in items if left_out(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not left_out(item)]


@pytest.fixture(scope="session")
def model(request: pytest.FixtureRequest) -> SuiteModel:
    # schemathesis is imported here, not when pytest loads the plugin: it is a pytest plugin of its
    # own, and importing it early keeps pytest from rewriting its assertions (a warning).
    from contract_tests.plugin.checks import use_model

    built = suite_model(request.config)
    use_model(built)
    return built


@pytest.fixture(scope="session")
def contract(model: SuiteModel) -> Contract:
    return model.contract


@pytest.fixture(scope="session")
def contract_target(request: pytest.FixtureRequest) -> Target:
    return build_target(request.config)


@pytest.fixture(scope="session")
def calls(contract_target: Target, model: SuiteModel) -> Calls:
    return Calls(contract_target, model)


@pytest.fixture(scope="session")
def change_log(
    request: pytest.FixtureRequest, contract_target: Target, calls: Calls, model: SuiteModel
) -> Iterator[ChangeLog]:
    """Every change the suite makes, undone at the end of the session whatever happened."""
    log = ChangeLog()
    before = None if contract_target.read_only else snapshot(calls, model, contract_target.api)
    try:
        yield log
    finally:
        problems = log.undo_all(calls)
        if before is not None:
            restore_order(calls, model, contract_target.api, before)
            after = snapshot(calls, model, contract_target.api)
            problems += [
                f"{key}: was {before[key]}, is {after.get(key)}" for key in before if before[key] != after.get(key)
            ]
        notes = [
            f"{operation_id} has no declared behaviour: what its calls changed, if anything, was not undone"
            for operation_id in sorted(log.unknown_effects)
        ]
        request.config.stash[_restore_key] = (problems, notes)


@pytest.fixture(autouse=True)
def _operations_touched(request: pytest.FixtureRequest) -> None:
    """Start each deterministic test with no operation noted (see pytest_runtest_makereport)."""
    if "calls" in request.fixturenames:
        request.getfixturevalue("calls").touched.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Attach the operations a deterministic test called to its report, for the summary."""
    outcome = yield
    calls = getattr(item, "funcargs", {}).get("calls")
    if call.when == "call" and isinstance(calls, Calls) and calls.touched:
        report = outcome.get_result()  # type: ignore[attr-defined]
        report.user_properties.append((OPERATIONS_PROPERTY, ",".join(sorted(calls.touched))))


@pytest.fixture(scope="session")
def contract_schema(model: SuiteModel, contract_target: Target) -> Any:
    """The contract as a schemathesis schema, bound to the target and tuned for ZITADEL."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    settings: dict[str, Any] = {
        "seed": contract_target.seed,
        "generation": {"max-examples": contract_target.max_examples, "database": "none", "mode": "all"},
        "auth": {"openapi": {"bearerAuth": {"bearer": contract_target.token}}},
        "checks": {
            # ZITADEL answers 405 without an `Allow` header; zitadel_method_not_allowed checks it.
            "unsupported_method": {"enabled": False},
            "allow_header_conformance": {"enabled": False},
        },
        "operations": _operation_settings(model, contract_target),
    }
    if contract_target.org_id:
        settings["parameters"] = {"header.x-zitadel-orgid": contract_target.org_id}
    if contract_target.live:
        settings["base-url"] = contract_target.url_base
    schema: Any = schemathesis.openapi.from_dict(model.contract.document, config=SchemathesisConfig.from_dict(settings))
    if not contract_target.live:
        schema.app = contract_target.app
    return schema


def _operation_settings(model: SuiteModel, target: Target) -> list[dict[str, Any]]:
    """Per operation: which valid requests may meet state (409, 404 where the behaviour says so),
    and which operations `--read-only` and `--api` leave out."""
    entries: list[dict[str, Any]] = []
    selected = {facts.operation_id for facts in model.selected(target.api)}
    for facts in model.operations.values():
        if facts.operation_id not in selected or (target.read_only and facts.changes_state):
            entries.append({"include-operation-id": facts.operation_id, "enabled": False})
            continue
        accepted = ["2XX", *sorted(facts.state_outcomes)]
        entries.append(
            {
                "include-operation-id": facts.operation_id,
                "checks": {"positive_data_acceptance": {"expected-statuses": accepted}},
            }
        )
    return entries


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    found = config.stash.get(_restore_key, None)
    if found is None:
        return
    problems, notes = found
    terminalreporter.section("contract-tests: restoring the target")
    for problem in problems:
        terminalreporter.write_line(f"NOT RESTORED: {problem}", red=True)
    if not problems:
        terminalreporter.write_line("every change the suite made was undone")
    for note in notes:
        terminalreporter.write_line(f"note: {note}", yellow=True)
