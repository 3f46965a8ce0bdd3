"""How an answer goes on the wire, by the transport that serves the operation.

ZITADEL serves its APIs three ways (`x-zitadel-transport` in the contract), and each writes the
same result differently:

- `gateway` (v1): a success carries the no-cache headers and their `Grpcgateway-*` copies;
  an error is `{code: 5, message, details: [{@type, id, message}]}`, and one raised inside
  ZITADEL carries the same headers; a 401 adds `WWW-Authenticate`.
- `gateway-to-connect` (v2 REST): a success carries only the `Grpcgateway-*` copies; errors are
  the gateway's, without those headers; a 401 adds `WWW-Authenticate`.
- `connect` (the Connect protocol): a success carries `Cache-Control`, `Pragma`, `Expires`;
  an error is `{code: "not_found", message, details: [{type, value, debug}]}`, with no headers.

Why: v1's no-cache interceptor sets gRPC header metadata before the handler runs, so the gateway
forwards it on errors too, as `Cache-Control`/`Pragma`/`Expires` (from the `grpcgateway-` copies)
and `Grpcgateway-Cache-Control`/`Grpcgateway-Pragma` (the permanent HTTP headers); connect-go's
interceptor sets plain headers on success only, which the gateway in front of it renames and
(`Expires` not being a permanent HTTP header) drops. The gateway's own errors (routing, decoding)
come before any of that and carry none of them.

connect-go also refuses some requests before ZITADEL sees them, with an empty body:
`ProtocolRejection`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from mockserver.errors import MockServerError
from mockserver.zitadel.errors import ZitadelError

GATEWAY_COPIES = {
    "Grpcgateway-Cache-Control": "no-store",
    "Grpcgateway-Pragma": "no-cache",
    "Grpcgateway-Content-Type": "application/grpc",
}
CONNECT_CONTENT_TYPES = ("application/json",)  # what the mock decodes of connect-go's codecs


@dataclass(frozen=True)
class Answer:
    """What goes back: status, headers and a JSON body (None: no body at all; bytes: as given)."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class ProtocolRejection(MockServerError):
    """A request connect-go refuses before any ZITADEL code runs: a status, headers, no JSON."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes | None = None) -> None:
        self.answer = Answer(status, body, headers)
        super().__init__(f"connect-go refuses the request with {status}")


def http_date() -> str:
    """Now, as Go's `http.TimeFormat` writes it (`Fri, 10 Jul 2026 09:01:02 GMT`); formatted once
    a second, as it changes."""
    second = int(time.time())
    return _formatted_date(second)


@functools.lru_cache(maxsize=2)
def _formatted_date(second: int) -> str:
    return formatdate(second, usegmt=True)


def no_cache_headers(transport: str) -> dict[str, str]:
    """The headers ZITADEL's no-cache interceptor leaves on a success over `transport`."""
    plain = {"Cache-Control": "no-store", "Pragma": "no-cache", "Expires": http_date()}
    if transport == "connect":
        return plain
    if transport == "gateway-to-connect":
        return dict(GATEWAY_COPIES)
    return {**plain, **GATEWAY_COPIES}


def success(transport: str, body: Any) -> Answer:
    """A 200 with `body`, as `transport` writes it."""
    return Answer(200, body, no_cache_headers(transport))


def error(transport: str, raised: ZitadelError) -> Answer:
    """An error as `transport` writes it. Errors the gateway raises itself (`raised.by_gateway`:
    routing, decoding) carry none of the interceptors' headers."""
    if transport == "connect":
        return Answer(raised.http_status, raised.connect_body())
    headers = no_cache_headers(transport) if transport == "gateway" and not raised.by_gateway else {}
    if raised.code == 16:
        headers["WWW-Authenticate"] = raised.message  # grpc-gateway's error handler, on every 401
    return Answer(raised.http_status, raised.body(), headers)


def example_error(transport: str, status: int, body: Any) -> Answer:
    """An error written as an example or a scenario gives it, in the gateway's shape or in
    Connect's, answered in the operation's own shape (a body already in it is kept as written)."""
    if not (isinstance(body, dict) and type(body.get("code")) in (int, str)):
        return Answer(status, body)
    try:
        raised = ZitadelError.from_example(status, body)
    except (StopIteration, ValueError):
        return Answer(status, body)  # not a status ZITADEL could send: written as given
    answer = error(transport, raised)
    already = isinstance(body["code"], str) == (transport == "connect")
    return Answer(status, body if already else answer.body, answer.headers)


def check_connect_request(headers: Mapping[str, str]) -> None:
    """connect-go's checks before any interceptor: a unary Connect call needs a JSON body type.
    (`headers` have lower-case names.)"""
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type not in CONNECT_CONTENT_TYPES:
        raise ProtocolRejection(415, {"Accept-Post": ", ".join(CONNECT_CONTENT_TYPES)})


def method_not_allowed_by_connect() -> ProtocolRejection:
    """connect-go's 405: only POST is offered (ZITADEL's RPCs declare no idempotency level)."""
    return ProtocolRejection(405, {"Allow": "POST"})


def no_such_procedure() -> ProtocolRejection:
    """A path under a Connect service that names none of its procedures: the generated handler's
    `http.NotFound`, Go's plain-text 404."""
    headers = {"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"}
    return ProtocolRejection(404, headers, b"404 page not found\n")
