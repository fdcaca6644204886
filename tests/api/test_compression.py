"""Answers of 1 KiB or more are gzipped for clients that accept it; nothing else changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from factories import UserClient
from kozak.server.app import create_app
from kozak.server.compression import compress
from kozak.server.static import mount_ui
from kozak.settings import Settings

from .conftest import ok

GZIP = {"Accept-Encoding": "gzip"}
PLAIN = {"Accept-Encoding": "identity"}


def test_a_list_page_is_gzipped_for_clients_that_accept_it(
    client: UserClient, project_id: str, empty_experiment: dict[str, Any]
) -> None:
    experiments = f"/api/projects/{project_id}/experiments"
    for i in range(5):
        ok(client.post(f"{experiments}/{empty_experiment['id']}/clone", json={"name": f"c{i}"}), 201)
    packed, plain = client.get(experiments, headers=GZIP), client.get(experiments, headers=PLAIN)
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.num_bytes_downloaded * 3 < len(packed.content)  # sent packed, read unpacked
    assert "content-encoding" not in plain.headers
    assert plain.num_bytes_downloaded == len(plain.content)
    assert ok(packed)["count"] == 6 and ok(packed) == ok(plain)


def test_small_answers_pass_as_they_are(client: UserClient, project_id: str) -> None:
    answer = client.get(f"/api/projects/{project_id}", headers=GZIP)
    assert ok(answer)["name"] == "Yeast" and "content-encoding" not in answer.headers


def test_compression_can_be_turned_off(tmp_path: Path) -> None:
    def schema(compress: bool) -> Any:
        settings = Settings(
            home=tmp_path / str(compress), workers=0, bulk_processes=0, compress=compress
        )
        with TestClient(create_app(settings, start_runner=False)) as raw:
            return raw.get("/api/openapi.json", headers=GZIP)

    on, off = schema(True), schema(False)
    assert on.headers["content-encoding"] == "gzip" and "content-encoding" not in off.headers
    assert on.json() == off.json()


def _app(tmp_path: Path) -> FastAPI:
    """An app with the platform's compression, an event stream and a built UI of one asset."""
    app = FastAPI()
    compress(app)

    @app.get("/api/stream")
    def stream() -> StreamingResponse:
        def events() -> Iterator[str]:
            yield from (f"data: {i:04d} {'x' * 100}\n\n" for i in range(50))

        return StreamingResponse(events(), media_type="text/event-stream")

    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<div id=root></div>")
    (tmp_path / "assets" / "app-3f9c.js").write_text("console.log(1);\n" * 1000)
    mount_ui(app, tmp_path)
    return app


def test_the_ui_code_is_gzipped_and_stays_cached(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path)) as raw:
        asset = raw.get("/assets/app-3f9c.js", headers=GZIP)
    assert asset.headers["content-encoding"] == "gzip"
    assert "immutable" in asset.headers["cache-control"]
    assert asset.text == (tmp_path / "assets" / "app-3f9c.js").read_text()
    assert asset.num_bytes_downloaded * 10 < len(asset.content)


def test_event_streams_are_never_buffered_into_gzip(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path)) as raw:
        answer = raw.get("/api/stream", headers=GZIP)
    assert "content-encoding" not in answer.headers
    assert answer.text.count("data: ") == 50
