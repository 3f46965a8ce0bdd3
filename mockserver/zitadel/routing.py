"""Match a method and path to a contract operation as ZITADEL's gateway does.

The patterns come from openapi.yaml. An unknown path is 404; a path some operation has but not
with this method is 405; a path parameter matches any one segment (decoding judges it later), so
`DELETE .../second_factors/_search` reaches the remove operation, as in ZITADEL. A literal
segment is preferred to a parameter where both match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mockserver.contract.spec import Operation
from mockserver.zitadel.errors import ErrorCatalogue

_PARAMETER = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True)
class Route:
    """One operation's path as a regular expression."""

    operation: Operation
    pattern: re.Pattern[str]
    parameters: int

    @classmethod
    def of(cls, operation: Operation) -> Route:
        parts = _PARAMETER.split(operation.path)
        regex = "".join(f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts))
        return cls(operation, re.compile(regex), len(parts) // 2)


class Router:
    """Finds the operation for a request, or raises ZITADEL's 404 or 405."""

    def __init__(self, operations: Iterable[Operation], errors: ErrorCatalogue) -> None:
        self._routes = sorted((Route.of(operation) for operation in operations), key=lambda route: route.parameters)
        self.errors = errors

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """The operation and its path parameters."""
        path_matches = False
        for route in self._routes:
            found = route.pattern.fullmatch(path)
            if found is None:
                continue
            if route.operation.method == method:
                return route.operation, found.groupdict()
            path_matches = True
        if path_matches:
            raise self.errors.error("methodNotAllowed")
        raise self.errors.error("routeNotFound")
