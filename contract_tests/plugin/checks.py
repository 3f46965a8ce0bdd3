"""Checks specific to ZITADEL's contract, registered with schemathesis.

Each is a small `(ctx, response, case)` function; its docstring says what it guarantees. What
applies to an operation comes from the contract and its declared behaviour (the suite's model),
never from the operation's name or path. The plugin hands the model over with `use_model`.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

from contract_tests.plugin.error_shapes import assert_error_shape, is_error_body
from contract_tests.plugin.model import ORG_HEADER, SuiteModel
from mockserver.behaviour.world import ORG_PLACEHOLDER

_models: dict[str, SuiteModel] = {}


def use_model(model: SuiteModel) -> None:
    """The model the checks read (one per run; the plugin sets it)."""
    _models["current"] = model


def _model() -> SuiteModel | None:
    return _models.get("current")


def _header(response: Any, name: str) -> str | None:
    for key, values in response.headers.items():
        if key.lower() == name.lower():
            return str(values[0]) if values else ""
    return None


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _operation_id(case: Any) -> str:
    return str(case.operation.definition.raw.get("operationId", ""))


@schemathesis.check
def zitadel_error_body(ctx: Any, response: Any, case: Any) -> None:
    """Every error is its transport's error body (the gateway's `{code, message, details?}`, or
    Connect's) with the code of its HTTP status and details that repeat the message's id; a REST
    401 repeats its message in WWW-Authenticate."""
    if response.status_code < 400:
        return
    model = _model()
    facts = model.operations.get(_operation_id(case)) if model else None
    connect = facts is not None and facts.operation.is_connect
    if connect and not response.content and response.status_code in (405, 415):
        return  # connect-go's refusals before any ZITADEL code: no body
    body = _json(response)
    if not is_error_body(body, connect):
        form = "Connect" if connect else "ZITADEL"
        raise AssertionError(f"error {response.status_code} is not a {form} error body: {response.content[:200]!r}")
    assert_error_shape(response.status_code, body, _header(response, "WWW-Authenticate"), connect)


@schemathesis.check
def zitadel_list_is_consistent(ctx: Any, response: Any, case: Any) -> None:
    """A list's `details.totalResult` is the number of `result` entries and absent with none;
    `result` is never `[]` and holds no entry twice (entries may be objects)."""
    if response.status_code != 200:
        return
    assert_list_consistent(_json(response))


def assert_list_consistent(body: Any) -> None:
    """ZITADEL's ListDetails rule, for any answer that has `details` and a `result` or a total."""
    if not isinstance(body, dict) or not isinstance(body.get("details"), dict):
        return
    details = body["details"]
    if "result" not in body and "totalResult" not in details:
        return
    result = body.get("result")
    if result == []:
        raise AssertionError("`result` is `[]`: ZITADEL leaves an empty list out")
    entries = result if isinstance(result, list) else []
    total = details.get("totalResult")
    if (str(len(entries)) if entries else None) != total:
        raise AssertionError(f"totalResult {total!r} but {len(entries)} results: {entries}")
    canonical = [json.dumps(entry, sort_keys=True) for entry in entries]
    if len(set(canonical)) != len(canonical):
        raise AssertionError(f"result lists an entry twice: {entries}")


@schemathesis.check
def zitadel_change_names_its_owner(ctx: Any, response: Any, case: Any) -> None:
    """A change to an organization's state names that organization as `details.resourceOwner`."""
    model = _model()
    facts = model.operations.get(_operation_id(case)) if model else None
    if response.status_code != 200 or facts is None or facts.behaviour is None or not facts.behaviour.changes_state:
        return
    changed = [step.at for step in facts.behaviour.steps if step.changes_state and step.at]
    org = (case.headers or {}).get(ORG_HEADER)
    if not org or not all(path.startswith(f"/organizations/{ORG_PLACEHOLDER}") for path in changed):
        return
    owner = ((_json(response) or {}).get("details") or {}).get("resourceOwner")
    if owner != org:
        raise AssertionError(f"resourceOwner is {owner!r}, not the organization {org!r} the call acted on")


@schemathesis.check
def zitadel_method_not_allowed(ctx: Any, response: Any, case: Any) -> None:
    """A method no operation has on that path is 405 `Method Not Allowed`, with no `Allow`
    header (a method another template matches, like DELETE on `.../_search`, goes to that
    operation instead); on a Connect procedure, connect-go's 405: `Allow: POST`, no body."""
    model = _model()
    method = case.method.upper()
    if model is None or method == case.operation.method.upper() or model.route_exists(method, case.formatted_path):
        return
    facts = model.operations.get(_operation_id(case))
    if facts is not None and facts.operation.is_connect:
        allow = _header(response, "Allow")
        if (response.status_code, response.content, allow) != (405, b"", "POST"):
            raise AssertionError(
                f"{method} {case.formatted_path}: connect-go answers 405 with `Allow: POST` and no body, "
                f"got {response.status_code} Allow={allow!r} {response.content[:200]!r}"
            )
        return
    expected = model.gateway_error("methodNotAllowed")
    got = (response.status_code, _json(response))
    if got != expected:
        raise AssertionError(
            f"{method} {case.formatted_path}: expected {expected[0]} {expected[1]}, got {got[0]} {got[1]}"
        )
