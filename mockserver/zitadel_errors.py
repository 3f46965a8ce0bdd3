"""ZITADEL's error answers: the gRPC-code-to-HTTP table, the error body, and each error it sends.

One table maps the gRPC code to the HTTP status (grpc-gateway's `HTTPStatusFromCode`), and
every error the mock can answer with is built here, with ZITADEL's ids and English messages.
"""

from __future__ import annotations

from typing import Any

HTTP_STATUS_FOR_CODE = {
    1: 499,  # Canceled
    2: 500,  # Unknown
    3: 400,  # InvalidArgument
    4: 504,  # DeadlineExceeded
    5: 404,  # NotFound
    6: 409,  # AlreadyExists
    7: 403,  # PermissionDenied
    8: 429,  # ResourceExhausted
    9: 400,  # FailedPrecondition
    10: 409,  # Aborted
    11: 400,  # OutOfRange
    12: 501,  # Unimplemented
    13: 500,  # Internal
    14: 503,  # Unavailable
    15: 500,  # DataLoss
    16: 401,  # Unauthenticated
}
# Statuses any operation may answer through its `default` response: server-side failures.
CODE_FOR_SERVER_FAILURE = {500: 13, 501: 12, 503: 14, 504: 4, 429: 8, 499: 1}
ERROR_DETAIL_TYPE = "type.googleapis.com/zitadel.v1.ErrorDetail"


class ZitadelError(Exception):
    """An error answer: a gRPC code and message, and ZITADEL's error id when it raised it."""

    def __init__(self, code: int, message: str, error_id: str | None = None, *, http_status: int = 0) -> None:
        self.code = code
        self.message = message
        self.error_id = error_id
        self.http_status = http_status or HTTP_STATUS_FOR_CODE[code]
        super().__init__(self.status_message)

    @property
    def status_message(self) -> str:
        """The `message` of the body: `<text> (<id>)` for ZITADEL's own errors."""
        return f"{self.message} ({self.error_id})" if self.error_id else self.message

    def body(self) -> dict[str, Any]:
        """The JSON body grpc-gateway writes; `details` only when there is an error id."""
        body: dict[str, Any] = {"code": self.code, "message": self.status_message}
        if self.error_id:
            detail = {"@type": ERROR_DETAIL_TYPE, "id": self.error_id, "message": self.message}
            body["details"] = [detail]
        return body

    def headers(self) -> dict[str, str]:
        """The gateway repeats the message in `WWW-Authenticate` on every 401."""
        if self.code == 16:
            return {"WWW-Authenticate": self.status_message}
        return {}


# Gateway: routing and decoding (before authentication).
def route_not_found() -> ZitadelError:
    return ZitadelError(5, "Not Found")


def method_not_allowed() -> ZitadelError:
    return ZitadelError(12, "Method Not Allowed", http_status=405)


def path_type_mismatch(value: str) -> ZitadelError:
    return ZitadelError(3, f"type mismatch, parameter: type, error: {value} is not valid")


def malformed_body(reason: str) -> ZitadelError:
    return ZitadelError(3, reason)


def body_too_large(limit: int) -> ZitadelError:
    return ZitadelError(8, f"request body larger than {limit} bytes", http_status=413)


# Authentication and authorization (never translated).
def auth_header_missing() -> ZitadelError:
    return ZitadelError(16, "auth header missing")


def invalid_auth_header() -> ZitadelError:
    return ZitadelError(16, "invalid auth header", "AUTH-toLo1")


def invalid_token() -> ZitadelError:
    return ZitadelError(16, "Errors.Token.Invalid", "AUTH-7fs1e")


def organisation_not_found() -> ZitadelError:
    return ZitadelError(7, "Organisation doesn't exist", "AUTH-Bs7Ds")


def membership_not_found() -> ZitadelError:
    return ZitadelError(5, "membership not found", "AUTHZ-cdgFk")


def no_matching_permissions() -> ZitadelError:
    return ZitadelError(7, "No matching permissions found", "AUTH-5mWD2")


# Request validation (protoc-gen-validate).
def type_not_in_list(request_message: str) -> ZitadelError:
    return ZitadelError(3, f"invalid {request_message}.Type: value must not be in list [0]")


def type_not_defined(request_message: str) -> ZitadelError:
    text = f"invalid {request_message}.Type: value must be one of the defined enum values"
    return ZitadelError(3, text)


# The operations themselves: ids differ by API and by kind of factor.
_ALREADY_EXISTS = {
    ("management", "second"): ("Multifactor already exists", "Org-2B0ps"),
    ("management", "multi"): ("Multifactor already exists", "Org-3M9od"),
    ("admin", "second"): ("Errors.Instance.MFA.AlreadyExists", "INSTANCE-2B0ps"),
    ("admin", "multi"): ("Errors.Instance.MFA.AlreadyExists", "INSTANCE-3M9od"),
}
_NOT_EXISTING = {
    ("management", "second"): "Org-3M9od",
    ("management", "multi"): "Org-3M9df",
    ("admin", "second"): "INSTANCE-3M9od",
    ("admin", "multi"): "INSTANCE-3M9df",
}


def factor_already_exists(api: str, kind: str) -> ZitadelError:
    message, error_id = _ALREADY_EXISTS[(api, kind)]
    return ZitadelError(6, message, error_id)


def factor_not_existing(api: str, kind: str) -> ZitadelError:
    return ZitadelError(5, "Multifactor not existing", _NOT_EXISTING[(api, kind)])


# The mock's own answers, in ZITADEL's shape.
def mock_failure(message: str, code: int = 13) -> ZitadelError:
    return ZitadelError(code, f"mock: {message}")


def store_unavailable(reason: object) -> ZitadelError:
    return mock_failure(f"state store unavailable: {reason}", code=14)
