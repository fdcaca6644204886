"""Per-sequence explanations over the API: under an experiment (viewers may ask), and the
bounded explain endpoint of a deployment; each answer is what the library computes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from api.conftest import error, ok
from factories import UserClient, float32_approx, tiny_experiment
from kozak.experiments import run_experiment
from kozak.interpret import ExplainSettings, explain_experiment
from kozak.store.entities import Experiment
from kozak.workspace import Workspace

SEQUENCES = ["ACGTACGTAC", "ttgcattgca", "GGCATT"]


@pytest.fixture
def trained(api_workspace: Workspace, project_id: str, tiny_dna: Path) -> Experiment:
    return run_experiment(api_workspace, tiny_experiment(api_workspace, "Yeast", tiny_dna))


def test_explain_under_an_experiment(
    client: UserClient,
    api_workspace: Workspace,
    project_id: str,
    trained: Experiment,
) -> None:
    url = f"/api/projects/{project_id}/experiments/{trained.name}/explain"
    answer = ok(client.post(url, json={"sequences": SEQUENCES}))
    expected = explain_experiment(api_workspace, trained, SEQUENCES).model_dump(mode="json")
    assert answer == expected
    assert answer["method"] == "ism" and answer["coordinates"] == "position"
    assert [s["sequence"] for s in answer["sequences"]] == ["ACGTACGTAC", "TTGCATTGCA", "GGCATT"]
    assert [len(s["values"][0]) for s in answer["sequences"]] == [10, 10, 6]
    assert answer["sequences"][2]["positions"] == [1, 2, 3, 4, 5, 6]

    body = {"sequences": SEQUENCES[:1], "method": "deepshap", "references": 3, "checkpoint": "last"}
    shap = ok(client.post(url, json=body))
    settings = ExplainSettings(method="deepshap", references=3)
    assert shap == explain_experiment(
        api_workspace, trained, SEQUENCES[:1], settings, "last"
    ).model_dump(mode="json")

    error(client.post(url, json={"sequences": ["ACGT1"]}), 422, "invalid_data")
    too_long = error(client.post(url, json={"sequences": ["A" * 13]}), 422, "invalid_data")
    assert "at most 12" in too_long["message"]
    error(client.post(url, json={"sequences": ["ACGT"], "method": "magic"}), 422)
    error(client.post(url, json={"sequences": ["ACGT"] * 201}), 422)
    error(client.post(url, json={"sequences": ["ACGT"], "target": "growth"}), 422, "invalid_config")
    missing = f"/api/projects/{project_id}/experiments/nothing/explain"
    error(client.post(missing, json={"sequences": ["ACGT"]}), 404, "not_found")


def test_explain_a_point_of_the_evaluation_scatter(
    client: UserClient, project_id: str, trained: Experiment
) -> None:
    """`dataset_rows` names scatter points: each explanation's prediction is that point's y."""
    base = f"/api/projects/{project_id}/experiments/{trained.id}"
    scatter = ok(client.get(f"{base}/evaluation"))["subsets"]["validation"]["expression"]["scatter"]
    rows = [0, scatter["n"] - 1]
    body = {"dataset_rows": {"subset": "validation", "rows": rows}, "method": "saliency"}
    answer = ok(client.post(f"{base}/explain", json=body))
    predictions = [s["prediction"] for s in answer["sequences"]]
    assert predictions == float32_approx([scatter["y"][r] for r in rows])
    outside = {"dataset_rows": {"subset": "validation", "rows": [scatter["n"]]}}
    assert (
        "outside subset 'validation'"
        in error(client.post(f"{base}/explain", json=outside), 422)["message"]
    )
    missing = {"dataset_rows": {"subset": "nothing", "rows": [0]}}
    assert "no subset 'nothing'" in error(client.post(f"{base}/explain", json=missing), 422)["message"]
    both = {"sequences": ["ACGT"], "dataset_rows": {"subset": "validation", "rows": [0]}}
    assert (
        "either 'sequences' or 'dataset_rows'"
        in error(client.post(f"{base}/explain", json=both), 422)["message"]
    )


def test_a_deployment_explains_within_bounds(
    client: UserClient, api_workspace: Workspace, project_id: str, trained: Experiment
) -> None:
    deployment = ok(
        client.post(f"/api/projects/{project_id}/deployments", json={"experiment": trained.id}), 201
    )
    headers = {"Authorization": f"Bearer {deployment['token']}"}
    path = f"/deployment/{deployment['id']}/explain"
    answer = ok(client.post(path, json={"sequences": SEQUENCES, "method": "saliency"}, headers=headers))
    assert answer["method"] == "saliency" and len(answer["sequences"]) == 3
    settings = ExplainSettings(method="saliency")
    expected = explain_experiment(api_workspace, trained, SEQUENCES, settings).model_dump(mode="json")
    for got, want in zip(answer["sequences"], expected["sequences"], strict=True):
        assert np.array(got["values"]) == pytest.approx(np.array(want["values"]), abs=1e-5)
    bad = error(client.post(path, json={"sequences": ["ACGT"], "steps": 0}, headers=headers), 422)
    assert "steps" in bad["message"]
    error(client.post(path, json={"sequences": ["ACGU1"]}, headers=headers), 422)
    error(client.post(path, json={"rows": []}, headers=headers), 422)
    error(client.post(path, json={"sequences": SEQUENCES}), 401)
