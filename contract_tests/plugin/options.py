"""The options that pick and shape a contract run, declared once for pytest and for the CLI.

(pytest has a `--fixtures` of its own, so the fixtures folder is `--fixtures-dir` under pytest;
`contract-tests run` takes `--fixtures` too.)"""

from __future__ import annotations

from typing import Any

from contract_tests.plugin.target import TOKEN_VARIABLE

RUN_OPTIONS: list[tuple[str, dict[str, Any]]] = [
    ("--base-url", {"help": "server under test (default: the mock, in-process)"}),
    ("--app", {"help": "instead of a URL, a WSGI app factory in this process (module:function)"}),
    ("--token", {"help": f"bearer token (default: ${TOKEN_VARIABLE}); never printed"}),
    ("--org-id", {"help": "organization for calls that take x-zitadel-orgid; should have a custom login policy"}),
    (
        "--fallback-org-id",
        {"help": "an organization without a custom login policy: its reads must show the instance default"},
    ),
    ("--spec", {"help": "the contract to test against (default: the packaged openapi.yaml)"}),
    (
        "--fixtures-dir",
        {"help": "the fixtures whose behaviours say what each operation does (default: the packaged ones)"},
    ),
    ("--api", {"help": "only operations whose path starts with /API/ (e.g. management, admin, v2)"}),
    ("--read-only", {"action": "store_true", "help": "run only what cannot change state"}),
    (
        "--identities",
        {"help": "YAML file of users {name, token | token_env, org, roles}: check what each may do"},
    ),
    ("--max-examples", {"type": int, "default": 25, "help": "generated cases per operation (default 25)"}),
    ("--seed", {"type": int, "default": 20261128, "help": "seed, for a reproducible run"}),
]
