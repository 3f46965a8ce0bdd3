"""Checks specific to ZITADEL's contract, registered with schemathesis.

Each is a small `(ctx, response, case)` function; its docstring says what it guarantees.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from mockserver.routing import Router
from mockserver.spec import find_operations
from mockserver.zitadel_errors import ERROR_DETAIL_TYPE, HTTP_STATUS_FOR_CODE, ZitadelError

GATEWAY_STATUSES = {405: 12, 413: 8}  # answered by the gateway with another code than the table's


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
    """Every error is `{code, message, details?}` with the gRPC code of its HTTP status,
    details (when present) that repeat the message's id, and WWW-Authenticate on 401."""
    if response.status_code < 400:
        return
    body = _json(response)
    if not isinstance(body, dict) or not isinstance(body.get("code"), int) or not isinstance(body.get("message"), str):
        raise AssertionError(f"error {response.status_code} is not a ZITADEL error body: {response.content[:200]!r}")
    code, message = body["code"], body["message"]
    expected = GATEWAY_STATUSES.get(response.status_code)
    if (
        expected is not None
        and code != expected
        or expected is None
        and HTTP_STATUS_FOR_CODE.get(code) != response.status_code
    ):
        raise AssertionError(
            f"HTTP {response.status_code} carries gRPC code {code}, which maps to {HTTP_STATUS_FOR_CODE.get(code)}"
        )
    for detail in body.get("details", []):
        if detail.get("@type") != ERROR_DETAIL_TYPE or not message.endswith(f"({detail.get('id')})"):
            raise AssertionError(f"detail {detail} does not match the message {message!r}")
    if response.status_code == 401 and _header(response, "WWW-Authenticate") != message:
        raise AssertionError(
            f"401 must repeat its message in WWW-Authenticate, got {_header(response, 'WWW-Authenticate')!r}"
        )


@schemathesis.check
def zitadel_list_is_consistent(ctx: Any, response: Any, case: Any) -> None:
    """A list's `totalResult` is the number of results, absent with them; no factor twice or unspecified."""
    if response.status_code != 200 or not case.path.endswith("/_search"):
        return
    body = _json(response) or {}
    result = body.get("result", [])
    total = body.get("details", {}).get("totalResult")
    if (str(len(result)) if result else None) != total:
        raise AssertionError(f"totalResult {total!r} but {len(result)} results: {result}")
    if len(set(result)) != len(result) or any(str(item).endswith("_UNSPECIFIED") for item in result):
        raise AssertionError(f"result lists a factor twice or UNSPECIFIED: {result}")


@schemathesis.check
def zitadel_change_names_its_owner(ctx: Any, response: Any, case: Any) -> None:
    """An add or remove on an organization names that organization as `resourceOwner`."""
    if response.status_code != 200 or case.method == "POST" and case.path.endswith("/_search"):
        return
    org = (case.headers or {}).get("x-zitadel-orgid")
    if not case.path.startswith("/management/") or not org:
        return
    owner = (_json(response) or {}).get("details", {}).get("resourceOwner")
    if owner != org:
        raise AssertionError(f"resourceOwner is {owner!r}, not the organization {org!r} the call acted on")


@schemathesis.check
def zitadel_method_not_allowed(ctx: Any, response: Any, case: Any) -> None:
    """A method no operation has on that path is 405 `{"code":12,"message":"Method Not Allowed"}`
    (a method another template matches, like DELETE on `.../_search`, goes to that operation)."""
    if case.method.upper() == case.operation.method.upper():
        return
    try:
        _router(case).match(case.method.upper(), case.formatted_path)
        return  # ZITADEL routes it to another operation, whose own rules apply
    except ZitadelError as error:
        expected = (error.http_status, error.body())
    if (response.status_code, _json(response)) != expected:
        got = f"{response.status_code} {response.content[:200]!r}"
        raise AssertionError(f"{case.method} {case.formatted_path}: expected {expected[0]} {expected[1]}, got {got}")


def _router(case: Any) -> Router:
    document = case.operation.schema.raw_schema
    router = _ROUTERS.get(id(document))
    if router is None:
        router = _ROUTERS[id(document)] = Router(find_operations(document))
    return router


_ROUTERS: dict[int, Router] = {}
