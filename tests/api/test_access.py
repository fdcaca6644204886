"""Every route × every role × a foreign project: who may do what, checked from the app itself.

Routes are read from the app, so a new route is covered the day it is added. A project route's
required role comes from its dependency (`ProjectViewer`/`Editor`/`Owner`); every other API
route needs a logged-in user, except the few listed as public.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from factories import UserClient, tiny_experiment
from kozak import accounts
from kozak.server.routes import ROUTERS
from kozak.store.entities import Job
from kozak.workspace import Workspace

from .conftest import error

PUBLIC = {"/api/health", "/api/auth/login", "/api/openapi.json"}
RANK = {"viewer": 0, "editor": 1, "owner": 2}


def _dependencies(route: APIRoute) -> Iterator[Any]:
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        yield dependency.call
        pending.extend(dependency.dependencies)


def required_role(route: APIRoute) -> str | None:
    roles = [getattr(call, "required_role", None) for call in _dependencies(route)]
    return next((r for r in roles if r), None)


def api_routes() -> list[tuple[str, str, APIRoute]]:
    """(method, full path, route) of every route the app mounts under /api."""
    found = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            methods = sorted(route.methods - {"HEAD"})
            found += [(method, f"/api{route.path}", route) for method in methods]
    # Deleting the project itself goes last, or the routes after it would find nothing to check.
    return sorted(found, key=lambda r: (r[0], r[1]) == ("DELETE", "/api/projects/{project_id}"))


def fill(path: str, values: dict[str, str]) -> str:
    """`path` with its parameters filled in; event streams get `?once=1` so they end."""
    if path.endswith("/events"):
        path += "?once=1"
    for name in [p.split("}")[0].split(":")[0] for p in path.split("{")[1:]]:
        key = next((k for k in values if k in name), None)
        path = path.replace(f"{{{name}}}", values[key] if key else "x", 1).replace(
            f"{{{name}:path}}", values[key] if key else "x"
        )
    return path


@pytest.fixture
def world(
    api_workspace: Workspace, user_client: Callable[[str], UserClient], tiny_dna: Path
) -> dict[str, Any]:
    """Project A with an owner, editor and viewer; project B (foreign) with entities of its own."""
    clients = {name: user_client(name) for name in ("owner", "editor", "viewer", "outsider")}
    owner = accounts.get_user(api_workspace, "owner")
    project = accounts.create_project(api_workspace, owner, "A")
    accounts.add_member(api_workspace, project, "editor", "editor")
    accounts.add_member(api_workspace, project, "viewer", "viewer")
    outsider = accounts.get_user(api_workspace, "outsider")
    foreign = accounts.create_project(api_workspace, outsider, "B")
    experiment = tiny_experiment(api_workspace, "B", tiny_dna, name="secret-exp")
    version = api_workspace.metadata.get_dataset_version_by_id(experiment.dataset_version_id)
    job = api_workspace.metadata.enqueue_job(
        Job(project_id=foreign.id, experiment_id=experiment.id, kind="train")
    )
    foreign_ids = {
        "experiment": experiment.id,
        "dataset": version.dataset_id,
        "version": version.id,
        "job": job.id,
        "draft": "drf_0000000000000000",
    }
    return {"clients": clients, "project": project, "foreign": foreign, "foreign_ids": foreign_ids}


def test_unauthenticated_requests_are_refused_everywhere(app: FastAPI, test_client: Any) -> None:
    for method, path, _ in api_routes():
        if path in PUBLIC:
            continue
        answer = test_client.request(method, fill(path, {}), json={})
        assert answer.status_code == 401, (method, path, answer.status_code)
        assert answer.json()["error"]["code"] == "not_authenticated"


def test_each_role_gets_exactly_what_the_route_allows(app: FastAPI, world: dict[str, Any]) -> None:
    checked = 0
    for method, path, route in api_routes():
        role = required_role(route)
        if role is None:
            continue
        url = fill(path, {"project_id": world["project"].id})
        for name in ("viewer", "editor", "owner"):
            answer = world["clients"][name].request(method, url, json={})
            if RANK[name] < RANK[role]:
                assert answer.status_code == 403, (name, method, path, answer.text)
                assert answer.json()["error"]["code"] == "forbidden"
            else:
                assert answer.status_code not in (401, 403), (name, method, path, answer.text)
        outsider = world["clients"]["outsider"].request(method, url, json={})
        assert outsider.status_code == 404, (method, path, outsider.text)
        assert outsider.json()["error"]["details"] == {"project": world["project"].id}
        checked += 1
    assert checked >= 5


def test_ids_of_a_foreign_project_are_not_found(app: FastAPI, world: dict[str, Any]) -> None:
    """The owner of A, guessing B's ids inside A's paths, learns nothing about them."""
    secrets = [*world["foreign_ids"].values(), "secret-exp"]
    for method, path, route in api_routes():
        if required_role(route) is None or path.count("{") < 2:
            continue
        url = fill(path, {"project_id": world["project"].id, **world["foreign_ids"]})
        answer = world["clients"]["owner"].request(method, url, json={})
        assert answer.status_code in (404, 409, 422), (method, path, answer.status_code, answer.text)
        body = answer.text
        leaked = [s for s in secrets if s in body and s not in url]
        assert not leaked, (method, path, leaked)
    # and the foreign project itself, by id and by name
    for ref in (world["foreign"].id, "B"):
        answer = world["clients"]["owner"].get(f"/api/projects/{ref}")
        error(answer, 404)
