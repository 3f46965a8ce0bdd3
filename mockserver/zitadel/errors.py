"""ZITADEL's error answers: the gRPC-code-to-HTTP table, the two error bodies (grpc-gateway's
JSON and Connect's), and the catalogue of the gateway's own errors, read from the contract.

Error ids and messages are written once, in openapi.yaml: the catalogue takes the gateway's
errors (unknown path, missing token, ...) from the examples `x-zitadel-gateway.errors` names, and
an operation's own errors come from its named examples. Only the shapes and the code table,
which are the same for every ZITADEL operation, live here.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.errors import MockServerError, SpecError

if TYPE_CHECKING:
    from mockserver.contract.spec import Contract

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
CONNECT_CODES = {
    1: "canceled",
    2: "unknown",
    3: "invalid_argument",
    4: "deadline_exceeded",
    5: "not_found",
    6: "already_exists",
    7: "permission_denied",
    8: "resource_exhausted",
    9: "failed_precondition",
    10: "aborted",
    11: "out_of_range",
    12: "unimplemented",
    13: "internal",
    14: "unavailable",
    15: "data_loss",
    16: "unauthenticated",
}
# Statuses any operation may answer through its `default` response: server-side failures.
CODE_FOR_SERVER_FAILURE = {500: 13, 501: 12, 503: 14, 504: 4, 429: 8, 499: 1}
ERROR_DETAIL_TYPE = "type.googleapis.com/zitadel.v1.ErrorDetail"
CONNECT_DETAIL_TYPE = "zitadel.v1.ErrorDetail"
GATEWAY_ERRORS = (
    "routeNotFound",
    "methodNotAllowed",
    "authHeaderMissing",
    "invalidAuthHeader",
    "invalidToken",
    "organisationNotFound",
    "membershipNotFound",
    "noMatchingPermissions",
)


class ZitadelError(MockServerError):
    """An error answer: gRPC code, the status message as sent, and ZITADEL's ErrorDetail if any.

    `message` is the whole status message (`Multifactor already exists (Org-2B0ps)`); `detail`
    is the ErrorDetail's (id, text) that ZITADEL's own errors carry and gateway errors lack.
    """

    def __init__(
        self,
        code: int,
        message: str,
        detail: tuple[str, str] | None = None,
        *,
        http_status: int = 0,
        by_gateway: bool = False,
    ) -> None:
        self.code = code
        self.message = message
        self.detail = detail
        self.http_status = http_status or HTTP_STATUS_FOR_CODE[code]
        self.by_gateway = by_gateway  # routing and decoding: before any of ZITADEL's interceptors
        super().__init__(message)

    @classmethod
    def raised(cls, code: int, text: str, error_id: str) -> ZitadelError:
        """An error raised by ZITADEL itself: `<text> (<id>)` with an ErrorDetail."""
        return cls(code, f"{text} ({error_id})", (error_id, text))

    @classmethod
    def from_example(cls, status: int, body: Mapping[str, Any]) -> ZitadelError:
        """The error a contract example shows, in either the gateway's or Connect's form."""
        code = body["code"]
        if isinstance(code, str):
            code = next(number for number, name in CONNECT_CODES.items() if name == code)
        details = body.get("details") or []
        detail = None
        if details:
            first = details[0].get("debug", details[0])
            detail = (str(first.get("id", "")), str(first.get("message", "")))
        return cls(int(code), str(body.get("message", "")), detail, http_status=status)

    @property
    def error_id(self) -> str | None:
        return self.detail[0] if self.detail else None

    def body(self) -> dict[str, Any]:
        """The JSON body grpc-gateway writes; `details` only when there is an ErrorDetail."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.detail:
            body["details"] = [{"@type": ERROR_DETAIL_TYPE, "id": self.detail[0], "message": self.detail[1]}]
        return body

    def connect_body(self) -> dict[str, Any]:
        """The JSON body connect-go writes: a string code, details as `{type, value, debug}`."""
        body: dict[str, Any] = {"code": CONNECT_CODES[self.code]}
        if self.message:
            body["message"] = self.message
        if self.detail:
            error_id, text = self.detail
            value = base64.b64encode(_error_detail_proto(error_id, text)).decode().rstrip("=")
            body["details"] = [
                {"type": CONNECT_DETAIL_TYPE, "value": value, "debug": {"id": error_id, "message": text}}
            ]
        return body


def _error_detail_proto(error_id: str, text: str) -> bytes:
    """zitadel.v1.ErrorDetail in protobuf's binary form: field 1 `id`, field 2 `message`."""
    encoded = b""
    for number, value in ((1, error_id), (2, text)):
        data = value.encode()
        if data:
            encoded += bytes([number << 3 | 2]) + _varint(len(data)) + data
    return encoded


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        out.append(byte | (0x80 if number else 0))
        if not number:
            return bytes(out)


@dataclass(frozen=True)
class ErrorCatalogue:
    """The gateway's own errors, each read from the example the contract names for it."""

    errors: Mapping[str, ZitadelError]

    @classmethod
    def from_contract(cls, contract: Contract) -> ErrorCatalogue:
        """Every entry of `x-zitadel-gateway.errors`; a SpecError names a missing one."""
        pointer = "/x-zitadel-gateway/errors"
        try:
            entries = contract.node(pointer)
        except KeyError:
            entries = {}
        errors = {}
        for name in GATEWAY_ERRORS:
            entry = entries.get(name) if isinstance(entries, dict) else None
            if not isinstance(entry, dict) or "status" not in entry or "example" not in entry:
                reason = f"the gateway's {name!r} error needs an entry {{status, example}} here"
                raise SpecError(contract.place(pointer), reason)
            value = contract.resolve(entry["example"]).get("value")
            errors[name] = ZitadelError.from_example(int(entry["status"]), value)
        return cls(errors)

    def error(self, name: str, *, by_gateway: bool = False) -> ZitadelError:
        """A fresh copy of the named gateway error, ready to raise."""
        known = self.errors[name]
        return ZitadelError(
            known.code, known.message, known.detail, http_status=known.http_status, by_gateway=by_gateway
        )


# The mock's own answers, in ZITADEL's shape (`mock:` tells them apart from ZITADEL's).
def mock_failure(message: str, code: int = 13) -> ZitadelError:
    return ZitadelError(code, f"mock: {message}")


def store_unavailable(reason: object) -> ZitadelError:
    return mock_failure(f"state store unavailable: {reason}", code=14)


def body_too_large(limit: int) -> ZitadelError:
    return ZitadelError(8, f"mock: request body larger than {limit} bytes", http_status=413)
