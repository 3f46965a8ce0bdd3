"""A WSGI layer in front of Flask: API requests without an `Origin` header go straight to the
mock service, the rest (browsers' CORS requests, the control API) through Flask.

Flask's request machinery cost as much as the whole mock behind it (measured with
`python -m bench.run`). For a request without `Origin`, flask-cors adds nothing, and the service
already answers everything itself, so both paths give the same answer; the tests send requests
both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.wrappers import Request

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class FastPath:
    """Routes each WSGI call to the service or to Flask."""

    def __init__(self, flask_app: Flask, on_error: Callable[[Exception], Any]) -> None:
        self._flask_app = flask_app
        self._flask_wsgi: WsgiApp = flask_app.wsgi_app
        self._on_error = on_error

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "HTTP_ORIGIN" in environ or environ.get("PATH_INFO", "").startswith("/__mock"):
            return self._flask_wsgi(environ, start_response)
        service = self._flask_app.extensions["mockserver"]  # looked up each time: a reload swaps it
        request = Request(environ)
        request.max_content_length = self._flask_app.config["MAX_CONTENT_LENGTH"]
        try:
            response = service.handle(request)
        except Exception as error:  # the same handling as Flask's error handler
            response = self._on_error(error)
        return response(environ, start_response)  # type: ignore[no-any-return]
