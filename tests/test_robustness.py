"""No request, however malformed, gets a 500 or breaks the mock (bounded, seeded fuzzing)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.conftest import A, M

PATHS = [
    f"{M}/second_factors/_search",
    f"{M}/second_factors",
    f"{M}/second_factors/{{type}}",
    f"{M}/auth_factors/_search",
    f"{M}/multi_factors",
    f"{M}/multi_factors/{{type}}",
    f"{A}/second_factors/_search",
    f"{A}/multi_factors/{{type}}",
    "/",
    "/__mock/state",
    "/__mock/journal",
]
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
    st.builds(lambda t: json.dumps({"type": t}).encode(), json_values),
)
requests = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"]),
        "path": st.builds(
            lambda p, t: p.replace("{type}", quote(t, safe="")),
            st.sampled_from(PATHS),
            st.text(min_size=1, max_size=30),
        ),
        "authorization": st.one_of(
            st.none(), header_value, st.sampled_from(["Bearer iam-owner", "Bearer acme-owner"])
        ),
        "org": st.one_of(
            st.none(), header_value, st.sampled_from(["251000000000000001", "251000000000000002"])
        ),
        "prefer": st.one_of(
            st.none(), header_value, st.sampled_from(["code=404", "dynamic=true", "example=empty"])
        ),
        "session": st.one_of(st.none(), header_value),
        "query": st.dictionaries(
            st.sampled_from(["__code", "__example", "__dynamic", "x"]), header_value, max_size=2
        ),
        "body": bodies,
    }
)


@seed(20261128)
@settings(
    max_examples=600,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(request=requests)
def test_no_request_gets_a_500_or_a_non_json_error(client: Any, request: dict[str, Any]) -> None:
    headers = {
        name: value
        for name, value in (
            ("Authorization", request["authorization"]),
            ("x-zitadel-orgid", request["org"]),
            ("Prefer", request["prefer"]),
            ("X-Mock-Session", request["session"]),
        )
        if value is not None
    }
    response = client.open(
        request["path"],
        method=request["method"],
        headers=headers,
        query_string=request["query"],
        data=request["body"],
    )
    asked_for_an_answer = request["prefer"] is not None or any(
        key.startswith("__") for key in request["query"]
    )
    assert response.status_code < 500 or asked_for_an_answer, response.data
    if response.status_code >= 400 and request["method"] != "HEAD":
        body = response.json
        assert isinstance(body["code"], int) and isinstance(body["message"], str)
    assert "X-Mock-Contract-Violation" not in response.headers
