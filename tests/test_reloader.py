"""Opt-in reload: a changed fixture is picked up; a broken one is refused and the mock keeps going."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mockserver.server.app import create_app, watched_files
from mockserver.server.reloader import _stamps, reload_once
from tests.conftest import REPO_ROOT, A, bearer


def make_app(tmp_path: Path):  # type: ignore[no-untyped-def]
    fixtures = tmp_path / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures", fixtures)
    return create_app(fixtures_dir=fixtures, test_config={"TESTING": True}), fixtures / "world.yaml"


def touch_later(file: Path) -> None:
    stat = file.stat()
    os.utime(file, (stat.st_atime, stat.st_mtime + 5))


def admin_list(app) -> list[str]:  # type: ignore[no-untyped-def]
    response = app.test_client().post(f"{A}/second_factors/_search", headers=bearer("iam-owner"))
    return list(response.json.get("result", []))


def test_changed_fixture_is_reloaded(tmp_path: Path) -> None:
    app, world = make_app(tmp_path)
    seen = _stamps(watched_files(app))
    world.write_text(
        world.read_text().replace("[SECOND_FACTOR_TYPE_OTP, SECOND_FACTOR_TYPE_U2F]", "[SECOND_FACTOR_TYPE_OTP_SMS]")
    )
    touch_later(world)
    reload_once(app, seen)
    assert admin_list(app) == ["SECOND_FACTOR_TYPE_OTP_SMS"]


def test_broken_fixture_is_refused_and_the_old_one_keeps_serving(tmp_path: Path) -> None:
    app, world = make_app(tmp_path)
    before = app.extensions["mockserver"]
    seen = _stamps(watched_files(app))
    world.write_text(world.read_text().replace("SECOND_FACTOR_TYPE_U2F]", "SECOND_FACTOR_TYPE_YUBI]"))
    touch_later(world)
    reload_once(app, seen)
    assert app.extensions["mockserver"] is before
    assert admin_list(app) == ["SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_U2F"]


def test_nothing_changed_keeps_the_service(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    before = app.extensions["mockserver"]
    reload_once(app, _stamps(watched_files(app)))
    assert app.extensions["mockserver"] is before


def test_new_scenario_file_triggers_a_reload(tmp_path: Path) -> None:
    app, world = make_app(tmp_path)
    seen = _stamps(watched_files(app))
    (world.parent / "scenarios" / "extra.yaml").write_text("description: an extra one\n")
    reload_once(app, seen)
    assert "extra" in app.extensions["mockserver"].fixtures.scenarios
