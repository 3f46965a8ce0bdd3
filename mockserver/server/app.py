"""The app factory: build the Flask app from openapi.yaml and fixtures/, with no import-time work.

Config comes in layers: defaults here, then `MOCKSERVER_*` environment variables, then
`test_config`. Everything is loaded and checked when the app is built, so a bad spec or fixture
stops start-up with its place and reason.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from mockserver.contract.spec import default_spec_path, load_spec
from mockserver.errors import ContractViolation, MockServerError, StoreUnavailable
from mockserver.fixtures.loader import default_fixtures_dir, load_fixtures
from mockserver.server.control import control
from mockserver.server.fast_path import FastPath
from mockserver.server.journal import Journal
from mockserver.server.service import (
    ConnectionDropped,
    MockService,
    MockSettings,
    error_response,
    initial_state,
)
from mockserver.state.stores import open_store
from mockserver.zitadel.errors import ZitadelError, body_too_large, mock_failure, store_unavailable

log = logging.getLogger("mockserver")
API_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
CORS_ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "Accept",
    "Accept-Language",
    "x-zitadel-orgid",
    "Prefer",
    "X-Mock-Session",
    "X-Mock-Control-Token",
]
CORS_EXPOSED_HEADERS = [
    "WWW-Authenticate",
    "X-Mock-Answered-By",
    "X-Mock-Contract-Violation",
    "X-Mock-Request-Violation",
    "Grpcgateway-Content-Type",
]
DEFAULTS: dict[str, Any] = {
    "SPEC": None,
    "FIXTURES": None,
    "SCENARIO": None,
    "STRICT_CONTRACT": None,  # None: strict when TESTING
    "CONTROL_TOKEN": None,
    "MAX_CONTENT_LENGTH": 1 << 20,
    "JOURNAL_SIZE": 500,
    "MAX_SESSIONS": 1000,
    "SEED": None,
    "STATE": "memory",  # or sqlite:///PATH, redis://HOST:PORT/DB
    "VALIDATE": True,  # off only for the benchmark's comparison run
}


def create_app(
    spec_path: Path | str | None = None,
    fixtures_dir: Path | str | None = None,
    *,
    test_config: dict[str, Any] | None = None,
) -> Flask:
    """A ready mock: routing from the contract, state from the fixtures, the control API."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("MOCKSERVER")
    app.config.update(test_config or {})
    if spec_path is not None:
        app.config["SPEC"] = str(spec_path)
    if fixtures_dir is not None:
        app.config["FIXTURES"] = str(fixtures_dir)
    app.url_map.merge_slashes = False  # ZITADEL does not merge `//`; neither do we
    app.extensions["mockserver"] = build_service(app.config)
    _register_routes(app)
    CORS(
        app,
        origins="*",
        supports_credentials=True,  # echoes the caller's Origin, as credentials require
        allow_headers=CORS_ALLOWED_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
        max_age=600,
    )
    app.wsgi_app = FastPath(app, _unexpected_error)  # type: ignore[method-assign]
    return app


def build_service(config: dict[str, Any], journal: Journal | None = None) -> MockService:
    """Load the contract and fixtures named by `config` into a fresh service."""
    contract = load_spec(config["SPEC"] or default_spec_path())
    fixtures = load_fixtures(Path(config["FIXTURES"] or default_fixtures_dir()), contract)
    scenario = config["SCENARIO"] or None
    if scenario is not None and scenario not in fixtures.scenarios:
        known = ", ".join(sorted(fixtures.scenarios))
        raise MockServerError(f"no scenario {scenario!r} in {fixtures.files[0].parent}; known: {known}")
    store = open_store(config["STATE"], lambda: initial_state(fixtures, scenario), config["MAX_SESSIONS"])
    strict = config["STRICT_CONTRACT"]
    settings = MockSettings(
        strict_contract=bool(config.get("TESTING")) if strict is None else bool(strict),
        max_body_bytes=int(config["MAX_CONTENT_LENGTH"]),
        seed=config["SEED"],
        validate=bool(config["VALIDATE"]),
    )
    service = MockService(contract, fixtures, store, settings, journal or Journal(int(config["JOURNAL_SIZE"])))
    if service.answered_by_example:
        log.info(
            "answered by their first 200 example (no behaviour in the fixtures): %s",
            ", ".join(service.answered_by_example),
        )
    return service


def watched_files(app: Flask) -> list[Path]:
    """The files whose change should reload the mock: the contract and every fixture."""
    service: MockService = app.extensions["mockserver"]
    return [service.contract.file, *service.fixtures.files]


def _register_routes(app: Flask) -> None:
    app.register_blueprint(control, url_prefix="/__mock")
    options: dict[str, Any] = {"methods": API_METHODS, "provide_automatic_options": False}
    app.add_url_rule("/", "api", _serve_api, defaults={"path": ""}, **options)
    app.add_url_rule("/<path:path>", "api", _serve_api, **options)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _serve_api(path: str) -> Response:
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return Response(status=204)  # a CORS preflight; flask-cors adds its headers
    service: MockService = current_app.extensions["mockserver"]
    return service.handle(request).as_response()


_HTTP_ERRORS = {404: "routeNotFound", 405: "methodNotAllowed"}


def _http_error(error: HTTPException) -> Response:
    """Errors raised by werkzeug itself, in ZITADEL's shape instead of HTML."""
    status = error.code or 500
    service: MockService = current_app.extensions["mockserver"]
    if status in _HTTP_ERRORS:
        return error_response(service.router.errors.error(_HTTP_ERRORS[status]))
    if status == 413:
        return error_response(body_too_large(current_app.config["MAX_CONTENT_LENGTH"]))
    code = 3 if 400 <= status < 500 else 13
    return error_response(ZitadelError(code, error.description or error.name, http_status=status))


def _unexpected_error(error: Exception) -> Response:
    if isinstance(error, ContractViolation | ConnectionDropped):
        raise error  # tests must see these
    if isinstance(error, StoreUnavailable):
        log.error("state store unavailable: %s", error)
        return error_response(store_unavailable(error))
    log.exception("unexpected error in the mock")
    return error_response(mock_failure(f"internal error: {type(error).__name__}"))
