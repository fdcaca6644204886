"""Datasets over HTTP: the tutorial's upload-edit-save flow, versions, and every refusal.

Runs on SQLite and, when `KOZAK_TEST_DATABASE_URL` is set, on PostgreSQL too.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import threading
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest
from fastapi import FastAPI

from factories import ADMIN_PASSWORD, UserClient
from kozak.settings import Settings
from kozak.store.entities import Experiment
from kozak.workspace import Workspace

from .conftest import error, ok

DEFAULT_LIMIT = Settings.model_fields["max_upload_bytes"].default


@pytest.fixture
def upload_limit() -> int:
    return int(DEFAULT_LIMIT)


@pytest.fixture
def url_import_allow() -> list[str]:
    return ["127.0.0.1"]  # the local test server


@pytest.fixture
def api_settings(
    tmp_path: Path, database_url: str, upload_limit: int, url_import_allow: list[str]
) -> Settings:
    """The app's settings on each metadata backend, with the upload limit a test asks for."""
    return Settings(
        home=tmp_path / "home",
        admin_password=ADMIN_PASSWORD,
        workers=0,
        database_url=database_url,
        max_upload_bytes=upload_limit,
        url_import_allow=url_import_allow,
    )


def tutorial_files(rows: int = 60, length: int = 50) -> tuple[bytes, bytes]:
    """The tutorial's two uploads: a CSV (index, gr, t0, condition) and a one-hot NPY (N, 4, L)."""
    rng = np.random.default_rng(7)
    lines = [",gr,t0,condition"]
    for i in range(rows):
        lines.append(f"{i},{rng.normal():.4f},{int(rng.integers(10, 500))},{'T' if i % 4 else 'V'}")
    codes = rng.integers(0, 4, (rows, length))
    onehot = np.eye(4, dtype=np.float32)[codes].transpose(0, 2, 1)  # (N, 4, L)
    buffer = io.BytesIO()
    np.save(buffer, onehot)
    return ("\n".join(lines) + "\n").encode(), buffer.getvalue()


@pytest.fixture
def project(client: UserClient) -> str:
    return str(ok(client.post("/api/projects", json={"name": "Yeast"}), 201)["id"])


@pytest.fixture
def draft_url(client: UserClient, project: str) -> str:
    draft = ok(client.post(f"/api/projects/{project}/drafts", json={"name": "Tutorial"}), 201)
    return f"/api/projects/{project}/drafts/{draft['id']}"


def test_tutorial_flow(
    client: UserClient, project: str, draft_url: str, api_workspace: Workspace
) -> None:
    csv, npy = tutorial_files()
    ok(client.put(f"{draft_url}/files/data.csv", content=csv))
    view = ok(client.put(f"{draft_url}/files/onehot.npy", content=npy))
    types = {f["name"]: f["type"] for f in view["features"]}
    assert types == {
        "index": "integer",
        "gr": "float",
        "t0": "integer",
        "condition": "categorical",
        "onehot": "sequence",
    }
    assert [f["name"] for f in view["files"]] == ["data.csv", "onehot.npy"]
    assert view["row_count"] == 60 and len(view["preview"]) == 10 and view["error"] is None

    ok(client.patch(f"{draft_url}/features/gr", json={"name": "growth_rate", "normalization": "zscore"}))
    encoding = {"alignment": "right", "length": 50, "padding": 10}
    view = ok(client.patch(f"{draft_url}/features/onehot", json={"name": "seq", "encoding": encoding}))
    seq = next(f for f in view["features"] if f["name"] == "seq")
    assert seq["sequence"]["padding"] == 10 and seq["tensor_shape"] == [4, 70]
    assert len(view["preview"][0]["seq"]) == 50  # shown as letters, not a 4 × 50 array

    for name in ("training", "validation"):
        ok(client.delete(f"{draft_url}/subsets/{name}"))
    condition = {"feature": "condition", "op": "==", "value": "T"}
    subsets: list[dict[str, Any]] = [
        {"name": "training", "kind": "filter", "conditions": [condition]},
        {"name": "validation", "kind": "filter", "conditions": [{**condition, "value": "V"}]},
        {"name": "deep", "kind": "rank", "feature": "t0", "percent": 10, "within": ["validation"]},
        {"name": "sample", "kind": "random", "end": 50, "seed": 1},
    ]
    for subset in subsets:
        view = ok(client.post(f"{draft_url}/subsets", json=subset))
    negative = client.post(f"{draft_url}/subsets", json={**subsets[-1], "name": "s2", "seed": -1})
    assert negative.status_code == 422 and "seed" in negative.text  # was numpy's 500
    counts = {s["definition"]["name"]: s["rows"] for s in view["subsets"]}
    assert counts["training"] == 45 and counts["validation"] == 15 and counts["deep"] == 2
    view = ok(client.patch(f"{draft_url}/options", json={"normalize_on": "training"}))
    assert view["spec"]["normalize_on"] == "training"
    assert {w["code"] for w in view["warnings"]} == {"subset_overlap"}  # sample overlaps the rest
    stats = ok(client.get(f"{draft_url}?rows=2&stats=true"))
    assert (
        len(stats["preview"]) == 2
        and stats["stats"]["subsets"]["training"]["growth_rate"]["count"] == 45
    )

    v1 = ok(client.post(f"{draft_url}/save", json={}), 201)
    assert v1["name"] == "v1" and v1["row_count"] == 60 and v1["subset_counts"]["training"] == 45
    assert ok(client.get(f"/api/projects/{project}/drafts"))["count"] == 0
    error(client.get(draft_url), 404, "not_found")

    datasets = f"/api/projects/{project}/datasets"
    edit = ok(client.post(f"{datasets}/Tutorial/versions/v1/draft"), 201)
    assert edit["dataset_id"] == v1["dataset_id"] and edit["files"][0]["version_id"] == v1["id"]
    edit_url = f"/api/projects/{project}/drafts/{edit['id']}"
    ok(client.delete(f"{edit_url}/subsets/sample"))
    v2 = ok(client.post(f"{edit_url}/save", json={"version_name": "no-sample"}), 201)
    assert v2["name"] == "no-sample" and v2["dataset_id"] == v1["dataset_id"]

    listed = ok(client.get(datasets))
    assert listed["count"] == 1 and [v["name"] for v in listed["data"][0]["versions"]] == [
        "v1",
        "no-sample",
    ]
    holder = ok(client.get(datasets, params={"version": v2["id"]}))
    assert holder["count"] == 1 and holder["data"][0]["id"] == v1["dataset_id"]
    assert ok(client.get(datasets, params={"version": "dsv_unknown"}))["count"] == 0
    versions = ok(client.get(f"{datasets}/{v1['dataset_id']}/versions"))
    assert [v["id"] for v in versions["data"]] == [v1["id"], v2["id"]]
    detail = ok(client.get(f"{datasets}/Tutorial/versions/v1"))
    assert [s["file"] for s in detail["sources"]] == ["data.csv", "onehot.npy"]
    assert detail["spec"]["features"][1]["stats"]["mean"] is not None and "all" in detail["stats"]
    diff = ok(client.get(f"{datasets}/Tutorial/versions/no-sample/diff?against=v1"))
    assert diff["subsets"]["removed"] == ["sample"] and diff["rows"] == [60, 60]
    preview = ok(client.get(f"{datasets}/Tutorial/versions/v1/preview?rows=3"))
    assert len(preview["rows"]) == 3 and preview["rows"][0]["condition"] == "V"
    assert len(preview["rows"][0]["seq"]) == 50 and preview["row_count"] == 60

    ok(client.delete(f"{datasets}/Tutorial"), 204)
    assert ok(client.get(datasets))["count"] == 0
    assert (
        api_workspace.artifacts.list("datasets") == [] and api_workspace.artifacts.list("drafts") == []
    )


def test_a_dataset_in_use_is_not_deleted(
    client: UserClient, project: str, draft_url: str, api_workspace: Workspace, tiny_dna: Path
) -> None:
    ok(client.put(f"{draft_url}/files/tiny.csv", content=tiny_dna.read_bytes()))
    version = ok(client.post(f"{draft_url}/save", json={}), 201)
    api_workspace.metadata.create_experiment(
        Experiment(
            project_id=project, name="uses-it", dataset_version_id=version["id"], graph={}, settings={}
        )
    )
    refused = error(client.delete(f"/api/projects/{project}/datasets/Tutorial"), 409, "conflict")
    assert refused["details"]["experiments"] == ["uses-it"]


@pytest.mark.parametrize("upload_limit", [1000])
def test_oversized_upload_is_refused_and_leaves_nothing(
    client: UserClient, draft_url: str, api_workspace: Workspace, tiny_dna: Path
) -> None:
    refused = error(
        client.put(f"{draft_url}/files/tiny.csv", content=tiny_dna.read_bytes()), 413, "limit_exceeded"
    )
    assert refused["details"] == {"file": "tiny.csv", "limit": 1000}

    def unannounced() -> Iterator[bytes]:  # no Content-Length: the stream itself is counted
        data = tiny_dna.read_bytes()
        yield from (data[i : i + 100] for i in range(0, len(data), 100))

    error(client.put(f"{draft_url}/files/tiny.csv", content=unannounced()), 413, "limit_exceeded")
    assert api_workspace.artifacts.list("drafts") == []
    assert list(api_workspace.settings.home.rglob("*tiny.csv")) == []
    assert ok(client.get(draft_url))["files"] == []


def test_decompression_bomb_is_a_422_naming_the_limit(client: UserClient, draft_url: str) -> None:
    bomb = gzip.compress(b"x\n" + b"1\n" * (16 << 20), compresslevel=9)  # 32 MB from ~30 kB
    refused = error(client.put(f"{draft_url}/files/bomb.csv.gz", content=bomb), 422, "expansion_limit")
    assert "KOZAK_MAX_ZIP_EXPANSION" in refused["message"]
    assert refused["details"]["file"] == "bomb.csv.gz"
    assert ok(client.get(draft_url))["files"] == []


def test_malformed_csv_names_row_and_column(client: UserClient, draft_url: str) -> None:
    rows = [f"{i},ACGTACGTAC,{i / 10}" for i in range(30)]
    rows[17] = "17,ACGTACGTAC,0.1.7"
    body = ("id,seq,growth_rate\n" + "\n".join(rows) + "\n").encode()
    view = ok(client.put(f"{draft_url}/files/bad.csv", content=body))  # a typo: fixable, not refused
    assert view["error"]["details"] == {
        "file": "bad.csv",
        "column": "growth_rate",
        "row": 18,  # counted from 1, as the table and a spreadsheet show
        "expected": "a number",
    }
    ok(client.delete(f"{draft_url}/files/bad.csv"))
    refused = error(
        client.put(f"{draft_url}/files/ragged.csv", content=b"a,b\n1,2\n3\n"), 422, "invalid_data"
    )
    assert refused["details"] == {"file": "ragged.csv", "line": 3, "expected": 2, "actual": 1}
    assert "line 3" in refused["message"]  # the header is line 1, as an editor counts
    assert ok(client.get(draft_url))["files"] == []


def test_bad_subsets_and_features_name_the_field(
    client: UserClient, draft_url: str, tiny_dna: Path
) -> None:
    ok(client.put(f"{draft_url}/files/tiny.csv", content=tiny_dna.read_bytes()))
    refused = error(
        client.post(f"{draft_url}/subsets", json={"name": "x", "kind": "random", "ends": 5}),
        422,
        "invalid_request",
    )
    assert "random.end: Field required" in refused["details"]["problems"]
    assert any("random.ends" in p for p in refused["details"]["problems"])
    unknown = {
        "name": "x",
        "kind": "filter",
        "conditions": [{"feature": "nope", "op": "==", "value": 1}],
    }
    refused = error(client.post(f"{draft_url}/subsets", json=unknown), 422, "invalid_config")
    assert refused["details"] == {"subset": "x", "feature": "nope"}
    refused = error(
        client.patch(f"{draft_url}/features/seq", json={"type": "integer"}), 422, "invalid_data"
    )
    assert refused["details"]["column"] == "seq"
    error(client.patch(f"{draft_url}/features/nope", json={"name": "x"}), 404, "not_found")
    refused = error(
        client.patch(f"{draft_url}/options", json={"normalise_on": "x"}), 422, "invalid_request"
    )
    assert "normalise_on" in refused["message"]
    refused = error(
        client.put(f"{draft_url}/files/..evil.csv", content=b"a\n1\n"), 422, "invalid_config"
    )
    assert refused["details"]["field"] == "filename"
    assert ok(client.get(draft_url))["error"] is None


def test_cut_off_upload_saves_nothing(
    client: UserClient, draft_url: str, api_workspace: Workspace, tiny_dna: Path
) -> None:
    def cut_off() -> Iterator[bytes]:
        yield tiny_dna.read_bytes()[:200]
        raise ConnectionResetError("the connection dropped")

    with pytest.raises(ConnectionResetError):
        client.put(f"{draft_url}/files/tiny.csv", content=cut_off())
    assert api_workspace.artifacts.list("drafts") == []
    assert list(api_workspace.settings.home.rglob("*tiny.csv")) == []
    assert ok(client.get(draft_url))["files"] == []


def test_client_disconnecting_mid_upload_saves_nothing(
    app: FastAPI, client: UserClient, draft_url: str, api_workspace: Workspace, tiny_dna: Path
) -> None:
    """Half the body reaches the server (and the disk), then the client goes away."""
    data = tiny_dna.read_bytes()
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": data[:300], "more_body": True},
        {"type": "http.request", "body": data[300:600], "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[MutableMapping[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PUT",
        "scheme": "http",
        "path": f"{draft_url}/files/tiny.csv",
        "raw_path": f"{draft_url}/files/tiny.csv".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"authorization", f"Bearer {client.token}".encode()), (b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def call() -> None:
        with contextlib.suppress(Exception):  # the server logs it; the client is gone anyway
            await app(scope, receive, send)

    anyio.run(call)
    assert not messages  # the server read both chunks before the disconnect
    assert api_workspace.artifacts.list("drafts") == []
    assert list(api_workspace.settings.home.rglob("*tiny.csv")) == []
    assert ok(client.get(draft_url))["files"] == []


def test_viewers_read_but_cannot_change(
    client: UserClient,
    user_client: Callable[[str], UserClient],
    project: str,
    draft_url: str,
    tiny_dna: Path,
) -> None:
    viewer = user_client("vera")
    ok(client.put(f"/api/projects/{project}/members", json={"user": "vera", "role": "viewer"}))
    ok(client.put(f"{draft_url}/files/tiny.csv", content=tiny_dna.read_bytes()))
    assert ok(viewer.get(draft_url))["row_count"] == 40
    error(viewer.put(f"{draft_url}/files/more.csv", content=tiny_dna.read_bytes()), 403, "forbidden")
    error(viewer.patch(f"{draft_url}/features/seq", json={"name": "s"}), 403, "forbidden")
    error(viewer.post(f"/api/projects/{project}/drafts", json={"name": "Mine"}), 403, "forbidden")
    error(viewer.post(f"{draft_url}/save", json={}), 403, "forbidden")
    ok(client.post(f"{draft_url}/save", json={}), 201)
    error(viewer.delete(f"/api/projects/{project}/datasets/Tutorial"), 403, "forbidden")
    assert ok(viewer.get(f"/api/projects/{project}/datasets"))["count"] == 1


def test_ids_of_another_project_are_not_found(
    client: UserClient, project: str, draft_url: str, tiny_dna: Path
) -> None:
    other = ok(client.post("/api/projects", json={"name": "Other"}), 201)["id"]
    draft_id = draft_url.rsplit("/", 1)[1]
    ok(client.put(f"{draft_url}/files/tiny.csv", content=tiny_dna.read_bytes()))
    elsewhere = f"/api/projects/{other}/drafts/{draft_id}"
    for answer in (
        client.get(elsewhere),
        client.put(f"{elsewhere}/files/x.csv", content=tiny_dna.read_bytes()),
        client.post(f"{elsewhere}/save", json={}),
        client.delete(elsewhere),
    ):
        assert error(answer, 404, "not_found")["details"] == {"draft": draft_id}
    version = ok(client.post(f"{draft_url}/save", json={}), 201)
    for path in (f"datasets/{version['dataset_id']}", f"datasets/{version['dataset_id']}/versions/v1"):
        error(client.get(f"/api/projects/{other}/{path}"), 404, "not_found")
    error(client.delete(f"/api/projects/{other}/datasets/{version['dataset_id']}"), 404, "not_found")
    assert ok(client.get(f"/api/projects/{project}/datasets"))["count"] == 1


def test_concurrent_uploads_to_one_draft_all_land(
    client: UserClient, draft_url: str, tiny_dna: Path
) -> None:
    data = tiny_dna.read_bytes()
    statuses: list[int] = []

    def upload(name: str) -> None:
        statuses.append(client.put(f"{draft_url}/files/{name}", content=data).status_code)

    threads = [threading.Thread(target=upload, args=(f"part{i}.csv",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    view = ok(client.get(draft_url))
    assert sorted(f["name"] for f in view["files"]) == [f"part{i}.csv" for i in range(4)]
    assert len(view["features"]) == 20 and view["error"] is None


def test_draft_lifecycle_endpoints(
    client: UserClient, project: str, draft_url: str, tiny_dna: Path
) -> None:
    error(client.post(f"/api/projects/{project}/drafts", json={"name": ""}), 422, "invalid_request")
    ok(client.put(f"{draft_url}/files/tiny.csv", content=tiny_dna.read_bytes()))
    renamed = ok(client.patch(draft_url, json={"name": "Tiny", "description": "forty rows"}))
    assert renamed["name"] == "Tiny" and renamed["description"] == "forty rows"
    listed = ok(client.get(f"/api/projects/{project}/drafts"))
    assert listed["count"] == 1 and listed["data"][0]["files"][0]["name"] == "tiny.csv"
    view = ok(client.delete(f"{draft_url}/features/id"))
    assert "id" not in [f["name"] for f in view["features"]]
    spec = {**view["spec"], "subsets": [{"name": "all", "kind": "random", "end": 100}]}
    view = ok(client.put(f"{draft_url}/spec", json=spec))
    assert [s["rows"] for s in view["subsets"]] == [40]
    view = ok(client.delete(f"{draft_url}/files/tiny.csv"))
    assert view["files"] == [] and view["spec"] is None
    error(client.delete(f"{draft_url}/files/tiny.csv"), 404, "not_found")
    error(client.post(f"{draft_url}/save", json={}), 422, "invalid_config")
    ok(client.delete(draft_url), 204)
    assert ok(client.get(f"/api/projects/{project}/drafts"))["count"] == 0


def test_files_from_urls(
    client: UserClient, draft_url: str, served: tuple[str, Path], tiny_dna: Path
) -> None:
    base, root = served
    (root / "tiny.csv").write_bytes(tiny_dna.read_bytes())
    view = ok(client.post(f"{draft_url}/urls", json={"url": f"{base}/tiny.csv"}))
    assert view["files"][0]["name"] == "tiny.csv" and view["row_count"] == 40
    error(client.post(f"{draft_url}/urls", json={"url": f"{base}/absent.csv"}), 502, "network_error")
    error(client.post(f"{draft_url}/urls", json={"url": "file:///etc/passwd"}), 422, "invalid_config")
    version = ok(client.post(f"{draft_url}/save", json={"version_name": "remote"}), 201)
    assert version["sources"][0]["file"] == "tiny.csv"


@pytest.mark.parametrize("url_import_allow", [[]])
def test_url_import_does_not_reach_the_servers_network(
    client: UserClient, draft_url: str, served: tuple[str, Path], tiny_dna: Path
) -> None:
    base, root = served
    (root / "tiny.csv").write_bytes(tiny_dna.read_bytes())
    answer = client.post(f"{draft_url}/urls", json={"url": f"{base}/tiny.csv"})
    refused = error(answer, 502, "network_error")
    assert "KOZAK_URL_IMPORT_ALLOW" in refused["message"]
    assert ok(client.get(draft_url))["files"] == []


def test_version_names_are_unique(
    client: UserClient, project: str, draft_url: str, tiny_dna: Path
) -> None:
    ok(client.put(f"{draft_url}/files/tiny.csv", content=tiny_dna.read_bytes()))
    ok(client.post(f"{draft_url}/save", json={"version_name": "first"}), 201)
    edit = ok(client.post(f"/api/projects/{project}/datasets/Tutorial/versions/first/draft"), 201)
    edit_url = f"/api/projects/{project}/drafts/{edit['id']}"
    ok(client.delete(f"{edit_url}/features/id"))
    error(client.post(f"{edit_url}/save", json={"version_name": "first"}), 409, "already_exists")
    assert ok(client.get(edit_url))["files"][0]["version_id"]  # a refused save keeps the draft
    error(client.patch(edit_url, json={"name": "Renamed"}), 422, "invalid_config")
    error(
        client.post(f"/api/projects/{project}/drafts", json={"name": "Tutorial"}), 409, "already_exists"
    )
