"""The Sweeps API on the 40 tiny rows: start from an experiment, follow, best, stop, refusals.

Trials are run in-process by `Worker.run_one` (the app runs without workers).
"""

from __future__ import annotations

from typing import Any

from factories import UserClient
from kozak.experiments import create_experiment
from kozak.graph import chain
from kozak.runner import Worker
from kozak.store.entities import DatasetVersion
from kozak.training import RunSettings
from kozak.workspace import Workspace

from .conftest import error, ok

SPACE = {
    "dimensions": [
        {"name": "units", "values": [2, 8], "targets": ["hidden.units"]},
        {"name": "dropout", "values": [None, 0.2], "targets": ["drop.rate"]},
        {"name": "layers", "values": [1, 2], "repeat": {"nodes": ["hidden", "drop"]}},
    ]
}


def base_experiment(workspace: Workspace, version: DatasetVersion) -> str:
    graph = chain(
        ("seq", "input", {"feature": "seq"}),
        ("flatten", "flatten", {}),
        ("hidden", "dense", {"units": 4, "activation": "relu"}),
        ("drop", "dropout", {"rate": 0.1}),
        ("out", "dense", {"units": 1}),
        ("growth_rate", "target", {"feature": "growth_rate", "loss": "mse"}),
        name="hidden",
    )
    run = RunSettings(epochs=2, batch_size=8)
    return create_experiment(workspace, "Yeast", "base", version, graph, run).name


def body(base: str, **extra: Any) -> dict[str, Any]:
    return {"name": "search", "base": {"experiment": base}, "space": SPACE, "budget": {"trials": 3},
            "concurrency": 2, **extra}  # fmt: skip


def test_start_follow_and_open_the_best_trial(
    client: UserClient, api_workspace: Workspace, project_id: str, version: DatasetVersion
) -> None:
    url = f"/api/projects/{project_id}/sweeps"
    base = base_experiment(api_workspace, version)
    started = ok(client.post(url, json=body(base, sampler={"name": "random", "seed": 2})), 201)
    assert started["status"] == "running" and started["counts"]["running"] == 2
    assert started["dimensions"] == ["units", "dropout", "layers"] and started["counts"]["budget"] == 3
    worker = Worker(api_workspace, "test-worker")
    while worker.run_one():
        pass
    sweep = ok(client.get(f"{url}/{started['id']}"))
    assert sweep["status"] == "completed" and sweep["counts"]["complete"] == 3
    values = [t["value"] for t in sweep["trials"]]
    assert sweep["best_curve"][-1]["best"] == min(values)
    best = ok(client.get(f"{url}/search/best"))
    chosen = next(t for t in sweep["trials"] if t["number"] == sweep["best_trial"])
    assert best["id"] == chosen["experiment_id"] and best["status"] == "completed"
    # a trial is an ordinary experiment: its curves and evaluation are the experiments' routes
    epochs = ok(client.get(f"/api/projects/{project_id}/experiments/{best['id']}/epochs"))["data"]
    assert len(epochs) == chosen["epochs_done"]
    listed = ok(client.get(url))
    assert listed["count"] == 1 and listed["data"][0]["best_value"] == min(values)
    error(client.post(f"{url}/search/stop"), 409, "conflict")
    assert client.delete(f"{url}/search").status_code == 204
    error(client.get(f"{url}/search"), 404, "not_found")
    assert ok(client.get(f"/api/projects/{project_id}/experiments/{best['id']}"))["id"] == best["id"]


def test_stop_cancels_the_queued_trials(
    client: UserClient, api_workspace: Workspace, project_id: str, version: DatasetVersion
) -> None:
    url = f"/api/projects/{project_id}/sweeps"
    started = ok(client.post(url, json=body(base_experiment(api_workspace, version))), 201)
    stopped = ok(client.post(f"{url}/{started['id']}/stop"))
    assert stopped["status"] == "stopped" and stopped["counts"]["failed"] == 2
    assert not Worker(api_workspace, "test-worker").run_one()


def test_bad_spaces_are_4xx_naming_the_field(
    client: UserClient, api_workspace: Workspace, project_id: str, version: DatasetVersion
) -> None:
    url = f"/api/projects/{project_id}/sweeps"
    base = base_experiment(api_workspace, version)
    unknown_node = {"dimensions": [{"name": "w", "values": [3], "targets": ["conv9.width"]}]}
    found = error(client.post(url, json=body(base, space=unknown_node)), 422, "invalid_config")
    assert "conv9" in found["message"] and found["details"]["field"] == "space.w"
    unknown_param = {"dimensions": [{"name": "w", "values": [3], "targets": ["hidden.width"]}]}
    found = error(client.post(url, json=body(base, space=unknown_param)), 422, "invalid_config")
    assert "'width' of node 'hidden'" in found["message"] and "units" in found["message"]
    found = error(client.post(url, json=body(base, space="no-such-space")), 422, "invalid_config")
    assert "cuperus2017-search" in found["message"]
    error(client.post(url, json=body("nope")), 404, "not_found")
    bad_subset = {"metric": "mse", "subset": "holdout"}
    found = error(client.post(url, json=body(base, objective=bad_subset)), 422, "invalid_config")
    assert found["details"]["field"] == "objective.subset"
    assert client.post(url, json={**body(base), "extra": 1}).status_code == 422
    assert ok(client.get(url))["count"] == 0  # nothing was created by a refused request


def test_the_preset_spaces_are_listed(client: UserClient) -> None:
    spaces = ok(client.get("/api/sweep-spaces"))["data"]
    paper = next(s for s in spaces if s["name"] == "cuperus2017-search")
    assert paper["size"] == 3072 and paper["graph_preset"] == "cuperus2017-search"
    assert [d["name"] for d in paper["dimensions"]][:3] == ["conv_width", "conv_filters", "conv_layers"]
