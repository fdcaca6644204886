"""Trained experiments to deploy (a two-input regression, a small classifier) and a live server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from factories import TWO_INPUTS, UATG_CLASSIFIER, uatg_csv
from kozak.data import import_files
from kozak.deploy import create_deployment
from kozak.experiments import create_experiment, run_experiment
from kozak.graph.graph_spec import GraphSpec
from kozak.server.app import create_app
from kozak.settings import Settings
from kozak.store.entities import Experiment
from kozak.training import RunSettings
from kozak.workspace import Workspace


@pytest.fixture
def trained(workspace: Workspace, tiny_dna: Path) -> Experiment:
    """A regression of `expression` (z-scored) on `seq` and `count` (z-scored), two epochs."""
    draft = import_files(workspace, [tiny_dna], name="tiny", project="P")
    draft.set_encoding("seq", length=12).set_type("count", "float")
    draft.set_normalization("expression", "zscore").set_normalization("count", "zscore")
    for subset in list(draft.spec.subsets):
        draft.remove_subset(subset.name)
    draft.split(("training", "validation"), (75, 25), seed=0)
    settings = RunSettings.from_data({"epochs": 2, "batch_size": 8})
    experiment = create_experiment(
        workspace, "P", "tiny", draft.save(), GraphSpec.from_yaml(TWO_INPUTS), settings
    )
    return run_experiment(workspace, experiment)


@pytest.fixture
def classifier(workspace: Workspace, tmp_path: Path) -> Experiment:
    """A two-class (uatg/none) sequence classifier, trained for one epoch."""
    version = import_files(
        workspace, [uatg_csv(tmp_path / "uatg.csv", 120, 16)], name="uATG", project="P"
    ).save()
    settings = RunSettings.from_data({"epochs": 1, "batch_size": 32})
    experiment = create_experiment(
        workspace, "P", "clf", version, GraphSpec.from_yaml(UATG_CLASSIFIER), settings
    )
    return run_experiment(workspace, experiment)


@pytest.fixture
def live_deployment(
    settings: Settings, workspace: Workspace, trained: Experiment
) -> Iterator[tuple[str, str, str]]:
    """`trained`, deployed on the platform served by uvicorn in a thread: (root URL, id, token)."""
    deployment, token = create_deployment(workspace, trained)
    app = create_app(settings, start_runner=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", deployment.id, token
    server.should_exit = True
    thread.join(timeout=10)
