"""Experiment jobs in-process: enqueue, run through a `Worker`, events, cancel, failure, reaping."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from kozak.errors import Conflict, InvalidConfig, NotFound
from kozak.runner import (
    active_job,
    enqueue_experiment_job,
    reap_lost_jobs,
    stop_experiment,
)
from kozak.runner.base import SubmittedJob
from kozak.runner.job_kind import StopSignal
from kozak.runner.job_log import JobLog
from kozak.runner.jobs import execute_job
from kozak.runner.worker import Worker
from kozak.store.entities import Event, Experiment
from kozak.workspace import Workspace

MakeExperiment = Callable[..., Experiment]


def wait_for(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def events(workspace: Workspace, experiment: Experiment) -> list[Event]:
    return workspace.metadata.list_events(
        experiment.project_id, experiment_id=experiment.id, limit=10_000
    )


def statuses(workspace: Workspace, experiment: Experiment) -> list[str]:
    return [e.data["status"] for e in events(workspace, experiment) if e.kind == "status"]


def fresh(workspace: Workspace, experiment: Experiment) -> Experiment:
    return workspace.metadata.get_experiment(experiment.project_id, experiment.id)


def test_enqueue_marks_the_experiment_queued_and_refuses_a_second_job(
    job_workspace: Workspace, make_experiment: MakeExperiment
) -> None:
    experiment = make_experiment()
    job = enqueue_experiment_job(job_workspace, experiment, "train", created_by="usr_1")
    assert job.status == "queued" and job.experiment_id == experiment.id and job.created_by == "usr_1"
    assert fresh(job_workspace, experiment).status == "queued"
    assert statuses(job_workspace, experiment) == ["queued"]
    assert active_job(job_workspace, experiment) == job
    with pytest.raises(Conflict, match="already has a queued job") as refused:
        enqueue_experiment_job(job_workspace, experiment, "evaluate")
    assert refused.value.code == "conflict" and refused.value.http_status == 409


def test_enqueue_refuses_what_cannot_run(
    job_workspace: Workspace, make_experiment: MakeExperiment
) -> None:
    experiment = make_experiment()
    with pytest.raises(InvalidConfig, match="no checkpoint to resume from; run it first"):
        enqueue_experiment_job(job_workspace, experiment, "resume")
    with pytest.raises(InvalidConfig, match="unknown job kind 'fly'; choose one of: train, resume"):
        enqueue_experiment_job(job_workspace, experiment, "fly")
    with pytest.raises(InvalidConfig, match="epochs"):
        enqueue_experiment_job(job_workspace, experiment, "continue", payload={"epochs": 0})
    with pytest.raises(InvalidConfig, match="extra"):
        enqueue_experiment_job(job_workspace, experiment, "train", payload={"extra": 1})
    with pytest.raises(NotFound, match="no 'best' checkpoint"):
        enqueue_experiment_job(job_workspace, experiment, "evaluate")
    assert fresh(job_workspace, experiment).status == "created"
    assert job_workspace.metadata.list_jobs() == []


def test_a_train_job_completes_with_status_progress_and_epoch_events_in_order(
    job_workspace: Workspace, make_experiment: MakeExperiment
) -> None:
    experiment = make_experiment(epochs=3)
    handle = SubmittedJob(job_workspace, enqueue_experiment_job(job_workspace, experiment, "train").id)
    worker = Worker(job_workspace, worker_id="w1")
    assert worker.run_one() is True
    assert worker.run_one() is False  # the queue is empty now
    job = handle.wait(timeout=1)
    assert job.status == "completed" and job.worker_id == "w1" and job.attempts == 1
    assert "epoch 3: loss" in job.log and job.log.rstrip().endswith("completed")
    done = fresh(job_workspace, experiment)
    assert (done.status, done.epochs_done) == ("completed", 3)
    found = events(job_workspace, experiment)
    assert [e.id for e in found] == sorted(e.id for e in found)
    assert all(e.data["experiment_id"] == experiment.id for e in found)
    assert statuses(job_workspace, experiment) == ["queued", "running", "completed"]
    # each epoch: progress (always its last batch), then the epoch's metrics
    kinds = [(e.kind, e.data.get("epoch")) for e in found if e.kind != "status"]
    assert [k for k in kinds if k[0] == "epoch"] == [("epoch", 1), ("epoch", 2), ("epoch", 3)]
    for epoch in (1, 2, 3):
        last = [e for e in found if e.kind == "progress" and e.data["epoch"] == epoch][-1]
        assert last.data["batch"] == last.data["batches"] == 4 and last.data["loss"] > 0
        assert kinds.index(("progress", epoch)) < kinds.index(("epoch", epoch))
    first, last_event = found[0], found[-1]
    assert (first.data["status"], last_event.data["status"]) == ("queued", "completed")
    metrics = [e for e in found if e.kind == "epoch"][-1].data["metrics"]
    assert (
        metrics["val_loss"] == job_workspace.metadata.list_epochs(experiment.id)[-1].metrics["val_loss"]
    )


def test_progress_events_are_throttled(
    job_workspace: Workspace, make_experiment: MakeExperiment
) -> None:
    # ~30 training rows in batches of 1: ~30 batches an epoch, far faster than two a second
    experiment = make_experiment(epochs=2, batch_size=1)
    enqueue_experiment_job(job_workspace, experiment, "train")
    Worker(job_workspace).run_one()
    progress = [e.data for e in events(job_workspace, experiment) if e.kind == "progress"]
    assert progress[0]["batches"] > 20
    assert [p["epoch"] for p in progress if p["batch"] == p["batches"]] == [1, 2]
    assert len(progress) < 10


def test_stop_cancels_a_running_job_and_resume_continues_it(
    job_workspace: Workspace, make_experiment: MakeExperiment
) -> None:
    experiment = make_experiment(epochs=400)
    job = enqueue_experiment_job(job_workspace, experiment, "train")
    worker = Worker(job_workspace)
    thread = threading.Thread(target=worker.run_one)
    thread.start()
    wait_for(lambda: fresh(job_workspace, experiment).epochs_done >= 2)
    flagged = stop_experiment(job_workspace, experiment)
    assert flagged.status == "running" and flagged.cancel_requested
    thread.join(timeout=20)
    assert not thread.is_alive()
    job = job_workspace.metadata.get_job(job.id)
    assert job.status == "cancelled" and job.error == "" and "cancelled" in job.log
    stopped = fresh(job_workspace, experiment)
    assert stopped.status == "stopped" and stopped.message == "stopped on request; resume to continue"
    assert statuses(job_workspace, experiment)[-1] == "stopped"
    done_before = stopped.epochs_done
    assert 2 <= done_before < 400
    with pytest.raises(Conflict, match="not queued or running"):
        stop_experiment(job_workspace, experiment)

    enqueue_experiment_job(job_workspace, experiment, "continue", payload={"epochs": 1})
    Worker(job_workspace).run_one()
    longer = fresh(job_workspace, experiment)
    assert longer.status == "completed" and longer.settings["epochs"] == done_before + 1
    assert [e.epoch for e in job_workspace.metadata.list_epochs(experiment.id)] == list(
        range(1, done_before + 2)
    )


def test_a_cancelled_queued_job_gives_the_experiment_back(
    job_workspace: Workspace, make_experiment: MakeExperiment
) -> None:
    experiment = make_experiment()
    job = enqueue_experiment_job(job_workspace, experiment, "train")
    cancelled = SubmittedJob(job_workspace, job.id).cancel()
    assert cancelled.status == "cancelled"
    assert fresh(job_workspace, experiment).status == "created"
    assert statuses(job_workspace, experiment) == ["queued", "created"]
    assert Worker(job_workspace).run_one() is False


def test_a_failing_run_fails_the_job_with_error_and_log(
    job_workspace: Workspace, make_experiment: MakeExperiment
) -> None:
    experiment = make_experiment(optimizer={"name": "sgd", "lr": 1e12})
    job = enqueue_experiment_job(job_workspace, experiment, "train")
    Worker(job_workspace).run_one()
    job = job_workspace.metadata.get_job(job.id)
    assert job.status == "failed" and "training diverged" in job.error
    assert "Traceback (most recent call last)" in job.log and "JobFailed" in job.log
    failed = fresh(job_workspace, experiment)
    assert failed.status == "failed" and "training diverged" in failed.message
    assert statuses(job_workspace, experiment) == ["queued", "running", "failed"]


def test_reaping_a_lost_job_leaves_the_experiment_failed_but_resumable(
    job_workspace: Workspace, make_experiment: MakeExperiment
) -> None:
    experiment = make_experiment()
    job = enqueue_experiment_job(job_workspace, experiment, "train")
    assert job_workspace.metadata.claim_job("gone", lease_seconds=0.05) is not None
    job_workspace.metadata.update_experiment(experiment.id, status="running")
    time.sleep(0.1)
    [reaped] = reap_lost_jobs(job_workspace)
    assert reaped.id == job.id and reaped.status == "failed" and "worker lost" in reaped.error
    lost = fresh(job_workspace, experiment)
    assert lost.status == "failed"
    assert lost.message == "worker lost during epoch 1; run it again"  # no checkpoint yet
    assert statuses(job_workspace, experiment)[-1] == "failed"
    assert reap_lost_jobs(job_workspace) == []


def test_evaluate_job_keeps_the_status_and_resume_ignores_a_stale_local_checkpoint(
    job_workspace: Workspace, make_experiment: MakeExperiment
) -> None:
    experiment = make_experiment()
    enqueue_experiment_job(job_workspace, experiment, "train")
    Worker(job_workspace).run_one()
    with pytest.raises(Conflict, match="trained 2 epochs already"):
        enqueue_experiment_job(job_workspace, experiment, "train")
    job = enqueue_experiment_job(
        job_workspace, experiment, "evaluate", payload={"subsets": ["validation"]}
    )
    Worker(job_workspace).run_one()
    assert job_workspace.metadata.get_job(job.id).status == "completed"
    assert fresh(job_workspace, experiment).status == "completed"
    assert statuses(job_workspace, experiment)[-3:] == ["queued", "evaluating", "completed"]
    # a copy another worker left behind must not shadow the artifact store's checkpoints
    work = job_workspace.settings.home / "work" / experiment.id
    (work / "last.pt").write_bytes(b"stale")
    enqueue_experiment_job(job_workspace, experiment, "resume")
    claimed = job_workspace.metadata.claim_job("w", 5)
    assert claimed is not None
    assert execute_job(job_workspace, claimed, StopSignal(), JobLog().write) == "completed"
    assert (work / "last.pt").read_bytes() != b"stale"


def test_job_log_keeps_its_newest_part() -> None:
    log = JobLog(max_chars=100)
    for i in range(50):
        log.write(f"line {i}")
    text = log.text()
    assert text.startswith("[earlier lines dropped]") and text.endswith("line 49\n")
    assert len(text) < 130


def test_stop_signal_keeps_the_first_reason() -> None:
    signal = StopSignal()
    signal.stop("worker shut down")
    signal.stop("lost", failed=True)
    assert signal.is_set() and signal.message == "worker shut down" and not signal.failed


def test_simultaneous_enqueues_leave_one_job(
    job_workspace: Workspace, make_experiment: MakeExperiment
) -> None:
    experiment = make_experiment()
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def enqueue() -> None:
        start.wait()
        try:
            enqueue_experiment_job(job_workspace, experiment, "train")
            outcomes.append("queued")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=enqueue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # at most one wins (none when each saw the other: both yield, which is safe)
    assert len(outcomes) == 4 and outcomes.count("queued") <= 1
    active = job_workspace.metadata.list_jobs(statuses=("queued", "running"))
    assert len(active) == outcomes.count("queued")
    status = fresh(job_workspace, experiment).status
    assert status == ("queued" if active else "created")
