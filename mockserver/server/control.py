"""The control API under /__mock/: health, reset, state, journal, scenarios, sticky preferences
and faults per session, the contract itself and its documentation (Swagger UI, no CDN).
"""

from __future__ import annotations

import hmac
import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from mockserver.behaviour.world import json_copy
from mockserver.contract.spec import describe_error
from mockserver.fixtures.schemas import FORMAT_URI, fixture_format
from mockserver.server.preferences import KEYS, resolve
from mockserver.server.service import MockService, error_response, initial_state
from mockserver.server.sessions import SESSION_COOKIE, SESSION_HEADER, checked_session, session_of
from mockserver.state.stores import DEFAULT_SESSION
from mockserver.zitadel.errors import ZitadelError

control = Blueprint("mock_control", __name__)
control_log = logging.getLogger("mockserver.control")
CONTROL_TOKEN_HEADER = "X-Mock-Control-Token"

_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({{url: "../openapi.yaml", dom_id: "#swagger-ui",
deepLinking: true, tryItOutEnabled: true}});</script></body></html>
"""


def _mock() -> MockService:
    service: MockService = current_app.extensions["mockserver"]
    return service


def _named_session() -> str | None:
    """The session named by `?session=`, the session header or the cookie; None if none is."""
    named = request.args.get("session")
    if named:
        return checked_session(named)
    if request.headers.get(SESSION_HEADER) or request.cookies.get(SESSION_COOKIE):
        return session_of(request.headers, request.cookies)
    return None


def _session() -> str:
    return _named_session() or DEFAULT_SESSION


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ZitadelError(3, "mock: the body must be a JSON object")
    return body


@control.before_request
def _require_control_token() -> Response | None:
    expected = current_app.config.get("CONTROL_TOKEN")
    given = request.headers.get(CONTROL_TOKEN_HEADER, "")
    if expected and not hmac.compare_digest(given.encode(), str(expected).encode()):
        error = ZitadelError(16, f"mock: the control API needs {CONTROL_TOKEN_HEADER}")
        return error_response(error)
    return None


@control.after_request
def _log_control_call(response: Response) -> Response:
    """One line per control call, like the API's access log (never a token)."""
    control_log.info(
        '%s "%s %s" %s session=%s',
        request.remote_addr or "-",
        request.method,
        request.full_path.rstrip("?"),
        response.status_code,
        request.headers.get(SESSION_HEADER) or request.args.get("session") or "-",
    )
    return response


@control.errorhandler(ZitadelError)
def _zitadel_error(error: ZitadelError) -> Response:
    return error_response(error)


@control.get("/health")
def health() -> Response:
    mock = _mock()
    return jsonify(
        status="ok",
        spec=str(mock.contract.file),
        operations=len(mock.contract.operations),
        answeredByExample=mock.answered_by_example,
        scenarios=sorted(mock.fixtures.scenarios),
        sessions=len(mock.store.sessions()),
    )


@control.post("/reset")
def reset() -> Response:
    """Every session back to the start, or only the one named by `?session=`/header/cookie."""
    mock = _mock()
    session = None if request.args.get("all") == "true" else _named_session()
    mock.store.reset(session)
    mock.journal.clear(session)
    return jsonify(reset=session or "all")


@control.get("/state")
def state() -> Response:
    session = _session()
    return jsonify(session=session, **json_copy(_mock().store.read(session)))  # a store's maps as JSON objects


@control.get("/journal")
def journal() -> Response:
    limit = min(max(request.args.get("limit", 100, type=int) or 100, 1), 1000)
    entries = _mock().journal.entries(_named_session(), limit)
    return jsonify(entries=[entry.as_dict() for entry in entries])


@control.get("/scenarios")
def scenarios() -> Response:
    listed = [{"name": s.name, "description": s.description} for s in _mock().fixtures.scenarios.values()]
    return jsonify(scenarios=listed)


@control.put("/scenario")
def choose_scenario() -> Response:
    """`{"name": "no-factors"}` (or null): the session starts over in that scenario's world."""
    mock = _mock()
    name = _json_body().get("name")
    if name is not None and name not in mock.fixtures.scenarios:
        known = ", ".join(sorted(mock.fixtures.scenarios))
        raise ZitadelError(5, f"mock: no scenario {name!r}; known: {known}")
    fresh = initial_state(mock.fixtures, name)
    mock.store.update(_session(), lambda state: state.update(world=fresh["world"], scenario=name))
    return jsonify(session=_session(), scenario=name)


@control.put("/preferences")
def set_preferences() -> Response:
    """Sticky `code`, `example`, `dynamic`, `delay` for the session (as in a Prefer header)."""
    body = _json_body()
    unknown = set(body) - set(KEYS)
    if unknown:
        raise ZitadelError(3, f"mock: unknown preferences {sorted(unknown)}; known: {list(KEYS)}")
    resolve(body)  # refuses bad values before they are kept
    _mock().store.update(_session(), lambda state: state.update(preferences=body))
    return jsonify(session=_session(), preferences=body)


@control.delete("/preferences")
def clear_preferences() -> Response:
    _mock().store.update(_session(), lambda state: state.update(preferences={}))
    return jsonify(session=_session(), preferences={})


@control.put("/faults")
def set_faults() -> Response:
    """`{"delay": [100, 300], "errorRate": 0.2, "errorStatuses": [503], "dropRate": 0.01}`."""
    body = _json_body()
    mock = _mock()
    schema = {"$ref": f"{FORMAT_URI}#/$defs/faults"}
    for error in mock.contract.validator(schema, {FORMAT_URI: fixture_format()}).iter_errors(body):
        raise ZitadelError(3, f"mock: invalid faults: {describe_error(error)}")
    mock.store.update(_session(), lambda state: state.update(faults=body))
    return jsonify(session=_session(), faults=body)


@control.delete("/faults")
def clear_faults() -> Response:
    _mock().store.update(_session(), lambda state: state.update(faults={}))
    return jsonify(session=_session(), faults={})


@control.get("/openapi.yaml")
def openapi_document() -> Response:
    file = _mock().contract.file
    return send_from_directory(file.parent, file.name, mimetype="application/yaml")


@control.get("/docs/")
def docs() -> Response:
    title = _mock().contract.document["info"]["title"]
    return Response(_DOCS_PAGE.format(title=title), content_type="text/html; charset=utf-8")


@control.get("/docs")
def docs_without_slash() -> Response:
    return Response(status=308, headers={"Location": f"{request.script_root}/__mock/docs/"})


@control.get("/docs/<path:asset>")
def docs_asset(asset: str) -> Response:
    return send_from_directory(Path(swagger_ui_path), asset)


@control.get("/examples/")
def examples_index() -> Response:
    """The example pages shipped with the mock (`examples/`), served from its own origin."""
    names = sorted(entry.name for entry in default_examples_dir().iterdir() if entry.is_dir())
    links = "".join(f'<li><a href="{name}/">{name}</a></li>' for name in names)
    return Response(f"<!doctype html><title>Examples</title><ul>{links}</ul>", content_type="text/html; charset=utf-8")


@control.get("/examples")
def examples_without_slash() -> Response:
    return Response(status=308, headers={"Location": f"{request.script_root}/__mock/examples/"})


@control.get("/examples/<path:asset>")
def examples_asset(asset: str) -> Response:
    folder = default_examples_dir()
    if not asset.endswith("/") and (folder / asset).is_dir() and ".." not in asset.split("/"):
        return Response(status=308, headers={"Location": f"{request.script_root}/__mock/examples/{asset}/"})
    if asset.endswith("/"):
        asset += "index.html"
    return send_from_directory(folder, asset)


def default_examples_dir() -> Path:
    """The packaged copy when installed, else examples/ beside the package."""
    package = Path(__file__).resolve().parent.parent
    bundled = package / "_bundled" / "examples"
    return bundled if bundled.is_dir() else package.parent / "examples"
