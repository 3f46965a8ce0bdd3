"""Remember which contracts openapi-spec-validator has passed, so it runs once per content.

Validating openapi.yaml against the OpenAPI 3.1 schema was most of reading it: `load_spec` took
0.16–0.20 s, and 0.04–0.06 s without it (five runs each). A contract that passed is recorded
under the SHA-256 of its content and the validator's version in the user's cache folder; the
same content skips the validator next time. Only passes are recorded, so a broken contract is
reported at every start. The cache is `$MOCKSERVER_CACHE_DIR`, else
`$XDG_CACHE_HOME/zitadel-mfa-contract`, else `~/.cache/zitadel-mfa-contract`;
`MOCKSERVER_CACHE_DIR=off` turns it off. A cache that cannot be written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path
from typing import Any

_VALIDATOR = f"openapi-spec-validator {version('openapi-spec-validator')}"


def content_key(document: Any) -> str:
    """The SHA-256 of the document's content (key order kept) and the validator's version."""
    text = json.dumps(document, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{_VALIDATOR}\n{text}".encode()).hexdigest()


def known_valid(key: str) -> bool:
    folder = _folder()
    return folder is not None and (folder / key).is_file()


def remember_valid(key: str) -> None:
    folder = _folder()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / key).write_text(_VALIDATOR + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only home: validate every time


def _folder() -> Path | None:
    configured = os.environ.get("MOCKSERVER_CACHE_DIR")
    if configured is not None:
        return None if configured in ("", "off") else Path(configured) / "valid-contracts"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zitadel-mfa-contract" / "valid-contracts"
