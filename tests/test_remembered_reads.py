"""A read that comes again against the same state is answered with the bytes it got before, and
never once the state, the caller or the request differs; it is journaled and judged as any other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver.server.app import create_app
from tests.conftest import ACME, GLOBEX, M, bearer

LIST = f"{M}/second_factors/_search"
ADD = f"{M}/second_factors"


def counting_behaviour_runs(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations whose behaviour the engine runs from now on."""
    engine = app.extensions["mockserver"].engine
    original = engine.run
    runs: list[str] = []

    def run(behaviour: Any, world: Any, call: Any) -> Any:
        runs.append(behaviour.operation_id)
        return original(behaviour, world, call)

    monkeypatch.setattr(engine, "run", run)
    return runs


def test_a_repeated_read_gets_the_same_bytes_without_running_its_behaviour_again(
    app: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = counting_behaviour_runs(app, monkeypatch)
    first, second = (client.post(LIST, headers=bearer("acme-owner")) for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and first.headers == second.headers
    assert runs == ["ManagementService_ListLoginPolicySecondFactors"]
    entries = client.get("/__mock/journal").json["entries"]
    assert [(entry["status"], entry["answered_by"]) for entry in entries] == [(200, "zitadel")] * 2


def test_a_remembered_answer_expires_now_as_a_fresh_one_would(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver.zitadel import wire

    first = client.post(LIST, headers=bearer("acme-owner"))
    assert first.headers["Expires"]  # ZITADEL's no-cache interceptor: Expires is the answer's time
    later = "Thu, 01 Jan 2099 00:00:00 GMT"
    monkeypatch.setattr(wire, "http_date", lambda: later)
    again = client.post(LIST, headers=bearer("acme-owner"))
    assert again.headers["Expires"] == later and again.data == first.data


def test_a_write_between_two_reads_shows_in_the_second(client: Any) -> None:
    before = client.post(LIST, headers=bearer("acme-owner")).json["result"]
    assert "SECOND_FACTOR_TYPE_OTP_SMS" not in before
    assert (
        client.post(ADD, json={"type": "SECOND_FACTOR_TYPE_OTP_SMS"}, headers=bearer("acme-owner")).status_code == 200
    )
    after = client.post(LIST, headers=bearer("acme-owner")).json["result"]
    assert after == [*before, "SECOND_FACTOR_TYPE_OTP_SMS"]


def test_another_caller_or_organization_is_not_given_a_remembered_answer(client: Any) -> None:
    assert client.post(LIST, headers=bearer("acme-owner")).status_code == 200
    assert client.post(LIST, headers=bearer("outsider")).status_code != 200
    assert client.post(LIST, headers=bearer("nobody-knows-me")).status_code == 401
    own = client.post(LIST, headers=bearer("iam-owner", **{"x-zitadel-orgid": ACME})).json
    other = client.post(LIST, headers=bearer("iam-owner", **{"x-zitadel-orgid": GLOBEX})).json
    assert own != other


def test_a_remembered_answer_still_reports_the_requests_violation(client: Any) -> None:
    answers = [client.post(LIST) for _ in range(2)]  # no token: the contract's security is broken
    assert [answer.status_code for answer in answers] == [401, 401]
    assert all(answer.headers.get("X-Mock-Request-Violation") for answer in answers)
    entries = client.get("/__mock/journal").json["entries"]
    assert len(entries) == 2 and all(entry["request_problems"] for entry in entries)


def test_an_answer_that_breaks_the_contract_is_judged_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(test_config={"STRICT_CONTRACT": False, "STATE": f"sqlite:///{tmp_path}/s.sqlite3"})
    validator = app.extensions["mockserver"].validator
    monkeypatch.setattr(validator, "answer_problems", lambda *arguments: ["planted: the answer is wrong"])
    runs = counting_behaviour_runs(app, monkeypatch)
    client = app.test_client()
    answers = [client.post(LIST, headers=bearer("acme-owner")) for _ in range(2)]
    assert all("planted" in answer.headers.get("X-Mock-Contract-Violation", "") for answer in answers)
    assert len(runs) == 2


def test_a_read_sees_what_another_worker_wrote_to_the_shared_file(tmp_path: Path) -> None:
    state = f"sqlite:///{tmp_path}/shared.sqlite3"
    reader, writer = (create_app(test_config={"TESTING": True, "STATE": state}).test_client() for _ in range(2))

    def listed() -> Any:
        return reader.post(LIST, headers=bearer("acme-owner")).get_json()["result"]

    before = listed()
    assert listed() == before  # remembered
    assert (
        writer.post(ADD, json={"type": "SECOND_FACTOR_TYPE_OTP_SMS"}, headers=bearer("acme-owner")).status_code == 200
    )
    assert listed() == [*before, "SECOND_FACTOR_TYPE_OTP_SMS"]
    assert writer.delete(f"{ADD}/SECOND_FACTOR_TYPE_OTP_SMS", headers=bearer("acme-owner")).status_code == 200
    assert listed() == before


def test_an_encoded_answer_takes_no_more_memory_than_its_bytes() -> None:
    """Remembered answers keep their bytes (up to 16,384 a worker). orjson's result kept a 4 KB
    buffer whatever its length, and the scale run's 10,000 sessions grew a worker by 40 MB."""
    import tracemalloc

    from mockserver.server.service import encode_json

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        bodies = [encode_json({"result": ["SECOND_FACTOR_TYPE_OTP"], "number": n}) for n in range(200)]
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    overhead = 64  # a bytes object's header, the list's slot and the allocator's rounding
    assert grown <= sum(len(body) + overhead for body in bodies) + 4096, grown
