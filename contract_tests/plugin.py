"""The pytest plugin: options to pick the target, and the fixtures every contract test uses.

Load it with `-p contract_tests.plugin` (the CLI and this project's pytest config do). Without
`--base-url`, the suite tests the mock in-process; with it, any server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from contract_tests.factor_calls import FactorCalls
from contract_tests.options import RUN_OPTIONS
from contract_tests.safety import ChangeLog, snapshot, undo
from contract_tests.summary import OPERATIONS_PROPERTY, OperationSummary
from contract_tests.target import (
    DEFAULT_APP,
    TOKEN_VARIABLE,
    LiveClient,
    Target,
    WsgiClient,
    load_app,
)
from mockserver.spec import Contract, load_spec

IN_PROCESS_TOKEN = "iam-owner"
IN_PROCESS_ORG = "251000000000000001"
_restore_key = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "ZITADEL login-policy MFA contract tests")
    for name, settings in RUN_OPTIONS:
        group.addoption(name, **settings)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(OperationSummary(), "contract-tests-summary")
    config.addinivalue_line("markers", "changes_state: adds or removes factors on the target")
    config.addinivalue_line("markers", "api(name): the API (management or admin) a test needs")


def build_target(config: pytest.Config) -> Target:
    """The target the options describe; a usage error when something needed is missing."""
    option = config.getoption
    token = option("--token") or os.environ.get(TOKEN_VARIABLE)
    apis = ("management", "admin") if option("--api") == "all" else (option("--api"),)
    common: dict[str, Any] = {
        "apis": apis,
        "read_only": option("--read-only"),
        "max_examples": option("--max-examples"),
        "seed": option("--seed"),
    }
    base_url = option("--base-url")
    if base_url:
        if not token:
            raise pytest.UsageError(f"--base-url needs a token: --token or ${TOKEN_VARIABLE}")
        client = LiveClient(base_url)
        return Target(client, base_url, base_url.rstrip("/"), token, option("--org-id"), **common)
    app = load_app(option("--app") or DEFAULT_APP)
    org_id = option("--org-id") or IN_PROCESS_ORG
    return Target(
        WsgiClient(app),
        f"in-process {option('--app')}",
        "http://localhost",
        token or IN_PROCESS_TOKEN,
        org_id,
        app=app,
        **common,
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--read-only` and `--api` deselect (never skip) what the run must not do."""
    read_only = config.getoption("--read-only")
    api = config.getoption("--api")
    kept, dropped = [], []
    for item in items:
        needs_api = item.get_closest_marker("api")
        wrong_api = api != "all" and needs_api is not None and needs_api.args[0] != api
        if (read_only and item.get_closest_marker("changes_state")) or wrong_api:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def contract() -> Contract:
    return load_spec()


@pytest.fixture(scope="session")
def contract_target(request: pytest.FixtureRequest) -> Target:
    return build_target(request.config)


@pytest.fixture(scope="session")
def factor_calls(contract_target: Target, contract: Contract) -> FactorCalls:
    return FactorCalls(contract_target, contract)


@pytest.fixture(scope="session")
def change_log(
    request: pytest.FixtureRequest, contract_target: Target, factor_calls: FactorCalls
) -> Iterator[ChangeLog]:
    """Every change the suite makes, undone at the end of the session whatever happened."""
    log = ChangeLog()
    before = None if contract_target.read_only else snapshot(factor_calls, contract_target.apis)
    try:
        yield log
    finally:
        problems = undo(factor_calls, log)
        if before is not None:
            after = snapshot(factor_calls, contract_target.apis)
            problems += [f"{key}: was {before[key]}, is {after[key]}" for key in before if before[key] != after[key]]
        request.config.stash[_restore_key] = problems


@pytest.fixture(autouse=True)
def _operations_touched(request: pytest.FixtureRequest) -> None:
    """Start each deterministic test with no operation noted (see pytest_runtest_makereport)."""
    if "factor_calls" in request.fixturenames:
        request.getfixturevalue("factor_calls").touched.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Attach the operations a deterministic test called to its report, for the summary."""
    outcome = yield
    calls = getattr(item, "funcargs", {}).get("factor_calls")
    if call.when == "call" and isinstance(calls, FactorCalls) and calls.touched:
        report = outcome.get_result()  # type: ignore[attr-defined]
        report.user_properties.append((OPERATIONS_PROPERTY, ",".join(sorted(calls.touched))))


@pytest.fixture(scope="session")
def contract_schema(contract: Contract, contract_target: Target) -> Any:
    """The contract as a schemathesis schema, bound to the target and tuned for ZITADEL."""
    settings: dict[str, Any] = {
        "seed": contract_target.seed,
        "generation": {
            "max-examples": contract_target.max_examples,
            "database": "none",
            "mode": "all",
        },
        "auth": {"openapi": {"bearerAuth": {"bearer": contract_target.token}}},
        "checks": {
            # ZITADEL answers 405 without an `Allow` header; zitadel_method_not_allowed checks it.
            "unsupported_method": {"enabled": False},
            "allow_header_conformance": {"enabled": False},
            # Valid input may meet state: 409 (already active), 404 (not active) are right answers.
            "positive_data_acceptance": {"expected-statuses": ["2XX", 404, 409]},
        },
    }
    settings["operations"] = _switched_off(contract_target)
    if contract_target.org_id:
        settings["parameters"] = {"header.x-zitadel-orgid": contract_target.org_id}
    if isinstance(contract_target.client, LiveClient):
        settings["base-url"] = contract_target.url_base
    schema: Any = schemathesis.openapi.from_dict(contract.document, config=SchemathesisConfig.from_dict(settings))
    if contract_target.app is not None:
        schema.app = contract_target.app
    return schema


def _switched_off(target: Target) -> list[dict[str, Any]]:
    """schemathesis `[[operations]]` entries that turn off what `--read-only` and `--api` exclude."""
    off: list[dict[str, Any]] = []
    if target.read_only:
        off.append({"exclude-path-regex": "/_search$", "enabled": False})  # everything but lists
    off += [
        {"include-path-regex": f"^/{api}/", "enabled": False}
        for api in ("management", "admin")
        if api not in target.apis
    ]
    return off


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    problems = config.stash.get(_restore_key, None)
    if problems is None:
        return
    terminalreporter.section("contract-tests: restoring the target")
    if problems:
        for problem in problems:
            terminalreporter.write_line(f"NOT RESTORED: {problem}", red=True)
    else:
        terminalreporter.write_line("every factor the suite changed was put back")
