"""ZITADEL's order of checks, for every operation: a request that breaks two checks gets the
error of the one ZITADEL runs first.

The order is routing → decoding → authentication → organization → membership → permission →
validation → the operation itself (docs/zitadel-behaviour.md). For each operation the suite
finds in the contract a way to break each check:

- routing: the operation's path made longer (404), or a method no operation has there (405);
- authentication and organization: the gateway's examples (`x-zitadel-gateway.errors`) the
  operation documents, with the requests they name (`x-zitadel-requests`);
- decoding, validation and the operation: the operation's other named error examples with
  requests. An example the contract says is answered to a request without a token is decoding
  (only decoding comes before authentication); an error without an id in protoc-gen-validate's
  words (`invalid <Message>.<Field>: ...`) is validation; ZITADEL's own errors (with an id) are
  the operation's;
- membership and permission (with `--identities` only): a user without a membership where the
  call acts, and a user whose roles lack the operation's `x-zitadel-permission` there.

For every pair of checks, each way to break the earlier one is sent together with the first way
to break the later one that fits in the same request (not two bodies, two tokens or two values of
one parameter), and the answer must be the earlier check's. Calls that could change a server
that gets the order wrong are marked `changes_state` and undone at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest

from contract_tests.plugin import build_target, suite_identities, suite_model
from contract_tests.plugin.calls import DEFAULT, NOT_GIVEN, Calls, RequestSpec, applies, default_url
from contract_tests.plugin.error_shapes import error_id
from contract_tests.plugin.identities import Access, Identities, Identity
from contract_tests.plugin.model import ORG_HEADER, SAFE_METHODS, OperationFacts, SuiteModel
from contract_tests.plugin.reply import Reply
from contract_tests.plugin.reporting import explain
from contract_tests.plugin.undo import ChangeLog, change
from contract_tests.suite.expect import expect_example
from mockserver.contract.spec import NamedExample
from mockserver.zitadel.authz import AUTHENTICATED_ONLY

STAGES = (
    "routing",
    "decoding",
    "authentication",
    "organization",
    "membership",
    "permission",
    "validation",
    "operation",
)
GATEWAY_STAGES = {
    "routeNotFound": "routing",
    "methodNotAllowed": "routing",
    "authHeaderMissing": "authentication",
    "invalidAuthHeader": "authentication",
    "invalidToken": "authentication",
    "organisationNotFound": "organization",
    "membershipNotFound": "membership",
    "noMatchingPermissions": "permission",
}
IDENTITY_STAGES = {
    "membership": ("membershipNotFound", Access.NO_MEMBERSHIP),
    "permission": ("noMatchingPermissions", Access.DENIED),
}
# protoc-gen-validate's words: `invalid <Message>.<Field>: <rule>` (`<Field>[i]` for a list item)
VALIDATION_WORDS = re.compile(r"invalid [A-Z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+|\[\d+\])+: ")
PROBE_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
NOWHERE = "/__nowhere__"
_CONFLICT: Any = object()


@dataclass(frozen=True)
class Breaker:
    """One way to break one check of an operation, and what the check answers alone."""

    stage: str
    name: str
    specs: tuple[RequestSpec, ...] = (RequestSpec(),)  # each breaks it; the first that fits is sent
    example: NamedExample | None = None
    compare: str = "body"
    other_method: bool = False  # routing: a method no operation has on the path (else a longer path)
    verdict: Access | None = None  # membership, permission: the identity that breaks it
    gateway_error: str = ""  # membership, permission: the gateway's error, when the operation shows none


@dataclass(frozen=True)
class OrderCase:
    """A request that breaks an earlier and a later check of one operation."""

    facts: OperationFacts
    earlier: Breaker
    later: Breaker
    spec: RequestSpec
    method: str | None = None
    suffix: str = ""
    who: str = ""  # the identity whose token the request carries, if any

    def label(self, breaker: Breaker) -> str:
        return f"{breaker.stage}-{self.who if breaker.verdict is not None else breaker.name}"

    def __repr__(self) -> str:  # the spec may carry an identity's token: never shown
        return f"OrderCase({self.facts.operation_id}: {self.label(self.earlier)} before {self.label(self.later)})"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "order_case" not in metafunc.fixturenames:
        return
    model = suite_model(metafunc.config)
    identities = suite_identities(metafunc.config)
    org_id = build_target(metafunc.config).org_id if identities is not None else None
    cases = [
        pytest.param(
            case,
            marks=_marks(case),
            id=f"{case.facts.operation_id}-{case.label(case.earlier)}-before-{case.label(case.later)}",
        )
        for facts in model.selected(metafunc.config.getoption("--api"))
        for case in _cases(model, facts, identities, org_id)
    ]
    metafunc.parametrize("order_case", cases)


def _marks(case: OrderCase) -> list[pytest.MarkDecorator]:
    """A request a server with another order could take as a change is left out by `--read-only`."""
    changes = case.facts.changes_state if case.method is None else case.method not in SAFE_METHODS
    return [pytest.mark.changes_state] if changes else []


def _cases(
    model: SuiteModel, facts: OperationFacts, identities: Identities | None, org_id: str | None
) -> Iterator[OrderCase]:
    """For each pair of checks, each way to break the earlier with the first fitting way to break
    the later."""
    breakers = _breakers(model, facts, identities is not None)
    for index, earlier_stage in enumerate(STAGES):
        for later_stage in STAGES[index + 1 :]:
            for earlier in breakers.get(earlier_stage, []):
                for later in breakers.get(later_stage, []):
                    case = _combine(model, facts, earlier, later, identities, org_id)
                    if case is not None:
                        yield case
                        break


def _breakers(model: SuiteModel, facts: OperationFacts, with_identities: bool) -> dict[str, list[Breaker]]:
    """Every way the contract gives to break each check of the operation, by check."""
    found: dict[str, list[Breaker]] = {
        "routing": [Breaker("routing", "unknown-path"), Breaker("routing", "other-method", other_method=True)]
    }
    for example in facts.examples.values():
        node = model.contract.resolve(model.contract.node(example.pointer))
        entries: list[Mapping[str, Any]] = node.get("x-zitadel-requests", [])
        stage = _stage_of(model, example, entries)
        if stage is None or stage == "routing" or not entries:
            continue
        specs = _specs(facts, stage, entries)
        if specs:
            compare = str(node.get("x-zitadel-compare", "body"))
            found.setdefault(stage, []).append(Breaker(stage, example.name, specs, example, compare))
    if with_identities and facts.permission and facts.permission != AUTHENTICATED_ONLY:
        for stage, (gateway_name, verdict) in IDENTITY_STAGES.items():
            shown = _documented(model, facts, gateway_name)
            found[stage] = [Breaker(stage, gateway_name, example=shown, verdict=verdict, gateway_error=gateway_name)]
    return found


def _stage_of(model: SuiteModel, example: NamedExample, entries: Sequence[Mapping[str, Any]]) -> str | None:
    """Which check answers the example, from the contract alone (None: it cannot tell)."""
    for name, stage in GATEWAY_STAGES.items():
        status, body = model.gateway_error(name)
        if example.status == str(status) and _same_error(example.value, body):
            return stage
    if any("authorization" in entry and entry["authorization"] is None for entry in entries):
        return "decoding"  # the contract says it is answered without a token: before authentication
    value = example.value if isinstance(example.value, dict) else {}
    if error_id(value) is not None:
        return "operation"
    if example.status == "400" and VALIDATION_WORDS.match(str(value.get("message", ""))):
        return "validation"
    return None


def _same_error(first: Any, second: Any) -> bool:
    """The same error in either transport's shape: the same id, or without ids the same message."""
    if not isinstance(first, dict) or not isinstance(second, dict):
        return False
    if error_id(first) or error_id(second):
        return error_id(first) == error_id(second)
    return bool(first.get("message")) and first.get("message") == second.get("message")


def _specs(facts: OperationFacts, stage: str, entries: Sequence[Mapping[str, Any]]) -> tuple[RequestSpec, ...]:
    """The example's requests this operation can take; a decoding request without its `no token`,
    so that it can go with the other checks' parts."""
    specs: list[RequestSpec] = []
    for entry in entries:
        spec = RequestSpec.from_contract(entry)
        if stage == "decoding" and spec.authorization is None:
            spec = replace(spec, authorization=DEFAULT)
        if applies(facts, spec) and spec not in specs:
            specs.append(spec)
    return tuple(specs)


def _documented(model: SuiteModel, facts: OperationFacts, gateway_name: str) -> NamedExample | None:
    """The operation's own example of a gateway error (in its transport's shape), if it has one."""
    status, body = model.gateway_error(gateway_name)
    return next(
        (e for e in facts.examples.values() if e.status == str(status) and _same_error(e.value, body)),
        None,
    )


def _combine(
    model: SuiteModel,
    facts: OperationFacts,
    earlier: Breaker,
    later: Breaker,
    identities: Identities | None,
    org_id: str | None,
) -> OrderCase | None:
    """One request that breaks both, or None when their parts cannot go together."""
    for first in earlier.specs:
        for second in later.specs:
            spec = merge(first, second)
            if spec is None:
                continue
            spec, who = _with_identity(facts, earlier, later, spec, identities, org_id)
            if spec is None:
                continue
            method, suffix = _routing(model, facts, earlier, spec)
            if earlier.stage == "routing" and method is None and not suffix:
                continue
            return OrderCase(facts, earlier, later, spec, method, suffix, who)
    return None


def _with_identity(
    facts: OperationFacts,
    earlier: Breaker,
    later: Breaker,
    spec: RequestSpec,
    identities: Identities | None,
    org_id: str | None,
) -> tuple[RequestSpec | None, str]:
    """The spec with the token of an identity that breaks membership or permission where the call
    acts. A user without a membership there holds no permission there either, so for that pair it
    breaks both."""
    wanted = [breaker.verdict for breaker in (earlier, later) if breaker.verdict is not None]
    if not wanted:
        return spec, ""
    if identities is None or spec.authorization is not DEFAULT:
        return None, ""
    headers = {name.lower(): value for name, value in spec.headers.items()}
    acting = headers.get(ORG_HEADER) or (org_id if facts.takes_org_header else None)
    identity: Identity | None = next(
        (user for user in identities.users if identities.access(user, facts.permission, acting) is wanted[0]), None
    )
    if identity is None:
        return None, ""
    return replace(spec, authorization=f"Bearer {identity.token}"), identity.name


def _routing(model: SuiteModel, facts: OperationFacts, earlier: Breaker, spec: RequestSpec) -> tuple[str | None, str]:
    """The method or path suffix that misses the gateway's routes, for this spec's path values."""
    if earlier.stage != "routing":
        return None, ""
    path = default_url(model, facts, spec.path)
    if earlier.other_method:
        return next((method for method in PROBE_METHODS if not model.route_exists(method, path)), None), ""
    for depth in range(1, 5):
        if not model.path_exists(path + NOWHERE * depth):
            return None, NOWHERE * depth
    return None, ""


def merge(first: RequestSpec, second: RequestSpec) -> RequestSpec | None:
    """One request with the parts of both, or None when both set the same part differently (two
    bodies, two tokens, two values of one parameter). Two JSON objects with no field in common
    make one body."""
    path, query = _union(first.path, second.path), _union(first.query, second.query)
    headers = _union(
        {name.lower(): value for name, value in first.headers.items()},
        {name.lower(): value for name, value in second.headers.items()},
    )
    authorization = _authorization(first.authorization, second.authorization)
    body = _body(first, second)
    if _CONFLICT in (path, query, headers, authorization, body):
        return None
    return RequestSpec(
        path=path, query=query, headers=headers, body=body[0], raw_body=body[1], authorization=authorization
    )


def _union(first: Mapping[str, Any], second: Mapping[str, Any]) -> Any:
    if any(name in second and second[name] != value for name, value in first.items()):
        return _CONFLICT
    return {**first, **second}


def _authorization(first: Any, second: Any) -> Any:
    if first is DEFAULT or first == second:
        return second
    return first if second is DEFAULT else _CONFLICT


def _body(first: RequestSpec, second: RequestSpec) -> Any:
    """(body, raw body) of the merged request."""
    given = [spec for spec in (first, second) if spec.body is not NOT_GIVEN or spec.raw_body is not None]
    if not given:
        return NOT_GIVEN, None
    if len(given) == 1:
        return given[0].body, given[0].raw_body
    one, other = first.body, second.body
    if isinstance(one, dict) and isinstance(other, dict) and one and other and not set(one) & set(other):
        return {**one, **other}, None
    return _CONFLICT


def test_the_earlier_check_answers(
    order_case: OrderCase, calls: Calls, change_log: ChangeLog, model: SuiteModel
) -> None:
    case = order_case
    if case.earlier.stage == "routing":  # no operation is reached: nothing to undo on a correct server
        reply = calls.send(case.facts, case.spec, method=case.method, suffix=case.suffix)
        undone: list[str] = []
    else:
        recorded = len(change_log.changes())
        reply = change(calls, change_log, case.facts, case.spec)
        undone = change_log.undo_since(calls, recorded)
    why = (
        f"{case.facts.operation_id}: the request breaks {case.label(case.earlier)} and {case.label(case.later)}; "
        f"ZITADEL checks {case.earlier.stage} first, so its error answers"
    )
    try:
        _expect_earlier(case, reply, model)
    except AssertionError as error:
        raise AssertionError(f"{why}\n{error}") from None
    assert not undone, f"could not put back what the call changed: {undone}"


def _expect_earlier(case: OrderCase, reply: Reply, model: SuiteModel) -> None:
    earlier, connect = case.earlier, case.facts.operation.is_connect
    if earlier.stage == "routing":
        _expect_routing(case, reply, model)
    elif earlier.example is not None:
        expect_example(reply, earlier.example, earlier.compare, connect)
    else:  # a gateway error the operation does not show in its own shape: status and id
        status, body = model.gateway_error(earlier.gateway_error)
        wanted = f"{status} {body} (the gateway's {earlier.gateway_error})"
        assert reply.status == status and error_id(reply.json_or_none()) == error_id(body), explain(wanted, reply)


def _expect_routing(case: OrderCase, reply: Reply, model: SuiteModel) -> None:
    connect = case.facts.operation.is_connect
    if case.method is not None:
        if connect:
            wanted = "405 with `Allow: POST` and no body, as connect-go answers"
            assert (reply.status, reply.body, reply.headers.get("allow")) == (405, b"", "POST"), explain(wanted, reply)
            return
        status, body = model.gateway_error("methodNotAllowed")
    else:
        if connect:  # under a Connect service's path: Go's plain `404 page not found`
            assert reply.status == 404, explain("404 (connect-go's handler knows no such procedure)", reply)
            return
        status, body = model.gateway_error("routeNotFound")
    assert (reply.status, reply.json_or_none()) == (status, body), explain(f"{status} {body}", reply)
