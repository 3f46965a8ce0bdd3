"""What the mock adds to ZITADEL's behaviour: preferences, faults, sessions, control API, CORS."""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from mockserver.server.app import create_app
from mockserver.server.service import ConnectionDropped
from tests.conftest import ACME, REPO_ROOT, A, M, bearer

LIST = f"{M}/second_factors/_search"


def test_prefer_code_returns_the_first_example_of_that_status(client: Any) -> None:
    response = client.post(f"{M}/second_factors", json={"type": 2}, headers=bearer("acme-owner", Prefer="code=409"))
    assert response.status_code == 409 and response.json["details"][0]["id"] == "Org-2B0ps"
    assert response.headers["X-Mock-Answered-By"] == "example"
    listed = client.post(LIST, headers=bearer("acme-owner")).json["result"]
    assert listed == ["SECOND_FACTOR_TYPE_OTP"]  # the state was not touched


def test_prefer_example_selects_a_named_example(client: Any) -> None:
    response = client.post(LIST, headers=bearer("acme-owner", Prefer="example=empty"))
    assert "result" not in response.json


def test_prefer_401_example_carries_www_authenticate(client: Any) -> None:
    response = client.post(LIST, headers={"Prefer": "code=401, example=invalidToken"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Errors.Token.Invalid (AUTH-7fs1e)"


def test_prefer_default_status_keeps_the_grpc_code_true(client: Any) -> None:
    response = client.post(LIST, headers={"Prefer": "code=503"})
    assert response.status_code == 503 and response.json["code"] == 14


def test_unknown_example_is_a_400_listing_what_exists(client: Any) -> None:
    response = client.post(LIST, headers={"Prefer": "example=nope"})
    assert response.status_code == 400
    assert "200/withFactors" in response.json["message"] and "401/authHeaderMissing" in response.json["message"]


def test_undocumented_code_is_a_400(client: Any) -> None:
    response = client.post(LIST, headers={"Prefer": "code=409"})
    assert response.status_code == 400 and "documents no 409" in response.json["message"]


@pytest.mark.parametrize("prefer", ["code=abc", "delay=-5", "delay=99999999", "code=42"])
def test_bad_preferences_are_400(client: Any, prefer: str) -> None:
    response = client.post(LIST, headers=bearer("acme-owner", Prefer=prefer))
    assert response.status_code == 400 and response.json["message"].startswith("mock: invalid preference")


def test_dynamic_answers_are_valid_and_vary(client: Any) -> None:
    bodies = {json.dumps(client.post(LIST, headers={"Prefer": "dynamic=true"}).json) for _ in range(8)}
    assert len(bodies) > 1  # strict mode would have raised on an invalid one


def test_query_parameters_work_like_prefer(client: Any) -> None:
    response = client.post(f"{LIST}?__code=404", headers=bearer("acme-owner"))
    assert response.status_code == 404 and response.json["details"][0]["id"] == "AUTHZ-cdgFk"


def test_header_wins_over_query(client: Any) -> None:
    response = client.post(f"{LIST}?__code=404", headers={"Prefer": "code=403"})
    assert response.status_code == 403


def test_delay_preference_delays(client: Any) -> None:
    started = time.perf_counter()
    client.post(LIST, headers=bearer("acme-owner", Prefer="delay=120"))
    assert time.perf_counter() - started >= 0.12


def test_sticky_preferences_apply_to_their_session_only(client: Any) -> None:
    assert client.put("/__mock/preferences?session=ui", json={"code": 403}).status_code == 200
    assert client.post(LIST, headers={"X-Mock-Session": "ui"}).status_code == 403
    assert client.post(LIST, headers=bearer("acme-owner")).status_code == 200
    client.delete("/__mock/preferences?session=ui")
    assert client.post(LIST, headers=bearer("acme-owner", **{"X-Mock-Session": "ui"})).status_code == 200


def test_sticky_preferences_are_checked(client: Any) -> None:
    assert client.put("/__mock/preferences", json={"colour": "red"}).status_code == 400
    assert client.put("/__mock/preferences", json={"delay": "soon"}).status_code == 400


def test_sessions_do_not_see_each_others_changes(client: Any) -> None:
    alice = bearer("acme-owner", **{"X-Mock-Session": "alice"})
    bob = bearer("acme-owner", **{"X-Mock-Session": "bob"})
    assert client.post(f"{M}/second_factors", json={"type": 2}, headers=alice).status_code == 200
    assert client.post(LIST, headers=alice).json["result"] == [
        "SECOND_FACTOR_TYPE_OTP",
        "SECOND_FACTOR_TYPE_U2F",
    ]
    assert client.post(LIST, headers=bob).json["result"] == ["SECOND_FACTOR_TYPE_OTP"]
    assert client.post(LIST, headers=bearer("acme-owner")).json["result"] == ["SECOND_FACTOR_TYPE_OTP"]


def test_session_cookie_works_like_the_header(client: Any) -> None:
    client.set_cookie("mock_session", "carol")
    client.post(f"{M}/second_factors", json={"type": 2}, headers=bearer("acme-owner"))
    assert len(client.post(LIST, headers=bearer("acme-owner")).json["result"]) == 2
    client.delete_cookie("mock_session")
    assert len(client.post(LIST, headers=bearer("acme-owner")).json["result"]) == 1


def test_bad_session_name_is_400(client: Any) -> None:
    response = client.post(LIST, headers=bearer("acme-owner", **{"X-Mock-Session": "a b/c"}))
    assert response.status_code == 400 and response.json["code"] == 3


def test_reset_one_session_keeps_the_others(client: Any) -> None:
    for session in ("s1", "s2"):
        client.post(
            f"{M}/second_factors",
            json={"type": 2},
            headers=bearer("acme-owner", **{"X-Mock-Session": session}),
        )
    assert client.post("/__mock/reset?session=s1").json == {"reset": "s1"}
    assert len(client.post(LIST, headers=bearer("acme-owner", **{"X-Mock-Session": "s1"})).json["result"]) == 1
    assert len(client.post(LIST, headers=bearer("acme-owner", **{"X-Mock-Session": "s2"})).json["result"]) == 2
    assert client.post("/__mock/reset").json == {"reset": "all"}
    assert len(client.post(LIST, headers=bearer("acme-owner", **{"X-Mock-Session": "s2"})).json["result"]) == 1


def test_state_shows_the_sessions_world(client: Any) -> None:
    client.post(f"{M}/second_factors", json={"type": 2}, headers=bearer("acme-owner"))
    state = client.get("/__mock/state").json
    assert state["world"]["organizations"][ACME]["loginPolicy"]["secondFactors"] == [
        "SECOND_FACTOR_TYPE_OTP",
        "SECOND_FACTOR_TYPE_U2F",
    ]
    assert state["session"] == "default"


def test_a_big_worlds_state_is_shown_whole_after_writes(tmp_path: Path) -> None:
    """A store keeps a big world's organizations in a map of its own (a write shares the ones it
    did not change): the control API still shows them all, as JSON."""
    import yaml

    fixtures = tmp_path / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", fixtures)
    world_file = fixtures / "world.yaml"
    data = yaml.safe_load(world_file.read_text(encoding="utf-8"))
    organizations = data["world"]["organizations"]
    for number in range(1000):
        organizations[str(260_000_000_000_000_000 + number)] = {"name": f"generated-{number}", "sequence": 1}
    world_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    app = create_app(fixtures_dir=str(fixtures), test_config={"TESTING": True, "STATE": "memory"})
    client = app.test_client()
    for _ in range(3):
        client.post(f"{M}/second_factors", json={"type": 2}, headers=bearer("acme-owner"))
        client.delete(f"{M}/second_factors/2", headers=bearer("acme-owner"))
    client.post(f"{M}/second_factors", json={"type": 2}, headers=bearer("acme-owner"))
    shown = client.get("/__mock/state").get_json()["world"]["organizations"]
    assert list(shown) == sorted(organizations)  # Flask's JSON sorts keys
    assert shown[ACME]["loginPolicy"]["secondFactors"] == ["SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_U2F"]
    assert shown["260000000000000999"] == {"name": "generated-999", "sequence": 1}


def test_scenario_selection_changes_the_world_of_the_session(client: Any) -> None:
    listed = [s["name"] for s in client.get("/__mock/scenarios").json["scenarios"]]
    assert {"no-factors", "all-factors", "database-down", "slow-network", "flaky"} <= set(listed)
    assert client.put("/__mock/scenario?session=t", json={"name": "no-factors"}).status_code == 200
    empty = client.post(f"{A}/second_factors/_search", headers=bearer("iam-owner", **{"X-Mock-Session": "t"}))
    assert "result" not in empty.json
    assert client.post(f"{A}/second_factors/_search", headers=bearer("iam-owner")).json["result"]


def test_scenario_canned_answers_come_first(client: Any) -> None:
    client.put("/__mock/scenario", json={"name": "database-down"})
    response = client.post(LIST, headers=bearer("acme-owner"))
    assert response.status_code == 500 and response.json == {
        "code": 13,
        "message": "db connection error",
    }
    assert response.headers["X-Mock-Answered-By"] == "scenario:database-down"
    client.put("/__mock/scenario", json={"name": None})
    assert client.post(LIST, headers=bearer("acme-owner")).status_code == 200


def test_unknown_scenario_is_404(client: Any) -> None:
    response = client.put("/__mock/scenario", json={"name": "nope"})
    assert response.status_code == 404 and "known: all-factors" in response.json["message"]


def test_error_faults_answer_documented_errors_at_the_rate(client: Any) -> None:
    assert client.put("/__mock/faults", json={"errorRate": 1.0, "errorStatuses": [503, 409]}).status_code == 200
    answers = [client.post(f"{M}/second_factors", json={"type": 2}, headers=bearer("acme-owner")) for _ in range(20)]
    assert {a.status_code for a in answers} == {503, 409}
    assert all(a.headers["X-Mock-Answered-By"] == "fault" for a in answers)
    client.delete("/__mock/faults")
    assert client.post(LIST, headers=bearer("acme-owner")).status_code == 200


def test_fault_rate_zero_never_fires_and_half_fires_sometimes(client: Any) -> None:
    client.put("/__mock/faults", json={"errorRate": 0.5})
    statuses = [client.post(LIST, headers=bearer("acme-owner")).status_code for _ in range(40)]
    assert 200 in statuses and 500 in statuses


def test_faults_are_checked(client: Any) -> None:
    response = client.put("/__mock/faults", json={"errorRate": 2})
    assert response.status_code == 400 and "errorRate" in response.json["message"]


def test_latency_range_fault(client: Any) -> None:
    client.put("/__mock/faults", json={"delay": [50, 60]})
    started = time.perf_counter()
    client.post(LIST, headers=bearer("acme-owner"))
    assert 0.05 <= time.perf_counter() - started < 1.0


def test_dropped_connection_fault_reaches_the_caller(client: Any) -> None:
    client.put("/__mock/faults", json={"dropRate": 1.0})
    with pytest.raises(ConnectionDropped):
        client.post(LIST, headers=bearer("acme-owner"))


def test_journal_records_matching_validation_and_redacts_tokens(client: Any) -> None:
    client.post(LIST, headers=bearer("acme-owner", **{"X-Mock-Session": "j"}))
    client.post(
        f"{M}/second_factors",
        json={"type": 0},
        headers=bearer("acme-owner", **{"X-Mock-Session": "j"}),
    )
    entries = client.get("/__mock/journal?session=j").json["entries"]
    assert [e["status"] for e in entries] == [400, 200]
    newest = entries[0]
    assert newest["operation_id"] == "ManagementService_AddSecondFactorToLoginPolicy"
    assert newest["answered_by"] == "zitadel" and newest["request_problems"]
    assert newest["headers"]["Authorization"] == "Bearer <redacted>"
    assert "acme-owner" not in json.dumps(entries)


def test_access_log_has_one_line_without_tokens(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="mockserver.access"):
        client.post(LIST, headers=bearer("acme-owner"))
    lines = [r.getMessage() for r in caplog.records if r.name == "mockserver.access"]
    assert len(lines) == 1
    assert f'"POST {LIST}" 200 ManagementService_ListLoginPolicySecondFactors zitadel' in lines[0]
    assert "acme-owner" not in lines[0]


def test_cors_preflight_echoes_the_origin_and_allows_zitadel_headers(client: Any) -> None:
    response = client.options(
        f"{M}/second_factors",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-zitadel-orgid, x-mock-session",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "x-zitadel-orgid", "x-mock-session"} <= {h.strip() for h in allowed.split(",")}


def test_cors_headers_on_answers_expose_www_authenticate(client: Any) -> None:
    response = client.post(LIST, headers={"Origin": "https://app.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "WWW-Authenticate" in response.headers["Access-Control-Expose-Headers"]


def test_plain_options_is_405_like_zitadel(client: Any) -> None:
    assert client.options(LIST).status_code == 405


def test_health_and_docs(client: Any) -> None:
    health = client.get("/__mock/health").json
    assert health["status"] == "ok" and health["operations"] == len(
        client.application.extensions["mockserver"].contract.operations
    )
    assert health["answeredByExample"] == []
    page = client.get("/__mock/docs/")
    assert page.status_code == 200 and b"swagger-ui-bundle.js" in page.data and b"cdn" not in page.data.lower()
    with client.get("/__mock/docs/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200 and len(bundle.data) > 100_000
    assert client.get("/__mock/docs").status_code == 308
    with client.get("/__mock/openapi.yaml") as document:
        assert document.data.startswith(b"openapi: 3.1.0")


def test_oversized_body_is_413_in_zitadels_shape(client: Any) -> None:
    response = client.post(f"{M}/second_factors", data=b"x" * (2 << 20), headers=bearer("acme-owner"))
    assert response.status_code == 413
    assert response.json["code"] == 8 and "larger than" in response.json["message"]


def test_control_token_protects_the_control_api() -> None:
    client = create_app(test_config={"TESTING": True, "CONTROL_TOKEN": "s3cret"}).test_client()
    assert client.get("/__mock/health").status_code == 401
    assert client.get("/__mock/health", headers={"X-Mock-Control-Token": "s3cret"}).status_code == 200
    assert client.post(LIST, headers=bearer("acme-owner")).status_code == 200  # the API stays open


def test_broken_answer_raises_in_tests_and_is_flagged_when_serving(tmp_path: Any) -> None:
    import shutil

    from tests.conftest import REPO_ROOT

    fixtures = tmp_path / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", fixtures)
    serving = create_app(fixtures_dir=fixtures, test_config={"STRICT_CONTRACT": False}).test_client()
    service = serving.application.extensions["mockserver"]
    service.store.update("default", lambda state: state["world"]["projection"].update(viewTimestamp="yesterday"))
    response = serving.post(LIST, headers=bearer("acme-owner"))
    assert response.status_code == 200 and "viewTimestamp" in response.headers["X-Mock-Contract-Violation"]
    strict = create_app(fixtures_dir=fixtures, test_config={"TESTING": True}).test_client()
    strict.application.extensions["mockserver"].store.update(
        "default", lambda state: state["world"]["projection"].update(viewTimestamp="yesterday")
    )
    with pytest.raises(AssertionError, match="viewTimestamp"):
        strict.post(LIST, headers=bearer("acme-owner"))


@pytest.mark.parametrize(
    ("method", "path", "body", "token"),
    [
        ("POST", LIST, None, "acme-owner"),
        ("POST", LIST, None, None),
        ("POST", f"{M}/second_factors", {"type": 0}, "acme-owner"),
        ("DELETE", f"{M}/second_factors/FOO", None, "acme-owner"),
        ("GET", LIST, None, "acme-owner"),
        ("POST", "/nowhere", None, None),
        ("POST", f"{M}/second_factors", {"type": 1}, "acme-owner"),
    ],
)
def test_requests_with_and_without_origin_get_the_same_answer(
    client: Any, method: str, path: str, body: Any, token: str | None
) -> None:
    """Without `Origin` a request skips Flask (the fast path); the answer must not change."""
    headers = bearer(token) if token else {}
    plain = client.open(path, method=method, json=body, headers=headers)
    browser = client.open(path, method=method, json=body, headers={**headers, "Origin": "http://localhost:3000"})
    assert (plain.status_code, plain.get_data()) == (browser.status_code, browser.get_data())
    cors = {name for name in browser.headers.keys() if name.lower().startswith("access-control") or name == "Vary"}
    varying = {"Content-Length", "Expires"}  # Expires is the time of the answer, to the second
    assert {k: v for k, v in plain.headers.items() if k not in varying} == {
        k: v for k, v in browser.headers.items() if k not in cors and k not in varying
    }
    assert ("Expires" in plain.headers) == ("Expires" in browser.headers)
    assert "Access-Control-Allow-Origin" not in plain.headers


def test_the_journal_follows_the_session_header(client: Any) -> None:
    client.post(LIST, headers=bearer("acme-owner", **{"X-Mock-Session": "one"}))
    client.post(LIST, headers=bearer("acme-owner", **{"X-Mock-Session": "two"}))
    entries = client.get("/__mock/journal", headers={"X-Mock-Session": "one"}).json["entries"]
    assert [entry["session"] for entry in entries] == ["one"]


def test_control_calls_get_a_log_line_without_tokens(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="mockserver.control"):
        client.post("/__mock/reset?session=s9", headers={"X-Mock-Control-Token": "not-logged"})
    lines = [record.getMessage() for record in caplog.records if record.name == "mockserver.control"]
    assert len(lines) == 1 and '"POST /__mock/reset?session=s9" 200' in lines[0]
    assert "not-logged" not in lines[0]


def test_start_up_names_the_operations_answered_by_example(tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    import shutil

    from tests.conftest import REPO_ROOT

    fixtures = tmp_path / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", fixtures)
    behaviours = (fixtures / "behaviours.yaml").read_text(encoding="utf-8")
    start = behaviours.index("  AdminService_ListLoginPolicyMultiFactors:")
    end = behaviours.index("  AdminService_AddSecondFactorToLoginPolicy:")
    (fixtures / "behaviours.yaml").write_text(behaviours[:start] + behaviours[end:], encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="mockserver"):
        app = create_app(fixtures_dir=fixtures, test_config={"TESTING": True})
    lines = [
        record.getMessage() for record in caplog.records if "answered by their first 200 example" in record.getMessage()
    ]
    assert len(lines) == 1 and lines[0].endswith(": AdminService_ListLoginPolicyMultiFactors")
    answer = app.test_client().post(f"{A}/multi_factors/_search", headers=bearer("iam-owner"))
    assert answer.status_code == 200 and answer.headers["X-Mock-Answered-By"] == "example"
    assert app.test_client().post(f"{A}/multi_factors/_search").status_code == 401  # ZITADEL's checks first


def test_the_example_pages_are_served_from_the_mocks_own_origin(client: Any) -> None:
    def fetch(path: str) -> tuple[int, str, str, str]:
        response = client.get(path)
        try:
            return (
                response.status_code,
                response.content_type,
                response.headers.get("Location", ""),
                response.get_data(as_text=True),
            )
        finally:
            response.close()  # a file is streamed: close it

    assert 'href="settings-page/"' in fetch("/__mock/examples/")[3]
    status, _, location, _ = fetch("/__mock/examples/settings-page")
    assert status == 308 and location.endswith("/__mock/examples/settings-page/")
    status, content_type, _, _ = fetch("/__mock/examples/settings-page/")
    assert status == 200 and content_type.startswith("text/html")
    status, content_type, _, _ = fetch("/__mock/examples/settings-page/app.js")
    assert status == 200 and "javascript" in content_type
    assert fetch("/__mock/examples/../openapi.yaml")[0] == 404


def test_a_served_worker_writes_access_lines_in_batches_in_loggings_format() -> None:
    import io
    import re

    from mockserver.server.logs import AccessLog

    stream = io.StringIO()
    served = AccessLog("mockserver.access.test")
    served.logger.setLevel(logging.INFO)
    served.start(stream)
    served.line('127.0.0.1 "POST /x" 200 X_Do zitadel 0.4ms session=default')
    served.flush()
    written = stream.getvalue().splitlines()
    assert len(written) == 1
    assert re.fullmatch(
        r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO mockserver\.access\.test 127\.0\.0\.1 "POST /x" 200 .*', written[0]
    )
    quiet = AccessLog("mockserver.access.quiet")
    quiet.logger.setLevel(logging.WARNING)
    quiet.start(io.StringIO())  # the log level leaves INFO out: lines go to the logger, which drops them
    assert quiet._stream is None


def test_headers_a_scenario_sets_are_sent_once_and_the_length_is_the_bodys(tmp_path: Path) -> None:
    """A canned answer may name Content-Type or Content-Length: one of each goes out, and the
    length is the body's (two lengths make clients refuse the answer)."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", fixtures)
    (fixtures / "scenarios" / "own-headers.yaml").write_text(
        "description: canned answers with headers of their own\n"
        "responses:\n"
        "  - operationId: ManagementService_ListLoginPolicySecondFactors\n"
        "    response:\n"
        "      status: 200\n"
        "      headers: {Content-Type: application/json; charset=utf-8, Content-Length: '1'}\n"
        "      body: {details: {totalResult: '1'}, result: [SECOND_FACTOR_TYPE_OTP]}\n",
        encoding="utf-8",
    )
    app = create_app(test_config={"TESTING": True, "FIXTURES": str(fixtures), "SCENARIO": "own-headers"})
    for origin in ({}, {"Origin": "http://localhost:3000"}):  # the fast path, and Flask's with CORS
        response = app.test_client().post(LIST, headers=bearer("acme-owner", **origin))
        assert response.status_code == 200
        assert response.headers.getlist("Content-Type") == ["application/json; charset=utf-8"]
        assert response.headers.getlist("Content-Length") == [str(len(response.data))]
        assert response.json == {"details": {"totalResult": "1"}, "result": ["SECOND_FACTOR_TYPE_OTP"]}
