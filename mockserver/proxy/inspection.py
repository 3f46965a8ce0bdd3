"""Judge one exchange between a client and the target against the contract, with the mock's own
router (which operation a request is) and validator (`ContractValidator`), so the proxy and the
mock find the same problems in the same words.

A request no operation of the contract has is not an error of the target's: it is reported as
"not in the contract" and passed through. CORS preflights are a browser's, not the API's, and
are not judged.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from werkzeug.wrappers import Request, Response

from mockserver.contract.spec import Contract, Operation
from mockserver.proxy.forwarding import Forwarded, answer_headers
from mockserver.server.validation import ContractValidator
from mockserver.zitadel.errors import ErrorCatalogue, ZitadelError
from mockserver.zitadel.routing import Router
from mockserver.zitadel.wire import ProtocolRejection

NOT_IN_CONTRACT = "not in the contract"
MAX_INFLATED = 16 << 20  # a compressed answer is inflated for judging up to this size
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


@dataclass
class Verdict:
    """What the contract says of one exchange."""

    operation: Operation | None
    parameters: dict[str, str] = field(default_factory=dict)
    request_problems: list[str] = field(default_factory=list)
    response_problems: list[str] = field(default_factory=list)
    judged_response: bool = True  # False when the body could not be read (an unknown encoding)

    @property
    def clean(self) -> bool:
        problems = self.request_problems or self.response_problems
        return self.operation is not None and self.judged_response and not problems


class Inspector:
    """The contract's router and validator, built once and shared by the proxy's threads."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.errors = ErrorCatalogue.from_contract(contract)
        self.router = Router(contract.operations, self.errors)
        self.validator = ContractValidator(contract)

    def locate(self, request: Request) -> Verdict:
        """The operation the request is (none for a path or method the contract lacks)."""
        if is_preflight(request):
            return Verdict(None)
        try:
            operation, parameters = self.router.match(request.method, request.path)
        except (ZitadelError, ProtocolRejection):
            return Verdict(None, request_problems=[f"{NOT_IN_CONTRACT}: {request.method} {request.path}"])
        return Verdict(operation, parameters)

    def judge(self, request: Request, forwarded: Forwarded, verdict: Verdict) -> Verdict:
        """`verdict` with the problems of the request and of the target's answer to it."""
        if verdict.operation is None:
            return verdict
        headers = {name.lower(): value for name, value in request.headers.items()}
        verdict.request_problems = self.validator.request_problems(request, headers)
        body = readable_body(forwarded)
        if body is None:
            verdict.judged_response = False
            return verdict
        kept = [(k, v) for k, v in answer_headers(forwarded) if k.lower() not in ("content-encoding",)]
        seen = Response(body, status=forwarded.status, headers=kept)
        if forwarded.header("content-type") is None:
            del seen.headers["Content-Type"]  # werkzeug's default is not what the target sent
        verdict.response_problems = self.validator.response_problems(request, seen)
        return verdict


def is_preflight(request: Request) -> bool:
    """A browser's CORS preflight: asked of the server, not of any operation."""
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def readable_body(forwarded: Forwarded) -> bytes | None:
    """The answer's body as the contract describes it: inflated when it came gzip- or
    deflate-encoded; None for another encoding (or one too large to inflate)."""
    encoding = (forwarded.header("content-encoding") or "identity").strip().lower()
    if encoding == "identity":
        return forwarded.body
    wbits = _WBITS.get(encoding)
    if wbits is None:
        return None
    for bits in (wbits, -zlib.MAX_WBITS) if encoding == "deflate" else (wbits,):  # raw deflate is common too
        try:
            inflater = zlib.decompressobj(bits)
            data = inflater.decompress(forwarded.body, MAX_INFLATED)
        except zlib.error:
            continue
        return None if inflater.unconsumed_tail else data
    return None
