"""Check requests and responses against the contract, and say why they fail.

Requests are judged by openapi-core, whose verdicts are cached per distinct request (by
everything the contract looks at: the method, path, query, the headers it declares, the body);
requests repeat, so this costs little. Answers of an operation the caller names are judged by
`ResponseChecker` (schemas compiled once per operation and status): a write's answer is new every
time, and openapi-core's per-answer cost was most of a write's. Without an operation (a path the
contract may not know), openapi-core judges the answer too, with a cached verdict.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.wrappers import Request, Response

from mockserver.contract.spec import Contract, Operation
from mockserver.server.response_check import ResponseChecker

# Request headers the contract declares (the security scheme reads only Authorization's scheme).
_REQUEST_HEADERS = ("x-zitadel-orgid", "content-type")
_RESPONSE_HEADERS = ("content-type", "www-authenticate", "cache-control", "pragma")
Verdict = list[str]


class _Verdicts:
    """A bounded, thread-safe memory of verdicts, least recently used first out."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[Any, ...], Verdict] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Verdict | None:
        with self._lock:
            verdict = self._items.get(key)
            if verdict is not None:
                self._items.move_to_end(key)
            return verdict

    def put(self, key: tuple[Any, ...], verdict: Verdict) -> None:
        with self._lock:
            self._items[key] = verdict
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class ContractValidator:
    """openapi-core validation of both directions, reporting every problem as one line."""

    def __init__(self, contract: Contract, cache_size: int = 4096) -> None:
        self._openapi = openapi_of(contract)
        self._checker = ResponseChecker(contract)
        self._requests = _Verdicts(cache_size)
        self._responses = _Verdicts(cache_size)

    def request_problems(self, request: Request, headers: dict[str, str]) -> Verdict:
        """Why the request breaks the contract (empty when it keeps it); `headers` by lower-case name."""
        key = _request_key(request, headers)
        verdict = self._requests.get(key)
        if verdict is None:
            errors = self._openapi.request_validator.iter_errors(WerkzeugOpenAPIRequest(request))
            verdict = [explain(error) for error in errors]
            self._requests.put(key, verdict)
        return verdict

    def answer_problems(self, operation: Operation, status: int, body: bytes, headers: dict[str, str]) -> Verdict:
        """Why an answer of `operation` breaks the contract (empty when it keeps it), judged by the
        compiled checker (no path to match, no `$ref` to resolve again); `headers` by lower-case name."""
        return self._checker.problems(operation, status, headers.get("content-type"), body, headers)

    def response_problems(self, request: Request, response: Response) -> Verdict:
        """Why the response to a request for any path breaks the contract (empty when it keeps it),
        judged by openapi-core with a cached verdict."""
        key = (request.method, request.path, response.status_code, response.get_data(), _headers(response))
        verdict = self._responses.get(key)
        if verdict is None:
            errors = self._openapi.response_validator.iter_errors(
                WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)
            )
            verdict = [explain(error) for error in errors]
            self._responses.put(key, verdict)
        return verdict


def openapi_of(contract: Contract) -> OpenAPI:
    """The contract as an openapi-core `OpenAPI` (slow to build: once per service)."""
    config = Config(spec_validator_cls=None)  # load_spec has validated it already
    return OpenAPI.from_dict(contract.document, config=config, base_uri=contract.file.absolute().as_uri())


def _request_key(request: Request, headers: dict[str, str]) -> tuple[Any, ...]:
    authorization = headers.get("authorization")
    scheme = None if authorization is None else (authorization.split(" ", 1)[0], " " in authorization.strip())
    declared = tuple(headers.get(name) for name in _REQUEST_HEADERS)
    return (request.method, request.path, request.query_string, scheme, declared, request.get_data(cache=True))


def _headers(response: Response) -> tuple[str | None, ...]:
    present = {name.lower(): value for name, value in response.headers.items()}
    return tuple(present.get(name) for name in _RESPONSE_HEADERS)


def explain(error: Exception) -> str:
    """One line: the openapi-core error and the schema errors behind it, with their paths."""
    cause: Any = error.__cause__
    schema_errors = getattr(cause, "schema_errors", None) or ()
    details = [f"{'/'.join(str(part) for part in item.absolute_path) or '/'}: {item.message}" for item in schema_errors]
    head = type(error).__name__
    reason = "; ".join(details) if details else _first_line(cause or error)
    return f"{head}: {reason}"


def _first_line(error: BaseException) -> str:
    try:
        text = str(error)
    except UnicodeDecodeError:  # openapi-core formats undecodable bodies into its message
        text = f"{type(error).__name__} (the body is not UTF-8)"
    return text.split("\n")[0]
