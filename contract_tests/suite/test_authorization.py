"""What each identity may do (`--identities`): for every operation and every user, ZITADEL's
verdict follows from the operation's `x-zitadel-permission`, the user's roles and the
organization the call acts in (`--org-id`, and `--fallback-org-id` too): through, 403
`AUTH-5mWD2`, or 404 `AUTHZ-cdgFk` for a user with no membership there. Expected error bodies are
the contract's gateway examples.

Calls that change state are marked (`--read-only` leaves them out) and undone at the end.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.plugin import build_target, suite_identities, suite_model
from contract_tests.plugin.calls import Calls, RequestSpec
from contract_tests.plugin.error_shapes import error_id
from contract_tests.plugin.identities import Access, Identities, Identity
from contract_tests.plugin.model import ORG_HEADER, OperationFacts, SuiteModel
from contract_tests.plugin.reporting import explain
from contract_tests.plugin.target import Target
from contract_tests.plugin.undo import ChangeLog, change

GATEWAY_ERROR = {Access.DENIED: "noMatchingPermissions", Access.NO_MEMBERSHIP: "membershipNotFound"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "grant" not in metafunc.fixturenames:
        return
    identities = suite_identities(metafunc.config)
    if identities is None:  # deselected by the plugin: nothing to check with one token
        metafunc.parametrize("grant", [pytest.param(None, marks=pytest.mark.needs_identities)], ids=["one-token"])
        return
    model = suite_model(metafunc.config)
    target = build_target(metafunc.config)
    grants = [
        pytest.param(
            (facts, identity, org),
            marks=[pytest.mark.changes_state] if facts.changes_state else [],
            id=f"{facts.operation_id}-{identity.name}" + (f"-in-{org}" if org else ""),
        )
        for facts in model.selected(metafunc.config.getoption("--api"))
        if facts.permission
        for org in (_acting_orgs(target) if facts.takes_org_header else [None])
        for identity in identities.users
    ]
    metafunc.parametrize("grant", grants)


def _acting_orgs(target: Target) -> list[str | None]:
    """The organizations calls act in: `--org-id`, and `--fallback-org-id` when given, so that
    a right held in one organization is seen not to reach another."""
    orgs = [org for org in (target.org_id, target.fallback_org_id) if org]
    return list(dict.fromkeys(orgs)) or [None]


@pytest.fixture(scope="session")
def identities(request: pytest.FixtureRequest) -> Identities:
    found = suite_identities(request.config)
    assert found is not None
    return found


def test_each_identity_gets_what_its_roles_allow(
    grant: tuple[OperationFacts, Identity, str | None],
    identities: Identities,
    calls: Calls,
    change_log: ChangeLog,
    model: SuiteModel,
) -> None:
    facts, identity, acting_org = grant
    verdict = identities.access(identity, facts.permission, acting_org)
    headers = {ORG_HEADER: acting_org} if acting_org else {}
    recorded = len(change_log.changes())
    reply = change(calls, change_log, facts, RequestSpec(headers=headers, authorization=f"Bearer {identity.token}"))
    undone = change_log.undo_since(calls, recorded)  # the next identity meets the state this one met
    assert not undone, f"could not put back what {identity.name}'s call changed: {undone}"
    where = acting_org or f"its own organization {identity.org}"
    who = f"{identity.name} (roles {list(identity.roles) or 'none'}, of {identity.org})"
    if verdict is Access.ALLOWED:
        refused = reply.status in (401, 403) or error_id(reply.json_or_none()) == _gateway_id(
            model, Access.NO_MEMBERSHIP
        )
        wanted = f"{who} may call {facts.operation_id} in {where}: its roles grant `{facts.permission}`"
        assert not refused, explain(wanted, reply)
        return
    status, body = model.gateway_error(GATEWAY_ERROR[verdict])
    wanted = f"{verdict.value}: {who} calling {facts.operation_id} in {where}, which needs `{facts.permission}`"
    got = reply.json_or_none()
    assert reply.status == status and error_id(got) == error_id(body), explain(wanted, reply)


def _gateway_id(model: SuiteModel, verdict: Access) -> Any:
    return error_id(model.gateway_error(GATEWAY_ERROR[verdict])[1])
