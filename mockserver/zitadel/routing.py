"""Match a method and path to a contract operation as ZITADEL's gateway does.

The patterns come from openapi.yaml. An unknown path is 404; a path some operation has but not
with this method is 405; a path parameter matches any one segment (decoding judges it later), so
`DELETE .../second_factors/_search` reaches the remove operation, as in ZITADEL. A literal
segment is preferred to a parameter where both match. A Connect procedure's path answers another
method as connect-go does (405, `Allow: POST`, no body).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mockserver.contract.spec import Operation
from mockserver.zitadel.errors import ErrorCatalogue
from mockserver.zitadel.wire import method_not_allowed_by_connect, no_such_procedure

_PARAMETER = re.compile(r"\{([^}/]+)\}")
MATCHES_REMEMBERED = 4096  # distinct (method, path) pairs kept; all forgotten at once when full
LONGEST_REMEMBERED = 512  # characters: a longer path is matched every time (the memory stays small)


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
        self._matched: dict[tuple[str, str], tuple[Operation, dict[str, str]]] = {}
        # connect-go serves everything under `/<package>.<Service>/`
        self._connect_prefixes = tuple(
            {
                "/" + route.operation.path.strip("/").split("/")[0] + "/"
                for route in self._routes
                if route.operation.is_connect
            }
        )

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """The operation and its path parameters; a path met before is not matched again (each
        request tried every operation's pattern in turn)."""
        known = self._matched.get((method, path))
        if known is not None:
            return known[0], dict(known[1])
        operation, parameters = self._match(method, path)
        if len(path) > LONGEST_REMEMBERED:
            return operation, parameters
        if len(self._matched) >= MATCHES_REMEMBERED:
            self._matched.clear()
        self._matched[(method, path)] = (operation, dict(parameters))
        return operation, parameters

    def _match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        matched: list[Operation] = []
        for route in self._routes:
            found = route.pattern.fullmatch(path)
            if found is None:
                continue
            if route.operation.method == method:
                return route.operation, found.groupdict()
            matched.append(route.operation)
        if matched and all(operation.is_connect for operation in matched):
            raise method_not_allowed_by_connect()
        if matched:
            raise self.errors.error("methodNotAllowed", by_gateway=True)
        if path.startswith(self._connect_prefixes):
            raise no_such_procedure()
        raise self.errors.error("routeNotFound", by_gateway=True)
