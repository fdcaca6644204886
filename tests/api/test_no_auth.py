"""Without log-in (`--no-auth`) the server answers only this machine: loopback Host and Origin,
and a custom header on every change, so neither DNS rebinding nor another site's page drives it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kozak.server.app import create_app
from kozak.settings import Settings


@pytest.fixture
def local(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(home=tmp_path / "home", auth=False, workers=0), start_runner=False)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


def test_programs_on_this_machine_act_as_the_admin(local: TestClient) -> None:
    assert local.get("/api/auth/me").json()["name"] == "admin"
    assert local.get("/api/auth/me", headers={"Host": "localhost:8000"}).status_code == 200
    made = local.post("/api/projects", json={"name": "Lab"}, headers={"X-Requested-With": "x"})
    assert made.status_code == 201, made.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "rebound.example:8000"},  # DNS rebinding: a foreign name that resolves here
        {"Host": "10.0.0.5:8000"},
        {"Origin": "http://evil.example", "X-Requested-With": "x"},
        {"Origin": "null", "X-Requested-With": "x"},
        {},  # a body-less form post from another page sends no custom header
    ],
)
def test_other_hosts_origins_and_plain_posts_are_refused(
    local: TestClient, headers: dict[str, str]
) -> None:
    answer = local.post("/api/projects", json={"name": "Lab"}, headers=headers)
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"]["code"] == "forbidden"
