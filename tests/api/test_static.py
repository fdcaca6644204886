"""The web UI is served after the API: assets cached, other paths get the app, no build explained."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from kozak.server.static import mount_ui

from .conftest import error


def test_without_a_build_the_page_says_where_the_api_is(tmp_path: Path) -> None:
    app = FastAPI()
    mount_ui(app, tmp_path / "missing")
    page = TestClient(app).get("/")
    assert page.status_code == 200 and "/api/docs" in page.text


def test_a_built_app_is_served_with_client_side_routes(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<div id=root></div>")
    (tmp_path / "assets" / "app-3f9c.js").write_text("console.log(1)")
    app = FastAPI()
    mount_ui(app, tmp_path)
    client = TestClient(app)
    asset = client.get("/assets/app-3f9c.js")
    assert asset.text == "console.log(1)" and "immutable" in asset.headers["cache-control"]
    assert client.get("/projects/Yeast/datasets").text == "<div id=root></div>"
    assert client.get("/../../etc/passwd").text == "<div id=root></div>"
    missing = client.get("/api/nothing")
    error(missing, 404)
    assert missing.json()["error"]["code"] == "not_found"
