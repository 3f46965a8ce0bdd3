"""Deliberately broken servers: the mock wrapped in a WSGI layer that adds one realistic bug.

The contract suite must fail each of them, by the check meant for that bug
(tests/test_suite_has_teeth.py), while it passes against the mock itself.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from contract_tests.plugin.model import matches
from mockserver import load_spec
from mockserver.errors import MockServerError
from mockserver.server.app import create_app
from mockserver.zitadel import wire
from mockserver.zitadel.decoding import decode_request
from mockserver.zitadel.errors import CONNECT_CODES, ZitadelError
from mockserver.zitadel.validation import validate_message
from tests.conftest import REPO_ROOT

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
INNER, REWRITTEN_BODY = "broken.inner", "broken.body"
POLICY = "/management/v1/policies/login"
V2_READS = ("/v2/settings/login", "/zitadel.settings.v2.SettingsService/GetLoginSettings")
CONNECT = "/zitadel.settings.v2.SettingsService/"
Change = Callable[[Request, Response], Response | None]
LIST = re.compile(r"/_search$")
ADD = re.compile(r"/(second|multi)_factors$")
REMOVE = re.compile(r"/(second|multi)_factors/[^/]+$")


def _wrap(
    before: Callable[[Request], Response | None] | None = None, after: Change | None = None
) -> Callable[[], Wsgi]:
    """A factory for the mock with `before` (may answer instead) and `after` (may rewrite)."""

    def factory() -> Wsgi:
        inner = create_app(test_config={"STRICT_CONTRACT": False})

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            body = Request(environ).get_data()
            environ["wsgi.input"] = io.BytesIO(body)
            environ[INNER] = inner
            request = Request(environ)
            response = before(request) if before else None
            if response is None:
                body = environ.get(REWRITTEN_BODY, body)  # a `before` may send another body on
                environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
                response = Response.from_app(inner, environ)
                response = (after(request, response) if after else None) or response
            return response(environ, start_response)

        return app

    return factory


def _json(response: Response) -> Any:
    try:
        return json.loads(response.get_data())
    except ValueError:
        return None


def _with_body(response: Response, body: Any) -> Response:
    response.set_data(json.dumps(body))
    return response


# Wrong encodings -----------------------------------------------------------------------------------


def _total_as_number(request: Request, response: Response) -> Response | None:
    body = _json(response)
    if LIST.search(request.path) and response.status_code == 200 and "totalResult" in body["details"]:
        body["details"]["totalResult"] = int(body["details"]["totalResult"])
        return _with_body(response, body)
    return None


def _proto_names(request: Request, response: Response) -> Response | None:
    body = _json(response)
    if LIST.search(request.path) and response.status_code == 200:
        details = body["details"]
        renamed = {
            "total_result": "totalResult",
            "view_timestamp": "viewTimestamp",
        }
        body["details"] = {proto: details[camel] for proto, camel in renamed.items() if camel in details}
        return _with_body(response, body)
    return None


def _empty_list_as_array(request: Request, response: Response) -> Response | None:
    body = _json(response)
    if LIST.search(request.path) and response.status_code == 200 and "result" not in body:
        body["result"] = []
        body["details"]["totalResult"] = "0"
        return _with_body(response, body)
    return None


def _timestamps_with_offset(request: Request, response: Response) -> Response | None:
    if response.status_code == 200:
        response.set_data(re.sub(rb'(\d{2}:\d{2}:\d{2}(?:\.\d+)?)Z"', rb'\1+00:00"', response.get_data()))
        return response
    return None


# Wrong counts and shapes ---------------------------------------------------------------------------


def _total_counts_everything(request: Request, response: Response) -> Response | None:
    body = _json(response)
    if LIST.search(request.path) and response.status_code == 200:
        body["details"]["totalResult"] = "5"
        return _with_body(response, body)
    return None


def _problem_json_errors(request: Request, response: Response) -> Response | None:
    if response.status_code >= 400:
        body = _json(response) or {}
        problem = {"type": "about:blank", "title": body.get("message", ""), "status": response.status_code}
        response.content_type = "application/problem+json"
        return _with_body(response, problem)
    return None


def _no_www_authenticate(request: Request, response: Response) -> Response | None:
    if response.status_code == 401:
        del response.headers["WWW-Authenticate"]
        return response
    return None


def _owner_is_instance(request: Request, response: Response) -> Response | None:
    body = _json(response)
    changed = response.status_code == 200 and isinstance(body, dict) and "details" in body
    if request.path.startswith("/management/") and not LIST.search(request.path) and changed:
        body["details"]["resourceOwner"] = "250000000000000000"
        return _with_body(response, body)
    return None


# Wrong statuses ------------------------------------------------------------------------------------


def _conflict_as_400(request: Request, response: Response) -> Response | None:
    if response.status_code == 409:
        response.status_code = 400
        return _with_body(response, {**_json(response), "code": 3})
    return None


def _wrong_method_is_404(request: Request, response: Response) -> Response | None:
    if response.status_code == 405:
        response.status_code = 404
        return _with_body(response, {"code": 5, "message": "Not Found"})
    return None


def _valid_calls_404(request: Request, response: Response) -> Response | None:
    """Every call that should succeed answers 404, as a server without these operations would."""
    if response.status_code == 200:
        response.status_code = 404
        return _with_body(response, {"code": 5, "message": "Not Found"})
    return None


def _remove_absent_is_200(request: Request, response: Response) -> Response | None:
    if REMOVE.search(request.path) and response.status_code == 404 and "AUTHZ" not in response.get_data(as_text=True):
        response.status_code = 200
        details = {"sequence": "1", "changeDate": "2026-01-01T00:00:00Z", "resourceOwner": "251000000000000001"}
        return _with_body(response, {"details": details})
    return None


# Missing checks ------------------------------------------------------------------------------------


def _accept_any_token(request: Request) -> Response | None:
    request.environ["HTTP_AUTHORIZATION"] = "Bearer iam-owner"
    return None


def _ignore_org_header(request: Request) -> Response | None:
    request.environ.pop("HTTP_X_ZITADEL_ORGID", None)
    return None


def _list_reads_body(request: Request) -> Response | None:
    if LIST.search(request.path) and request.get_data():
        try:
            json.loads(request.get_data())
        except ValueError:
            return Response(json.dumps({"code": 3, "message": "invalid JSON"}), 400, content_type="application/json")
    return None


def _accept_unspecified(request: Request) -> Response | None:
    if ADD.search(request.path) and request.method == "POST":
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return None
        if isinstance(body, dict) and body.get("type") in (0, None):
            details = {"sequence": "1", "creationDate": "2026-01-01T00:00:00Z", "resourceOwner": "251000000000000001"}
            return Response(json.dumps({"details": details}), 200, content_type="application/json")
    return None


def _names_only(request: Request) -> Response | None:
    if ADD.search(request.path) and request.method == "POST":
        try:
            body = json.loads(request.get_data())
        except ValueError:
            return None
        if isinstance(body, dict) and isinstance(body.get("type"), int) and body["type"] != 0:
            return Response(
                json.dumps({"code": 3, "message": "type must be a name"}), 400, content_type="application/json"
            )
    return None


# State not kept ------------------------------------------------------------------------------------


def _stateless(request: Request) -> Response | None:
    """Like a spec-driven mock: every change 'succeeds', nothing changes."""
    if (
        request.method == "POST"
        and ADD.search(request.path)
        or request.method == "DELETE"
        and REMOVE.search(request.path)
    ):
        field = "creationDate" if request.method == "POST" else "changeDate"
        details = {"sequence": "7", field: "2026-01-01T00:00:00Z", "resourceOwner": "251000000000000001"}
        if request.headers.get("Authorization") != "Bearer iam-owner":
            return None  # let auth errors through, so only the missing state shows
        return Response(json.dumps({"details": details}), 200, content_type="application/json")
    return None


def _sequence_constant(request: Request, response: Response) -> Response | None:
    body = _json(response)
    if response.status_code == 200 and not LIST.search(request.path) and isinstance(body, dict) and "details" in body:
        body["details"]["sequence"] = "1"
        return _with_body(response, body)
    return None


@functools.cache
def _shipped_paths() -> tuple[str, ...]:
    return tuple(operation.path for operation in load_spec(REPO_ROOT / "openapi.yaml").operations)


def _shipped_operations_only(request: Request) -> Response | None:
    """A server that has only the operations of the shipped contract: 404 for any other path."""
    if not any(matches(path, request.path) for path in _shipped_paths()):
        return Response(json.dumps({"code": 5, "message": "Not Found"}), 404, content_type="application/json")
    return None


# The login policy ------------------------------------------------------------------------------------


def _inner_json(request: Request, method: str, path: str) -> Any:
    """What the mock inside answers this caller for another call (same token, org and session)."""
    forwarded = ("authorization", "x-zitadel-orgid", "x-mock-session")
    headers = {name: value for name, value in request.headers.items() if name.lower() in forwarded}
    environ = EnvironBuilder(path=path, method=method, headers=list(headers.items())).get_environ()
    return _json(Response.from_app(request.environ[INNER], environ))


def _send_body(request: Request, body: Any) -> None:
    request.environ[REWRITTEN_BODY] = json.dumps(body).encode()


def _custom_policy_inherits_the_default(request: Request) -> Response | None:
    """AddCustomLoginPolicy starts from the instance default and lays the request over it."""
    if request.path == POLICY and request.method == "POST":
        default = (_inner_json(request, "GET", "/management/v1/policies/default/login") or {}).get("policy", {})
        inherited = {k: v for k, v in default.items() if k not in ("details", "isDefault", "idps")}
        _send_body(request, {**inherited, **(json.loads(request.get_data() or b"{}") or {})})
    return None


def _update_merges(request: Request) -> Response | None:
    """UpdateCustomLoginPolicy keeps every field the request leaves out."""
    if request.path == POLICY and request.method == "PUT":
        current = (_inner_json(request, "GET", POLICY) or {}).get("policy", {})
        kept = {k: v for k, v in current.items() if k not in ("details", "isDefault", "idps")}
        _send_body(request, {**kept, **(json.loads(request.get_data() or b"{}") or {})})
    return None


def _v2_writes_totp(request: Request, response: Response) -> Response | None:
    """The v2 read names the authenticator app by its alias."""
    if request.path in V2_READS and response.status_code == 200:
        response.set_data(response.get_data().replace(b'"SECOND_FACTOR_TYPE_OTP"', b'"SECOND_FACTOR_TYPE_TOTP"'))
        return response
    return None


def _connect_numeric_codes(request: Request, response: Response) -> Response | None:
    """Connect errors written with the gateway's numeric codes."""
    body = _json(response)
    if request.path.startswith(CONNECT) and response.status_code >= 400 and isinstance(body, dict) and "code" in body:
        numbers = {name: number for number, name in CONNECT_CODES.items()}
        body["code"] = numbers.get(body["code"], 2)
        return _with_body(response, body)
    return None


# Authorization -------------------------------------------------------------------------------------


def _swap_token(request: Request, token: str) -> None:
    request.environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"


def _reset_with_policy_write(request: Request) -> Response | None:
    """The reset checks `policy.write`: the editor (policy.write, not policy.delete) gets through."""
    if (
        request.path == POLICY
        and request.method == "DELETE"
        and request.headers.get("Authorization") == "Bearer policy-editor"
    ):
        _swap_token(request, "acme-owner")
    return None


def _viewer_may_change(request: Request) -> Response | None:
    if request.method in ("POST", "PUT", "DELETE") and request.headers.get("Authorization") == "Bearer acme-viewer":
        if not request.path.endswith("/_search") and not request.path.startswith(CONNECT):
            _swap_token(request, "acme-owner")
    return None


def _forbidden_instead_of_not_found(request: Request, response: Response) -> Response | None:
    body = _json(response)
    if response.status_code == 404 and "AUTHZ-cdgFk" in response.get_data(as_text=True) and isinstance(body, dict):
        response.status_code = 403
        denied = "No matching permissions found"
        if isinstance(body.get("code"), str):
            return _with_body(response, {"code": "permission_denied", "message": f"{denied} (AUTH-5mWD2)"})
        details = [{"@type": "type.googleapis.com/zitadel.v1.ErrorDetail", "id": "AUTH-5mWD2", "message": denied}]
        return _with_body(response, {"code": 7, "message": f"{denied} (AUTH-5mWD2)", "details": details})
    return None


def _org_header_ignored_for_authorization(request: Request) -> Response | None:
    """Permissions are checked in the caller's own organization, whatever the header names: the
    owner of acme may act on globex."""
    acting = request.headers.get("x-zitadel-orgid")
    if request.headers.get("Authorization") == "Bearer acme-owner" and acting and acting != "251000000000000001":
        _swap_token(request, "iam-owner")
    return None


# Crashes -------------------------------------------------------------------------------------------


def _crash_on_non_ascii(request: Request) -> Response | None:
    if any(byte > 127 for byte in request.get_data()):
        return Response("Internal Server Error", 500, content_type="text/plain")
    return None


total_as_number = _wrap(after=_total_as_number)
proto_field_names = _wrap(after=_proto_names)
empty_list_as_array = _wrap(after=_empty_list_as_array)
timestamps_with_offset = _wrap(after=_timestamps_with_offset)
total_counts_everything = _wrap(after=_total_counts_everything)
problem_json_errors = _wrap(after=_problem_json_errors)
no_www_authenticate = _wrap(after=_no_www_authenticate)
owner_is_instance = _wrap(after=_owner_is_instance)
conflict_as_400 = _wrap(after=_conflict_as_400)
wrong_method_is_404 = _wrap(after=_wrong_method_is_404)
remove_absent_is_200 = _wrap(after=_remove_absent_is_200)
valid_calls_404 = _wrap(after=_valid_calls_404)
accept_any_token = _wrap(before=_accept_any_token)
ignore_org_header = _wrap(before=_ignore_org_header)
list_reads_body = _wrap(before=_list_reads_body)
accept_unspecified = _wrap(before=_accept_unspecified)
names_only = _wrap(before=_names_only)
stateless = _wrap(before=_stateless)
sequence_constant = _wrap(after=_sequence_constant)
crash_on_non_ascii = _wrap(before=_crash_on_non_ascii)
shipped_operations_only = _wrap(before=_shipped_operations_only)
custom_policy_inherits_the_default = _wrap(before=_custom_policy_inherits_the_default)
update_merges = _wrap(before=_update_merges)
v2_writes_totp = _wrap(after=_v2_writes_totp)
connect_numeric_codes = _wrap(after=_connect_numeric_codes)
reset_with_policy_write = _wrap(before=_reset_with_policy_write)
viewer_may_change = _wrap(before=_viewer_may_change)
forbidden_instead_of_not_found = _wrap(after=_forbidden_instead_of_not_found)
org_header_ignored_for_authorization = _wrap(before=_org_header_ignored_for_authorization)


# The order of checks ---------------------------------------------------------------------------------


def _service(request: Request) -> Any:
    return request.environ[INNER].extensions["mockserver"]


def _answer(transport: str, error: Any) -> Response:
    """A ZITADEL error, written as the operation's transport writes it."""
    answer = wire.error(transport, error)
    return Response(json.dumps(answer.body), answer.status, answer.headers, content_type="application/json")


def _validates_before_authenticating(request: Request) -> Response | None:
    """protoc-gen-validate's rules run first, before the token, the organization and the roles."""
    service = _service(request)
    try:
        operation, parameters = service.router.match(request.method, request.path)
        plan = service.gateway.plans[operation.operation_id]
        query = request.args.to_dict(flat=False)
        message = decode_request(plan.shape, parameters, query, request.get_data(), connect_type=plan.connect_type)
    except MockServerError:  # routing and decoding errors stay the mock's
        return None
    try:
        validate_message(message, plan.shape.message)
    except ZitadelError as error:
        return _answer(operation.transport, error)
    return None


def _organization_before_authentication(request: Request) -> Response | None:
    """The organization the header names is looked up before the token is read."""
    service = _service(request)
    org = request.headers.get("x-zitadel-orgid")
    if not org or org in service.fixtures.world["organizations"]:
        return None
    try:
        operation, _ = service.router.match(request.method, request.path)
    except MockServerError:  # routing errors stay the mock's
        return None
    return _answer(operation.transport, service.router.errors.error("organisationNotFound"))


def _membership_before_organization(request: Request) -> Response | None:
    """Memberships are looked up before the organization: a user without one on an unknown
    organization gets 404 where ZITADEL answers 403 `Organisation doesn't exist`."""
    service = _service(request)
    org = request.headers.get("x-zitadel-orgid")
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    user = service.fixtures.users.get(token)
    if user is None or not org or org in service.fixtures.world["organizations"]:
        return None
    if any(membership.scope in ("instance", org) for membership in user.memberships):
        return None
    try:
        operation, _ = service.router.match(request.method, request.path)
    except MockServerError:  # routing errors stay the mock's
        return None
    return _answer(operation.transport, service.router.errors.error("membershipNotFound"))


validates_before_authenticating = _wrap(before=_validates_before_authenticating)
organization_before_authentication = _wrap(before=_organization_before_authentication)
membership_before_organization = _wrap(before=_membership_before_organization)
