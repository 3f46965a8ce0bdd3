"""A page on another origin, in headless Chromium, calls the running mock (CORS with credentials).

Chromium comes from Debian (`apt-get install chromium`, done by .ci/run). Without it the test is
skipped on a developer's machine and fails in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import free_port, running

PAGE = """<!doctype html><html><body><pre id="out">pending</pre><script>
fetch("http://127.0.0.1:%(port)d/management/v1/policies/login/second_factors/_search", {
  method: "POST", credentials: "include", body: "{}",
  headers: {"Authorization": "Bearer acme-owner", "Content-Type": "application/json",
            "x-zitadel-orgid": "251000000000000001", "X-Mock-Session": "browser"}})
 .then(r => r.json().then(b => { document.getElementById("out").textContent =
   JSON.stringify({status: r.status, body: b, answeredBy: r.headers.get("X-Mock-Answered-By")}); }))
 .catch(e => { document.getElementById("out").textContent = JSON.stringify({error: String(e)}); });
</script></body></html>
"""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=10000",
    "--dump-dom",
]


def test_page_on_another_origin_calls_the_mock(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs this")
    mock_port, page_port = free_port(), free_port()
    (tmp_path / "index.html").write_text(PAGE % {"port": mock_port}, encoding="utf-8")
    mock = [sys.executable, "-m", "mockserver", "--port", str(mock_port)]
    pages = [
        sys.executable,
        "-m",
        "http.server",
        str(page_port),
        "--bind",
        "127.0.0.1",
        "-d",
        str(tmp_path),
    ]
    with (
        running(mock, mock_port, tmp_path / "mock.log"),
        running(pages, page_port, tmp_path / "pages.log"),
    ):
        browser = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={tmp_path / 'profile'}",
                f"http://127.0.0.1:{page_port}/",
            ],
            capture_output=True,
            text=True,
            timeout=90,
        )
    found = re.search(r'<pre id="out">(.*?)</pre>', browser.stdout, re.DOTALL)
    assert found, browser.stdout[-2000:] + browser.stderr[-2000:]
    outcome = json.loads(found.group(1).replace("&quot;", '"'))
    assert outcome["status"] == 200, outcome
    assert outcome["body"]["result"] == ["SECOND_FACTOR_TYPE_OTP"]
    assert outcome["answeredBy"] == "zitadel"  # an exposed header is readable from the page
