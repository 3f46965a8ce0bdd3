"""The options that pick and shape a contract run, declared once for pytest and for the CLI."""

from __future__ import annotations

from typing import Any

from contract_tests.target import TOKEN_VARIABLE

RUN_OPTIONS: list[tuple[str, dict[str, Any]]] = [
    ("--base-url", {"help": "server under test (default: the mock, in-process)"}),
    ("--app", {"help": "instead of a URL, a WSGI app factory in this process (module:function)"}),
    ("--token", {"help": f"bearer token (default: ${TOKEN_VARIABLE}); never printed"}),
    ("--org-id", {"help": "organization for Management calls; should have a custom login policy"}),
    ("--api", {"choices": ["management", "admin", "all"], "default": "all", "help": "which API to test"}),
    ("--read-only", {"action": "store_true", "help": "run only what cannot change state"}),
    ("--max-examples", {"type": int, "default": 25, "help": "generated cases per operation (default 25)"}),
    ("--seed", {"type": int, "default": 20261128, "help": "seed, for a reproducible run"}),
]
