"""Failure messages a person can act on: what was sent (as a curl command), what was expected,
what came back. Tokens never appear: curl commands read `$CONTRACT_TOKEN` instead.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from contract_tests.plugin.reply import Reply

TOKEN_PLACEHOLDER = "Bearer $CONTRACT_TOKEN"


def curl(method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> str:
    """A curl command that repeats a request, with the bearer token left to the environment."""
    parts = ["curl", "-sS", "-X", method]
    for name, value in headers.items():
        if name.lower() == "authorization":
            scheme = value.split(" ", 1)[0]
            shown = TOKEN_PLACEHOLDER if scheme == "Bearer" else f"{scheme} <redacted>"
            parts += ["-H", f'"{name}: {shown}"']
        else:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if body:
        parts += ["--data-binary", shlex.quote(body.decode("utf-8", errors="backslashreplace"))]
    parts.append(shlex.quote(url))
    return " ".join(parts)


def explain(expected: str, reply: Reply) -> str:
    """The three parts of every failure: expected, got, how to reproduce."""
    body = reply.body[:500].decode("utf-8", errors="replace")
    headers = ", ".join(f"{k}: {v}" for k, v in reply.headers.items() if k in _SHOWN_HEADERS)
    return (
        f"request: {reply.request}\nexpected: {expected}\ngot: {reply.status} {body}\n"
        f"headers: {headers or '-'}\nreproduce: {reply.curl}"
    )


_SHOWN_HEADERS = {"content-type", "www-authenticate"}
