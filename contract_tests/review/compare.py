"""`contract-tests compare --base-url A --against B`: the same requests to two servers (the mock
and a real ZITADEL, say), and every difference in status, body shape or headers, ignoring
volatile values (timestamps, sequences, ids, counts).

The probes come from the contract and change nothing on a server that keeps it: a plain call of
every operation that only reads, every request an error example says produces it, and the
gateway's routing (an unknown path, a method no operation has).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

from contract_tests.plugin.calls import Calls, RequestSpec, applies, default_url
from contract_tests.plugin.model import SuiteModel
from contract_tests.plugin.reply import Reply

COMPARED_HEADERS = ("content-type", "www-authenticate", "cache-control", "pragma")
# Values compared as they are: what tells one answer from another. Everything else: shape only.
STABLE_FIELDS = {"code", "message", "id", "@type"}
_PROBE_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


@dataclass(frozen=True)
class Probe:
    """One request sent to both servers: an operation's request, or a raw method and path."""

    name: str
    operation_id: str
    spec: RequestSpec | None = None
    raw: tuple[str, str] | None = None


@dataclass(frozen=True)
class Difference:
    probe: str
    what: str
    left: str
    right: str


def probes(model: SuiteModel, api: str | None) -> Iterator[Probe]:
    """Requests that change nothing on a server that keeps the contract."""
    for facts in model.selected(api):
        operation_id = facts.operation_id
        if not facts.changes_state:
            yield Probe(f"{operation_id} plain", operation_id, RequestSpec())
        for example in facts.examples.values():
            entries = model.contract.resolve(model.contract.node(example.pointer)).get("x-zitadel-requests", [])
            for index, entry in enumerate(entries):
                spec = RequestSpec.from_contract(entry)
                if applies(facts, spec):
                    yield Probe(f"{operation_id} {example.name} #{index}", operation_id, spec)
        path = default_url(model, facts)
        unknown = next(
            (path + "/__nowhere__" * n for n in range(1, 5) if not model.path_exists(path + "/__nowhere__" * n)), None
        )
        if unknown is not None:
            yield Probe(f"{operation_id} unknown path", operation_id, raw=(facts.operation.method, unknown))
        free = next((method for method in _PROBE_METHODS if not model.route_exists(method, path)), None)
        if free is not None:
            yield Probe(f"{operation_id} {free} not allowed", operation_id, raw=(free, path))


def send(calls: Calls, probe: Probe) -> Reply:
    """The server's answer; a timeout or a cut connection is an answer too (status 0)."""
    facts = calls.model.operations[probe.operation_id]
    try:
        if probe.raw is not None:
            method, path = probe.raw
            return calls.target.send(method, path, calls.target.bearer())
        return calls.send(facts, probe.spec or RequestSpec())
    except requests.RequestException as error:
        return Reply(0, {}, f"<no answer: {type(error).__name__}>".encode())


def compare(left: Calls, right: Calls, planned: list[Probe]) -> list[Difference]:
    """Every difference between the two servers' answers to the probes."""
    differences = []
    for probe in planned:
        differences += list(_differences(probe.name, send(left, probe), send(right, probe)))
    return differences


def _differences(name: str, a: Reply, b: Reply) -> Iterator[Difference]:
    if a.status != b.status:
        yield Difference(name, "status", str(a.status), str(b.status))
    for header in COMPARED_HEADERS:
        left, right = a.headers.get(header), b.headers.get(header)
        if header == "content-type":
            left, right = (value.split(";")[0].strip() if value else value for value in (left, right))
        if left != right:
            yield Difference(name, f"header {header}", str(left), str(right))
    left_shape, right_shape = shape(_json(a)), shape(_json(b))
    if left_shape != right_shape:
        yield Difference(name, "body", _short(left_shape), _short(right_shape))


def shape(value: Any, key: str = "") -> Any:
    """The structure of a JSON value, with volatile values replaced by their type."""
    if isinstance(value, dict):
        return {k: shape(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(item, key) for item in value] if key in STABLE_FIELDS else [shape(item) for item in value[:1]]
    if key in STABLE_FIELDS:
        return value
    return type(value).__name__


def _json(reply: Reply) -> Any:
    try:
        return reply.json()
    except ValueError:
        return f"<not JSON: {reply.body[:60]!r}>"


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


def render(differences: list[Difference], left: str, right: str, probe_count: int) -> str:
    """A Markdown table of the differences."""
    if not differences:
        return f"{left} and {right} answered all {probe_count} probes alike."
    lines = [f"{len(differences)} differences between {left} (left) and {right} (right):", ""]
    lines += ["| probe | what | left | right |", "|---|---|---|---|"]
    for d in differences:
        lines.append(f"| {d.probe} | {d.what} | `{d.left}` | `{d.right}` |")
    return "\n".join(lines)
