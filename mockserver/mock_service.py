"""Handle one HTTP request to the API paths: session, routing, preferences, faults, scenario or
ZITADEL behaviour, contract validation both ways, journal and log line.

It works on werkzeug requests and responses and is mounted by the Flask app in app.py.
"""

from __future__ import annotations

import json
import logging
import random
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Response
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from mockserver import zitadel_errors
from mockserver.contract_answers import ContractAnswers
from mockserver.contract_validation import ContractValidator, ContractViolation
from mockserver.faults import NO_FAULT, Faults, decide
from mockserver.fixtures import CannedResponse, Fixtures
from mockserver.journal import Journal, JournalEntry, redact_headers
from mockserver.preferences import Preferences, parse_prefer_header, query_preferences, resolve
from mockserver.routing import Router
from mockserver.sessions import session_of
from mockserver.spec import Contract, Operation
from mockserver.state_store import SessionState, StateStore, StoreUnavailable
from mockserver.timestamps import format_timestamp
from mockserver.zitadel_api import Answer, ApiCall, ZitadelApi

access_log = logging.getLogger("mockserver.access")
VIOLATION_HEADER = "X-Mock-Contract-Violation"
REQUEST_VIOLATION_HEADER = "X-Mock-Request-Violation"
ANSWERED_BY_HEADER = "X-Mock-Answered-By"


@dataclass(frozen=True)
class MockSettings:
    """How strict and how big the service is."""

    strict_contract: bool = False
    max_body_bytes: int = 1 << 20
    seed: int | None = None
    validate: bool = True


class ConnectionDropped(ConnectionAbortedError):
    """A dropped-connection fault; raised to the caller where no socket could be cut."""

    def __init__(self, cut: bool) -> None:
        self.cut = cut
        super().__init__("mock: fault injected: connection dropped")


@dataclass
class _Outcome:
    answer: Answer
    answered_by: str
    operation: Operation | None = None
    session: str = "-"
    dropped: bool = False


class MockService:
    """The API side of the mock: everything between a request and its response."""

    def __init__(
        self,
        contract: Contract,
        fixtures: Fixtures,
        store: StateStore,
        settings: MockSettings,
        journal: Journal,
    ) -> None:
        self.contract = contract
        self.fixtures = fixtures
        self.store = store
        self.settings = settings
        self.journal = journal
        self.rng = random.Random(settings.seed)
        self.api = ZitadelApi(contract, fixtures, store)
        self.answers = ContractAnswers(contract, self.rng)
        self.validator = ContractValidator(contract)
        self.router = Router(contract.operations)

    def handle(self, request: Request) -> Response:
        """Answer `request` as ZITADEL would, or as the caller or scenario asked."""
        started = time.perf_counter()
        outcome = self._outcome(request)
        if outcome.dropped:  # the socket is cut: nothing written reaches the client
            response = Response(b"", status=200)
            self._record(request, response, outcome, ([], []), started)
            return response
        response = _json_response(outcome.answer)
        response.headers[ANSWERED_BY_HEADER] = outcome.answered_by
        problems = self._validate(request, response, outcome)
        self._record(request, response, outcome, problems, started)
        return response

    def _outcome(self, request: Request) -> _Outcome:
        outcome = _Outcome(Answer(500, {}), "gateway")
        try:
            outcome.session = session_of(request.headers, request.cookies)
            outcome.operation, parameters = self.router.match(request.method, request.path)
            outcome.answer, outcome.answered_by = self._answer(request, outcome.operation, parameters, outcome.session)
        except zitadel_errors.ZitadelError as error:
            outcome.answer = Answer.from_error(error)
            if error.message.startswith("mock:"):
                outcome.answered_by = "mock"
        except ConnectionDropped as dropped:
            if not dropped.cut:
                raise
            outcome.answered_by, outcome.dropped = "fault:drop", True
        except StoreUnavailable as error:
            outcome.answer = Answer.from_error(zitadel_errors.store_unavailable(error))
            outcome.answered_by = "mock"
        except RequestEntityTooLarge:
            outcome.answer = Answer.from_error(zitadel_errors.body_too_large(self.settings.max_body_bytes))
        return outcome

    def _answer(
        self, request: Request, operation: Operation, parameters: dict[str, str], session: str
    ) -> tuple[Answer, str]:
        state = self.store.read(session)
        preferences = resolve(
            parse_prefer_header(request.headers.get("Prefer")),
            query_preferences(request.args) if request.query_string else {},
            state["preferences"],
        )
        scenario = self.fixtures.scenarios.get(state["scenario"] or "")
        settings = {**(scenario.faults if scenario else {}), **state["faults"]}
        decision = decide(Faults.from_settings(settings), self.rng) if settings else NO_FAULT
        delay = max(decision.delay_seconds, _preferred_delay(preferences, self.rng))
        if delay > 0:  # sleep(0) still gives up the processor: skip it
            time.sleep(delay)
        if decision.drop:
            _drop_connection(request)
        if decision.error_status is not None:
            return self.answers.error_answer(operation, decision.error_status), "fault"
        if preferences.overrides_answer:
            kind = "dynamic" if preferences.dynamic else "example"
            return self.answers.answer(operation, preferences), kind
        canned = _matching_canned(scenario.responses if scenario else (), operation, parameters, request)
        if canned is not None and scenario is not None:
            answer = Answer(canned.status, canned.body, dict(canned.headers))
            return answer, f"scenario:{scenario.name}"
        call = ApiCall(operation, parameters, _lower_headers(request), self._body(request))
        return self.api.call(call, session, state["world"]), "zitadel"

    def _body(self, request: Request) -> bytes:
        if request.content_length is not None and request.content_length > self.settings.max_body_bytes:
            raise RequestEntityTooLarge()
        body = request.get_data(cache=True)
        if len(body) > self.settings.max_body_bytes:
            raise RequestEntityTooLarge()
        return body

    def _validate(self, request: Request, response: Response, outcome: _Outcome) -> tuple[list[str], list[str]]:
        if not self.settings.validate or outcome.operation is None or outcome.answer.status == 413:
            return [], []
        request_problems = self.validator.request_problems(request)
        response_problems = self.validator.response_problems(request, response)
        if request_problems:
            response.headers[REQUEST_VIOLATION_HEADER] = _header_text(request_problems)
        if response_problems:
            message = f"{outcome.operation.operation_id} {response.status_code}: {response_problems}"
            if self.settings.strict_contract:
                raise ContractViolation(message)
            access_log.error("response breaks the contract: %s", message)
            response.headers[VIOLATION_HEADER] = _header_text(response_problems)
        return request_problems, response_problems

    def _record(
        self,
        request: Request,
        response: Response,
        outcome: _Outcome,
        problems: tuple[list[str], list[str]],
        started: float,
    ) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        operation_id = outcome.operation.operation_id if outcome.operation else None
        entry = JournalEntry(
            time=format_timestamp(datetime.now(UTC)),
            session=outcome.session,
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            headers=redact_headers(request.headers.items()),
            operation_id=operation_id,
            answered_by=outcome.answered_by,
            status=response.status_code,
            duration_ms=duration_ms,
            request_problems=problems[0],
            response_problems=problems[1],
        )
        self.journal.add(entry)
        access_log.info(
            '%s "%s %s" %s %s %s %.1fms session=%s',
            request.remote_addr or "-",
            request.method,
            request.path,
            response.status_code,
            operation_id or "-",
            outcome.answered_by,
            duration_ms,
            outcome.session,
        )


def initial_state(fixtures: Fixtures, scenario: str | None) -> SessionState:
    """A session's state before any change."""
    return {
        "world": fixtures.world_for(scenario),
        "scenario": scenario,
        "preferences": {},
        "faults": {},
    }


def error_response(error: zitadel_errors.ZitadelError) -> Response:
    """A ZITADEL-shaped error as a response (for errors outside the API paths)."""
    return _json_response(Answer.from_error(error))


def _json_response(answer: Answer) -> Response:
    body = json.dumps(answer.body, separators=(",", ":"), ensure_ascii=False)
    response = Response(body, status=answer.status, content_type="application/json")
    response.headers.update(answer.headers)
    return response


def _lower_headers(request: Request) -> dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


def _matching_canned(
    responses: tuple[CannedResponse, ...],
    operation: Operation,
    parameters: dict[str, str],
    request: Request,
) -> CannedResponse | None:
    for canned in responses:
        if not canned.applies_to(operation.operation_id):
            continue
        headers_match = all(request.headers.get(k) == v for k, v in canned.match_headers.items())
        path_match = all(parameters.get(k) == v for k, v in canned.match_path.items())
        if headers_match and path_match:
            return canned
    return None


def _preferred_delay(preferences: Preferences, rng: random.Random) -> float:
    if preferences.delay_ms is None:
        return 0.0
    return rng.uniform(*preferences.delay_ms) / 1000


def _drop_connection(request: Request) -> None:
    """Cut the TCP connection under the request; the client sees it closed without an answer."""
    connection: Any = request.environ.get("werkzeug.socket") or request.environ.get("gunicorn.socket")
    if connection is None:
        raise ConnectionDropped(cut=False)
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    raise ConnectionDropped(cut=True)


def _header_text(problems: list[str]) -> str:
    """Problems as a header value: printable ASCII only (servers refuse control characters)."""
    text = " | ".join(problems)
    return "".join(c if " " <= c <= "~" else "?" for c in text)[:500]
