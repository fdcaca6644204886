"""`kozak serve` as a real process: the forward contract, its token, and a 10,000-request load."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from factories import float32_approx, tiny_experiment
from kozak.cli.serve import _checkpoint_file
from kozak.deploy import ServingModel
from kozak.experiments import run_experiment
from kozak.workspace import Workspace
from live_server import ModelServer

from .conftest import error

TOKEN = "kzd_load-test-token"
REQUESTS, CLIENTS = 10_000, 16


@pytest.fixture
def checkpoint(workspace: Workspace, tiny_dna: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The best checkpoint of a trained experiment, found as `kozak serve tiny -p P` finds it."""
    experiment = run_experiment(workspace, tiny_experiment(workspace, "P", tiny_dna))
    monkeypatch.setenv("KOZAK_HOME", str(workspace.settings.home))
    monkeypatch.setenv("KOZAK_DATABASE_URL", workspace.settings.database_url)
    monkeypatch.setenv("KOZAK_ARTIFACT_ROOT", workspace.settings.artifact_root)
    path, experiment_id = _checkpoint_file(experiment.name, "P", "best")
    assert experiment_id == experiment.id
    return path


@pytest.fixture
def serving(checkpoint: Path, tmp_path: Path) -> Iterator[str]:
    """The forward URL of `kozak serve CHECKPOINT --token TOKEN` on a free port."""
    server = ModelServer(checkpoint, tmp_path, deployment_id="tiny", token=TOKEN).start()
    try:
        yield server.url
    finally:
        server.stop()


def test_a_standalone_server_answers_like_a_deployment(serving: str, checkpoint: Path) -> None:
    rows = [{"seq": "ACGTACGTAC"}, {"seq": "GGGCCCAAAT"}]
    answer = httpx.post(serving, json={"rows": rows}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    expected = ServingModel.load(checkpoint).predict(rows)
    assert [r["expression"] for r in answer.json()["rows"]] == float32_approx(
        [r["expression"] for r in expected]
    )
    many = httpx.post(serving, json={"rows": rows * 50}, auth=(TOKEN, ""))  # gzipped: over 1 KiB
    assert many.headers["content-encoding"] == "gzip" and len(many.json()["rows"]) == 100
    error(httpx.post(serving, json={"rows": rows}), 401)
    assert httpx.post(serving, json={"rows": rows}, auth=(TOKEN, "")).status_code == 200
    other = serving.replace("/tiny/", "/other/")
    error(httpx.post(other, json={"rows": rows}, auth=(TOKEN, "")), 404)
    bad = httpx.post(serving, json={"rows": [{"seq": "AC-T"}]}, auth=(TOKEN, ""))
    error(bad, 422)
    assert bad.json()["error"]["details"] == {"row": 0, "feature": "seq"}


def test_ten_thousand_requests_from_sixteen_clients_all_succeed(serving: str) -> None:
    def client_run(offset: int) -> Counter[int]:
        statuses: Counter[int] = Counter()
        with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as client:
            for k in range(offset, REQUESTS, CLIENTS):
                sequence = "ACGT"[k % 4] * (5 + k % 7) + "ATG"
                statuses[client.post(serving, json={"rows": [{"seq": sequence}]}).status_code] += 1
        return statuses

    with ThreadPoolExecutor(CLIENTS) as pool:
        totals = sum(pool.map(client_run, range(CLIENTS)), Counter())
    assert totals == Counter({200: REQUESTS})
