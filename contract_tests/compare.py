"""`contract-tests compare --base-url A --against B`: the same deterministic requests to two
servers (the mock and a real ZITADEL, say), and every difference in status, body shape or
headers, ignoring volatile values (timestamps, sequences, ids, counts).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

from contract_tests.factor_calls import FactorCalls
from contract_tests.target import Reply

COMPARED_HEADERS = ("content-type", "www-authenticate", "cache-control", "pragma")
# Values compared as they are: what tells one answer from another. Everything else: shape only.
STABLE_FIELDS = {"code", "message", "id", "@type"}


@dataclass(frozen=True)
class Probe:
    """One request sent to both servers."""

    name: str
    api: str
    method: str
    path: str
    token: str | None = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


@dataclass(frozen=True)
class Difference:
    probe: str
    what: str
    left: str
    right: str


def probes(calls: FactorCalls, apis: tuple[str, ...]) -> Iterator[Probe]:
    """Requests that change nothing on a server that keeps the contract."""
    for api in apis:
        for kind in ("second", "multi"):
            listing = calls.operation(api, "list", kind)
            adding = calls.operation(api, "add", kind)
            removing = calls.operation(api, "remove", kind)
            yield Probe(f"{api} list {kind}", api, listing.method, listing.path)
            yield Probe(f"{api} list {kind} with a junk body", api, listing.method, listing.path, body=b"{junk")
            yield Probe(f"{api} add {kind} type 0", api, adding.method, adding.path, body=b'{"type": 0}')
            yield Probe(f"{api} add {kind} unknown name", api, adding.method, adding.path, body=b'{"type": "FOO"}')
            yield Probe(f"{api} add {kind} undefined number", api, adding.method, adding.path, body=b'{"type": 99}')
            yield Probe(f"{api} add {kind} malformed JSON", api, adding.method, adding.path, token=None, body=b"{x")
            yield Probe(f"{api} remove {kind} bad path", api, removing.method, removing.path.replace("{type}", "FOO"))
            yield Probe(f"{api} remove {kind} 0", api, removing.method, removing.path.replace("{type}", "0"))
        listing = calls.operation(api, "list", "second")
        yield Probe(f"{api} no token", api, listing.method, listing.path, token=None)
        yield Probe(f"{api} invalid token", api, listing.method, listing.path, token="not-a-valid-token")
        basic = (("Authorization", "Basic dXNlcjpwYXNz"),)
        yield Probe(f"{api} basic auth", api, listing.method, listing.path, token=None, headers=basic)
        yield Probe(f"{api} wrong method", api, "GET", listing.path)
        yield Probe(f"{api} unknown path", api, "POST", listing.path.replace("second_factors", "third_factors"))
    if "management" in apis:
        listing = calls.operation("management", "list", "second")
        unknown_org = (("x-zitadel-orgid", "999999999999999999"),)
        yield Probe("management unknown org", "management", listing.method, listing.path, headers=unknown_org)


def send(calls: FactorCalls, probe: Probe) -> Reply:
    """The server's answer; a timeout or a cut connection is an answer too (status 0)."""
    headers = dict(probe.headers)
    if probe.body is not None:
        headers.setdefault("Content-Type", "application/json")
    try:
        return calls.target.call(
            probe.method, probe.path, probe.api, raw_body=probe.body, token=probe.token, extra_headers=headers
        )
    except requests.RequestException as error:
        return Reply(0, {}, f"<no answer: {type(error).__name__}>".encode())


def compare(left: FactorCalls, right: FactorCalls, apis: tuple[str, ...]) -> list[Difference]:
    """Every difference between the two servers' answers to the probes."""
    differences = []
    for probe in probes(left, apis):
        a, b = send(left, probe), send(right, probe)
        differences += list(_differences(probe.name, a, b))
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
