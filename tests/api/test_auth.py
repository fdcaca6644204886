"""Log-in, sessions with CSRF, API tokens, users, projects and members over HTTP."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from factories import ADMIN_PASSWORD, UserClient
from kozak import accounts
from kozak.settings import Settings
from kozak.workspace import Workspace

from .conftest import error


def test_health_needs_no_login(test_client: TestClient) -> None:
    answer = test_client.get("/api/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok" and answer.json()["version"]


def test_openapi_has_stable_operation_ids(test_client: TestClient) -> None:
    schema = test_client.get("/api/openapi.json").json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"projects-create_project", "auth-login", "tokens-create_token", "health-health"} <= ids


def test_unauthenticated_requests_get_401_in_the_error_shape(test_client: TestClient) -> None:
    answer = test_client.get("/api/projects")
    error(answer, 401)
    assert answer.json()["error"]["code"] == "not_authenticated"
    bad = test_client.get("/api/projects", headers={"Authorization": "Bearer kzk_nope"})
    error(bad, 401)


def test_browser_session_with_csrf(test_client: TestClient) -> None:
    wrong = test_client.post("/api/auth/login", json={"name": "admin", "password": "nope-nope"})
    error(wrong, 401)
    login = test_client.post("/api/auth/login", json={"name": "admin", "password": ADMIN_PASSWORD})
    assert login.status_code == 200
    cookie = login.headers["set-cookie"]
    assert "kozak_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    csrf = login.json()["csrf_token"]
    assert test_client.get("/api/auth/me").json()["name"] == "admin"
    refused = test_client.post("/api/projects", json={"name": "Lab"})
    error(refused, 403)
    assert "X-CSRF-Token" in refused.json()["error"]["message"]
    made = test_client.post("/api/projects", json={"name": "Lab"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201 and made.json()["role"] == "owner"
    out = test_client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    error(test_client.get("/api/auth/me"), 401)


def test_tokens_over_http(client: UserClient, test_client: TestClient) -> None:
    created = client.post("/api/tokens", json={"name": "notebook"})
    assert created.status_code == 201
    secret, token_id = created.json()["token"], created.json()["id"]
    mine = UserClient(test_client, secret)
    assert mine.get("/api/auth/me").json()["name"] == "admin"
    listed = client.get("/api/tokens").json()
    assert listed["count"] == 2 and all("token" not in t for t in listed["data"])
    assert client.delete(f"/api/tokens/{token_id}").json()["revoked_at"] is not None
    error(mine.get("/api/auth/me"), 401)


def test_only_admins_create_users(client: UserClient, user_client: Callable[[str], UserClient]) -> None:
    ada = user_client("ada")
    refused = ada.post("/api/users", json={"name": "eve", "password": "long enough"})
    error(refused, 403)
    made = client.post("/api/users", json={"name": "eve", "password": "long enough"})
    assert made.status_code == 201 and made.json()["name"] == "eve"
    short = client.post("/api/users", json={"name": "bob", "password": "short"})
    error(short, 422)
    assert short.json()["error"]["details"]["field"] == "password"
    typo = client.post("/api/users", json={"name": "bob", "password": "long enough", "admin": True})
    error(typo, 422)
    assert "admin" in typo.json()["error"]["message"]


def test_password_change(test_client: TestClient, user_client: Callable[[str], UserClient]) -> None:
    ada = user_client("ada")
    change = {"password": "new password", "current_password": "x"}
    wrong = ada.put("/api/users/ada/password", json=change)
    error(wrong, 401)
    ok = ada.put(
        "/api/users/ada/password", json={"password": "new password", "current_password": "ada-password"}
    )
    assert ok.status_code == 204
    login = test_client.post("/api/auth/login", json={"name": "ada", "password": "new password"})
    assert login.status_code == 200
    other = ada.put("/api/users/admin/password", json={"password": "hijacked!"})
    error(other, 403)


def test_projects_and_members(client: UserClient, user_client: Callable[[str], UserClient]) -> None:
    ada, bob = user_client("ada"), user_client("bob")
    project = client.post("/api/projects", json={"name": "Yeast Blog"}).json()
    error(ada.get(f"/api/projects/{project['id']}"), 404)
    assert ada.get("/api/projects").json() == {"data": [], "count": 0, "next_cursor": None}
    added = client.put(f"/api/projects/{project['id']}/members", json={"user": "ada", "role": "viewer"})
    assert added.json() == {"user_id": added.json()["user_id"], "user": "ada", "role": "viewer"}
    assert ada.get("/api/projects/Yeast Blog").json()["role"] == "viewer"
    refused = ada.put(f"/api/projects/{project['id']}/members", json={"user": "bob", "role": "owner"})
    error(refused, 403)
    assert refused.json()["error"]["code"] == "forbidden"
    error(bob.get(f"/api/projects/{project['id']}/members"), 404)
    members = client.get(f"/api/projects/{project['id']}/members").json()
    assert {m["user"]: m["role"] for m in members["data"]} == {"admin": "owner", "ada": "viewer"}
    last = client.delete(f"/api/projects/{project['id']}/members/admin")
    error(last, 409)
    assert client.delete(f"/api/projects/{project['id']}/members/ada").status_code == 204
    error(ada.get(f"/api/projects/{project['id']}"), 404)
    assert client.delete(f"/api/projects/{project['id']}").status_code == 204
    assert client.get("/api/projects").json()["count"] == 0


def test_unknown_api_paths_and_methods_use_the_error_shape(client: UserClient) -> None:
    missing = client.get("/api/nothing-here")
    error(missing, 404)
    assert missing.json()["error"]["code"] == "not_found"
    wrong_method = client.request("PATCH", "/api/health")
    error(wrong_method, 405)
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


def test_failed_log_ins_are_throttled_with_retry_after(test_client: TestClient) -> None:
    attempts = Settings.model_fields["login_attempts"].default
    for _ in range(attempts):
        wrong = test_client.post("/api/auth/login", json={"name": "admin", "password": "nope-nope"})
        assert wrong.status_code == 401
    refused = test_client.post("/api/auth/login", json={"name": "admin", "password": ADMIN_PASSWORD})
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "too_many_requests"


def test_a_project_cannot_be_named_like_an_id(client: UserClient) -> None:
    made = client.post("/api/projects", json={"name": "Lab"}).json()
    answer = client.post("/api/projects", json={"name": made["id"]})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["details"]["field"] == "name"


def test_another_users_project_name_is_neither_revealed_nor_reached(
    client: UserClient, user_client: Callable[[str], UserClient]
) -> None:
    secret = client.post("/api/projects", json={"name": "Secret screen"}).json()
    ada = user_client("ada")
    hers = ada.post("/api/projects", json={"name": "Secret screen"})
    assert hers.status_code == 201, hers.text  # no 409 telling her the name is someone's
    assert ada.get("/api/projects/Secret screen").json()["id"] == hers.json()["id"]
    assert client.get("/api/projects/Secret screen").json()["id"] == secret["id"]
    again = ada.post("/api/projects", json={"name": "Secret screen"})
    error(again, 409)
    assert again.json()["error"]["message"] == "you already have a project named 'Secret screen'"
    # Shared with her, the admin's project is reached by id; its name, now also hers, is ambiguous.
    client.put(f"/api/projects/{secret['id']}/members", json={"user": "ada", "role": "viewer"})
    assert ada.get(f"/api/projects/{secret['id']}").json()["name"] == "Secret screen"
    error(ada.get("/api/projects/Secret screen"), 422)


def test_a_password_change_ends_every_other_session_and_token(
    app: FastAPI, test_client: TestClient, api_workspace: Workspace, client: UserClient
) -> None:
    accounts.create_user(api_workspace, "ada", "ada-password")
    ada = accounts.get_user(api_workspace, "ada")
    _, laptop = accounts.create_token(api_workspace, ada, "laptop")
    _, phone = accounts.create_token(api_workspace, ada, "phone")
    with TestClient(app) as thief:  # a browser logged in with the old password
        assert thief.post("/api/auth/login", json={"name": "ada", "password": "ada-password"}).is_success
        change = {"password": "new password", "current_password": "ada-password"}
        done = test_client.put(
            "/api/users/ada/password", json=change, headers={"Authorization": f"Bearer {laptop}"}
        )
        assert done.status_code == 204, done.text
        assert thief.get("/api/auth/me").status_code == 401
    me = {"Authorization": f"Bearer {laptop}"}
    assert test_client.get("/api/auth/me", headers=me).status_code == 200  # the one it came with
    stolen = {"Authorization": f"Bearer {phone}"}
    assert test_client.get("/api/auth/me", headers=stolen).status_code == 401
    reset = client.put("/api/users/ada/password", json={"password": "admin-chosen"})
    assert reset.status_code == 204
    assert test_client.get("/api/auth/me", headers=me).status_code == 401  # an admin's reset: all


def test_an_admin_disables_and_enables_a_user(
    app: FastAPI, test_client: TestClient, api_workspace: Workspace, client: UserClient
) -> None:
    ada = accounts.create_user(api_workspace, "ada", "ada-password")
    _, secret = accounts.create_token(api_workspace, ada, "laptop")
    as_ada = {"Authorization": f"Bearer {secret}"}
    with TestClient(app) as browser:
        assert browser.post(
            "/api/auth/login", json={"name": "ada", "password": "ada-password"}
        ).is_success
        assert test_client.post("/api/users/ada/disable", headers=as_ada).status_code == 403
        disabled = client.post("/api/users/ada/disable")
        assert disabled.status_code == 200 and disabled.json()["disabled"] is True
        assert browser.get("/api/auth/me").status_code == 401  # the open session ended
    assert test_client.get("/api/auth/me", headers=as_ada).status_code == 401  # and the token
    login = test_client.post("/api/auth/login", json={"name": "ada", "password": "ada-password"})
    assert login.status_code == 403 and "disabled" in login.json()["error"]["message"]
    assert client.post("/api/users/ada/enable").json()["disabled"] is False
    again = test_client.post("/api/auth/login", json={"name": "ada", "password": "ada-password"})
    assert again.status_code == 200
    last = client.post("/api/users/admin/disable")
    assert last.status_code == 409  # the last enabled administrator stays


def test_reference_lines_are_the_projects_and_set_by_editors(
    client: UserClient, user_client: Callable[[str], UserClient]
) -> None:
    project = client.post("/api/projects", json={"name": "Replication"}).json()
    assert project["reference_lines"] == []
    lines = f"/api/projects/{project['id']}/reference-lines"
    paper = {"name": "Paper (test)", "metric": "spearman_r", "value": 0.71}
    target = {"name": "Target", "metric": "mae", "value": 0.2}
    answer = client.put(lines, json={"lines": [paper, target]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["reference_lines"] == [paper, target]
    assert client.get(f"/api/projects/{project['id']}").json()["reference_lines"] == [paper, target]

    twice = error(client.put(lines, json={"lines": [paper, {**target, "name": "Paper (test)"}]}), 422)
    assert twice["message"].startswith("lines.2.name: 'Paper (test)' names another line")
    error(client.put(lines, json={"lines": [{**paper, "metric": "Pearson r²"}]}), 422)
    error(client.put(lines, json={"lines": [{**paper, "value": "NaN"}]}), 422)
    viewer = user_client("vic")
    client.put(f"/api/projects/{project['id']}/members", json={"user": "vic", "role": "viewer"})
    error(viewer.put(lines, json={"lines": []}), 403)
    assert client.put(lines, json={"lines": []}).json()["reference_lines"] == []
