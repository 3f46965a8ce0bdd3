"""The router remembers the paths it has matched: the answer must not change, errors still
come every time, and what it keeps stays bounded."""

from __future__ import annotations

import pytest

from mockserver import Contract
from mockserver.zitadel.errors import ErrorCatalogue, ZitadelError
from mockserver.zitadel.routing import LONGEST_REMEMBERED, MATCHES_REMEMBERED, Router

REMOVE = "/management/v1/policies/login/second_factors/{type}"


@pytest.fixture
def router(contract: Contract) -> Router:
    return Router(contract.operations, ErrorCatalogue.from_contract(contract))


def test_a_path_matched_again_gives_the_same_operation_and_parameters_of_its_own(router: Router) -> None:
    path = REMOVE.replace("{type}", "SECOND_FACTOR_TYPE_OTP")
    first, parameters = router.match("DELETE", path)
    parameters["type"] = "changed by the caller"
    again, parameters_again = router.match("DELETE", path)
    assert first is again and first.path == REMOVE
    assert parameters_again == {"type": "SECOND_FACTOR_TYPE_OTP"}


def test_a_wrong_method_or_path_is_refused_every_time(router: Router) -> None:
    path = REMOVE.replace("{type}", "SECOND_FACTOR_TYPE_OTP")
    for _ in range(2):
        with pytest.raises(ZitadelError) as refused:
            router.match("PATCH", path)
        assert refused.value.http_status == 405
        with pytest.raises(ZitadelError) as unknown:
            router.match("GET", "/management/v1/nothing/here")
        assert unknown.value.http_status == 404


def test_what_the_router_remembers_stays_bounded(router: Router) -> None:
    for number in range(MATCHES_REMEMBERED + 10):
        router.match("DELETE", REMOVE.replace("{type}", f"T{number}"))
    long_path = REMOVE.replace("{type}", "T" * LONGEST_REMEMBERED)
    assert router.match("DELETE", long_path)[1] == {"type": "T" * LONGEST_REMEMBERED}
    assert 0 < len(router._matched) <= MATCHES_REMEMBERED
    assert all(len(path) <= LONGEST_REMEMBERED for _, path in router._matched)
