"""No request, however malformed, gets a 500 or breaks the mock (bounded, seeded fuzzing)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.conftest import A, M

# Mostly the contract's own operations (so requests get past routing), sometimes anything.
OPERATIONS = [
    ("POST", f"{M}/second_factors/_search"),
    ("POST", f"{M}/second_factors"),
    ("DELETE", f"{M}/second_factors/{{type}}"),
    ("POST", f"{M}/auth_factors/_search"),
    ("POST", f"{M}/multi_factors"),
    ("DELETE", f"{M}/multi_factors/{{type}}"),
    ("POST", f"{A}/second_factors/_search"),
    ("POST", f"{A}/second_factors"),
    ("DELETE", f"{A}/multi_factors/{{type}}"),
]
OTHER_PATHS = [
    "/",
    "/__mock/state",
    "/__mock/journal",
    "/__mock/faults",
    f"{M}/second_factors/_search/",
]
METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"]

text = st.text(max_size=40)
header_value = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=8,
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.builds(lambda value: json.dumps({"type": value}).encode(), json_values),
)
targets = st.one_of(
    st.sampled_from(OPERATIONS),
    st.sampled_from(OPERATIONS),
    st.tuples(st.sampled_from(METHODS), st.sampled_from(OTHER_PATHS + [path for _, path in OPERATIONS])),
)
requests = st.fixed_dictionaries(
    {
        "target": targets,
        "type": st.one_of(
            st.sampled_from(["1", "0", "SECOND_FACTOR_TYPE_OTP", "0x1"]),
            st.text(min_size=1, max_size=30),
        ),
        "Authorization": st.one_of(st.none(), header_value, st.sampled_from(["Bearer iam-owner", "Bearer acme-owner"])),
        "x-zitadel-orgid": st.one_of(st.none(), header_value, st.sampled_from(["251000000000000001", "1"])),
        "Prefer": st.one_of(st.none(), header_value, st.sampled_from(["code=404", "dynamic=true", "example=empty"])),
        "X-Mock-Session": st.one_of(st.none(), header_value),
        "Content-Type": st.sampled_from([None, "application/json", "text/plain", "application/json; charset=latin-1"]),
        "query": st.dictionaries(st.sampled_from(["__code", "__example", "__dynamic", "x"]), header_value, max_size=2),
        "body": bodies,
    }
)
HEADERS = ("Authorization", "x-zitadel-orgid", "Prefer", "X-Mock-Session", "Content-Type")


def parts(request: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """Method, path and headers of a generated request."""
    headers = {name: request[name] for name in HEADERS if request[name] is not None}
    method, template = request["target"]
    return method, template.replace("{type}", quote(request["type"], safe="")), headers


_ASKED_CODE = re.compile(r"(?:^|[,;\s])code\s*=\s*\"?(\d{3})\"?\s*(?:[,;]|$)", re.IGNORECASE)


def asks_for_a_server_error(request: dict[str, Any]) -> bool:
    """Whether the request asks the mock for a 5xx (`Prefer: code=5xx` or `__code=5xx`): only then is
    one allowed. Junk in `Prefer` asks for nothing."""
    asked = [found.group(1) for found in _ASKED_CODE.finditer(request["Prefer"] or "")]
    asked.append(str(request["query"].get("__code", "")).strip())
    return any(code.isdigit() and 500 <= int(code) <= 599 for code in asked)


def check_answer(request: dict[str, Any], method: str, status: int, headers: Any, body: bytes) -> None:
    """No 5xx unless the request asked for one; every error is ZITADEL-shaped; no violation flagged."""
    assert status < 500 or asks_for_a_server_error(request), body
    if status >= 400 and method != "HEAD":
        answer = json.loads(body)
        assert isinstance(answer["code"], int) and isinstance(answer["message"], str)
    assert "X-Mock-Contract-Violation" not in headers


def test_only_a_request_that_asks_for_a_5xx_may_get_one() -> None:
    base: dict[str, Any] = {"Prefer": None, "query": {}}
    assert asks_for_a_server_error({**base, "Prefer": "code=503"})
    assert asks_for_a_server_error({**base, "Prefer": "example=x, code=500"})
    assert asks_for_a_server_error({**base, "query": {"__code": "504"}})
    for junk in ("garbage", "code=abc", "code=404", "dynamic=true", "delay=5", "code=5000", "x-code=503"):
        assert not asks_for_a_server_error({**base, "Prefer": junk}), junk
        with pytest.raises(AssertionError):  # a mock answering 500 to junk fails the fuzz
            check_answer({**base, "Prefer": junk}, "POST", 500, {}, b'{"code":13,"message":"x"}')


@seed(20261128)
@settings(
    max_examples=800, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(request=requests)
def test_no_request_gets_a_500_or_a_non_json_error(client: Any, request: dict[str, Any]) -> None:
    method, path, headers = parts(request)
    response = client.open(path, method=method, headers=headers, query_string=request["query"], data=request["body"])
    check_answer(request, method, response.status_code, response.headers, response.get_data())
