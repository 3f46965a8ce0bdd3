"""Build and send a request for any operation of the contract: from a request message (the
fields the gateway decodes), or from a request spec such as an example's `x-zitadel-requests`
entry (`{body: {type: 0}}`, `{path: {type: FOO}, authorization: null}`).

What a spec leaves out is filled in the way a correct client would: the target's token, the org
header where the operation takes it, path parameters from the contract's examples, and the first
named example of the request body where the gateway reads one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from contract_tests.plugin.model import ORG_HEADER, OperationFacts, SuiteModel
from contract_tests.plugin.reply import Reply
from contract_tests.plugin.target import Target

DEFAULT: Any = object()  # the target's own token
NOT_GIVEN: Any = object()


@dataclass(frozen=True)
class RequestSpec:
    """The parts of a request a test sets; what it leaves out, a correct client would send."""

    path: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = NOT_GIVEN
    raw_body: str | None = None
    authorization: Any = DEFAULT

    @classmethod
    def from_contract(cls, entry: Mapping[str, Any]) -> RequestSpec:
        """An entry of an example's `x-zitadel-requests`."""
        return cls(
            path=dict(entry.get("path", {})),
            query=dict(entry.get("query", {})),
            headers=dict(entry.get("headers", {})),
            body=entry.get("body", NOT_GIVEN),
            raw_body=entry.get("rawBody"),
            authorization=entry.get("authorization", DEFAULT),
        )

    def describe(self) -> str:
        parts = [
            f"{name}={value!r}"
            for name, value in (("path", self.path), ("query", self.query), ("headers", self.headers))
            if value
        ]
        if self.body is not NOT_GIVEN:
            parts.append(f"body={json.dumps(self.body)}")
        if self.raw_body is not None:
            parts.append(f"raw body {self.raw_body!r}")
        if self.authorization is not DEFAULT:
            parts.append("no Authorization" if self.authorization is None else f"Authorization {self.authorization!r}")
        return ", ".join(parts) or "a plain request"


@dataclass(frozen=True)
class SentRequest:
    """What was sent, in the parts a link's runtime expressions may name."""

    path: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), None)


def applies(facts: OperationFacts, spec: RequestSpec) -> bool:
    """Whether the operation declares every part the spec sets (a header it takes, a body it reads)."""
    headers_ok = all(name.lower() != ORG_HEADER or facts.takes_org_header for name in spec.headers)
    body_ok = (spec.body is NOT_GIVEN and spec.raw_body is None) or facts.shape.reads_body
    return (
        set(spec.path) <= set(facts.shape.path_fields)
        and set(spec.query) <= set(facts.shape.query_fields)
        and headers_ok
        and body_ok
    )


def default_url(model: SuiteModel, facts: OperationFacts, path: Mapping[str, Any] | None = None) -> str:
    """The operation's path with its parameters filled in (given, or from the contract)."""
    values = {name: (path or {}).get(name, default_path_value(model, facts, name)) for name in facts.shape.path_fields}
    return _url(facts, values, {})


def default_path_value(model: SuiteModel, facts: OperationFacts, name: str) -> Any:
    """A valid value for a path parameter: the contract's first example of it, else a defined enum name."""
    for parameter in model.contract.parameters(facts.operation):
        if parameter["in"] == "path" and parameter["name"] == name:
            for example in parameter.get("examples", {}).values():
                return model.contract.resolve(example).get("value")
            if "example" in parameter:
                return parameter["example"]
    field_ = facts.shape.message.fields.get(name)
    if field_ is not None and field_.enum is not None:
        return field_.enum.defined_names()[0]
    return "x"


def _url(facts: OperationFacts, path: Mapping[str, Any], query: Mapping[str, Any], suffix: str = "") -> str:
    url = facts.operation.path
    for name, value in path.items():
        url = url.replace(f"{{{name}}}", quote(str(value), safe=""))
    url += suffix
    if query:
        url += "?" + urlencode({key: _query_text(value) for key, value in query.items()})
    return url


class Calls:
    """Sends requests for the contract's operations to the target, and notes which it called."""

    def __init__(self, target: Target, model: SuiteModel) -> None:
        self.target = target
        self.model = model
        self.touched: set[str] = set()  # the labels of the operations called, for the summary

    def send(
        self, facts: OperationFacts, spec: RequestSpec = RequestSpec(), *, method: str | None = None, suffix: str = ""
    ) -> Reply:
        """The request the spec describes, completed, sent to the target (with another method, or
        to the operation's path made longer, to meet the gateway's routing)."""
        return self.send_noting(facts, spec, method=method, suffix=suffix)[0]

    def send_noting(
        self, facts: OperationFacts, spec: RequestSpec = RequestSpec(), *, method: str | None = None, suffix: str = ""
    ) -> tuple[Reply, SentRequest]:
        """`send`, and what exactly was sent."""
        self.touched.add(facts.operation.label)
        headers = self._headers(facts, spec)
        body = self._body(facts, spec)
        path = {
            name: spec.path.get(name, default_path_value(self.model, facts, name)) for name in facts.shape.path_fields
        }
        url = _url(facts, path, spec.query, suffix)
        reply = self.target.send(method or facts.operation.method, url, headers, body)
        sent_body = json.loads(body) if body is not None and spec.raw_body is None else None
        return reply, SentRequest(path, dict(spec.query), headers, sent_body)

    def send_message(self, facts: OperationFacts, message: Mapping[str, Any], **overrides: Any) -> Reply:
        """A request carrying `message`: path fields in the path, the rest in the body or the query."""
        path = {name: value for name, value in message.items() if name in facts.shape.path_fields}
        rest = {name: value for name, value in message.items() if name not in path}
        if facts.shape.reads_body:
            spec = RequestSpec(path=path, body=rest, **overrides)
        else:
            spec = RequestSpec(path=path, query=rest, **overrides)
        return self.send(facts, spec)

    def _headers(self, facts: OperationFacts, spec: RequestSpec) -> dict[str, str]:
        headers: dict[str, str] = {}
        if spec.authorization is DEFAULT:
            headers.update(self.target.bearer())
        elif spec.authorization is not None:
            headers["Authorization"] = str(spec.authorization)
        if facts.takes_org_header and self.target.org_id:
            headers[ORG_HEADER] = self.target.org_id
        for name, value in spec.headers.items():
            headers = {key: existing for key, existing in headers.items() if key.lower() != name.lower()}
            headers[name] = value
        return headers

    def _body(self, facts: OperationFacts, spec: RequestSpec) -> bytes | None:
        if spec.raw_body is not None:
            return spec.raw_body.encode()
        if spec.body is not NOT_GIVEN:
            return json.dumps(spec.body).encode()
        if facts.shape.reads_body:
            return json.dumps(self.default_body(facts)).encode()
        return None

    def default_body(self, facts: OperationFacts) -> Any:
        """The first named example of the operation's request body, else `{}`."""
        body = self.model.contract.request_body(facts.operation) or {}
        examples = body.get("content", {}).get("application/json", {}).get("examples", {})
        for example in examples.values():
            return self.model.contract.resolve(example).get("value")
        return {}


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
