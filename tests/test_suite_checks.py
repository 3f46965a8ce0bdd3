"""The contract suite's own checks fail the answers they are meant to fail (each case is a bug
seen in a server or a mock) and pass ZITADEL's."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.plugin.checks import assert_list_consistent
from contract_tests.plugin.error_shapes import assert_error_shape, is_issue_11730
from contract_tests.plugin.model import matches, template_path, value_at

VIEW: dict[str, Any] = {"viewTimestamp": "2026-07-10T09:01:02.641Z"}


@pytest.mark.parametrize(
    "body",
    [
        {"details": dict(VIEW, totalResult="0"), "result": []},  # an empty list written out
        {"details": VIEW, "result": []},  # `result: []` without a total (an always-true check let it pass)
        {"details": dict(VIEW, totalResult="2"), "result": ["A"]},
        {"details": VIEW, "result": ["A"]},
        {"details": dict(VIEW, totalResult="1")},
        {"details": dict(VIEW, totalResult="2"), "result": ["A", "A"]},
        {"details": dict(VIEW, totalResult="2"), "result": [{"id": "1"}, {"id": "1"}]},  # objects, not only names
    ],
)
def test_inconsistent_lists_fail(body: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        assert_list_consistent(body)


@pytest.mark.parametrize(
    "body",
    [
        {"details": VIEW},
        {"details": dict(VIEW, totalResult="1"), "result": ["SECOND_FACTOR_TYPE_OTP"]},
        {"details": dict(VIEW, totalResult="2"), "result": [{"id": "1"}, {"id": "2"}]},
        {"details": {"sequence": "5", "creationDate": "2026-07-10T09:00:00Z"}},  # not a list at all
        {"policy": {"details": VIEW}},
    ],
)
def test_zitadels_lists_pass(body: dict[str, Any]) -> None:
    assert_list_consistent(body)


@pytest.mark.parametrize(
    ("status", "body", "www_authenticate"),
    [
        (404, {"code": 3, "message": "x"}, None),
        (401, {"code": 16, "message": "auth header missing"}, None),
        (401, {"code": 16, "message": "auth header missing"}, "something else"),
        (
            409,
            {
                "code": 6,
                "message": "x (A-1)",
                "details": [{"@type": "type.googleapis.com/zitadel.v1.ErrorDetail", "id": "B-2"}],
            },
            None,
        ),
        (405, {"code": 5, "message": "Not Found"}, None),
    ],
)
def test_wrong_error_answers_fail(status: int, body: dict[str, Any], www_authenticate: str | None) -> None:
    with pytest.raises(AssertionError):
        assert_error_shape(status, body, www_authenticate)


def test_zitadels_error_answers_pass() -> None:
    assert_error_shape(401, {"code": 16, "message": "auth header missing"}, "auth header missing")
    assert_error_shape(405, {"code": 12, "message": "Method Not Allowed"}, None)
    detail = {"@type": "type.googleapis.com/zitadel.v1.ErrorDetail", "id": "Org-2B0ps", "message": "m"}
    assert_error_shape(409, {"code": 6, "message": "m (Org-2B0ps)", "details": [detail]}, None)


# Connect's form of ZITADEL's errors, as the reference gives them (value: the ErrorDetail in base64).
INVALID_TOKEN_DETAIL: dict[str, Any] = {
    "type": "zitadel.v1.ErrorDetail",
    "value": "CgpBVVRILTdmczFlEhRFcnJvcnMuVG9rZW4uSW52YWxpZA",
    "debug": {"id": "AUTH-7fs1e", "message": "Errors.Token.Invalid"},
}
INVALID_TOKEN = {"code": "unauthenticated", "message": "Errors.Token.Invalid (AUTH-7fs1e)"}


def test_zitadels_connect_errors_pass() -> None:
    assert_error_shape(401, {**INVALID_TOKEN, "details": [INVALID_TOKEN_DETAIL]}, None, connect=True)
    assert_error_shape(401, {"code": "unauthenticated", "message": "auth header missing"}, None, connect=True)
    assert_error_shape(404, {"code": "not_found"}, None, connect=True)


@pytest.mark.parametrize(
    ("status", "body", "www_authenticate"),
    [
        (401, {"code": 16, "message": "auth header missing"}, None),  # the gateway's numeric code
        (401, {"code": "unauthenticated", "message": "auth header missing"}, "auth header missing"),
        (404, {"code": "unauthenticated", "message": "x"}, None),
        (401, {"code": "UNAUTHENTICATED", "message": "x"}, None),
        (
            401,
            {**INVALID_TOKEN, "details": [{**INVALID_TOKEN_DETAIL, "value": INVALID_TOKEN_DETAIL["value"] + "=="}]},
            None,
        ),
        (
            401,
            {**INVALID_TOKEN, "details": [{**INVALID_TOKEN_DETAIL, "debug": {"id": "AUTH-x", "message": "y"}}]},
            None,
        ),
        (401, {**INVALID_TOKEN, "details": [{**INVALID_TOKEN_DETAIL, "value": "bm90IGEgcHJvdG8"}]}, None),
        (
            401,
            {
                **INVALID_TOKEN,
                "details": [{**INVALID_TOKEN_DETAIL, "type": "type.googleapis.com/zitadel.v1.ErrorDetail"}],
            },
            None,
        ),
        (
            401,
            {**INVALID_TOKEN, "details": [{"@type": "type.googleapis.com/zitadel.v1.ErrorDetail", "id": "AUTH-7fs1e"}]},
            None,
        ),
    ],
)
def test_wrong_connect_errors_fail(status: int, body: dict[str, Any], www_authenticate: str | None) -> None:
    with pytest.raises(AssertionError):
        assert_error_shape(status, body, www_authenticate, connect=True)


def test_a_server_with_issue_11730_is_named_in_the_failure() -> None:
    body = {
        "code": 2,
        "message": "rpc error: code = Unauthenticated desc = auth header missing ()",
        "details": [
            {
                "@type": "type.googleapis.com/zitadel.v1.ErrorDetail",
                "message": "rpc error: code = Unauthenticated desc = auth header missing",
            }
        ],
    }
    assert is_issue_11730(500, body)
    with pytest.raises(AssertionError, match="#11730"):
        assert_error_shape(500, body, None)


def test_templates_and_paths_are_read_the_way_the_mock_writes_them() -> None:
    answer = {"details": {"totalResult": "$count"}, "result": "$result"}
    assert template_path(answer, "$result") == ("result",) and template_path(answer, "$count") == (
        "details",
        "totalResult",
    )
    assert template_path(answer, "$event.sequence") is None
    assert value_at({"details": {"totalResult": "2"}}, ("details", "totalResult")) == "2"
    assert matches("/a/{type}", "/a/_search") and not matches("/a/{type}", "/a/b/c")
