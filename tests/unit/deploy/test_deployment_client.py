"""`Deployment`, the Python client of a deployment, against a real server (and mock transports)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pandas as pd
import pytest

from factories import float32_approx
from kozak import accounts
from kozak.client import Client
from kozak.deploy import ServingModel
from kozak.deployment_client import Deployment, deployment_url
from kozak.errors import (
    DataError,
    InvalidConfig,
    KozakError,
    NetworkError,
    NotAuthenticated,
    NotFound,
)
from kozak.experiments.checkpoints import local_checkpoint
from kozak.interpret import ExplainSettings, explain_experiment
from kozak.store.entities import Experiment
from kozak.workspace import Workspace

Live = tuple[str, str, str]
ROWS = [{"seq": "ACGTACGTAC"[: 3 + i], "count": float(i)} for i in range(7)]


@pytest.fixture
def local(workspace: Workspace, trained: Experiment) -> ServingModel:
    path = local_checkpoint(workspace, trained, "best")
    assert path is not None
    return ServingModel.load(path, "cpu")


def _expression(predictions: list[dict[str, float]]) -> list[float]:
    return [p["expression"] for p in predictions]


def test_predict_schema_and_many(live_deployment: Live, local: ServingModel) -> None:
    root, deployment_id, token = live_deployment
    expected = _expression(local.predict(ROWS))
    with Client(root, token) as client:
        deployment = client.deployment(deployment_id)  # the client's token
        assert _expression(deployment.predict(ROWS)) == float32_approx(expected)
    with Deployment(f"{root}/deployment/{deployment_id}/forward", token) as deployment:
        schema = deployment.schema()
        assert [f["name"] for f in schema["inputs"]] == ["seq", "count"]
        assert schema["outputs"][0]["name"] == "expression" and schema["max_rows"] > 0

        def generated() -> Iterator[dict[str, object]]:
            yield from ROWS

        many = list(deployment.predict_many(generated(), batch_size=3))
        assert _expression(many) == float32_approx(expected)


def test_predict_frame_adds_columns(live_deployment: Live, local: ServingModel) -> None:
    root, deployment_id, token = live_deployment
    frame = pd.DataFrame(ROWS, index=[f"r{i}" for i in range(7)])
    frame["expression"] = 1.0  # measured values: the prediction must not overwrite them
    frame["note"] = "kept"
    with Deployment(f"{root}/deployment/{deployment_id}", token) as deployment:
        result = deployment.predict_frame(frame, batch_size=4)
        named = deployment.predict_frame(frame[["seq", "count"]], prefix="model_")
    assert list(result.columns) == ["seq", "count", "expression", "note", "expression_pred"]
    assert list(result.index) == list(frame.index) and (result["expression"] == 1.0).all()
    expected = _expression(local.predict(ROWS))
    assert result["expression_pred"].tolist() == float32_approx(list(expected))
    assert named["model_expression_pred"].tolist() == float32_approx(list(expected))
    assert "model_expression_pred" not in frame.columns  # a copy


def test_variant_effect(live_deployment: Live, local: ServingModel) -> None:
    root, deployment_id, token = live_deployment
    reference, alternative = "ACGTACGTAC", "ACGTTCGTAC"
    with Client(root).deployment(deployment_id, token=token) as deployment:
        (effect,) = deployment.variant_effect(
            [{"reference": reference, "alternative": alternative}], context={"count": 2.0}
        )
    ref, alt = _expression(local.predict([{"seq": s, "count": 2.0} for s in (reference, alternative)]))
    assert effect["effect"]["expression"] == float32_approx(alt - ref)


def test_errors(live_deployment: Live) -> None:
    root, deployment_id, token = live_deployment
    with pytest.raises(NotAuthenticated, match="token"):
        Deployment(f"{root}/deployment/{deployment_id}", "kzd_wrong").predict(ROWS)
    with pytest.raises(NotFound):
        Deployment(f"{root}/deployment/dep_missing", token).schema()
    rows = [*ROWS[:5], {"seq": "ACGT", "count": "many"}, ROWS[0]]
    with (
        Deployment(f"{root}/deployment/{deployment_id}", token) as deployment,
        pytest.raises(DataError) as caught,
    ):
        list(deployment.predict_many(rows, batch_size=2))
    # Row 5 of the data (the second row of the third batch), named as such.
    assert caught.value.details["row"] == 5 and caught.value.details["feature"] == "count"
    assert caught.value.message.startswith("row 5, feature 'count'")


def test_urls() -> None:
    assert deployment_url("https://kozak.lab/deployment/dep_1/forward") == (
        "https://kozak.lab/deployment/dep_1",
        "dep_1",
    )
    assert deployment_url("http://h:8/proxy/deployment/dep_2/")[1] == "dep_2"
    with pytest.raises(InvalidConfig, match="not a deployment URL"):
        Deployment("http://kozak.lab/api/projects")


def _flaky(statuses: list[int], calls: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        status = statuses[min(len(calls), len(statuses)) - 1]
        if status == 0:
            raise httpx.ConnectError("refused", request=request)
        if status != 200:
            body = {"error": {"code": "kozak_error", "message": f"status {status}", "details": {}}}
            return httpx.Response(status, json=body)
        return httpx.Response(200, json={"rows": [{"y": 1.0}]})

    return httpx.MockTransport(answer)


@pytest.mark.parametrize(
    ("statuses", "calls_made", "error"),
    [
        ([0, 503, 429, 200], 4, None),  # connection error, 5xx and 429 are retried
        ([500, 500, 500, 500, 200], 4, (KozakError, "status 500")),  # three retries, then it
        ([404, 200], 1, (KozakError, "status 404")),  # 4xx never
        ([0, 0, 0, 0], 4, (NetworkError, "cannot reach deployment dep_x")),
    ],
)
def test_retries(
    statuses: list[int], calls_made: int, error: tuple[type[Exception], str] | None
) -> None:
    calls: list[httpx.Request] = []
    deployment = Deployment(
        "http://kozak.test/deployment/dep_x", "kzd_t", backoff_s=0, transport=_flaky(statuses, calls)
    )
    if error is None:
        assert list(deployment.predict_many([{"x": 1}], retries=3)) == [{"y": 1.0}]
    else:
        with pytest.raises(error[0], match=error[1]):
            list(deployment.predict_many([{"x": 1}], retries=3))
    assert len(calls) == calls_made
    assert calls[0].headers["authorization"] == "Bearer kzd_t"
    assert calls[0].url.path == "/deployment/dep_x/forward"


def test_a_project_deploys_and_lists_through_the_client(
    live_deployment: Live, workspace: Workspace, trained: Experiment
) -> None:
    root, existing_id, _ = live_deployment
    _, user_token = accounts.create_token(workspace, accounts.get_user(workspace, "admin"), "tests")
    client = Client(root, user_token)
    project = client.project("P")
    made = project.deploy(trained.name, checkpoint=1, name="epoch-one")
    assert made["epoch"] == 1 and made["token"].startswith("kzd_")
    assert [d["id"] for d in project.deployments()] == [existing_id, made["id"]]
    assert "token" not in project.deployments()[1]
    predicted = client.deployment(made["id"], token=made["token"]).predict(ROWS[:2])
    assert len(predicted) == 2


def test_explain_through_the_clients(
    live_deployment: Live, workspace: Workspace, trained: Experiment
) -> None:
    """`Project.explain` (an experiment) and `Deployment.explain` answer what the library does,
    with the model's other input held at the context sent."""
    root, deployment_id, token = live_deployment
    _, user_token = accounts.create_token(workspace, accounts.get_user(workspace, "admin"), "tests")
    client = Client(root, user_token)
    settings = {"method": "ism", "context": {"count": 2.0}}
    by_experiment = client.project("P").explain(trained.name, ["ACGTACGTAC"], **settings)
    expected = explain_experiment(workspace, trained, ["ACGTACGTAC"], ExplainSettings(**settings))
    assert by_experiment == expected.model_dump(mode="json")
    deployed = client.deployment(deployment_id, token=token).explain(["ACGTACGTAC"], **settings)
    assert deployed["sequences"][0]["positions"] == list(range(1, 11))
    assert deployed["sequences"][0]["prediction"] == float32_approx(expected.sequences[0].prediction)
    with pytest.raises(DataError, match="context"):
        client.deployment(deployment_id, token=token).explain(["ACGT"])
