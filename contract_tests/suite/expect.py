"""What the suite's deterministic tests assert about a reply, with a message a person can act on
(expected, got, a curl command to repeat it)."""

from __future__ import annotations

from typing import Any

from contract_tests.plugin.error_shapes import ISSUE_11730, assert_error_shape, is_issue_11730
from contract_tests.plugin.reply import Reply
from contract_tests.plugin.reporting import explain
from mockserver.contract.spec import NamedExample


def expect_status(reply: Reply, status: int, what: str) -> Any:
    """The reply's JSON body, once its status is `status`."""
    hint = f". {ISSUE_11730}" if is_issue_11730(reply.status, reply.json_or_none()) else ""
    assert reply.status == status, explain(f"{status}: {what}{hint}", reply)
    return reply.json_or_none()


def expect_example(reply: Reply, example: NamedExample, compare: str = "body", connect: bool = False) -> None:
    """The reply is the contract's named example: its status and its body (or only its code,
    where the example says to compare the code), in its transport's error shape (a REST 401
    repeats its message in WWW-Authenticate; Connect sends none)."""
    expected_status = int(example.status) if example.status.isdigit() else None
    body = reply.json_or_none()
    wanted = f"{example.status} {example.value} (the contract's example {example.name})"
    if is_issue_11730(reply.status, body):
        wanted += f". {ISSUE_11730}"
    assert expected_status is None or reply.status == expected_status, explain(wanted, reply)
    if compare == "code":
        assert isinstance(body, dict) and body.get("code") == example.value.get("code"), explain(wanted, reply)
    else:
        assert body == example.value, explain(wanted, reply)
    if isinstance(body, dict) and "code" in body and reply.status >= 400:
        try:
            assert_error_shape(reply.status, body, reply.headers.get("www-authenticate"), connect)
        except AssertionError as error:
            raise AssertionError(explain(f"{wanted}; {error}", reply)) from None
