"""API fixtures: an in-process app on a temporary workspace and clients acting as users.

`client` is the admin (an API token); `user_client(name)` makes another user and a client
for them. Jobs are not picked up by workers here (`start_runner=False`): tests that need
training run `Worker.run_one()` themselves or use a real server process. `ok` and `error`
check an answer's status and, for an error, the one error shape on the wire.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from factories import ADMIN_PASSWORD, UserClient, tiny_version
from kozak import accounts
from kozak.server.app import create_app
from kozak.settings import Settings
from kozak.store.entities import DatasetVersion
from kozak.workspace import Workspace


def ok(answer: Any, status: int = 200) -> Any:
    """The JSON of a successful answer (None when it has no body), after checking its status."""
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def error(answer: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The `error` of a failed answer, after checking its status, the error shape and the code.

    Deployment routes also carry Peltarion's `errorCode`/`errorMessage`, the same code and message.
    """
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body["error"]) == {"code", "message", "details"}, body
    peltarion = {k: body.pop(k) for k in ("errorCode", "errorMessage") if k in body}
    assert set(body) == {"error"}, body
    if peltarion:
        assert peltarion == {
            "errorCode": body["error"]["code"],
            "errorMessage": body["error"]["message"],
        }
    if code is not None:
        assert body["error"]["code"] == code, body
    return dict(body["error"])


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    # List pages in this process: a bulk process per app would cost every test a start-up
    # (tests/api/test_bulk.py tests them there).
    return Settings(home=tmp_path / "home", admin_password=ADMIN_PASSWORD, workers=0, bulk_processes=0)


@pytest.fixture
def app(api_settings: Settings) -> FastAPI:
    return create_app(api_settings, start_runner=False)


@pytest.fixture
def test_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as raw:
        yield raw


@pytest.fixture
def api_workspace(app: FastAPI, test_client: TestClient) -> Workspace:
    """The workspace the running app uses."""
    workspace: Workspace = app.state.workspace
    return workspace


@pytest.fixture
def client(test_client: TestClient, api_workspace: Workspace) -> UserClient:
    """The admin, authenticated with an API token."""
    admin = accounts.get_user(api_workspace, "admin")
    _, secret = accounts.create_token(api_workspace, admin, "tests")
    return UserClient(test_client, secret)


@pytest.fixture
def user_client(test_client: TestClient, api_workspace: Workspace) -> Callable[[str], UserClient]:
    """Make a user (password `<name>-password`) and a client authenticated as them."""

    def make(name: str) -> UserClient:
        user = accounts.create_user(api_workspace, name, f"{name}-password")
        _, secret = accounts.create_token(api_workspace, user, "tests")
        return UserClient(test_client, secret)

    return make


@pytest.fixture
def project_id(client: UserClient) -> str:
    """A project "Yeast" owned by the admin."""
    response = client.post("/api/projects", json={"name": "Yeast"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
def version(api_workspace: Workspace, project_id: str, tiny_dna: Path) -> DatasetVersion:
    """`tiny_version` in the "Yeast" project."""
    return tiny_version(api_workspace, "Yeast", tiny_dna)


@pytest.fixture
def empty_experiment(client: UserClient, project_id: str, version: DatasetVersion) -> dict[str, Any]:
    """An experiment "one" of an empty graph on `version`, as the API created it."""
    graph = {"name": "g", "nodes": [], "edges": []}
    body = {"name": "one", "dataset_version_id": version.id, "graph": graph}
    created: dict[str, Any] = ok(client.post(f"/api/projects/{project_id}/experiments", json=body), 201)
    return created
