"""The access matrix: every route × {anonymous, viewer, editor, owner, outsider}, and every route
with an object in its path or body × a real object of another project.

Routes are read from the app, so a new route is covered the day it is added. A route's access
comes from its dependencies: `ProjectViewer`/`Editor`/`Owner` (a project role), `AdminUser`,
`CurrentUser` (any logged-in user), else public. Each route is sent a valid request (`CALLS`)
with real objects of project A (tests/seeded.py), so an allowed caller gets past validation to
the lookup and the handler: the least-privileged allowed role must get the route's success
answer, the others what their role allows (403 below it, 404 for a non-member, 401 without
log-in). `outsider` is a member of project B only. A route with a path parameter that
`PATH_KINDS` (tests/seeded.py) has no kind for, or that takes a body and has no entry in
`CALLS`, fails with a message naming it. Deployment calls (`/deployment/{id}/...`, outside
/api) answer their deployment's token only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from factories import ADMIN_PASSWORD
from kozak.server.app import create_app
from kozak.server.deps import get_admin, get_current_user
from kozak.server.routes import ROUTERS, SERVING_ROUTER
from kozak.settings import Settings
from kozak.workspace import Workspace
from seeded import CONSUMERS, PATH_KINDS, seed_workspace

FILES = Path(__file__).resolve().parents[1] / "files"
ROLES = ("anonymous", "viewer", "editor", "owner", "outsider")
RANK = {"viewer": 0, "editor": 1, "owner": 2}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# Unsafe routes a project's viewer may call: they compute an answer and change nothing.
VIEWER_MAY_CALL = {
    "POST /api/projects/{project_id}/drafts/{draft_id}/subsets/count",
    "POST /api/projects/{project_id}/graphs/validate",
    "POST /api/projects/{project_id}/experiments/validate",
    "POST /api/projects/{project_id}/experiments/compare",
    "POST /api/projects/{project_id}/deployments/{deployment_id}/try",
    "POST /api/projects/{project_id}/experiments/{experiment_id}/filters",
    "POST /api/projects/{project_id}/experiments/{experiment_id}/filters.meme",
    "POST /api/projects/{project_id}/experiments/{experiment_id}/filters/compare",
    "POST /api/projects/{project_id}/experiments/{experiment_id}/motif-effects",
    "POST /api/projects/{project_id}/experiments/{experiment_id}/explain",
}

# A two-motif MEME database for the filter comparison.
MEME_DB = "MEME version 4\n\nALPHABET= ACGT\n\n" + "".join(
    f"MOTIF {name}\nletter-probability matrix: alength= 4 w= 3\n"
    + "\n".join(" ".join("0.7" if i == j else "0.1" for j in range(4)) for i in rows)
    + "\n\n"
    for name, rows in (("start", (0, 3, 2)), ("other", (1, 1, 2)))
)

TINY_CSV = (FILES / "tiny_dna.csv").read_bytes()


class Objects:
    """The world's objects by kind for one request, remembering which kinds it used.

    `swap` puts another project's object in place of one kind (the foreign-object check).
    """

    def __init__(self, world: World, swap: tuple[str, str] | None = None) -> None:
        self.world, self.swap, self.used = world, swap, set[str]()
        self.graph, self.spec = world.graph, world.spec

    def __getitem__(self, kind: str) -> str:
        self.used.add(kind)
        if self.swap and self.swap[0] == kind:
            return self.swap[1]
        return self.world.ids[kind]

    def fresh(self, prefix: str) -> str:
        """A name no request used before."""
        return f"{prefix}-{next(self.world.counter)}"


@dataclass(frozen=True)
class Call:
    """A valid request to a route and the answers it gets.

    Attributes:
        body: The JSON body, from the world's objects.
        raw: A raw body and its content type (uploads).
        query: Query parameters.
        status: What the acting role gets; default the route's success status.
        actor: Who gets `status` on a route any user may call (default the owner; `admin`).
        others: What the other logged-in users get on such a route; default `status`.
    """

    body: Callable[[Objects], Any] | None = None
    raw: tuple[bytes, str] | None = None
    query: Callable[[Objects], dict[str, Any]] | None = None
    status: int | None = None
    actor: str = "owner"
    others: int | None = None


def _sweep(o: Objects) -> dict[str, Any]:
    space = {"dimensions": [{"name": "act", "values": ["linear"], "targets": ["out.activation"]}]}
    return {"name": o.fresh("sweep"), "base": {"experiment": o["experiment"]}, "space": space}


def _experiment(o: Objects) -> dict[str, Any]:
    return {"name": o.fresh("exp"), "dataset_version_id": o["version"], "graph": o.graph}


# A valid request for every route that takes a body, a required query or streams; the others are
# sent no body. A project route's `status` is what its least-privileged allowed role gets.
CALLS: dict[str, Call] = {
    "POST /api/auth/login": Call(body=lambda o: {"name": "viewer", "password": "viewer-password"}),
    "POST /api/users": Call(body=lambda o: {"name": o.fresh("user"), "password": "long-password"}),
    "PUT /api/users/{user_ref}/password": Call(
        body=lambda o: {"password": "another-password"}, actor="admin", others=403
    ),
    "POST /api/tokens": Call(body=lambda o: {"name": o.fresh("token")}),
    "DELETE /api/tokens/{token_id}": Call(others=404),
    "POST /api/projects": Call(body=lambda o: {"name": o.fresh("project")}),
    "PUT /api/projects/{project_id}/members": Call(
        body=lambda o: {"user": "bystander", "role": "viewer"}
    ),
    "PUT /api/projects/{project_id}/reference-lines": Call(
        body=lambda o: {"lines": [{"name": "Paper", "metric": "pearson_r2", "value": 0.62}]}
    ),
    "POST /api/projects/{project_id}/drafts": Call(body=lambda o: {"name": o.fresh("draft")}),
    "PATCH /api/projects/{project_id}/drafts/{draft_id}": Call(body=lambda o: {"description": "edited"}),
    "PUT /api/projects/{project_id}/drafts/{draft_id}/files/{filename}": Call(
        raw=(TINY_CSV, "application/octet-stream")
    ),
    "POST /api/projects/{project_id}/drafts/{draft_id}/urls": Call(
        # refused by the address guard after the draft was found, as an upstream that did not
        # answer (502, the one answer for both, by design): no request leaves the machine
        body=lambda o: {"url": "http://127.0.0.1:9/data.csv"},
        status=502,
    ),
    "PATCH /api/projects/{project_id}/drafts/{draft_id}/features/{feature}": Call(
        body=lambda o: {"normalization": "minmax"}
    ),
    "POST /api/projects/{project_id}/drafts/{draft_id}/subsets": Call(
        body=lambda o: {"name": o.fresh("half"), "kind": "random", "end": 50}
    ),
    "POST /api/projects/{project_id}/drafts/{draft_id}/subsets/count": Call(
        body=lambda o: {"name": "half", "kind": "random", "end": 50}
    ),
    "PATCH /api/projects/{project_id}/drafts/{draft_id}/options": Call(
        body=lambda o: {"drop_missing": True}
    ),
    "PUT /api/projects/{project_id}/drafts/{draft_id}/spec": Call(body=lambda o: o.spec),
    "POST /api/projects/{project_id}/drafts/{draft_id}/save": Call(
        body=lambda o: {"version_name": "saved"}
    ),
    "GET /api/projects/{project_id}/datasets/{dataset}/versions/{version}/diff": Call(
        query=lambda o: {"against": o["version"]}
    ),
    "POST /api/projects/{project_id}/data-api": Call(body=lambda o: {"name": o.fresh("wrapped")}),
    "POST /api/projects/{project_id}/sweeps": Call(body=lambda o: _sweep(o)),
    "POST /api/projects/{project_id}/designs": Call(
        body=lambda o: {
            "experiments": [o["experiment"]],
            "settings": {"rounds": 1},
            "starts": {"source": "text", "text": ">u1\nACGTACGTAC\n"},
        }
    ),
    "POST /api/projects/{project_id}/data-api/{draft_id}/upload": Call(raw=(TINY_CSV, "text/csv")),
    "POST /api/projects/{project_id}/data-api/{draft_id}/upload_complete": Call(body=lambda o: {}),
    "POST /api/projects/{project_id}/graphs/validate": Call(
        body=lambda o: {"graph": o.graph, "dataset_version_id": o["version"]}
    ),
    "POST /api/projects/{project_id}/experiments": Call(body=_experiment),
    "POST /api/projects/{project_id}/experiments/wizard": Call(
        body=lambda o: {
            "name": o.fresh("wizard"),
            "dataset": o["dataset"],
            "version": o["version"],
            "preset": "cuperus2017-tutorial",
            "training_subset": "training",
            "validation_subset": "validation",
        }
    ),
    "POST /api/projects/{project_id}/experiments/validate": Call(
        body=lambda o: {"dataset_version_id": o["version"], "graph": o.graph}
    ),
    "POST /api/projects/{project_id}/experiments/compare": Call(
        body=lambda o: {"experiment_ids": [o["experiment"], o["experiment_queued"]]}
    ),
    "PATCH /api/projects/{project_id}/experiments/{experiment_id}": Call(
        body=lambda o: {"name": "trained"}
    ),
    "POST /api/projects/{project_id}/experiments/{experiment_id}/continue": Call(
        body=lambda o: {"epochs": 1}
    ),
    "POST /api/projects/{project_id}/experiments/{experiment_id}/clone": Call(
        body=lambda o: {"name": o.fresh("clone")}
    ),
    "POST /api/projects/{project_id}/experiments/{experiment_id}/evaluate": Call(
        body=lambda o: {"checkpoint": "best"}
    ),
    "POST /api/projects/{project_id}/experiments/{experiment_id}/filters": Call(
        body=lambda o: {"settings": {"influence_sequences": 8}}
    ),
    "POST /api/projects/{project_id}/experiments/{experiment_id}/filters.meme": Call(
        body=lambda o: {"settings": {"threshold": 0.3}}
    ),
    "POST /api/projects/{project_id}/experiments/{experiment_id}/filters/compare": Call(
        body=lambda o: {"database": MEME_DB, "settings": {"influence_sequences": 0}}
    ),
    "POST /api/projects/{project_id}/experiments/{experiment_id}/motif-effects": Call(
        body=lambda o: {"settings": {"motif": "ATG", "sequences": 20}}
    ),
    "POST /api/projects/{project_id}/experiments/{experiment_id}/explain": Call(
        body=lambda o: {"sequences": ["ACGTACGTAC"], "method": "ism"}
    ),
    "GET /api/projects/{project_id}/events": Call(query=lambda o: {"once": 1}),
    "GET /api/projects/{project_id}/experiments/{experiment_id}/events": Call(
        query=lambda o: {"once": 1}
    ),
    "GET /api/projects/{project_id}/designs/{design_id}/events": Call(query=lambda o: {"once": 1}),
    "POST /api/projects/{project_id}/deployments": Call(
        body=lambda o: {"experiment": o["experiment"], "name": o.fresh("deployed")}
    ),
    "PATCH /api/projects/{project_id}/deployments/{deployment_id}": Call(
        body=lambda o: {"enabled": True}
    ),
    "POST /api/projects/{project_id}/deployments/{deployment_id}/try": Call(
        body=lambda o: {"rows": [{"seq": "ACGTACGTAC"}]}
    ),
}


def _dependencies(route: APIRoute) -> Iterator[Any]:
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        yield dependency.call
        pending.extend(dependency.dependencies)


def access(route: APIRoute) -> str:
    """`viewer`, `editor` or `owner` (a project role), `admin`, `user` (logged in) or `public`."""
    calls = list(_dependencies(route))
    roles = [getattr(call, "required_role", None) for call in calls]
    role = next((r for r in roles if r), None)
    if role:
        return role
    if get_admin in calls:
        return "admin"
    return "user" if get_current_user in calls else "public"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    route: APIRoute

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def access(self) -> str:
        return access(self.route)

    @property
    def success(self) -> int:
        return self.route.status_code or 200

    @property
    def kinds(self) -> dict[str, str]:
        """Path parameter -> the kind of object it addresses (a spare for routes that consume one)."""
        found, parts = {}, self.path.split("/")
        for before, part in itertools.pairwise(parts):
            if part.startswith("{"):
                key = f"{before}/{part}"
                assert key in PATH_KINDS, (
                    f"{self.label}: no kind of object for `{key}`; add it to PATH_KINDS and a real "
                    "one to seed_project in tests/seeded.py"
                )
                kind = PATH_KINDS[key]
                found[part.strip("{}").split(":")[0]] = CONSUMERS.get(self.label, {}).get(kind, kind)
        return found

    def call(self) -> Call:
        """The route's entry in CALLS, which a route with a body, a required query or a stream needs."""
        if self.label in CALLS:
            return CALLS[self.label]
        dependant = self.route.dependant
        needs = (
            dependant.body_params
            or (self.route.openapi_extra or {}).get("requestBody")
            or any(p.field_info.is_required() for p in dependant.query_params)
            or self.route.response_class is StreamingResponse
        )
        assert not needs, (
            f"{self.label} takes a body, a required query or streams: add a valid request for it "
            "to CALLS in tests/api/test_access.py"
        )
        return Call()


def api_routes() -> list[Route]:
    """Every route the app mounts under /api, in the order the routers are mounted."""
    found = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            found += [Route(m, f"/api{route.path}", route) for m in sorted(route.methods - {"HEAD"})]
    return found


@dataclass
class World:
    """One app on one workspace for the module: project A (owner, editor, viewer) and project B
    of `outsider`, each seeded with one object of every kind."""

    client: TestClient
    workspace: Workspace
    tokens: dict[str, str]
    ids: dict[str, str]
    foreign: dict[str, str]
    graph: dict[str, Any]
    spec: dict[str, Any]
    counter: Iterator[int] = field(default_factory=itertools.count)

    def foreign_of(self, kind: str) -> str | None:
        """B's object of `kind` (of the kind a spare stands in for), None for names: files,
        features, subsets and presets are called the same in both projects."""
        other = self.foreign.get(kind) or self.foreign.get(kind.split("_")[0])
        return other if other is not None and other != self.ids.get(kind) else None

    def send(self, who: str, route: Route, call: Call, objects: Objects) -> Any:
        """`route` as `who` with `call`'s request, its objects from `objects`."""
        path = route.path
        for parameter, kind in route.kinds.items():
            path = path.replace(f"{{{parameter}}}", objects[kind])
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}
        kwargs: dict[str, Any] = {"params": call.query(objects) if call.query else None}
        if call.raw:
            kwargs["content"] = call.raw[0]
            headers["Content-Type"] = call.raw[1]
        elif call.body:
            kwargs["json"] = call.body(objects)
        answer = self.client.request(route.method, path, headers=headers, **kwargs)
        self.client.cookies.clear()  # a log-in's session cookie must not follow the next caller
        return answer


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("access") / "home"
    app = create_app(Settings(home=home, admin_password=ADMIN_PASSWORD, workers=0), start_runner=False)
    with TestClient(app) as client:
        workspace: Workspace = app.state.workspace
        seeded = seed_workspace(workspace, FILES / "tiny_dna.csv")
        tokens, ids = seeded.tokens, seeded.ids
        graph = workspace.metadata.get_experiment(ids["project"], ids["experiment"]).graph
        owner = {"Authorization": f"Bearer {tokens['owner']}"}
        draft = client.get(f"/api/projects/{ids['project']}/drafts/{ids['draft']}", headers=owner)
        yield World(client, workspace, tokens, ids, seeded.foreign, graph, draft.json()["spec"])


def expected(route: Route, call: Call, who: str, first_allowed: str | None) -> int | None:
    """The status `who` must get, or None where any answer of the handler will do (an allowed
    role after the first on an unsafe route, whose object the first may have consumed)."""
    role, success = route.access, call.status or route.success
    if role == "public":
        return success
    if who == "anonymous":
        return 401
    if role == "admin":
        return success if who == "admin" else 403
    if role == "user":
        if who == call.actor:
            return success
        return call.others if call.others is not None else success
    if who == "outsider":
        return 404
    if RANK[who] < RANK[role]:
        return 403
    if who == first_allowed or route.method not in UNSAFE:
        return success
    return None


def test_every_route_answers_every_role_as_its_access_says(world: World) -> None:
    cases = 0
    for route in api_routes():
        call = route.call()
        role = route.access
        allowed = [r for r in ("viewer", "editor", "owner") if role in RANK and RANK[r] >= RANK[role]]
        extra = ["admin"] if role == "admin" or call.actor == "admin" else []
        for who in (*ROLES, *extra):
            answer = world.send(who, route, call, Objects(world))
            want = expected(route, call, who, allowed[0] if allowed else None)
            where = (who, route.label, answer.status_code, answer.text[:300])
            if want is None:
                handled = answer.status_code not in (401, 403, 422) and answer.status_code < 500
                assert handled or answer.status_code == (call.status or route.success), where
            else:
                assert answer.status_code == want, where
            if want in (401, 403, 404) and answer.status_code == want:
                code = {401: "not_authenticated", 403: "forbidden", 404: "not_found"}[want]
                assert answer.json()["error"]["code"] == code, where
            if who == "outsider" and role in RANK:
                project = world.ids[route.kinds["project_id"]]
                assert answer.json()["error"]["details"] == {"project": project}, where
            cases += 1
    print(f"access matrix: {cases} route × role cases")
    assert cases >= 5 * len(api_routes())


def test_objects_of_another_project_are_not_found(world: World) -> None:
    """The owner of A, naming B's objects in A's routes (path or body), learns nothing of them."""
    secrets = set(world.foreign.values()) - set(world.ids.values())
    cases = 0
    for route in api_routes():
        if route.access == "public":
            continue
        call = route.call()
        probe = Objects(world)
        used = set(route.kinds.values())
        if call.body:
            call.body(probe)
            used |= probe.used
        for kind in sorted(used):
            other = world.foreign_of(kind)
            if other is None:
                continue
            objects = Objects(world, swap=(kind, other))
            answer = world.send("owner", route, call, objects)
            where = (kind, route.label, answer.status_code, answer.text[:300])
            assert answer.status_code == 404, where
            assert answer.json()["error"]["code"] == "not_found", where
            leaked = [s for s in secrets if s in answer.text and s != other]
            assert not leaked, where
            cases += 1
    print(f"foreign objects: {cases} route × kind cases")
    for ref in (world.foreign["project"], "B"):
        answer = world.client.get(
            f"/api/projects/{ref}", headers={"Authorization": f"Bearer {world.tokens['owner']}"}
        )
        assert answer.status_code == 404, answer.text


SERVING_BODIES = {
    "forward": {"rows": [{"seq": "ACGTACGTAC"}]},
    "variant-effect": {"variants": [{"reference": "ACGTATGC", "alternative": "ACGTTTGC"}]},
    "design": {"sequences": ["ACGTACGTAC"], "settings": {"rounds": 1}},
    "explain": {"sequences": ["ACGTACGTAC"], "method": "saliency"},
}


def test_deployment_calls_need_that_deployments_token(world: World) -> None:
    """`/deployment/{id}/...` answers its own token only: no user's API token, no other
    deployment's token, and the same 401 whether or not the id exists."""
    cases = 0
    for route in SERVING_ROUTER.routes:
        assert isinstance(route, APIRoute)
        [method] = route.methods - {"HEAD"}
        action = route.path.rsplit("/", 1)[1]
        body = SERVING_BODIES.get(action)
        assert method == "GET" or body, f"{method} {route.path}: add a valid body to SERVING_BODIES"
        url = route.path.replace("{deployment_id}", world.ids["deployment"])
        tokens = {
            **{f"user {who}": world.tokens[who] for who in (*ROLES[1:], "admin")},
            "another deployment's": world.foreign["deployment_token"],
            "this deployment's": world.ids["deployment_token"],
        }
        for who, token in {"no one": None, **tokens}.items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            answer = world.client.request(method, url, headers=headers, json=body)
            want = 200 if who == "this deployment's" else 401
            assert answer.status_code == want, (who, method, route.path, answer.text[:300])
            cases += 1
    print(f"deployment calls: {cases} route × token cases")


def test_unsafe_methods_need_an_editor_unless_listed() -> None:
    for route in api_routes():
        if route.method in UNSAFE and route.access == "viewer":
            assert route.label in VIEWER_MAY_CALL, (
                f"{route.label} changes something but a viewer may call it: require ProjectEditor, "
                "or list it in VIEWER_MAY_CALL if it only computes an answer"
            )


def test_every_route_has_its_objects_and_a_valid_request() -> None:
    """What the matrix needs for each route, checked up front so a new route fails by name."""
    for route in api_routes():
        route.kinds  # noqa: B018  # asserts every path parameter has a kind
        route.call()
