"""BASE and HEAD read from a file or a git revision, and checked before they are compared.

A document that is not YAML, has a `$ref` that leads nowhere or is not valid OpenAPI 3.1 stops
the diff with a SpecError naming the file, line and pointer (exit 2), never a traceback: a
comparison of a broken document would only mislead.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.contract.spec import check_openapi_source
from mockserver.contract.yaml_source import YamlSource, parse_yaml, read_yaml
from mockserver.errors import ReviewSourceError, SpecError, YamlSourceError


@dataclass(frozen=True)
class Side:
    """One of the two documents: what the user named, and its data with a line for each pointer."""

    name: str
    source: YamlSource

    @property
    def document(self) -> dict[str, Any]:
        data: dict[str, Any] = self.source.data
        return data


def load_side(reference: str) -> Side:
    """A file path, or a git revision (`REV` for its openapi.yaml, or `REV:path`), checked."""
    try:
        source = read_yaml(Path(reference)) if Path(reference).is_file() else _from_git(reference)
    except YamlSourceError as error:
        raise SpecError(error.place, error.reason) from error
    check_openapi_source(source)
    return Side(reference, source)


def _from_git(reference: str) -> YamlSource:
    revision, _, path = reference.partition(":")
    shown = subprocess.run(
        ["git", "show", f"{revision}:{path or 'openapi.yaml'}"], capture_output=True, text=True, check=False
    )
    if shown.returncode != 0:
        raise ReviewSourceError(f"{reference!r} is neither a file nor a git revision: {shown.stderr.strip()}")
    return parse_yaml(shown.stdout, Path(reference if path else f"{revision}:openapi.yaml"))
