"""A finished answer as status, header list and bytes, served as a WSGI app.

werkzeug's `Response` rebuilt, re-checked and re-listed the headers of every answer: a fifth of
a request's time on the fast path (profiled with cProfile). An answer the service made is final,
so it goes to the server as it is; Flask's path (browsers' CORS requests) turns it into a
`Response` for flask-cors to add to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Response
from werkzeug.http import HTTP_STATUS_CODES


@dataclass
class Reply:
    """What the service answers: the body already encoded, headers in the order they are sent."""

    status_code: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def content_type(self) -> str | None:
        return self.header("content-type")

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    def lower_headers(self) -> dict[str, str]:
        return {key.lower(): value for key, value in self.headers}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        status = f"{self.status_code} {HTTP_STATUS_CODES.get(self.status_code, 'UNKNOWN').upper()}"
        headers = [(name, value) for name, value in self.headers if name.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(self.body)))])  # the body's own
        bodiless = environ.get("REQUEST_METHOD") == "HEAD" or self.status_code in (204, 304)
        return [] if bodiless else [self.body]

    def as_response(self) -> Response:
        """The same answer as a Flask response (for the path where Flask's hooks add headers)."""
        response = Response(self.body, status=self.status_code, headers=self.headers)
        if self.content_type is None:
            del response.headers["Content-Type"]
        return response
