"""How an answer goes on the wire by transport: the headers ZITADEL's no-cache interceptors leave
(reference: the gateway forwards v1's header metadata on errors too, renames permanent HTTP
headers to `Grpcgateway-*` and drops `Expires` without its `grpcgateway-` copy; connect-go's
interceptor sets plain headers on success only), and the two error bodies."""

from __future__ import annotations

import re

import pytest

from mockserver.zitadel import wire
from mockserver.zitadel.errors import ZitadelError

HTTP_DATE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")
V1_HEADERS = {"Cache-Control", "Pragma", "Expires", "Grpcgateway-Cache-Control", "Grpcgateway-Pragma"}
INVALID_TOKEN = ZitadelError.raised(16, "Errors.Token.Invalid", "AUTH-7fs1e")


def test_v1_success_carries_the_no_cache_headers_and_their_gateway_copies() -> None:
    headers = wire.success("gateway", {}).headers
    assert V1_HEADERS <= set(headers) and "Grpcgateway-Expires" not in headers
    assert (headers["Cache-Control"], headers["Pragma"]) == ("no-store", "no-cache")
    assert HTTP_DATE.fullmatch(headers["Expires"]), headers["Expires"]


def test_v1_errors_raised_inside_zitadel_carry_them_too_and_a_401_its_message() -> None:
    answer = wire.error("gateway", INVALID_TOKEN)
    assert V1_HEADERS <= set(answer.headers)
    assert answer.headers["WWW-Authenticate"] == "Errors.Token.Invalid (AUTH-7fs1e)"
    assert answer.body == INVALID_TOKEN.body() and answer.status == 401


def test_the_gateways_own_errors_carry_none_of_them() -> None:
    routing = ZitadelError(5, "Not Found", by_gateway=True)
    assert wire.error("gateway", routing).headers == {}


def test_only_a_401_repeats_its_message_in_www_authenticate() -> None:
    denied = ZitadelError.raised(7, "No matching permissions found", "AUTH-5mWD2")
    assert "WWW-Authenticate" not in wire.error("gateway", denied).headers


def test_v2_rest_success_keeps_only_the_renamed_copies() -> None:
    headers = wire.success("gateway-to-connect", {}).headers
    assert set(headers) == {"Grpcgateway-Cache-Control", "Grpcgateway-Pragma", "Grpcgateway-Content-Type"}


def test_v2_rest_errors_have_the_gateway_shape_without_cache_headers() -> None:
    answer = wire.error("gateway-to-connect", INVALID_TOKEN)
    assert answer.headers == {"WWW-Authenticate": "Errors.Token.Invalid (AUTH-7fs1e)"}
    assert answer.body == INVALID_TOKEN.body()


def test_connect_success_has_plain_headers_and_errors_none() -> None:
    assert set(wire.success("connect", {}).headers) == {"Cache-Control", "Pragma", "Expires"}
    answer = wire.error("connect", INVALID_TOKEN)
    assert answer.headers == {} and answer.body == INVALID_TOKEN.connect_body() and answer.status == 401


@pytest.mark.parametrize("transport", ["gateway", "gateway-to-connect", "connect"])
def test_an_error_written_in_the_gateways_shape_is_answered_in_the_operations(transport: str) -> None:
    written = {"code": 13, "message": "db connection error"}
    answer = wire.example_error(transport, 500, written)
    expected = {"code": "internal", "message": "db connection error"} if transport == "connect" else written
    assert (answer.status, answer.body) == (500, expected)


def test_a_connect_example_is_kept_as_written() -> None:
    written = {"code": "not_found", "message": "membership not found (AUTHZ-cdgFk)", "details": [{"type": "t"}]}
    assert wire.example_error("connect", 404, written).body == written
