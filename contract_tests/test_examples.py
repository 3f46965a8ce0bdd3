"""Deterministic scenarios for the semantics no schema can express, run against any target.

Tests that add or remove factors carry `changes_state` (left out by `--read-only`) and log
every change, which the session undoes at the end. Management tests act on `--org-id`, which
should have a custom login policy (without one, ZITADEL lists the instance default instead).
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.factor_calls import FactorCalls
from contract_tests.reporting import explain
from contract_tests.safety import ChangeLog
from contract_tests.target import Reply
from mockserver import zitadel_errors

APIS = [
    pytest.param("management", marks=pytest.mark.api("management")),
    pytest.param("admin", marks=pytest.mark.api("admin")),
]
KINDS = ["second", "multi"]
UNKNOWN_ORG = "999999999999999999"


def change(calls: FactorCalls, log: ChangeLog, api: str, kind: str, action: str, factor: str | int) -> Reply:
    """Add or remove, logging a success so the session can undo it."""
    reply: Reply = calls.add(api, kind, factor) if action == "add" else calls.remove(api, kind, factor)
    operation = calls.operation(api, action, kind)
    log.record(operation.operation_id, reply.status, {"type": factor}, str(factor))
    return reply


def absent_factor(calls: FactorCalls, log: ChangeLog, api: str, kind: str) -> str:
    """A factor the list does not show, removing one first when every factor is active."""
    listed = calls.listed(api, kind)
    missing = [name for name in calls.defined(kind) if name not in listed]
    if missing:
        return missing[-1]
    reply = change(calls, log, api, kind, "remove", listed[-1])
    assert reply.status == 200, explain(f"200 removing {listed[-1]}, which the list showed", reply)
    return listed[-1]


def present_factor(calls: FactorCalls, log: ChangeLog, api: str, kind: str) -> str:
    """A factor the list shows, adding one first when none is active."""
    listed = calls.listed(api, kind)
    if listed:
        return listed[0]
    factor = calls.defined(kind)[0]
    reply = change(calls, log, api, kind, "add", factor)
    assert reply.status == 200, explain(f"200 adding {factor} to an empty list", reply)
    return factor


def assert_error(reply: Reply, status: int, code: int, error_id: str | None = None) -> None:
    expected = f"{status} with gRPC code {code}" + (f" and error id {error_id}" if error_id else "")
    body = reply.json() if reply.headers.get("content-type", "").startswith("application/json") else None
    assert reply.status == status and isinstance(body, dict) and body.get("code") == code, explain(expected, reply)
    if error_id is not None:
        ids = [detail.get("id") for detail in body.get("details", [])]
        assert ids == [error_id] and body["message"].endswith(f"({error_id})"), explain(expected, reply)


def list_body(calls: FactorCalls, api: str, kind: str, **options: Any) -> dict[str, Any]:
    reply = calls.search(api, kind, **options)
    assert reply.status == 200, explain("200 from a list", reply)
    body: dict[str, Any] = reply.json()
    return body


# Changes to state --------------------------------------------------------------------------------


@pytest.mark.changes_state
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("api", APIS)
def test_add_then_list_shows_the_factor(factor_calls: FactorCalls, change_log: ChangeLog, api: str, kind: str) -> None:
    factor = absent_factor(factor_calls, change_log, api, kind)
    before = factor_calls.listed(api, kind)
    added = change(factor_calls, change_log, api, kind, "add", factor)
    assert added.status == 200, explain(f"200 adding {factor}", added)
    details = added.json()["details"]
    assert "creationDate" in details and "changeDate" not in details, explain(
        "add details with creationDate only", added
    )
    body = list_body(factor_calls, api, kind)
    assert body.get("result") == [*before, factor], explain(f"the list to end with {factor}, once", added)
    assert body["details"].get("totalResult") == str(len(before) + 1)


@pytest.mark.changes_state
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("api", APIS)
def test_second_add_is_409(factor_calls: FactorCalls, change_log: ChangeLog, api: str, kind: str) -> None:
    factor = present_factor(factor_calls, change_log, api, kind)
    reply = change(factor_calls, change_log, api, kind, "add", factor)
    assert_error(reply, 409, 6, zitadel_errors.factor_already_exists(api, kind).error_id)


@pytest.mark.changes_state
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("api", APIS)
def test_remove_then_list_no_longer_shows_it(
    factor_calls: FactorCalls, change_log: ChangeLog, api: str, kind: str
) -> None:
    factor = present_factor(factor_calls, change_log, api, kind)
    removed = change(factor_calls, change_log, api, kind, "remove", factor)
    assert removed.status == 200, explain(f"200 removing {factor}", removed)
    details = removed.json()["details"]
    assert "changeDate" in details and "creationDate" not in details, explain(
        "remove details with changeDate only", removed
    )
    body = list_body(factor_calls, api, kind)
    assert factor not in body.get("result", []), explain(f"{factor} gone from the list", removed)


@pytest.mark.changes_state
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("api", APIS)
def test_removing_an_absent_factor_is_404(
    factor_calls: FactorCalls, change_log: ChangeLog, api: str, kind: str
) -> None:
    factor = absent_factor(factor_calls, change_log, api, kind)
    reply = change(factor_calls, change_log, api, kind, "remove", factor)
    assert_error(reply, 404, 5, zitadel_errors.factor_not_existing(api, kind).error_id)


@pytest.mark.changes_state
@pytest.mark.parametrize("api", APIS)
def test_empty_list_has_no_result_and_no_total(factor_calls: FactorCalls, change_log: ChangeLog, api: str) -> None:
    for factor in factor_calls.listed(api, "multi"):
        reply = change(factor_calls, change_log, api, "multi", "remove", factor)
        assert reply.status == 200, explain(f"200 removing {factor}", reply)
    reply = factor_calls.search(api, "multi")
    body = reply.json()
    assert "result" not in body and "totalResult" not in body["details"], explain("no result, no totalResult", reply)


@pytest.mark.changes_state
@pytest.mark.parametrize("api", APIS)
def test_numbers_are_accepted_where_names_are(factor_calls: FactorCalls, change_log: ChangeLog, api: str) -> None:
    factor = absent_factor(factor_calls, change_log, api, "second")
    number = factor_calls.number("second", factor)
    added = change(factor_calls, change_log, api, "second", "add", number)
    assert added.status == 200, explain(f"200 adding {factor} by its number {number}", added)
    assert factor in factor_calls.listed(api, "second"), explain(f"{factor} listed by name", added)
    removed = change(factor_calls, change_log, api, "second", "remove", str(number))
    assert removed.status == 200, explain(f"200 removing {factor} by its number in the path", removed)


@pytest.mark.changes_state
@pytest.mark.parametrize("api", APIS)
def test_sequences_only_grow(factor_calls: FactorCalls, change_log: ChangeLog, api: str) -> None:
    factor = absent_factor(factor_calls, change_log, api, "second")
    added = change(factor_calls, change_log, api, "second", "add", factor)
    removed = change(factor_calls, change_log, api, "second", "remove", factor)
    assert added.status == removed.status == 200, explain("200 twice", removed)
    first, second = (int(reply.json()["details"]["sequence"]) for reply in (added, removed))
    assert second > first, explain(f"the remove's sequence above the add's {first}", removed)


@pytest.mark.changes_state
@pytest.mark.parametrize(
    "body", [{}, {"type": 0}, {"type": "SECOND_FACTOR_TYPE_UNSPECIFIED"}, {"type": "FOO"}, {"type": 99}], ids=str
)
@pytest.mark.parametrize("api", APIS)
def test_unspecified_or_unknown_types_are_400(factor_calls: FactorCalls, api: str, body: dict[str, Any]) -> None:
    operation = factor_calls.operation(api, "add", "second")
    reply = factor_calls.target.call(operation.method, operation.path, api, json_body=body)
    assert_error(reply, 400, 3)
    assert "AddSecondFactorToLoginPolicyRequest.Type" in reply.json()["message"], explain(
        "the validation message", reply
    )


@pytest.mark.changes_state
@pytest.mark.parametrize(
    ("value", "fragment"), [("0", "must not be in list [0]"), ("FOO", "type mismatch"), ("6", "type mismatch")]
)
@pytest.mark.parametrize("api", APIS)
def test_bad_path_types_are_400(factor_calls: FactorCalls, api: str, value: str, fragment: str) -> None:
    reply = factor_calls.remove(api, "second", value)
    assert_error(reply, 400, 3)
    assert fragment in reply.json()["message"], explain(f"a message with {fragment!r}", reply)


# Read-only -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("api", APIS)
def test_list_is_consistent(factor_calls: FactorCalls, api: str, kind: str) -> None:
    reply = factor_calls.search(api, kind)
    body = reply.json()
    result = body.get("result", [])
    assert body["details"].get("totalResult") == (str(len(result)) if result else None), explain(
        "totalResult = len(result)", reply
    )
    assert len(set(result)) == len(result), explain("no factor twice", reply)
    assert all(not item.endswith("_UNSPECIFIED") for item in result), explain("no UNSPECIFIED", reply)
    assert result != [] and "result" in body or not result, explain("no empty result list", reply)


@pytest.mark.parametrize("api", APIS)
def test_list_ignores_its_body(factor_calls: FactorCalls, api: str) -> None:
    plain = list_body(factor_calls, api, "second")
    for body in (b"{not json", b'{"query": {"limit": 1}}', b"[]"):
        reply = factor_calls.search(api, "second", raw_body=body, extra_headers={"Content-Type": "application/json"})
        assert reply.status == 200, explain("200: list bodies are never read", reply)
        assert reply.json().get("result") == plain.get("result"), explain("the same result", reply)


@pytest.mark.parametrize("api", APIS)
def test_missing_token_is_401_with_www_authenticate(factor_calls: FactorCalls, api: str) -> None:
    reply = factor_calls.search(api, "second", token=None)
    assert_error(reply, 401, 16)
    assert reply.json() == {"code": 16, "message": "auth header missing"}, explain("auth header missing", reply)
    assert reply.headers.get("www-authenticate") == "auth header missing", explain("WWW-Authenticate", reply)


@pytest.mark.parametrize("api", APIS)
def test_invalid_token_is_401_with_www_authenticate(factor_calls: FactorCalls, api: str) -> None:
    reply = factor_calls.search(api, "second", token="not-a-valid-token")
    assert_error(reply, 401, 16, "AUTH-7fs1e")
    assert reply.headers.get("www-authenticate") == reply.json()["message"], explain(
        "WWW-Authenticate = message", reply
    )


@pytest.mark.parametrize("api", APIS)
def test_other_schemes_are_invalid_auth_headers(factor_calls: FactorCalls, api: str) -> None:
    reply = factor_calls.search(api, "second", token=None, extra_headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_error(reply, 401, 16, "AUTH-toLo1")


@pytest.mark.api("management")
def test_unknown_organization_is_refused(factor_calls: FactorCalls) -> None:
    reply = factor_calls.search("management", "second", extra_headers={"x-zitadel-orgid": UNKNOWN_ORG})
    assert_error(reply, 403, 7, "AUTH-Bs7Ds")


@pytest.mark.parametrize("api", APIS)
def test_other_methods_are_405(factor_calls: FactorCalls, api: str) -> None:
    operation = factor_calls.operation(api, "list", "second")
    reply = factor_calls.target.call("GET", operation.path, api)
    assert reply.status == 405 and reply.json() == {"code": 12, "message": "Method Not Allowed"}, explain("405", reply)


@pytest.mark.parametrize("api", APIS)
def test_unknown_paths_are_404(factor_calls: FactorCalls, api: str) -> None:
    operation = factor_calls.operation(api, "list", "second")
    reply = factor_calls.target.call("POST", operation.path.replace("second_factors", "third_factors"), api)
    assert reply.status == 404 and reply.json() == {"code": 5, "message": "Not Found"}, explain("404 Not Found", reply)
