"""Deployments over HTTP: the Peltarion forward contract, tokens, bad requests, usage, variants."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from factories import UserClient, float32_approx, tiny_experiment
from kozak.deploy import ServingModel
from kozak.deploy.deployments import model_path
from kozak.experiments import run_experiment
from kozak.store.entities import Experiment
from kozak.workspace import Workspace

from .conftest import error

SEQS = ["ACGTACGTAC", "acguacguac", "TTTTGGGGCCCCAA"]


@pytest.fixture
def trained(api_workspace: Workspace, project_id: str, tiny_dna: Path) -> Experiment:
    """The tiny experiment of the "Yeast" project, trained (two epochs)."""
    return run_experiment(api_workspace, tiny_experiment(api_workspace, "Yeast", tiny_dna))


def deploy(client: UserClient, project_id: str, experiment: str, **body: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/projects/{project_id}/deployments", json={"experiment": experiment, **body}
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def forward(
    test_client: TestClient, deployment: dict[str, Any], token: str | None = None, **kwargs: Any
) -> Any:
    headers = {"Authorization": f"Bearer {token or deployment['token']}", **kwargs.pop("headers", {})}
    return test_client.post(f"/deployment/{deployment['id']}/forward", headers=headers, **kwargs)


def test_a_deployment_answers_peltarion_style_requests(
    client: UserClient,
    test_client: TestClient,
    api_workspace: Workspace,
    project_id: str,
    trained: Experiment,
) -> None:
    deployment = deploy(client, project_id, "tiny")
    assert deployment["url"] == f"http://testserver/deployment/{deployment['id']}/forward"
    assert deployment["token"].startswith(deployment["token_prefix"]) and deployment["enabled"]
    assert deployment["checkpoint"] == "best" and deployment["epoch"] == trained.best_epoch

    response = forward(test_client, deployment, json={"rows": [{"seq": s} for s in SEQS]})
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    stored = api_workspace.metadata.get_deployment(deployment["id"])
    expected = ServingModel.load(model_path(api_workspace, stored)).predict([{"seq": s} for s in SEQS])
    assert [r["expression"] for r in rows] == float32_approx([r["expression"] for r in expected])
    assert rows[0]["expression"] != rows[2]["expression"]

    # HTTP Basic with the token as user name, and a form post of one example, as Peltarion took.
    basic = base64.b64encode(f"{deployment['token']}:".encode()).decode()
    by_basic = test_client.post(
        f"/deployment/{deployment['id']}/forward",
        headers={"Authorization": f"Basic {basic}"},
        json={"rows": [{"seq": SEQS[0]}]},
    )
    assert by_basic.status_code == 200 and by_basic.json()["rows"][0] == rows[0]
    by_form = forward(test_client, deployment, data={"seq": SEQS[0]})
    assert by_form.status_code == 200, by_form.text
    assert by_form.json()["rows"][0]["expression"] == pytest.approx(rows[0]["expression"])

    schema = test_client.get(
        f"/deployment/{deployment['id']}/schema",
        headers={"Authorization": f"Bearer {deployment['token']}"},
    ).json()
    assert schema["inputs"][0]["name"] == "seq" and schema["max_rows"] == 10_000


def test_tokens_enabling_and_deleting(
    client: UserClient, test_client: TestClient, project_id: str, trained: Experiment
) -> None:
    first = deploy(client, project_id, "tiny")
    second = deploy(client, project_id, "tiny", name="second")
    body = {"json": {"rows": [{"seq": "ACGT"}]}}
    error(test_client.post(f"/deployment/{first['id']}/forward", **body), 401)
    error(forward(test_client, first, token="kzd_wrong", **body), 401)
    error(forward(test_client, first, token=second["token"], **body), 401)
    assert forward(test_client, first, **body).status_code == 200

    base = f"/api/projects/{project_id}/deployments/{first['id']}"
    rekeyed = client.post(f"{base}/token").json()
    error(forward(test_client, first, **body), 401)
    assert forward(test_client, first, token=rekeyed["token"], **body).status_code == 200
    first["token"] = rekeyed["token"]

    error(client.delete(base), 409)  # enabled: disable first
    assert client.patch(base, json={"enabled": False}).json()["enabled"] is False
    disabled = forward(test_client, first, **body)
    error(disabled, 403)
    assert "disabled" in disabled.json()["error"]["message"]
    error(forward(test_client, first, token="kzd_wrong", **body), 401)
    assert client.delete(base).status_code == 204
    error(forward(test_client, first, **body), 404)
    listed = client.get(f"/api/projects/{project_id}/deployments").json()
    assert [d["name"] for d in listed["data"]] == ["second"] and "token" not in listed["data"][0]


@pytest.mark.parametrize(
    ("body", "words", "details"),
    [
        (b"[" * 1500, ["nested too deeply"], {}),
        (b"{not json", ["not valid JSON"], {}),
        (b'{"rows": "ACGT"}', ['{"rows"'], {}),
        (b'{"rows": []}', ["at least one"], {}),
        (json.dumps({"rows": [{"seq": "ACGT"}] * 6}).encode(), ["6 rows", "at most 5"], {}),
        (b'{"rows": [{"seq": "ACGT"}, {"seq": "ACNXT"}]}', ["row 1", "'X'", "position 4"], {"row": 1}),
        (b'{"rows": [{"seq": "ACGT"}, {"seq": 5}]}', ["row 1", "not a sequence"], {"row": 1}),
        (b'{"rows": [{"seq": "ACGT"}, {"sequence": "ACGT"}]}', ["row 1", "missing"], {"feature": "seq"}),
        (b'{"rows": [{"seq": [[[["A"]]]]}]}', ["row 0"], {"row": 0}),
        (b'{"rows": [7]}', ["row 0", "object"], {"row": 0}),
        (b"x" * 3000, ["bytes", "at most 2000"], {}),
    ],
)
def test_bad_requests_are_422s_that_say_what_is_wrong(
    app: FastAPI,
    client: UserClient,
    test_client: TestClient,
    project_id: str,
    trained: Experiment,
    body: bytes,
    words: list[str],
    details: dict[str, Any],
) -> None:
    app.state.serving.max_rows, app.state.serving.max_body_bytes = 5, 2000
    deployment = deploy(client, project_id, "tiny")
    response = forward(
        test_client, deployment, content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert all(word in error["message"] for word in words), error["message"]
    assert details.items() <= error["details"].items()


def test_a_form_post_without_content_length_is_limited(
    app: FastAPI, client: UserClient, test_client: TestClient, project_id: str, trained: Experiment
) -> None:
    app.state.serving.max_body_bytes = 2000
    deployment = deploy(client, project_id, "tiny")

    def chunks() -> Iterator[bytes]:  # chunked: the form parser is never told the size
        yield b"seq=ACGT&pad="
        for _ in range(64):
            yield b"x" * 1024

    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = forward(test_client, deployment, content=chunks(), headers=headers)
    assert response.status_code == 422, response.text
    assert "at most 2000" in response.json()["error"]["message"]


def test_usage_is_counted_per_minute(
    client: UserClient, test_client: TestClient, project_id: str, trained: Experiment
) -> None:
    deployment = deploy(client, project_id, "tiny")
    for rows in (1, 3, 2):
        assert (
            forward(test_client, deployment, json={"rows": [{"seq": "ACGT"}] * rows}).status_code == 200
        )
    error(forward(test_client, deployment, json={"rows": [{"seq": "AXGT"}]}), 422)
    usage = client.get(f"/api/projects/{project_id}/deployments/{deployment['id']}/usage").json()
    assert (usage["requests"], usage["errors"], usage["rows"]) == (4, 1, 6)
    assert usage["mean_latency_ms"] > 0 and usage["max_latency_ms"] >= usage["mean_latency_ms"]
    assert sum(m["requests"] for m in usage["minutes"]) == 4


def test_variant_effects_are_alternative_minus_reference(
    client: UserClient, test_client: TestClient, project_id: str, trained: Experiment
) -> None:
    deployment = deploy(client, project_id, "tiny")
    headers = {"Authorization": f"Bearer {deployment['token']}"}
    reference, alternative = "ACGTACGTAC", "ACGAACGTAC"
    response = test_client.post(
        f"/deployment/{deployment['id']}/variant-effect",
        headers=headers,
        json={
            "variants": [
                {"reference": reference, "alternative": alternative},
                {"reference": reference, "substitutions": ["t4a"]},
            ]
        },
    )
    assert response.status_code == 200, response.text
    by_sequence, by_substitution = response.json()["variants"]
    predicted = forward(
        test_client, deployment, json={"rows": [{"seq": reference}, {"seq": alternative}]}
    )
    ref, alt = (r["expression"] for r in predicted.json()["rows"])
    assert by_sequence["effect"]["expression"] == float32_approx(alt - ref)
    assert by_substitution["alternative_sequence"] == alternative
    assert by_substitution["effect"] == pytest.approx(by_sequence["effect"])

    wrong = test_client.post(
        f"/deployment/{deployment['id']}/variant-effect",
        headers=headers,
        json={"variants": [{"reference": reference, "substitutions": ["G4A"]}]},
    )
    error(wrong, 422)
    assert "expects G at position 4" in wrong.json()["error"]["message"]


def test_checkpoint_choice(client: UserClient, project_id: str, trained: Experiment) -> None:
    assert deploy(client, project_id, "tiny", checkpoint=1, name="e1")["epoch"] == 1
    assert deploy(client, project_id, "tiny", checkpoint="last", name="last")["epoch"] == 2
    url = f"/api/projects/{project_id}/deployments"
    missing = client.post(url, json={"experiment": "tiny", "checkpoint": 9})
    error(missing, 404)
    assert "epoch-9" in missing.json()["error"]["message"]
    error(client.post(url, json={"experiment": "tiny", "checkpoint": "worst"}), 422)
    taken = client.post(url, json={"experiment": "tiny", "name": "e1"})
    error(taken, 409)


def test_members_try_a_deployment_without_its_token(
    client: UserClient,
    user_client: Any,
    test_client: TestClient,
    project_id: str,
    trained: Experiment,
) -> None:
    deployment = deploy(client, project_id, "tiny", enabled=False)
    base = f"/api/projects/{project_id}/deployments/{deployment['id']}"
    tried = client.post(f"{base}/try", json={"rows": [{"seq": "ACGT"}]})
    assert tried.status_code == 200 and isinstance(tried.json()["rows"][0]["expression"], float)
    assert client.get(f"{base}/schema").json()["outputs"][0]["name"] == "expression"
    bad = client.post(f"{base}/try", json={"rows": [{"seq": "AXGT"}]})
    error(bad, 422)
    assert bad.json()["error"]["details"]["row"] == 0
    stranger = user_client("mallory")
    error(stranger.post(f"{base}/try", json={"rows": [{"seq": "ACGT"}]}), 404)


def test_a_sequence_longer_than_the_window_is_answered_with_a_warning(
    client: UserClient, test_client: TestClient, project_id: str, trained: Experiment
) -> None:
    """The tiny model reads 12 letters, left-aligned: a 16-letter sequence is predicted from its
    first 12 (as that prefix is) and the answer says so; an answer without a cut sequence keeps
    Peltarion's shape, `rows` alone."""
    deployment = deploy(client, project_id, "tiny")
    long, prefix = "ACGTACGTACGTTTTT", "ACGTACGTACGT"
    answer = forward(test_client, deployment, json={"rows": [{"seq": prefix}, {"seq": long}]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["rows"][0] == body["rows"][1]
    assert body["warnings"] == [
        {
            "row": 1,
            "feature": "seq",
            "code": "sequence_truncated",
            "length": 16,
            "window": 12,
            "message": "row 1, feature 'seq': 16 letters but the model reads 12; the last 4 were "
            "left out (the window is left-aligned)",
        }
    ]
    assert set(forward(test_client, deployment, json={"rows": [{"seq": prefix}]}).json()) == {"rows"}
    tried = client.post(
        f"/api/projects/{project_id}/deployments/{deployment['id']}/try", json={"rows": [{"seq": long}]}
    )
    assert tried.status_code == 200 and tried.json()["warnings"][0]["row"] == 0
