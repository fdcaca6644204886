"""Workers as real processes: killed, terminated, competing, supervised; nothing lost, nothing stuck.

Each test runs `kozak worker` processes against a SQLite (and, when configured, PostgreSQL)
workspace with a short lease, so a lost worker is noticed within seconds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from kozak.data import import_files
from kozak.experiments import create_experiment
from kozak.graph import chain
from kozak.runner import enqueue_experiment_job, reap_lost_jobs, stop_experiment
from kozak.runner import local as local_runner
from kozak.runner.local import LocalProcessRunner, settings_env
from kozak.runner.worker import Worker
from kozak.settings import Settings
from kozak.store.entities import Experiment
from kozak.store.sql import SqlAlchemyMetadataStore
from kozak.training import RunSettings
from kozak.workspace import Workspace
from live_server import LiveServer

Spawn = Callable[..., subprocess.Popen[bytes]]
MakeExperiment = Callable[..., Experiment]
RESUME = "resume to continue from the last checkpoint"


def wait_for(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def fresh(workspace: Workspace, experiment: Experiment) -> Experiment:
    return workspace.metadata.get_experiment(experiment.project_id, experiment.id)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def proc_settings(tmp_path: Path, database_url: str) -> Settings:
    # A lease of 4 s renewed every 0.3 s: a killed worker is noticed within seconds, while a live
    # one on a loaded two-core machine (a worker starting beside it) does not lose its job.
    return Settings(
        home=tmp_path / "home", database_url=database_url, job_lease_s=4, heartbeat_s=0.3, workers=1
    )


@pytest.fixture
def workspace_on(proc_settings: Settings) -> Iterator[Workspace]:
    workspace = Workspace.open(proc_settings)
    yield workspace
    if isinstance(workspace.metadata, SqlAlchemyMetadataStore):
        workspace.metadata.close()


@pytest.fixture
def spawn(tmp_path: Path, proc_settings: Settings) -> Iterator[Spawn]:
    """Starts `kozak worker` processes with the test's settings; kills leftovers afterwards."""
    started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, **settings_env(proc_settings)}
        output = tmp_path / f"worker-{len(started)}.log"
        with output.open("wb") as sink:
            process = subprocess.Popen(
                [*local_runner.WORKER_COMMAND, *args], env=env, stdout=sink, stderr=subprocess.STDOUT
            )
        started.append((process, output))
        return process

    yield start
    for process, output in started:
        if process.poll() is None:
            process.kill()
            process.wait()
        print(f"--- {output.name} (exit {process.returncode})\n{output.read_text()}")


@pytest.fixture
def make_experiment(workspace_on: Workspace, tmp_path: Path) -> MakeExperiment:
    """Experiments on 2,000 random 20-nt sequences: a linear model, ~0.1-0.5 s an epoch."""
    rng = np.random.default_rng(0)
    letters = np.array(list("ACGT"))[rng.integers(0, 4, (2000, 20))]
    seqs = ["".join(row) for row in letters]
    gc = [(s.count("G") + s.count("C")) / 20 for s in seqs]
    csv = tmp_path / "gc.csv"
    csv.write_text(
        "seq,y\n"
        + "".join(f"{s},{g + 0.1 * rng.standard_normal():.4f}\n" for s, g in zip(seqs, gc, strict=True))
    )
    version = import_files(workspace_on, [csv], name="GC", project="Lab").save()
    graph = chain(
        ("seq", "input", {"feature": "seq"}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("y", "target", {"feature": "y", "loss": "mse"}),
        name="linear",
    )

    def make(name: str = "gc", **settings: object) -> Experiment:
        run = RunSettings(**{"epochs": 8, "batch_size": 8, **settings})
        return create_experiment(workspace_on, "Lab", name, version, graph, run)

    return make


def test_a_killed_worker_is_reaped_and_a_resume_loses_nothing(
    workspace_on: Workspace, make_experiment: MakeExperiment, spawn: Spawn
) -> None:
    ws = workspace_on
    experiment = make_experiment()
    job = enqueue_experiment_job(ws, experiment, "train")
    worker = spawn()
    wait_for(lambda: fresh(ws, experiment).epochs_done >= 2, 90, "two epochs")
    # a heartbeat has saved the log since epoch 1 (fast epochs can beat the first one)
    wait_for(lambda: "epoch 1: loss" in ws.metadata.get_job(job.id).log, 30, "a heartbeat")
    time.sleep(0.1)  # into the next epoch
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    before = {e.epoch: e.metrics for e in ws.metadata.list_epochs(experiment.id)}
    assert fresh(ws, experiment).status == "running"  # until the lease runs out

    wait_for(lambda: reap_lost_jobs(ws), 15, "the lease to run out")  # the server's reaper
    lost = ws.metadata.get_job(job.id)
    assert lost.status == "failed" and lost.error.startswith("worker lost")
    assert "epoch 1: loss" in lost.log  # the log of the last heartbeat is kept
    failed = fresh(ws, experiment)
    assert failed.status == "failed"
    assert failed.message == f"worker lost during epoch {len(before) + 1}; {RESUME}"

    resume = enqueue_experiment_job(ws, experiment, "resume")
    assert Worker(ws, worker_id="second").run_one()
    assert ws.metadata.get_job(resume.id).status == "completed"
    done = fresh(ws, experiment)
    assert (done.status, done.epochs_done) == ("completed", 8)
    after = {e.epoch: e.metrics for e in ws.metadata.list_epochs(experiment.id)}
    assert list(after) == list(range(1, 9))
    assert all(after[epoch] == metrics for epoch, metrics in before.items())


def test_two_workers_share_the_queue_and_sigterm_stops_their_runs_cleanly(
    workspace_on: Workspace, make_experiment: MakeExperiment, spawn: Spawn
) -> None:
    ws = workspace_on
    long = make_experiment("long", epochs=1000)  # still running when the workers are stopped
    short = [make_experiment(f"short{i}", epochs=1, batch_size=256) for i in range(4)]
    long_job = enqueue_experiment_job(ws, long, "train")  # oldest, so claimed first
    jobs = [enqueue_experiment_job(ws, e, "train") for e in short]
    workers = [spawn(), spawn()]
    wait_for(lambda: all(ws.metadata.get_job(j.id).status == "completed" for j in jobs), 120, "jobs")
    wait_for(lambda: fresh(ws, long).epochs_done >= 1, 90, "an epoch of the long run")
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    assert [w.wait(timeout=30) for w in workers] == [0, 0]

    ids = {f"{socket.gethostname()}:{w.pid}" for w in workers}
    for job, experiment in zip(jobs, short, strict=True):
        ran = ws.metadata.get_job(job.id)
        assert ran.attempts == 1 and ran.worker_id in ids
        events = ws.metadata.list_events(experiment.project_id, experiment_id=experiment.id)
        assert [e.data["status"] for e in events if e.kind == "status"] == [
            "queued",
            "running",
            "completed",
        ]
        assert len([e for e in events if e.kind == "epoch"]) == 1
    ended = ws.metadata.get_job(long_job.id)
    assert ended.status == "cancelled" and ended.log.rstrip().endswith("cancelled")
    stopped = fresh(ws, long)
    assert (stopped.status, stopped.message) == ("stopped", "worker shut down; resume to continue")
    assert ws.metadata.list_jobs(statuses=("queued", "running")) == []

    stopped_at = stopped.epochs_done
    enqueue_experiment_job(ws, long, "resume")  # resumable: continues where it stopped
    resumed = threading.Thread(target=Worker(ws).run_one)
    resumed.start()
    wait_for(lambda: fresh(ws, long).epochs_done > stopped_at, 60, "a resumed epoch")
    stop_experiment(ws, long)
    resumed.join(timeout=30)
    epochs = [e.epoch for e in ws.metadata.list_epochs(long.id)]
    assert epochs == list(range(1, len(epochs) + 1)) and len(epochs) > stopped_at
    assert fresh(ws, long).status == "stopped"


def test_the_local_runner_replaces_a_dead_worker_and_stops_without_leftovers(
    workspace_on: Workspace, make_experiment: MakeExperiment
) -> None:
    ws = workspace_on
    experiment = make_experiment(epochs=200)
    runner = LocalProcessRunner(ws)
    runner.start()
    try:
        first = runner.pids
        assert len(first) == 1
        handle = runner.submit(enqueue_experiment_job(ws, experiment, "train"))
        wait_for(lambda: fresh(ws, experiment).epochs_done >= 1, 90, "an epoch")
        worker_id = handle.job().worker_id or ""
        pid = int(worker_id.rsplit(":", 1)[1])
        assert pid in first
        os.kill(pid, signal.SIGKILL)
        lost = handle.wait(timeout=10)  # failed at once: the runner saw its worker die
        assert lost.status == "failed" and lost.error == "worker process died"
        # The runner fails the job, then marks its experiment: a commit apart.
        wait_for(
            lambda: fresh(ws, experiment).message.startswith("worker lost during epoch"),
            10,
            "the experiment marked lost",
        )
        wait_for(lambda: len(runner.pids) == 1 and pid not in runner.pids, 30, "a new worker")

        resumed = runner.submit(enqueue_experiment_job(ws, experiment, "resume"))
        done = fresh(ws, experiment).epochs_done
        wait_for(lambda: fresh(ws, experiment).epochs_done > done, 90, "the resumed run")
        pids = runner.pids
    finally:
        runner.stop(timeout=30)
    assert not any(alive(p) for p in pids) and runner.pids == []
    assert ws.metadata.list_jobs(statuses=("queued", "running")) == []
    assert resumed.status() == "cancelled"
    stopped = fresh(ws, experiment)
    assert (stopped.status, stopped.message) == ("stopped", "worker shut down; resume to continue")


def test_workers_of_a_killed_server_stop_by_themselves(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "home").start()
    records = tmp_path / "home" / "run" / "workers"
    try:
        wait_for(lambda: any(records.glob("*")), 30, "the worker's record")
        worker = int(next(records.glob("*")).name)
        assert alive(worker)
        assert server.process is not None
        server.process.kill()  # kill -9: no shutdown code runs in the server
        server.process.wait()
        wait_for(lambda: not alive(worker) or _zombie(worker), 60, "the orphaned worker to stop")
    finally:
        server.stop()


def test_a_starting_runner_ends_the_workers_an_earlier_server_left(
    workspace_on: Workspace, spawn: Spawn, make_experiment: MakeExperiment
) -> None:
    ws = workspace_on
    experiment = make_experiment(epochs=500)
    leftover = spawn()  # an earlier server's worker, still training
    records = ws.settings.home / "run" / "workers"
    records.mkdir(parents=True)
    (records / str(leftover.pid)).touch()
    job = enqueue_experiment_job(ws, experiment, "train")
    leftover_id = f"{socket.gethostname()}:{leftover.pid}"
    wait_for(lambda: ws.metadata.get_job(job.id).worker_id == leftover_id, 120, "the leftover's claim")

    runner = LocalProcessRunner(ws)
    runner.start()
    try:
        assert leftover.wait(timeout=local_runner.LEFTOVER_STOP_S + 10) is not None
        stopped = fresh(ws, experiment)
        assert (stopped.status, stopped.message) == ("stopped", "worker shut down; resume to continue")
        assert [int(r.name) for r in records.iterdir()] == runner.pids and len(runner.pids) == 1
    finally:
        runner.stop(timeout=30)
    assert list(records.iterdir()) == []


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z"
    except OSError:
        return False
