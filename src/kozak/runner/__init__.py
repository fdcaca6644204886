"""Jobs: a queue in the metadata store, workers that claim from it, runners that start workers.

job = enqueue_experiment_job(workspace, experiment, "train")
runner = open_runner(workspace); runner.start()      # in the server's lifespan
runner.submit(job).wait()                            # or .status(), .cancel()
"""

from kozak.runner.base import JobRunner, SubmittedJob
from kozak.runner.events import EventRecorder, emit_status
from kozak.runner.jobs import (
    active_job,
    cancel_job,
    enqueue_experiment_job,
    execute_job,
    reap_lost_jobs,
    stop_experiment,
)
from kozak.runner.kinds import JOB_KINDS
from kozak.runner.runners import open_runner
from kozak.runner.worker import Worker

__all__ = [
    "JOB_KINDS",
    "EventRecorder",
    "JobRunner",
    "SubmittedJob",
    "Worker",
    "active_job",
    "cancel_job",
    "emit_status",
    "enqueue_experiment_job",
    "execute_job",
    "open_runner",
    "reap_lost_jobs",
    "stop_experiment",
]
