"""The tutorial through HTTP alone, against a real `kozak up` process with a real worker.

Create a project, upload a CSV and an NPY of one-hot sequences, set labels, subsets by
condition, normalize on training, save a version, create an experiment from the
cuperus2017-tutorial preset, run it, stream its progress and read the evaluation — on SQLite
and on PostgreSQL. Then the server is stopped mid-training and restarted: nothing is left
"running" and the run resumes from its last checkpoint.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from factories import native_experiment_file, tutorial_onehot_npy
from kozak.cli import app
from kozak.client import Client, Project
from live_server import LiveServer

PASSWORD = "process-password"
ROWS = 600


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[LiveServer]:
    running = LiveServer(tmp_path / "home", database_url, password=PASSWORD).start()
    yield running
    running.stop()


def tutorial_files(folder: Path, native: Path) -> tuple[Path, Path]:
    """The tutorial's two files: a CSV (index, label, t0) and an NPY of one-hot sequences."""
    table = pd.read_csv(native).head(ROWS)
    csv = folder / "growth.csv"
    pd.DataFrame({"index": np.arange(ROWS), "rl": table["growth_rate"], "t0": table["t0"]}).to_csv(
        csv, index=False
    )
    npy = tutorial_onehot_npy(table["UTR"].tolist(), folder / "seq.npy")
    return csv, npy


def tutorial_dataset(project: Project, files: tuple[Path, Path]) -> dict[str, Any]:
    return project.create_dataset(
        "Yeast",
        list(files),
        rename={"rl": "growth_rate"},
        subsets=[
            {"name": "training", "kind": "filter", "conditions": [
                {"feature": "index", "op": "<", "value": 400}]},
            {"name": "validation", "kind": "filter", "conditions": [
                {"feature": "index", "op": ">=", "value": 400},
                {"feature": "index", "op": "<", "value": 500}]},
            {"name": "test", "kind": "filter", "conditions": [
                {"feature": "index", "op": ">=", "value": 500}]},
        ],
        normalize_on="training",
    )  # fmt: skip


def test_the_tutorial_over_http(server: LiveServer, tmp_path: Path, native_utrs: Path) -> None:
    client = Client(server.url, "none")
    client.login("admin", PASSWORD)
    project = client.create_project("Yeast Blog")
    version = tutorial_dataset(project, tutorial_files(tmp_path, native_utrs))
    assert version["row_count"] == ROWS
    assert version["subset_counts"] == {"training": 400, "validation": 100, "test": 100}
    features = {f["name"]: f for f in version["spec"]["features"]}
    assert features["seq"]["type"] == "sequence" and features["growth_rate"]["type"] == "float"
    experiment = project.create_experiment(
        "tutorial",
        dataset="Yeast",
        preset="cuperus2017-tutorial",
        settings={"epochs": 2, "batch_size": 32, "optimizer": {"name": "adam", "lr": 0.001}},
        run=True,
    )
    seen: list[dict[str, Any]] = []
    done = project.wait(experiment["id"], seen.append, poll_s=0.3, timeout=180)
    assert done["status"] == "completed", done
    kinds = [e["event"] for e in seen]
    assert "progress" in kinds and kinds.count("epoch") == 2
    statuses = [e["data"]["status"] for e in seen if e["event"] == "status"]
    assert statuses[0] == "queued" and "running" in statuses and statuses[-1] == "completed"
    assert [e["epoch"] for e in project.epochs("tutorial")] == [1, 2]
    evaluation = project.evaluation("tutorial")
    test_metrics = evaluation["subsets"]["test"]["growth_rate"]["metrics"]
    assert test_metrics["n"] == 100 and np.isfinite(test_metrics["mse"])
    scatter = evaluation["subsets"]["test"]["growth_rate"]["scatter"]
    assert scatter["kind"] == "points" and len(scatter["x"]) == 100
    # resuming the stream after the last id yields nothing new
    last = int(seen[-1]["id"])
    assert list(project.events(experiment="tutorial", after=last)) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the worker suite covers both
def test_a_server_restart_during_training_loses_nothing(
    server: LiveServer, tmp_path: Path, native_utrs: Path
) -> None:
    client = Client(server.url, "none")
    token = client.login("admin", PASSWORD)
    project = client.create_project("Restart")
    tutorial_dataset(project, tutorial_files(tmp_path, native_utrs))
    project.create_experiment(
        "long", dataset="Yeast", preset="cuperus2017-tutorial",
        settings={"epochs": 50, "batch_size": 8, "early_stopping": {"enabled": False}}, run=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not project.epochs("long") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert project.epochs("long"), server.log()
    server.stop()  # SIGTERM mid-training: the worker stops cleanly and says so
    restarted = LiveServer(server.home, server.database_url, password=PASSWORD).start()
    try:
        again = Client(restarted.url, token).project("Restart")
        stopped = again.experiment("long")
        assert stopped["status"] == "stopped", stopped
        assert "resume" in stopped["message"]
        done_before = stopped["epochs_done"]
        assert done_before >= 1 and all(j["status"] != "running" for j in again.jobs())
        client_after = Client(restarted.url, token)
        job = client_after.post(f"{again.path}/experiments/long/resume")
        assert job["kind"] == "resume"
        deadline = time.monotonic() + 60
        while again.experiment("long")["epochs_done"] <= done_before and time.monotonic() < deadline:
            time.sleep(0.3)
        epochs = [e["epoch"] for e in again.epochs("long")]
        assert epochs[: done_before + 1] == list(range(1, done_before + 2))
        again.stop("long")
        final = again.wait("long", poll_s=0.3, timeout=60)
        assert final["status"] == "stopped"
    finally:
        restarted.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_cli_logs_in_and_runs_an_experiment_file_on_the_server(
    server: LiveServer, tmp_path: Path, native_utrs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOZAK_CREDENTIALS", str(tmp_path / "credentials.json"))
    runner = CliRunner()
    login = runner.invoke(app, ["login", server.url, "--user", "admin", "--password", PASSWORD])
    assert login.exit_code == 0, login.output
    assert (tmp_path / "credentials.json").stat().st_mode & 0o077 == 0
    path = native_experiment_file(
        tmp_path, native_utrs, "remote", training_percent=4, validation_percent=2
    )
    result = runner.invoke(app, ["run", str(path), "--server", server.url, "--json"])
    assert result.exit_code == 0, result.output + server.log()[-3000:]
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["status"] == "completed" and summary["name"] == "remote"
    assert summary["subsets"]["validation"]["growth_rate"]["n"] > 100
    assert "epoch 1:" in result.output
    project = Client(server.url).project("Yeast")  # the saved token, no arguments
    assert [e["name"] for e in project.experiments()] == ["remote"]
