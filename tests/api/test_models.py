"""The Modeling API: block catalog, presets, losses, run-settings schema and live graph checks."""

from __future__ import annotations

from typing import Any

from factories import UserClient
from kozak.graph.presets import preset
from kozak.store.entities import DatasetVersion
from kozak.training.precision import resolve_precision

from .conftest import error


def test_block_catalog_has_schemas_and_arity(client: UserClient) -> None:
    body = client.get("/api/blocks").json()
    blocks = {b["type"]: b for b in body["data"]}
    assert body["count"] == len(blocks) and {"input", "target", "conv2d", "dense", "add"} <= set(blocks)
    conv = blocks["conv2d"]
    assert conv["category"] == "convolution" and conv["min_inputs"] == conv["max_inputs"] == 1
    assert {"filters", "width", "height", "padding"} <= set(conv["params_schema"]["properties"])
    assert blocks["add"]["max_inputs"] is None and blocks["add"]["min_inputs"] >= 2


def test_presets_losses_and_settings_schema(client: UserClient) -> None:
    presets = {p["name"]: p for p in client.get("/api/presets").json()["data"]}
    assert presets["cuperus2017"]["parameters"] == 1_451_137
    assert presets["cuperus2017-tutorial"]["input_length"] == 70
    graph = client.get("/api/presets/cuperus2017-tutorial").json()
    assert graph["nodes"][0] == {
        "id": "seq",
        "type": "input",
        "params": {"feature": "seq", "shape": [4, 70, 1]},
    }
    longer = client.get("/api/presets/cuperus2017-tutorial", params={"input_length": 80}).json()
    assert longer["nodes"][0]["params"]["shape"] == [4, 80, 1]
    missing = client.get("/api/presets/nope")
    error(missing, 404)
    assert "cuperus2017" in missing.json()["error"]["message"]
    losses = {loss["name"]: loss for loss in client.get("/api/losses").json()["data"]}
    assert losses["categorical_crossentropy"]["activations"] == ["softmax"]
    assert "float" in losses["mse"]["feature_types"]
    settings = client.get("/api/run-settings/schema").json()
    assert (
        settings["defaults"]["batch_size"] == 32 and settings["defaults"]["optimizer"]["name"] == "adam"
    )
    assert "early_stopping" in settings["json_schema"]["properties"]
    assert settings["defaults"]["precision"] == "auto"
    assert settings["json_schema"]["properties"]["precision"]["enum"] == ["auto", "fp32", "bf16", "fp16"]
    auto = {c["device"]: c for c in client.get("/api/run-settings/precision").json()["data"]}
    here = resolve_precision("auto", "cpu")
    assert auto["cpu"] == {"device": "cpu", "precision": here.used, "reason": here.reason}
    assert auto["auto"]["precision"] in ("fp32", "bf16", "fp16")


def test_catalog_needs_a_login(test_client: Any) -> None:
    response = test_client.get("/api/blocks")
    error(response, 401)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_tutorial_graph_shapes_on_a_version(
    client: UserClient, project_id: str, version: DatasetVersion
) -> None:
    body = {"graph": preset("cuperus2017-tutorial").to_dict(), "dataset_version_id": version.id}
    response = client.post(f"/api/projects/{project_id}/graphs/validate", json=body)
    assert response.status_code == 200, response.text
    report = response.json()
    shapes = {n["id"]: n["output_shape"] for n in report["nodes"]}
    assert shapes["seq"] == [4, 70, 1]
    assert shapes["conv1"] == [1, 58, 128] and shapes["conv2"] == [1, 46, 128]
    assert shapes["conv3"] == [1, 34, 128] and shapes["flatten"] == [4352]
    assert shapes["dense1"] == [64] and shapes["growth_rate"] == [1]
    assert report["ok"] is True and report["issues"] == []
    assert report["total_params"] == sum(n["params"] for n in report["nodes"]) > 0
    assert report["total_flops"] > 0


def test_broken_graphs_answer_issues_naming_the_node(
    client: UserClient, project_id: str, version: DatasetVersion
) -> None:
    url = f"/api/projects/{project_id}/graphs/validate"
    graph = preset("cuperus2017-tutorial").to_dict()
    graph["nodes"][3]["params"]["width"] = 60  # conv2 wider than the 58 positions it gets
    report = client.post(url, json={"graph": graph, "dataset_version_id": version.id}).json()
    [issue] = [i for i in report["issues"] if i["severity"] == "error"]
    assert report["ok"] is False and issue["node"] == "conv2" and issue["code"] == "shape.mismatch"
    assert {n["id"]: n["output_shape"] for n in report["nodes"]}["conv1"] == [1, 58, 128]

    graph = preset("cuperus2017-tutorial").to_dict()
    graph["nodes"][1]["params"]["filters"] = 0  # invalid params: reported, not a 422
    graph["nodes"][10]["params"]["feature"] = "no_such_feature"
    response = client.post(url, json={"graph": graph, "dataset_version_id": version.id})
    assert response.status_code == 200
    issues = {i["node"]: i for i in response.json()["issues"]}
    assert issues["conv1"]["code"] == "node.invalid" and "filters" in issues["conv1"]["message"]
    assert issues["growth_rate"]["code"] == "target.unknown_feature"
    assert "growth_rate" in issues["growth_rate"]["details"]["valid"]


def test_malformed_body_is_a_422_naming_the_field(client: UserClient, project_id: str) -> None:
    url = f"/api/projects/{project_id}/graphs/validate"
    response = client.post(url, json={"graph": ["not", "a", "graph"]})
    found = error(response, 422)
    assert found["code"] == "invalid_request" and found["message"].startswith("invalid request: graph:")
    error(client.post(url, json={"graf": {}}), 422)


def test_validation_is_scoped_to_the_project(
    client: UserClient, user_client: Any, project_id: str, version: DatasetVersion
) -> None:
    other = client.post("/api/projects", json={"name": "Other"}).json()["id"]
    body = {"graph": preset("cuperus2017-tutorial").to_dict(), "dataset_version_id": version.id}
    response = client.post(f"/api/projects/{other}/graphs/validate", json=body)
    error(response, 404)
    assert version.id in response.json()["error"]["message"]
    stranger = user_client("stranger")
    error(stranger.post(f"/api/projects/{project_id}/graphs/validate", json=body), 404)
