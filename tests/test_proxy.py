"""`mockserver proxy`: real processes on 127.0.0.1 (the proxy, the mock, a deliberately broken
server, an echo server over HTTP and TLS, a port with nothing behind it), each stopped by its
process group at the end.

Expected answers come from the target itself (what it answers without the proxy), from the
contract (its error shapes) or from what was recorded, never from the proxy's code.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from contract_tests.cli import main as contract_tests
from mockserver.__main__ import main as mockserver
from tests.conftest import GLOBEX, REPO_ROOT, A, M
from tests.processes import free_port, running

CONNECT_READ = "/zitadel.settings.v2.SettingsService/GetLoginSettings"
SECRET = "s3cret-token-never-written"
ECHO = """
import http.server, json, ssl, sys

class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = {"method": self.command, "path": self.path, "headers": list(self.headers.items()),
                "body": body.decode("latin-1")}
        data = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = answer

    def log_message(self, *arguments):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo)
if len(sys.argv) > 2:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[2], sys.argv[3])
    server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
"""
BROKEN = (
    "import sys; from mockserver.server.serving import serve; from tests.broken_servers import {name}; "
    "serve({name}(), '127.0.0.1', int(sys.argv[1]), threads=4)"
)


@contextmanager
def serving(folder: Path, name: str, command: list[str], port: int | None = None) -> Iterator[tuple[str, Path]]:
    """A process on 127.0.0.1 for the block: its base URL and log file."""
    port = port or free_port()
    log = folder / f"{name}.log"
    with running([sys.executable, *command, str(port)] if command[0] == "-c" else command, port, log, timeout=60):
        yield f"http://127.0.0.1:{port}", log


@contextmanager
def proxy(folder: Path, name: str, target: str, *options: str) -> Iterator[tuple[str, Path]]:
    port = free_port()
    command = [sys.executable, "-m", "mockserver", "proxy", "--target", target, "--port", str(port), *options]
    with serving(folder, name, command, port) as started:
        yield started


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("proxy")


@pytest.fixture(scope="module")
def mock(folder: Path) -> Iterator[str]:
    port = free_port()
    with serving(folder, "mock", [sys.executable, "-m", "mockserver", "--port", str(port)], port) as (url, _):
        yield url


@pytest.fixture(scope="module")
def through_mock(folder: Path, mock: str) -> Iterator[tuple[str, Path]]:
    with proxy(folder, "proxy-mock", mock) as started:
        yield started


@pytest.fixture(scope="module")
def broken(folder: Path) -> Iterator[str]:
    with serving(folder, "broken", ["-c", BROKEN.format(name="total_as_number")]) as (url, _):
        yield url


def call(base: str, method: str, path: str, token: str | None = "acme-owner", **options: Any) -> requests.Response:
    headers = dict(options.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, base + path, headers=headers, timeout=30, **options)


# Reads that change nothing, so the mock answers them alike with and without the proxy.
Call = tuple[str, str, str | None, dict[str, Any]]  # method, path, token, requests' options
READS: list[Call] = [
    ("POST", f"{M}/second_factors/_search", "acme-owner", {}),
    ("GET", M, "acme-owner", {"headers": {"x-zitadel-orgid": GLOBEX}}),
    ("GET", A, "iam-owner", {}),
    ("POST", CONNECT_READ, "acme-owner", {"json": {}}),
    ("GET", "/v2/settings/login?ctx.instance=true", "acme-owner", {}),
    ("POST", f"{M}/second_factors/_search", None, {}),  # no token: 401
    ("POST", f"{M}/second_factors", "acme-viewer", {"json": {"type": 2}}),  # 403, changes nothing
]


@pytest.mark.parametrize(("method", "path", "token", "options"), READS, ids=[f"{r[0]}{r[1]}" for r in READS])
def test_in_front_of_the_mock_every_answer_passes_unchanged(
    through_mock: tuple[str, Path], mock: str, method: str, path: str, token: str | None, options: dict[str, Any]
) -> None:
    url, _ = through_mock
    direct = call(mock, method, path, token, **options)
    proxied = call(url, method, path, token, **options)
    assert (proxied.status_code, proxied.content) == (direct.status_code, direct.content)
    for name in ("Content-Type", "Cache-Control", "Pragma", "WWW-Authenticate", "Grpcgateway-Content-Type"):
        assert proxied.headers.get(name) == direct.headers.get(name), name
    assert "X-Mock-Contract-Violation" not in proxied.headers


def test_the_journal_names_each_operation_and_no_credential(through_mock: tuple[str, Path]) -> None:
    url, log = through_mock
    call(url, "POST", f"{M}/second_factors/_search", SECRET, headers={"Cookie": f"session={SECRET}"})
    entries = requests.get(f"{url}/__proxy/journal?limit=5", timeout=10).json()["entries"]
    newest = entries[0]
    assert newest["operation_id"] == "ManagementService_ListLoginPolicySecondFactors"
    assert (newest["status"], newest["answered_by"]) == (401, "target")
    assert newest["headers"]["Authorization"] == "Bearer <redacted>"
    assert SECRET not in json.dumps(entries) and SECRET not in log.read_text(encoding="utf-8")


def test_unknown_operations_pass_through_as_not_in_the_contract(through_mock: tuple[str, Path], mock: str) -> None:
    url, log = through_mock
    path = f"{M}/third_factors/_search"
    direct, proxied = call(mock, "POST", path), call(url, "POST", path)
    assert (
        (proxied.status_code, proxied.json())
        == (direct.status_code, direct.json())
        == (404, {"code": 5, "message": "Not Found"})
    )
    assert proxied.headers["X-Mock-Request-Violation"] == f"not in the contract: POST {path}"
    entry = requests.get(f"{url}/__proxy/journal?limit=1", timeout=10).json()["entries"][0]
    assert entry["operation_id"] is None and entry["request_problems"] == [f"not in the contract: POST {path}"]
    assert f"not in the contract: POST {path}" in log.read_text(encoding="utf-8")


def test_a_broken_answer_is_flagged_and_passed_on_unchanged(folder: Path, broken: str) -> None:
    path = f"{M}/second_factors/_search"
    with proxy(folder, "proxy-broken", broken) as (url, log):
        direct, proxied = call(broken, "POST", path), call(url, "POST", path)
        entry = requests.get(f"{url}/__proxy/journal?limit=1", timeout=10).json()["entries"][0]
    assert direct.json()["details"]["totalResult"] == 1  # the bug: a number where the contract has a string
    assert (proxied.status_code, proxied.content) == (direct.status_code, direct.content)
    assert "totalResult" in proxied.headers["X-Mock-Contract-Violation"]
    assert entry["response_problems"] and "totalResult" in entry["response_problems"][0]
    assert "answer breaks the contract: ManagementService_ListLoginPolicySecondFactors 200" in log.read_text(
        encoding="utf-8"
    )


def test_strict_turns_only_a_broken_answer_into_a_502_that_says_why(folder: Path, broken: str) -> None:
    with proxy(folder, "proxy-strict", broken, "--strict") as (url, _):
        refused = call(url, "POST", f"{M}/second_factors/_search")
        kept_direct, kept = call(broken, "GET", M), call(url, "GET", M)  # not a list: the bug leaves it alone
    body = refused.json()
    assert refused.status_code == 502 and body["code"] == 13  # ZITADEL's shape: {code, message}
    assert "breaks the contract" in body["message"] and "totalResult" in body["message"]
    assert (
        refused.headers["X-Mock-Answered-By"] == "proxy"
        and "totalResult" in refused.headers["X-Mock-Contract-Violation"]
    )
    assert (kept.status_code, kept.content) == (kept_direct.status_code, kept_direct.content) == (200, kept.content)


def test_a_target_that_is_down_is_a_502_in_each_transports_shape(folder: Path) -> None:
    nothing = f"http://127.0.0.1:{free_port()}"
    with proxy(folder, "proxy-down", nothing) as (url, log):
        rest = call(url, "POST", f"{M}/second_factors/_search")
        connect = call(url, "POST", CONNECT_READ, json={})
    assert rest.status_code == 502 and rest.headers["X-Mock-Answered-By"] == "proxy"
    assert rest.json()["code"] == 14 and rest.json()["message"].startswith(f"proxy: cannot reach {nothing}")
    assert set(rest.json()) == {"code", "message"}
    assert connect.status_code == 502 and connect.json()["code"] == "unavailable"  # Connect's snake_case code
    assert "the target did not answer" in log.read_text(encoding="utf-8")


def test_requests_reach_the_target_exactly_as_sent(folder: Path) -> None:
    """Method, path and query as written, every header but the hop-by-hop ones (the token
    included: the target decides), `Host` naming the target, the body byte for byte."""
    body = b'{ "type" :1 , "x": "\xc3\xa9"}'
    path = f"{M}/second_factors/%7Bodd%7D?ctx.orgId=1&a=%2F"
    with serving(folder, "echo", ["-c", ECHO]) as (echo, _), proxy(folder, "proxy-echo", echo) as (url, _):
        sent = {"Authorization": "Bearer t0k", "X-Custom": "a, b", "Cookie": "c=1", "Content-Type": "text/odd"}
        seen = requests.put(url + path, headers=sent, data=body, timeout=30).json()
    headers = dict(seen["headers"])
    assert (seen["method"], seen["path"], seen["body"].encode("latin-1")) == ("PUT", path, body)
    assert {name: headers.get(name) for name in sent} == sent
    assert headers["Host"] == echo.removeprefix("http://")
    assert headers["User-Agent"].startswith("python-requests/")  # the client's own, none added
    assert "Connection" not in headers and "Keep-Alive" not in headers


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key), valid for a day."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_tls_to_the_target_is_verified_unless_told_whom_to_trust(folder: Path) -> None:
    cert, key = _certificate(folder)
    port = free_port()
    command = [sys.executable, "-c", ECHO, str(port), str(cert), str(key)]
    with serving(folder, "tls-echo", command, port):
        target = f"https://127.0.0.1:{port}"
        with proxy(folder, "proxy-tls", target) as (url, _):
            untrusted = call(url, "POST", f"{M}/second_factors/_search")
        with proxy(folder, "proxy-tls-ca", target, "--ca-file", str(cert)) as (url, _):
            trusted = call(url, "POST", f"{M}/second_factors/_search")
    assert untrusted.status_code == 502 and "certificate verify failed" in untrusted.json()["message"]
    assert trusted.status_code == 200 and trusted.json()["path"] == f"{M}/second_factors/_search"


# Record, then replay: (method, path, token, options); each a different operation or matcher.
RECORDED: list[Call] = [
    ("POST", f"{M}/second_factors/_search", "acme-owner", {}),
    ("POST", f"{M}/auth_factors/_search", "acme-owner", {}),
    ("GET", M, "acme-owner", {}),
    ("GET", M, "iam-owner", {"headers": {"x-zitadel-orgid": GLOBEX}}),
    ("POST", f"{M}/second_factors", "acme-owner", {"json": {"type": "SECOND_FACTOR_TYPE_U2F"}}),
    ("DELETE", f"{M}/multi_factors/MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION", "acme-owner", {}),  # 404, ZITADEL's own
    ("POST", CONNECT_READ, "acme-owner", {"json": {}}),
    ("GET", A, "iam-owner", {}),
]
NOT_RECORDED: list[Call] = [
    ("POST", f"{A}/second_factors/_search", None, {}),  # 401: who is calling, a replay cannot tell
    ("POST", f"{A}/multi_factors", "iam-owner", {"json": {"type": 0}}),  # 400 without an id: depends on the body
]


def test_record_then_replay_gives_the_recorded_answers(folder: Path, mock: str) -> None:
    record = folder / "record"
    with proxy(folder, "proxy-record", mock, "--record", str(record), "--record-name", "seen") as (url, log):
        recorded = [call(url, m, p, t, **o) for m, p, t, o in RECORDED]
        skipped = [call(url, m, p, t, **o) for m, p, t, o in NOT_RECORDED]
        cleanup = call(mock, "DELETE", f"{M}/second_factors/SECOND_FACTOR_TYPE_U2F")  # the mock as it was
    assert [r.status_code for r in recorded] == [200, 200, 200, 200, 200, 404, 200, 200]
    assert [r.status_code for r in skipped] == [401, 400] and cleanup.status_code == 200
    scenario = record / "scenarios" / "seen.yaml"
    text, logged = scenario.read_text(encoding="utf-8"), log.read_text(encoding="utf-8")
    for token in ("acme-owner", "iam-owner", "Bearer "):
        assert token not in text and token not in logged, token
    assert "authorization" not in text.lower() and "cookie" not in text.lower()
    assert len(yaml.safe_load(text)["responses"]) == len(RECORDED)
    assert f"x-zitadel-orgid: '{GLOBEX}'" in text  # the one matcher a header makes
    for name in ("world.yaml", "behaviours.yaml"):  # a fixtures folder, from the packaged fixtures
        assert (record / name).read_bytes() == (REPO_ROOT / "fixtures" / name).read_bytes()
    assert contract_tests(["fixtures", str(record)]) == 0

    port = free_port()
    command = [sys.executable, "-m", "mockserver", "--port", str(port), "--fixtures", str(record), "--scenario", "seen"]
    with serving(folder, "replay", command, port) as (replay, _):
        # another caller than the recording's: a scenario's answers do not depend on the token
        replayed = [call(replay, m, p, "login-client", **o) for m, p, t, o in RECORDED]
    for (method, path, _, _), first, again in zip(RECORDED, recorded, replayed, strict=True):
        assert (again.status_code, again.json()) == (first.status_code, first.json()), f"{method} {path}"
        assert again.headers["X-Mock-Answered-By"] == "scenario:seen"


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ([], "the following arguments are required: --target"),
        (["--target", "ftp://example.org"], "--target must be an http:// or https:// URL"),
        (["--target", "https://user:pw@example.org"], "must not carry credentials"),
        (["--target", "http://127.0.0.1:1", "--ca-file", "/nonexistent/ca.pem"], "--ca-file /nonexistent/ca.pem"),
        (["--target", "http://127.0.0.1:1", "--record-name", "../x", "--record", "{tmp}"], "--record-name '../x'"),
        (["--target", "http://127.0.0.1:1", "--record", "{tmp}/file/below"], "cannot record to"),
    ],
)
def test_a_mistake_is_one_line_and_exit_2(
    arguments: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    given = [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]
    assert mockserver(["proxy", "--port", str(free_port()), *given]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("mockserver proxy: ") and says in err, err


def test_a_busy_port_is_one_line_and_exit_2(through_mock: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    port = through_mock[0].rsplit(":", 1)[1]
    assert mockserver(["proxy", "--target", "http://127.0.0.1:1", "--port", port]) == 2
    assert capsys.readouterr().err == f"mockserver proxy: cannot start: port {port} is in use on 127.0.0.1\n"
