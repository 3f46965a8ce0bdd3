"""What the suite's deterministic tests assert about a reply, with a message a person can act on
(expected, got, a curl command to repeat it)."""

from __future__ import annotations

from typing import Any

from contract_tests.plugin.checks import assert_error_shape
from contract_tests.plugin.reply import Reply
from contract_tests.plugin.reporting import explain
from mockserver.contract.spec import NamedExample


def expect_status(reply: Reply, status: int, what: str) -> Any:
    """The reply's JSON body, once its status is `status`."""
    assert reply.status == status, explain(f"{status}: {what}", reply)
    return reply.json_or_none()


def expect_example(reply: Reply, example: NamedExample, compare: str = "body") -> None:
    """The reply is the contract's named example: its status and its body (or only its gRPC code,
    where the example says to compare the code), and a 401 repeats its message in WWW-Authenticate."""
    expected_status = int(example.status) if example.status.isdigit() else None
    body = reply.json_or_none()
    wanted = f"{example.status} {example.value} (the contract's example {example.name})"
    assert expected_status is None or reply.status == expected_status, explain(wanted, reply)
    if compare == "code":
        assert isinstance(body, dict) and body.get("code") == example.value.get("code"), explain(wanted, reply)
    else:
        assert body == example.value, explain(wanted, reply)
    if isinstance(body, dict) and "code" in body and isinstance(body.get("message"), str):
        try:
            assert_error_shape(reply.status, body, reply.headers.get("www-authenticate"))
        except AssertionError as error:
            raise AssertionError(explain(f"{wanted}; {error}", reply)) from None
