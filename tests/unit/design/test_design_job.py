"""The design job: a worker runs it with round events; a stop request ends it after its round."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from factories import tiny_experiment
from kozak.design.records import load_result
from kozak.experiments import run_experiment
from kozak.runner import Worker
from kozak.runner.design_job import create_design
from kozak.runner.jobs import cancel_job
from kozak.settings import Settings
from kozak.workspace import Workspace


def test_a_stop_request_stops_a_running_design(tmp_path: Path, tiny_dna: Path) -> None:
    workspace = Workspace.open(Settings(home=tmp_path / "home", heartbeat_s=0.1, job_lease_s=5))
    experiment = run_experiment(workspace, tiny_experiment(workspace, "P", tiny_dna))
    project = workspace.metadata.get_project("P")
    design, job = create_design(
        workspace,
        project,
        experiments=[experiment.name],
        settings={"strategy": "annealing", "rounds": 1000, "proposals": 4},  # never converges
        starts={"source": "random", "count": 4, "length": 12},
    )
    assert job is not None
    worker = Worker(workspace, "test-worker")
    running = threading.Thread(target=worker.run_one)
    running.start()
    deadline = time.monotonic() + 60
    while not any(e.kind == "design_round" for e in workspace.metadata.list_events(project.id)):
        assert time.monotonic() < deadline, "no round event"
        time.sleep(0.05)
    cancel_job(workspace, job.id)
    running.join(timeout=60)
    assert workspace.metadata.get_job(job.id).status == "cancelled"
    result = load_result(workspace, workspace.metadata.get_design(project.id, design.id))
    assert result.stopped and 1 <= result.rounds < 1000
    statuses = [
        e.data["status"] for e in workspace.metadata.list_events(project.id) if e.kind == "design_status"
    ]
    assert statuses == ["queued", "running", "cancelled"]
