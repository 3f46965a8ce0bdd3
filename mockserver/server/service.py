"""Handle one HTTP request to the API paths: session, routing, preferences, faults, scenario or
ZITADEL's checks and the operation's behaviour (or example), contract validation both ways,
journal and log line.

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

import orjson
from flask import Response
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from mockserver.behaviour.engine import Call, Engine
from mockserver.contract.spec import Contract, Operation
from mockserver.errors import ContractViolation, MockServerError, StoreUnavailable
from mockserver.fixtures.loader import Fixtures
from mockserver.fixtures.scenarios import CannedResponse
from mockserver.server.canned import ExampleAnswers
from mockserver.server.faults import NO_FAULT, Faults, decide
from mockserver.server.journal import Journal, JournalEntry, redact_lowered
from mockserver.server.logs import access_log
from mockserver.server.preferences import Preferences, parse_prefer_header, query_preferences, resolve
from mockserver.server.remembered import ReadKey, RememberedAnswer, RememberedReads
from mockserver.server.reply import Reply
from mockserver.server.sessions import session_of
from mockserver.server.validation import ContractValidator
from mockserver.state.stores import SessionState, StateStore
from mockserver.zitadel import wire
from mockserver.zitadel.authz import Authorizer
from mockserver.zitadel.errors import ErrorCatalogue, ZitadelError, body_too_large, store_unavailable
from mockserver.zitadel.gateway import ApiCall, Gateway
from mockserver.zitadel.protojson import format_timestamp, now_timestamp
from mockserver.zitadel.routing import Router
from mockserver.zitadel.wire import Answer, ProtocolRejection

log = logging.getLogger("mockserver.access")
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


class ConnectionDropped(ConnectionAbortedError, MockServerError):
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
    remembered: RememberedAnswer | None = None  # the same read against the same state, answered before
    read: tuple[ReadKey, SessionState] | None = None  # how to remember this read's answer


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
        errors = ErrorCatalogue.from_contract(contract)
        self.gateway = Gateway(contract, Authorizer(fixtures.users, fixtures.role_permissions, errors))
        self.engine = Engine.from_contract(contract, fixtures.behaviours)
        self.router = Router(contract.operations, errors)
        self.answers = ExampleAnswers(contract, self.rng)
        self.validator = ContractValidator(contract)
        self.remembered = RememberedReads()

    @property
    def answered_by_example(self) -> list[str]:
        """The operations with no declared behaviour: their first named 200 example answers."""
        return [op.operation_id for op in self.contract.operations if op.operation_id not in self.engine.behaviours]

    def handle(self, request: Request) -> Reply:
        """Answer `request` as ZITADEL would, or as the caller or scenario asked."""
        started = time.perf_counter()
        headers = _lower_headers(request)  # once: werkzeug raises and catches on every missing one
        outcome = self._outcome(request, headers)
        if outcome.dropped:  # the socket is cut: nothing written reaches the client
            response = Reply(200)
            self._record(request, headers, response, outcome, ([], []), started)
            return response
        if outcome.remembered is not None:
            response = outcome.remembered.reply()
            self._record(request, headers, response, outcome, (list(outcome.remembered.request_problems), []), started)
            return response
        response = _reply(outcome.answer)
        response.headers.append((ANSWERED_BY_HEADER, outcome.answered_by))
        problems = self._validate(request, headers, response, outcome)
        if outcome.read is not None and not problems[1]:
            self.remembered.put(*outcome.read, response, outcome.answered_by, problems[0])
        self._record(request, headers, response, outcome, problems, started)
        return response

    def _outcome(self, request: Request, headers: dict[str, str]) -> _Outcome:
        outcome = _Outcome(Answer(500, {}), "gateway")
        try:
            outcome.session = session_of(headers, request.cookies if "cookie" in headers else {})
            outcome.operation, parameters = self.router.match(request.method, request.path)
            outcome.answer, outcome.answered_by = self._answer(request, headers, outcome, parameters)
        except ZitadelError as error:
            outcome.answer = wire.error(_transport(outcome.operation), error)
            if error.message.startswith("mock:"):
                outcome.answered_by = "mock"
        except ProtocolRejection as rejection:
            outcome.answer, outcome.answered_by = rejection.answer, "connect"
        except ConnectionDropped as dropped:
            if not dropped.cut:
                raise
            outcome.answered_by, outcome.dropped = "fault:drop", True
        except StoreUnavailable as error:
            outcome.answer = wire.error(_transport(outcome.operation), store_unavailable(error))
            outcome.answered_by = "mock"
        except RequestEntityTooLarge:
            too_large = body_too_large(self.settings.max_body_bytes)
            outcome.answer = wire.error(_transport(outcome.operation), too_large)
            outcome.answered_by = "mock"
        return outcome

    def _answer(
        self, request: Request, headers: dict[str, str], outcome: _Outcome, parameters: dict[str, str]
    ) -> tuple[Answer, str]:
        operation, session = outcome.operation, outcome.session
        assert operation is not None
        state = self.store.read(session)
        preferences = resolve(
            parse_prefer_header(headers.get("prefer")),
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
        canned = _matching_canned(scenario.responses if scenario else (), operation, parameters, headers)
        if canned is not None and scenario is not None:
            return _canned_answer(operation, canned), f"scenario:{scenario.name}"
        behaviour = self.engine.behaviours.get(operation.operation_id)
        if behaviour is None or not behaviour.changes_state:  # a read: the same request, the same answer
            body, query = self._body(request), request.query_string
            read_key: ReadKey = (session, request.method, request.path, query, body, frozenset(headers.items()))
            outcome.remembered = self.remembered.get(read_key, state)
            if outcome.remembered is not None:
                return outcome.answer, outcome.remembered.answered_by
            outcome.read = (read_key, state)
        return self._zitadel_answer(request, headers, operation, parameters, session, state)

    def _zitadel_answer(
        self,
        request: Request,
        headers: dict[str, str],
        operation: Operation,
        parameters: dict[str, str],
        session: str,
        state: SessionState,
    ) -> tuple[Answer, str]:
        """ZITADEL's checks, then the operation's behaviour, or its example when it has none."""
        query = request.args.to_dict(flat=False) if request.query_string else {}
        call = ApiCall(operation, parameters, query, headers, self._body(request))
        behaviour = self.engine.behaviours.get(operation.operation_id)
        try:
            checked = self.gateway.check(call, state["world"]["organizations"])
            if behaviour is None:
                return self.answers.first_success(operation), "example"
            now = now_timestamp() if behaviour.changes_state else ""  # only events need the time
            engine_call = Call(checked.org_id, checked.message, now)
            if behaviour.changes_state:
                body = self.store.update(  # the engine copies each organization it changes first
                    session, lambda changed: self.engine.run(behaviour, changed["world"], engine_call), own_copies=True
                )
            else:
                body = self.engine.run(behaviour, state["world"], engine_call)
        except ZitadelError as error:
            if error.message.startswith("mock:"):
                raise
            return wire.error(operation.transport, error), "zitadel"
        return wire.success(operation.transport, body), "zitadel"

    def _body(self, request: Request) -> bytes:
        if request.content_length is not None and request.content_length > self.settings.max_body_bytes:
            raise RequestEntityTooLarge()
        body = request.get_data(cache=True)
        if len(body) > self.settings.max_body_bytes:
            raise RequestEntityTooLarge()
        return body

    def _validate(
        self, request: Request, headers: dict[str, str], response: Reply, outcome: _Outcome
    ) -> tuple[list[str], list[str]]:
        if not self.settings.validate or outcome.operation is None or outcome.answer.status == 413:
            return [], []
        request_problems = self.validator.request_problems(request, headers)
        response_problems = self.validator.answer_problems(
            outcome.operation, response.status_code, response.body, response.lower_headers()
        )
        if request_problems:
            response.headers.append((REQUEST_VIOLATION_HEADER, _header_text(request_problems)))
        if response_problems:
            message = f"{outcome.operation.operation_id} {response.status_code}: {response_problems}"
            if self.settings.strict_contract:
                raise ContractViolation(message)
            log.error("response breaks the contract: %s", message)
            response.headers.append((VIOLATION_HEADER, _header_text(response_problems)))
        return request_problems, response_problems

    def _record(
        self,
        request: Request,
        headers: dict[str, str],
        response: Reply,
        outcome: _Outcome,
        problems: tuple[list[str], list[str]],
        started: float,
    ) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        operation_id = outcome.operation.operation_id if outcome.operation else None
        moment, redacted, status = time.time(), redact_lowered(headers), response.status_code
        method, path, query = request.method, request.path, request.query_string

        def entry() -> JournalEntry:  # made when the journal is read, from what was kept (no token)
            return JournalEntry(
                time=format_timestamp(datetime.fromtimestamp(moment, UTC)),
                session=outcome.session,
                method=method,
                path=path,
                query=query.decode("latin-1"),
                headers=redacted,
                operation_id=operation_id,
                answered_by=outcome.answered_by,
                status=status,
                duration_ms=duration_ms,
                request_problems=problems[0],
                response_problems=problems[1],
            )

        self.journal.add_later(outcome.session, entry)
        access_log.line(
            f'{request.remote_addr or "-"} "{method} {path}" {status} {operation_id or "-"} '
            f"{outcome.answered_by} {duration_ms:.1f}ms session={outcome.session}"
        )


def initial_state(fixtures: Fixtures, scenario: str | None) -> SessionState:
    """A session's state before any change."""
    return {
        "world": fixtures.world_for(scenario),
        "scenario": scenario,
        "preferences": {},
        "faults": {},
    }


def error_response(error: ZitadelError) -> Response:
    """A ZITADEL-shaped error as a response (for errors outside the API paths)."""
    return _reply(wire.error("gateway", error)).as_response()


def _reply(answer: Answer) -> Reply:
    """The answer encoded: JSON, or connect-go's refusals as they are."""
    if answer.body is None or isinstance(answer.body, bytes):
        return Reply(answer.status, answer.body or b"", list(answer.headers.items()))
    body = encode_json(answer.body)
    headers = list(answer.headers.items())
    if not any(name.lower() == "content-type" for name in answer.headers):  # a scenario may name its own
        headers.insert(0, ("Content-Type", "application/json"))
    return Reply(answer.status, body, headers)


def encode_json(body: Any) -> bytes:
    """`body` as compact UTF-8 JSON, by orjson (a tenth of the standard library's time). The
    contract has no floating-point field; a scenario's own float is written the shortest way
    (0.00001, not 1e-05) and a NaN as null (JSON has no NaN). What orjson refuses (an integer
    beyond 64 bits) goes to the standard library.

    Copied out of orjson's result, which keeps a 4 KB buffer whatever its length: remembered
    answers keep their bytes, and at 10,000 sessions that was 40 MB a worker."""
    try:
        return bytes(memoryview(orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)))
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _transport(operation: Operation | None) -> str:
    """The operation's transport; the gateway's before routing has found one."""
    return operation.transport if operation is not None else "gateway"


def _canned_answer(operation: Operation, canned: CannedResponse) -> Answer:
    """A scenario's answer: an error in the operation's own shape, with the scenario's headers."""
    if canned.status == 200:
        return Answer(200, canned.body, dict(canned.headers))
    answer = wire.example_error(operation.transport, canned.status, canned.body)
    return Answer(answer.status, answer.body, {**answer.headers, **canned.headers})


def _lower_headers(request: Request) -> dict[str, str]:
    """The request's headers by lower-case name, read from the WSGI environ as werkzeug reads them
    (without building its header objects)."""
    environ = request.environ
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    for key, name in (("CONTENT_TYPE", "content-type"), ("CONTENT_LENGTH", "content-length")):
        if environ.get(key):
            headers[name] = environ[key]
    return headers


def _matching_canned(
    responses: tuple[CannedResponse, ...],
    operation: Operation,
    parameters: dict[str, str],
    headers: dict[str, str],
) -> CannedResponse | None:
    for canned in responses:
        if not canned.applies_to(operation.operation_id):
            continue
        headers_match = all(headers.get(k) == v for k, v in canned.match_headers.items())
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
