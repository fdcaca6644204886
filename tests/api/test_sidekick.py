"""Peltarion's `sidekick` client, unchanged, against real `kozak up` and `kozak serve` processes.

`sidekick_client` makes sidekick's requests. Two models: one trained on sequence strings, one on
the same sequences imported as one-hot (4, W, 1) arrays, as the Peltarion tutorial shipped them.
Each answers sidekick (which sends what the schema declares: a string, or an NPY data URL), a
raw client sending tensor JSON, and one sending the string; then the Data API builds a dataset.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
import requests

from factories import tiny_experiment, tiny_onehot_files
from kozak.client import Client
from kozak.deploy import ServingModel, create_deployment
from kozak.deploy.deployments import model_path
from kozak.deployment_client import Deployment as KozakDeployment
from kozak.experiments import run_experiment
from kozak.settings import Settings
from kozak.workspace import Workspace
from live_server import LiveServer, ModelServer
from sidekick_client import DatasetClient, Deployment, FeatureSpec, create_bundle

PASSWORD = "sidekick-password"
ROWS = 300  # three of sidekick's 128-row batches


@pytest.fixture
def models(tmp_path: Path, tiny_dna: Path) -> dict[str, tuple[str, str, Path]]:
    """kind ("text" or "onehot") → (deployment id, token, checkpoint) in the workspace at home."""
    workspace = Workspace.open(Settings(home=tmp_path / "home"))
    onehot = tiny_onehot_files(tmp_path / "onehot", tiny_dna)
    experiments = {
        "text": tiny_experiment(workspace, "P", tiny_dna, "text"),
        "onehot": tiny_experiment(workspace, "P", tiny_dna, "onehot", files=onehot),
    }
    found = {}
    for kind, experiment in experiments.items():
        deployment, token = create_deployment(workspace, run_experiment(workspace, experiment))
        found[kind] = (deployment.id, token, model_path(workspace, deployment))
    workspace.metadata.close()
    return found


@pytest.fixture
def platform(tmp_path: Path, models: dict[str, tuple[str, str, Path]]) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "home", password=PASSWORD).start()
    yield server
    server.stop()


def sequences(tiny_dna: Path) -> list[str]:
    table = pd.read_csv(tiny_dna)
    return [table["seq"][k % len(table)] for k in range(ROWS)]


def one_hot_rows(folder: Path, tiny_dna: Path) -> np.ndarray:
    arrays = np.load(tiny_onehot_files(folder, tiny_dna)[0])
    return np.stack([arrays[k % len(arrays)] for k in range(ROWS)])


def check_deployment(
    url: str, token: str, checkpoint: Path, kind: str, tiny_dna: Path, tmp: Path
) -> None:
    """What a sidekick user, a tensor-JSON client and a string client each get."""
    texts = sequences(tiny_dna)
    expected = [
        r["expression"]
        for r in ServingModel.load(checkpoint, "cpu").predict([{"seq": s} for s in texts])
    ]
    client = Deployment(url, token)
    assert client.tensor_json is True
    assert client.feature_specs_out == [FeatureSpec("expression", "numeric", (1,))]
    if kind == "text":
        assert client.feature_specs_in == [FeatureSpec("seq", "text", (12,))]
        items = [{"seq": s} for s in texts]
    else:
        assert client.feature_specs_in == [FeatureSpec("seq", "numpy", (4, 22, 1))]
        items = [{"seq": a} for a in one_hot_rows(tmp, tiny_dna)]
    answers = client.predict_many(items)
    assert [a["expression"] for a in answers] == pytest.approx(expected, abs=1e-6)
    assert client.predict(**items[0])["expression"] == pytest.approx(expected[0], abs=1e-6)

    auth = {"Authorization": f"Bearer {token}"}
    hot = one_hot_rows(tmp, tiny_dna)[:5]
    if kind == "text":
        hot = hot[:, :, 4:16, 0]  # the text model's own (4, 12) window
    tensor_rows = [{"seq": {"shape": list(a.shape), "data": a.flatten().tolist()}} for a in hot]
    for rows in (tensor_rows, [{"seq": s} for s in texts[:5]]):
        answer = httpx.post(url, json={"rows": rows}, headers=auth)
        assert answer.status_code == 200, answer.text
        assert [r["expression"] for r in answer.json()["rows"]] == pytest.approx(expected[:5], abs=1e-6)

    bad = httpx.post(url, json={"rows": [{"seq": "ACXT"}]}, headers=auth)
    assert bad.status_code == 422
    body = bad.json()
    assert body["errorCode"] == body["error"]["code"] == "invalid_data"
    assert body["errorMessage"] == body["error"]["message"] and "row 0" in body["errorMessage"]
    with pytest.raises(requests.HTTPError):
        Deployment(url, "kzd_wrong-token")
    # Kozak's own client still reads /schema.
    schema = KozakDeployment(url.removesuffix("/forward"), token).schema()
    assert schema["inputs"][0]["name"] == "seq"


@pytest.mark.parametrize("kind", ["text", "onehot"])
def test_sidekick_deployments_on_the_platform(
    platform: LiveServer,
    models: dict[str, tuple[str, str, Path]],
    kind: str,
    tiny_dna: Path,
    tmp_path: Path,
) -> None:
    deployment_id, token, checkpoint = models[kind]
    url = f"{platform.url}/deployment/{deployment_id}/forward"
    check_deployment(url, token, checkpoint, kind, tiny_dna, tmp_path / "rows")


@pytest.mark.parametrize(("kind", "workers"), [("text", 1), ("onehot", 2)])
def test_sidekick_deployments_on_kozak_serve(
    models: dict[str, tuple[str, str, Path]], kind: str, workers: int, tiny_dna: Path, tmp_path: Path
) -> None:
    _, token, checkpoint = models[kind]
    server = ModelServer(checkpoint, tmp_path, deployment_id=kind, token=token, workers=workers).start()
    try:
        check_deployment(server.url, token, checkpoint, kind, tiny_dna, tmp_path / "rows")
    finally:
        server.stop()


def test_sidekick_data_api_creates_a_dataset(
    platform: LiveServer, tiny_dna: Path, tmp_path: Path
) -> None:
    token = Client(platform.url).login("admin", PASSWORD)
    kozak = Client(platform.url, token)
    project = kozak.project("P")
    base = f"{platform.url}/api/projects/{project.id}/data-api"
    files = tiny_onehot_files(tmp_path / "upload", tiny_dna)
    DatasetClient(base, token).upload_data(files, name="Tiny", description="from sidekick")

    (draft,) = [d for d in kozak.get(f"/projects/{project.id}/drafts")["data"] if d["name"] == "Tiny"]
    assert draft["description"] == "from sidekick"
    # sidekick sends no file names: the files are numbered in the order they arrived.
    assert sorted(Path(f["name"]).suffix for f in draft["files"]) == [".csv", ".npy"]
    view = kozak.get(f"/projects/{project.id}/drafts/{draft['id']}")
    types = {f["name"]: f["type"] for f in view["features"]}
    assert types["expression"] == "float" and sorted(types.values()).count("sequence") == 1
    version = kozak.post(f"/projects/{project.id}/drafts/{draft['id']}/save", {})
    assert version["row_count"] == 40

    # The same name again gets a number; a bundle made as sidekick makes one; saved at once.
    frame = pd.read_csv(tiny_dna)[["expression"]]
    frame["seq"] = list(np.load(files[0]))
    bundle = create_bundle(tmp_path / "bundle.zip", frame)
    client = DatasetClient(base, token)
    wrapper = client.session.post(base, json={"name": "Tiny", "description": ""}).json()
    assert wrapper["name"] == "Tiny 2"
    upload = client._stage(bundle, wrapper["datasetWrapperId"])
    statuses = client.session.get(f"{base}/{wrapper['datasetWrapperId']}/uploads").json()
    assert statuses["uploadStatuses"] == [
        {"uploadId": upload, "status": "SUCCESS", "message": "", "filename": "upload-1.zip"}
    ]
    done = client.session.post(
        f"{base}/{wrapper['datasetWrapperId']}/upload_complete", json={"save": True}
    )
    assert done.status_code == 200, done.text
    assert done.json()["version"]["row_count"] == 40

    # A malformed file is a FAILED upload that sidekick reports with the file and the reason.
    broken = tmp_path / "broken.csv"
    broken.write_text("seq,y\nACGT,1\nACGT,1,2\n")
    with pytest.raises(OSError, match=r"broken\.csv.*fields"):
        DatasetClient(base, token).upload_data([broken], name="Broken")
    # Without a token nothing happens.
    assert httpx.post(base, json={"name": "x", "description": ""}).status_code == 401
