"""The Experiments API end to end on 40 rows: create, edit, run, results, clone, continue, compare.

Jobs are run in-process with `Worker(workspace).run_one()` (the app runs without workers). The
main flow also runs on PostgreSQL when `KOZAK_TEST_DATABASE_URL` is set.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from factories import ADMIN_PASSWORD, UserClient
from kozak.graph.presets import preset
from kozak.runner import Worker
from kozak.settings import Settings
from kozak.store.entities import DatasetVersion
from kozak.workspace import Workspace

from .conftest import error

QUICK = {"epochs": 2, "batch_size": 16}


@pytest.fixture
def api_settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The API's settings; on the database `database_url` names when a test asks for it."""
    url = str(request.getfixturevalue("database_url")) if "database_url" in request.fixturenames else ""
    return Settings(home=tmp_path / "home", admin_password=ADMIN_PASSWORD, workers=0, database_url=url)


@pytest.fixture
def url(project_id: str) -> str:
    return f"/api/projects/{project_id}/experiments"


def create(
    client: UserClient, url: str, version: DatasetVersion, name: str = "tutorial", **extra: object
) -> dict:
    body = {
        "name": name,
        "dataset_version_id": version.id,
        "preset": "cuperus2017-tutorial",
        "settings": QUICK,
        **extra,
    }
    response = client.post(url, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def run_jobs(workspace: Workspace) -> int:
    """Run every queued job in this process; how many ran."""
    worker, ran = Worker(workspace, "test-worker"), 0
    while worker.run_one():
        ran += 1
    return ran


def test_create_run_evaluate_clone_continue_compare(
    client: UserClient,
    api_workspace: Workspace,
    url: str,
    version: DatasetVersion,
    database_url: str,
) -> None:
    experiment = create(client, url, version)
    eid = experiment["id"]
    assert (
        experiment["status"] == "created" and experiment["epochs"] == 2 and experiment["progress"] == 0
    )
    assert experiment["graph"]["name"] == "cuperus2017-tutorial" and experiment["job"] is None
    patched = client.patch(f"{url}/{eid}", json={"settings": {"optimizer": {"lr": 0.0005}}}).json()
    assert patched["settings"]["optimizer"] == {**experiment["settings"]["optimizer"], "lr": 0.0005}
    assert patched["settings"]["batch_size"] == 16

    job = client.post(f"{url}/{eid}/run")
    assert job.status_code == 202 and job.json()["kind"] == "train" and job.json()["status"] == "queued"
    queued = client.get(f"{url}/{eid}").json()
    assert queued["status"] == "queued" and queued["job"]["id"] == job.json()["id"]
    error(client.post(f"{url}/{eid}/run"), 409)  # one job at a time
    assert run_jobs(api_workspace) == 1

    done = client.get(f"{url}/{eid}").json()
    assert done["status"] == "completed" and done["epochs_done"] == 2 and done["progress"] == 1.0
    assert done["job"] is None and done["best_epoch"] in (1, 2)
    assert (
        done["best_metric"]["name"] == "val_loss" and done["best_metric"]["epoch"] == done["best_epoch"]
    )
    [row] = client.get(url).json()["data"]
    assert (
        row["status"] == "completed" and row["best_metric"] == done["best_metric"] and "graph" not in row
    )
    epochs = client.get(f"{url}/{eid}/epochs").json()
    assert [e["epoch"] for e in epochs["data"]] == [1, 2] and "val_loss" in epochs["data"][0]["metrics"]

    evaluation = client.get(f"{url}/{eid}/evaluation").json()
    assert set(evaluation["subsets"]) == {"training", "validation"}
    assert evaluation["checkpoint"] == "best" and evaluation["epoch"] == done["best_epoch"]
    validation = client.get(f"{url}/{eid}/evaluation", params={"subset": "validation"}).json()
    assert list(validation["subsets"]) == ["validation"]
    assert "mse" in validation["subsets"]["validation"]["growth_rate"]["metrics"]
    missing = client.get(f"{url}/{eid}/evaluation", params={"checkpoint": "last"})
    error(missing, 404)
    assert "POST …/evaluate" in missing.json()["error"]["message"]

    predictions = client.get(f"{url}/{eid}/predictions", params={"subset": "validation"})
    assert predictions.status_code == 200 and predictions.headers["content-type"].startswith("text/csv")
    assert "attachment" in predictions.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(predictions.text)))
    assert len(rows) == version.subset_counts["validation"]
    assert {"row", "id", "growth_rate_true", "growth_rate_pred"} <= set(rows[0])
    assert all(r["subsets"] == "validation" for r in rows)
    report = client.get(f"{url}/{eid}/report")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert 'filename="tutorial-report.html"' in report.headers["content-disposition"]
    assert "<h1>tutorial</h1>" in report.text
    assert 'data-figure="filter-logos"' in report.text  # the preset's Conv2D read as motifs
    assert 'data-figure="motif-effects"' in report.text
    plain = client.get(f"{url}/{eid}/report", params={"interpretation": False})
    assert "<h2>Filter motifs</h2>" not in plain.text
    # found by the fuzzer: a name outside Latin-1 could not go in the header, and was a 500
    client.patch(f"{url}/{eid}", json={"name": "Δ-\U000124f7 tutorial"})
    for download in ("report", "predictions"):
        named = client.get(f"{url}/{eid}/{download}")
        assert named.status_code == 200 and '"_-__tutorial-' in named.headers["content-disposition"]

    refused = client.patch(f"{url}/{eid}", json={"graph": preset("cuperus2017").to_dict()})
    error(refused, 409)
    assert "clone" in refused.json()["error"]["message"]
    renamed = client.patch(f"{url}/{eid}", json={"name": "tutorial-1"}).json()
    assert renamed["name"] == "tutorial-1"

    copy = client.post(f"{url}/{eid}/clone", json={"name": "warm", "with_weights": True})
    assert copy.status_code == 201 and copy.json()["parent_id"] == eid
    assert copy.json()["status"] == "created"
    more = client.post(f"{url}/{eid}/continue", json={"epochs": 1})
    assert more.status_code == 202 and more.json()["payload"]["epochs"] == 1
    assert run_jobs(api_workspace) == 1
    longer = client.get(f"{url}/{eid}").json()
    assert longer["status"] == "completed" and longer["epochs_done"] == 3 and longer["epochs"] == 3

    evaluate = client.post(f"{url}/{eid}/evaluate", json={"checkpoint": "last", "subsets": ["training"]})
    assert evaluate.status_code == 202 and run_jobs(api_workspace) == 1
    last = client.get(f"{url}/{eid}/evaluation", params={"checkpoint": "last"}).json()
    assert last["epoch"] == 3 and list(last["subsets"]) == ["training"]
    assert client.post(f"{url}/{eid}/evaluate", json={"checkpoint": "epoch-2"}).status_code == 202
    assert run_jobs(api_workspace) == 1
    second_epoch = client.get(f"{url}/{eid}/evaluation", params={"checkpoint": "epoch-2"}).json()
    assert second_epoch["epoch"] == 2 and second_epoch["checkpoint"] == "epoch-2"
    wrong = client.get(f"{url}/{eid}/evaluation", params={"checkpoint": "worst"})
    error(wrong, 422)

    comparison = client.post(f"{url}/compare", json={"experiment_ids": [eid, "warm"]}).json()
    assert comparison["experiments"] == ["tutorial-1", "warm"]
    assert comparison["settings_diff"]["epochs"] == [3, 2] and comparison["graphs_equal"] is True
    assert comparison["graph_diff"] == {"nodes": [], "edges": []}
    first, second = comparison["table"]
    assert "growth_rate" in first["metrics"]["validation"] and second["metrics"] == {}
    assert len(comparison["curves"]["tutorial-1"]["val_loss"]) == 3

    jobs = client.get(f"/api/projects/{experiment['project_id']}/jobs").json()
    assert [j["kind"] for j in jobs["data"]] == ["evaluate", "evaluate", "continue", "train"]
    assert all(j["status"] == "completed" for j in jobs["data"])
    detail = client.get(f"/api/projects/{experiment['project_id']}/jobs/{job.json()['id']}").json()
    assert "epoch 2" in detail["log"]
    assert client.delete(f"{url}/warm").status_code == 204
    error(client.get(f"{url}/warm"), 404)


def test_stop_a_queued_job_and_cancel_from_the_queue(
    client: UserClient, api_workspace: Workspace, url: str, project_id: str, version: DatasetVersion
) -> None:
    eid = create(client, url, version)["id"]
    job = client.post(f"{url}/{eid}/run").json()
    deleting = client.delete(f"{url}/{eid}")
    error(deleting, 409)
    assert "stop it" in deleting.json()["error"]["message"]
    stopped = client.post(f"{url}/{eid}/stop")
    assert stopped.status_code == 200 and stopped.json()["status"] == "cancelled"
    assert stopped.json()["id"] == job["id"]
    assert client.get(f"{url}/{eid}").json()["status"] == "created"
    error(client.post(f"{url}/{eid}/stop"), 409)  # nothing left to stop
    assert run_jobs(api_workspace) == 0

    again = client.post(f"{url}/{eid}/run").json()
    jobs = f"/api/projects/{project_id}/jobs"
    assert [j["id"] for j in client.get(jobs, params={"status": "queued"}).json()["data"]] == [
        again["id"]
    ]
    cancelled = client.post(f"{jobs}/{again['id']}/cancel").json()
    assert cancelled["status"] == "cancelled" and cancelled["cancel_requested"] is True
    assert client.get(jobs, params={"status": ["queued", "running"]}).json()["count"] == 0
    assert client.delete(f"{url}/{eid}").status_code == 204


def test_wizard_binds_a_preset_or_starts_blank(
    client: UserClient, url: str, version: DatasetVersion
) -> None:
    body = {
        "name": "wizard",
        "dataset": "Tiny",
        "preset": "cuperus2017-tutorial",
        "target": "growth_rate",
    }
    made = client.post(f"{url}/wizard", json=body)
    assert made.status_code == 201, made.text
    experiment = made.json()
    assert experiment["dataset_version_id"] == version.id
    nodes = {n["id"]: n["params"] for n in experiment["graph"]["nodes"]}
    assert nodes["seq"] == {"feature": "seq", "shape": [4, 70, 1]}
    assert nodes["growth_rate"]["feature"] == "growth_rate"
    assert experiment["settings"]["training_subset"] == "training"

    blank = client.post(
        f"{url}/wizard",
        json={"name": "blank", "dataset": "Tiny", "version": "v1", "target": "growth_rate",
              "validation_subset": None},
    ).json()  # fmt: skip
    assert [(n["type"], n["params"]["feature"]) for n in blank["graph"]["nodes"]] == [
        ("input", "seq"),
        ("target", "growth_rate"),
    ]
    assert blank["settings"]["validation_subset"] is None
    bad = client.post(
        f"{url}/wizard", json={"name": "bad", "dataset": "Tiny", "training_subset": "nope"}
    )
    error(bad, 422)
    assert "no subset 'nope'" in bad.json()["error"]["message"]
    taken = client.post(f"{url}/wizard", json={"name": "wizard", "dataset": "Tiny"})
    error(taken, 409)
    unknown = client.post(f"{url}/wizard", json={"name": "x", "dataset": "Tiny", "target": "colour"})
    error(unknown, 422)
    assert "colour" in unknown.json()["error"]["message"]
    # found by the fuzzer: an empty name passed the check and failed the lookup (a 500)
    for chosen in (None, "cuperus2017-tutorial"):
        empty = {"name": "x", "dataset": "Tiny", "target": "", "preset": chosen}
        refused = error(client.post(f"{url}/wizard", json=empty), 422, "invalid_config")
        assert "has no feature ''" in refused["message"]
    assert client.get(url).json()["count"] == 2


def test_checks_before_anything_is_written_or_run(
    client: UserClient, url: str, version: DatasetVersion
) -> None:
    graph = preset("cuperus2017-tutorial").to_dict()
    graph["nodes"][5]["params"]["width"] = 40  # conv3 gets 46 positions: fine; flatten changes
    graph["nodes"][9]["params"]["units"] = 2  # the prediction no longer fits growth_rate
    check = client.post(
        f"{url}/validate",
        json={"dataset_version_id": version.id, "graph": graph,
              "settings": {"optimizer": {"lr": -1}, "validation_subset": "test"}},
    ).json()  # fmt: skip
    codes = {(i["code"], i["node"]) for i in check["issues"]}
    assert ("shape.target_mismatch", "growth_rate") in codes
    assert ("settings.invalid", None) in codes and check["settings"] is None and check["ok"] is False
    fixed = client.post(
        f"{url}/validate",
        json={
            "dataset_version_id": version.id,
            "graph": graph,
            "settings": {"validation_subset": "test"},
        },
    ).json()
    assert ("settings.unknown_subset", None) in {(i["code"], i["node"]) for i in fixed["issues"]}

    refused = client.post(
        url, json={"name": "broken", "dataset_version_id": version.id, "graph": graph, "run": True}
    )
    error(refused, 422)
    assert refused.json()["error"]["details"]["node"] == "growth_rate"
    assert client.get(url).json()["count"] == 0
    saved = create(client, url, version, "broken", graph=graph, preset=None)
    cannot = client.post(f"{url}/{saved['id']}/run")
    error(cannot, 422)
    assert "cannot run" in cannot.json()["error"]["message"]
    patched = client.patch(f"{url}/{saved['id']}", json={"settings": {"validation_subset": None}})
    assert patched.json()["settings"]["validation_subset"] is None  # null is a value, not "unset"
    wrong = client.patch(f"{url}/{saved['id']}", json={"settings": {"training_subset": "test"}})
    error(wrong, 422)
    assert "no subset 'test'" in wrong.json()["error"]["message"]
    both = client.post(url, json={"name": "x", "dataset_version_id": version.id})
    error(both, 422)
    assert "graph or preset" in both.json()["error"]["message"]
    typo = client.post(
        url, json={"name": "x", "dataset_version_id": version.id, "preset": "deepsea", "epochs": 3}
    )
    error(typo, 422)
    assert "epochs" in typo.json()["error"]["message"]


def test_roles_and_projects_fence_experiments(
    client: UserClient,
    user_client: Callable[[str], UserClient],
    url: str,
    project_id: str,
    version: DatasetVersion,
) -> None:
    eid = create(client, url, version)["id"]
    viewer = user_client("vera")
    assert client.put(
        f"/api/projects/{project_id}/members", json={"user": "vera", "role": "viewer"}
    ).is_success
    assert viewer.get(f"{url}/{eid}").status_code == 200
    for method, path, body in (
        ("POST", f"{url}/{eid}/run", None),
        ("PATCH", f"{url}/{eid}", {"name": "mine"}),
        ("DELETE", f"{url}/{eid}", None),
        ("POST", f"{url}/{eid}/clone", {"name": "mine"}),
    ):
        response = viewer.request(method, path, json=body)
        error(response, 403)
        assert response.json()["error"]["code"] == "forbidden"

    other = client.post("/api/projects", json={"name": "Other"}).json()["id"]
    foreign = f"/api/projects/{other}/experiments/{eid}"
    for method, path in (
        ("GET", foreign),
        ("POST", f"{foreign}/run"),
        ("GET", f"{foreign}/epochs"),
        ("GET", f"{foreign}/events?once=1"),
    ):
        assert client.request(method, path).status_code == 404, path
    job = client.post(f"{url}/{eid}/run").json()
    error(client.get(f"/api/projects/{other}/jobs/{job['id']}"), 404)
    error(client.post(f"/api/projects/{other}/jobs/{job['id']}/cancel"), 404)
    compare = client.post(
        f"/api/projects/{other}/experiments/compare", json={"experiment_ids": [eid, eid]}
    )
    error(compare, 404)
    outsider = user_client("olaf")
    error(outsider.get(url), 404)
