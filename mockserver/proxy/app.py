"""The validating proxy as a WSGI app: each request goes on to the target unchanged, and the
target's answer comes back unchanged, judged against the contract on the way.

Problems are flagged as the mock flags its own: `X-Mock-Request-Violation` and
`X-Mock-Contract-Violation` on the answer, an entry in the journal (`GET /__proxy/journal`) and
a log line (`mockserver.proxy`), never a token. Only `strict` changes an answer: one that breaks
the contract becomes a 502 that says why. When the target cannot be reached the proxy answers
502 (504 when it is too slow) in ZITADEL's error shape for the operation's transport.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from mockserver.errors import ProxyError
from mockserver.proxy.forwarding import Forwarded, Forwarder, TargetUnreachable, answer_headers
from mockserver.proxy.inspection import Inspector, Verdict, readable_body
from mockserver.proxy.recording import Recorder
from mockserver.server.journal import Journal, JournalEntry, redact_headers
from mockserver.server.service import ANSWERED_BY_HEADER, REQUEST_VIOLATION_HEADER, VIOLATION_HEADER
from mockserver.zitadel import wire
from mockserver.zitadel.errors import ZitadelError
from mockserver.zitadel.protojson import format_timestamp

proxy_log = logging.getLogger("mockserver.proxy")
CONTROL_PREFIX = "/__proxy/"
TARGET, PROXY = "target", "proxy"  # who answered (X-Mock-Answered-By on the proxy's own answers)
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


@dataclass(frozen=True)
class ProxySettings:
    """What the proxy may do beyond passing answers on."""

    strict: bool = False
    max_body_bytes: int = 16 << 20


class ProxyApp:
    """Forward, judge, flag, record; answer the proxy's own `/__proxy/` endpoints."""

    def __init__(
        self,
        inspector: Inspector,
        forwarder: Forwarder,
        settings: ProxySettings,
        journal: Journal | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self.inspector = inspector
        self.forwarder = forwarder
        self.settings = settings
        self.journal = journal or Journal()
        self.recorder = recorder

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = self.settings.max_body_bytes
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control(request)
        else:
            response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        """The target's answer to `request`, flagged (or, strict, refused) where it breaks the contract."""
        started = time.perf_counter()
        verdict = self.inspector.locate(request)
        try:
            body = request.get_data(cache=True)
            forwarded = self.forwarder.send(request.method, raw_target(request.environ), request.headers.items(), body)
        except RequestEntityTooLarge:
            limit = self.settings.max_body_bytes
            error = ZitadelError(8, f"proxy: request body larger than {limit} bytes", http_status=413, by_gateway=True)
            return self._own_answer(request, verdict, error, started)
        except TargetUnreachable as unreachable:
            proxy_log.error("the target did not answer: %s", unreachable.reason)
            code, status = (4, 504) if unreachable.timed_out else (14, 502)
            error = ZitadelError(code, f"proxy: {unreachable.reason}", http_status=status, by_gateway=True)
            return self._own_answer(request, verdict, error, started)
        try:
            verdict = self.inspector.judge(request, forwarded, verdict)
        except Exception:  # a judge that fails must not cost the client its answer
            proxy_log.exception("could not judge %s %s: passed on unjudged", request.method, request.path)
            verdict.judged_response = False
        response, answered_by = self._flagged(verdict, forwarded)
        if self.recorder is not None and verdict.clean and verdict.operation is not None:
            headers = {name.lower(): value for name, value in request.headers.items()}
            try:
                self.recorder.note(verdict.operation, verdict.parameters, headers, forwarded, json_of(forwarded))
            except ProxyError as error:  # the answer still goes back; the log says why the recording stopped
                proxy_log.error("not recorded: %s", error)
        self._record(request, verdict, response.status_code, answered_by, started)
        return response

    def _flagged(self, verdict: Verdict, forwarded: Forwarded) -> tuple[Response, str]:
        """The answer passed on with the verdict's headers and log lines (a 502 when strict and
        the answer breaks the contract), and who answered."""
        response, answered_by = passed_on(forwarded), TARGET
        operation_id = verdict.operation.operation_id if verdict.operation else "-"
        if verdict.request_problems and verdict.operation is None:
            proxy_log.warning("passed through, %s", verdict.request_problems[0])
        elif verdict.request_problems:
            proxy_log.warning("request breaks the contract: %s: %s", operation_id, verdict.request_problems)
        encoding = forwarded.header("content-encoding")
        if not verdict.judged_response and encoding:
            proxy_log.warning("answer not judged: %s %s came %s-encoded", operation_id, forwarded.status, encoding)
        if verdict.response_problems:
            proxy_log.error(
                "answer breaks the contract: %s %s: %s", operation_id, forwarded.status, verdict.response_problems
            )
            if self.settings.strict:
                response, answered_by = self._refusal(verdict, forwarded.status), PROXY
            response.headers[VIOLATION_HEADER] = header_text(verdict.response_problems)
        if verdict.request_problems:
            response.headers[REQUEST_VIOLATION_HEADER] = header_text(verdict.request_problems)
        return response, answered_by

    def _refusal(self, verdict: Verdict, status: int) -> Response:
        """`--strict`: the answer that breaks the contract, replaced by a 502 saying why."""
        transport = verdict.operation.transport if verdict.operation else "gateway"
        why = "; ".join(verdict.response_problems)
        message = f"proxy: the target's {status} answer breaks the contract: {why}"
        response = json_response(wire.error(transport, ZitadelError(13, message, http_status=502, by_gateway=True)))
        response.headers[ANSWERED_BY_HEADER] = PROXY
        return response

    def _own_answer(self, request: Request, verdict: Verdict, error: ZitadelError, started: float) -> Response:
        transport = verdict.operation.transport if verdict.operation else "gateway"
        response = json_response(wire.error(transport, error))
        response.headers[ANSWERED_BY_HEADER] = PROXY
        self._record(request, verdict, response.status_code, PROXY, started)
        return response

    def _record(self, request: Request, verdict: Verdict, status: int, answered_by: str, started: float) -> None:
        """The journal entry and the access log line (no credential in either)."""
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        operation_id = verdict.operation.operation_id if verdict.operation else None
        self.journal.add(
            JournalEntry(
                time=format_timestamp(datetime.now(UTC)),
                session="-",
                method=request.method,
                path=request.path,
                query=request.query_string.decode("latin-1"),
                headers=redact_headers(request.headers.items()),
                operation_id=operation_id,
                answered_by=answered_by,
                status=status,
                duration_ms=duration_ms,
                request_problems=list(verdict.request_problems),
                response_problems=list(verdict.response_problems),
            )
        )
        proxy_log.info(
            '%s "%s %s" %s %s %s %.1fms',
            request.remote_addr or "-",
            request.method,
            request.path,
            status,
            operation_id or "-",
            answered_by,
            duration_ms,
        )

    def _control(self, request: Request) -> Response:
        """`GET /__proxy/journal?limit=N` and `GET /__proxy/health`; nothing else is the proxy's."""
        name = request.path.removeprefix(CONTROL_PREFIX)
        if request.method == "GET" and name == "journal":
            limit = min(max(request.args.get("limit", 100, type=int) or 100, 1), 1000)
            entries = [entry.as_dict() for entry in self.journal.entries(None, limit)]
            return json_response(wire.Answer(200, {"entries": entries}))
        if request.method == "GET" and name == "health":
            health = {
                "status": "ok",
                "target": self.forwarder.target.url,
                "spec": str(self.inspector.contract.file),
                "strict": self.settings.strict,
                "recording": str(self.recorder.file) if self.recorder else None,
            }
            return json_response(wire.Answer(200, health))
        error = ZitadelError(5, f"proxy: no endpoint {request.method} {request.path}", by_gateway=True)
        return json_response(wire.error("gateway", error))


def raw_target(environ: dict[str, Any]) -> str:
    """The path and query exactly as the client wrote them (gunicorn keeps them in `RAW_URI`)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        if not raw.startswith("/"):  # an absolute URI: keep its path and query
            parts = urlsplit(raw)
            raw = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return str(raw)
    path = quote(environ.get("PATH_INFO", "/").encode("latin-1"), safe=_PATH_SAFE)
    query = environ.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def passed_on(forwarded: Forwarded) -> Response:
    """The target's answer as a response: its status, headers and body bytes."""
    response = Response(forwarded.body, status=forwarded.status, headers=answer_headers(forwarded))
    if forwarded.header("content-type") is None:
        del response.headers["Content-Type"]  # werkzeug would add its default
    return response


def json_response(answer: wire.Answer) -> Response:
    response = Response(json.dumps(answer.body, separators=(",", ":")), answer.status, content_type="application/json")
    response.headers.update(answer.headers)
    return response


def json_of(forwarded: Forwarded) -> Any:
    """The answer's body as JSON (inflated first when it came compressed), or None."""
    body = readable_body(forwarded)
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def header_text(problems: list[str]) -> str:
    """Problems as one header value: printable ASCII only, at most 500 characters (as the mock's)."""
    text = " | ".join(problems)
    return "".join(c if " " <= c <= "~" else "?" for c in text)[:500]
