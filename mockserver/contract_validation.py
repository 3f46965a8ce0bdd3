"""Check requests and responses against the contract with openapi-core, and say why they fail."""

from __future__ import annotations

from typing import Any

from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.wrappers import Request, Response

from mockserver.errors import MockServerError
from mockserver.spec import Contract


class ContractViolation(AssertionError, MockServerError):
    """The mock answered something the contract forbids: a bug in the mock or its fixtures."""


class ContractValidator:
    """openapi-core validation of both directions, reporting every problem as one line."""

    def __init__(self, contract: Contract) -> None:
        self._openapi = contract.openapi

    def request_problems(self, request: Request) -> list[str]:
        """Why the request breaks the contract (empty when it keeps it)."""
        errors = self._openapi.request_validator.iter_errors(WerkzeugOpenAPIRequest(request))
        return [explain(error) for error in errors]

    def response_problems(self, request: Request, response: Response) -> list[str]:
        """Why the response breaks the contract (empty when it keeps it)."""
        errors = self._openapi.response_validator.iter_errors(
            WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)
        )
        return [explain(error) for error in errors]


def explain(error: Exception) -> str:
    """One line: the openapi-core error and the schema errors behind it, with their paths."""
    cause: Any = error.__cause__
    schema_errors = getattr(cause, "schema_errors", None) or ()
    details = [f"{'/'.join(str(part) for part in item.absolute_path) or '/'}: {item.message}" for item in schema_errors]
    head = type(error).__name__
    reason = "; ".join(details) if details else _first_line(cause or error)
    return f"{head}: {reason}"


def _first_line(error: BaseException) -> str:
    try:
        text = str(error)
    except UnicodeDecodeError:  # openapi-core formats undecodable bodies into its message
        text = f"{type(error).__name__} (the body is not UTF-8)"
    return text.split("\n")[0]
