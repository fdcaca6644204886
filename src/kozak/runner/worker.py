"""A worker: claims jobs from the metadata store's queue and runs them one at a time.

While a job runs, a heartbeat thread renews its lease with the log so far and stops the run
when the job is cancelled, the lease was lost, or the worker is asked to shut down; the run
then ends cleanly after its current batch, so no experiment is ever left `running`. A worker
started by a server (`parent`) shuts down the same way when that server is gone, however it
ended (`kill -9` included), so no orphan goes on claiming jobs. Recording a job's end outlasts
a database that is away for a while: it is retried until the database answers.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback

from kozak.errors import JobFailed, KozakError
from kozak.runner.job_kind import RESUME_HINT, StopSignal, describe
from kozak.runner.job_log import JobLog
from kozak.runner.jobs import execute_job
from kozak.store.entities import Job
from kozak.workspace import Workspace

IDLE_POLL_S = 0.5  # how soon an idle worker notices a new job
WATCH_S = 0.1  # how soon a running job notices a shutdown request
SHUTDOWN_MESSAGE = "worker shut down; resume to continue"
CANCEL_MESSAGE = "stopped on request; resume to continue"
PARENT_POLL_S = 0.5  # how soon a worker notices that the server that started it is gone
FINISH_PATIENCE_S = 600.0  # how long a worker keeps trying to record a job's end

logger = logging.getLogger("kozak.runner")


def default_worker_id(pid: int | None = None) -> str:
    """`<hostname>:<pid>`, the id a worker process claims jobs under."""
    return f"{socket.gethostname()}:{os.getpid() if pid is None else pid}"


class Worker:
    """Claims and runs queued jobs.

    Args:
        workspace: The workspace whose queue it serves.
        worker_id: Who claims the jobs; default `<hostname>:<pid>`.
        parent: Process id of the server that started this worker; the worker stops when this
            process is no longer its parent. None for a worker started by hand.
    """

    def __init__(
        self, workspace: Workspace, worker_id: str | None = None, parent: int | None = None
    ) -> None:
        self.workspace = workspace
        self.worker_id = worker_id or default_worker_id()
        self.parent = parent
        self._shutdown = threading.Event()

    def stop(self) -> None:
        """Ask the worker to stop its current run cleanly and claim nothing more."""
        self._shutdown.set()

    @property
    def stopping(self) -> bool:
        """Whether the worker was asked to stop."""
        return self._shutdown.is_set()

    def run_forever(self, stop: threading.Event | None = None) -> None:
        """Claim and run jobs until `stop` is set (or `stop()` is called).

        Args:
            stop: Setting it stops the current run after its current batch and ends the loop.
        """
        if stop is not None:
            self._shutdown = stop
        if self.parent is not None:
            threading.Thread(target=self._watch_parent, name="kozak-parent", daemon=True).start()
        while not self._shutdown.is_set():
            try:
                ran = self.run_one()
            except KozakError as exc:  # e.g. the database is restarting: try again shortly
                logger.warning("worker %s: %s", self.worker_id, exc.message)
                ran = False
            if not ran:
                self._shutdown.wait(IDLE_POLL_S)

    def run_one(self) -> bool:
        """Claim one queued job and run it to its end.

        Returns:
            Whether there was a job to run.
        """
        if self._shutdown.is_set():
            return False
        settings = self.workspace.settings
        job = self.workspace.metadata.claim_job(self.worker_id, settings.job_lease_s)
        if job is None:
            return False
        self._run(job)
        return True

    def _run(self, job: Job) -> None:
        log, signal, done = JobLog(), StopSignal(), threading.Event()
        log.write(f"{_now()} worker {self.worker_id} started job {job.id}")
        logger.info("job %s: %s started", job.id, job.kind)
        beat = threading.Thread(
            target=self._heartbeat, args=(job, log, signal, done), name="kozak-heartbeat", daemon=True
        )
        beat.start()
        status, error = "failed", ""
        try:
            status = execute_job(self.workspace, job, signal, log.write)
        except BaseException as exc:
            error = describe(exc)
            log.write(f"{_now()} failed: {error}\n{traceback.format_exc()}")
            if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: stop, then go
                status = "cancelled"
                raise
        finally:
            done.set()
            beat.join()
            if signal.failed:
                logger.warning("job %s: lease lost; the job was already marked failed", job.id)
            else:
                log.write(f"{_now()} {status}")
                self._finish(job, status, error, log.text())
            logger.info("job %s: %s %s", job.id, status, error)

    def _watch_parent(self) -> None:
        """Stop (as on SIGTERM) once the server that started this worker is gone: a dead
        parent's children are handed to another process, so the parent id changes."""
        while not self._shutdown.wait(PARENT_POLL_S):
            if os.getppid() != self.parent:
                logger.warning(
                    "worker %s: its server (pid %s) is gone; stopping", self.worker_id, self.parent
                )
                self.stop()

    def _finish(self, job: Job, status: str, error: str, log: str) -> None:
        """Record the job's end, retrying while the database is away (the reaper gives a job a
        whole lease after the database is back before it counts the worker as lost)."""
        deadline = time.monotonic() + FINISH_PATIENCE_S
        pause = 0.5
        while True:
            try:
                self.workspace.metadata.finish_job(job.id, self.worker_id, status, error=error, log=log)
                return
            except JobFailed:  # the lease ran out and the job was reaped
                logger.warning("job %s: no longer ours when it ended %s", job.id, status)
                return
            except KozakError as exc:
                if time.monotonic() > deadline:
                    logger.error("job %s: could not record its end %s: %s", job.id, status, exc.message)
                    return
                logger.warning("job %s: cannot record its end yet: %s", job.id, exc.message)
                time.sleep(pause)
                pause = min(2 * pause, self.workspace.settings.heartbeat_s)

    def _heartbeat(self, job: Job, log: JobLog, signal: StopSignal, done: threading.Event) -> None:
        """Renew the lease every `heartbeat_s`; stop the run on cancel, lost lease, shutdown."""
        settings = self.workspace.settings
        next_beat = time.monotonic() + settings.heartbeat_s
        while not done.wait(WATCH_S):
            if self._shutdown.is_set():
                signal.stop(SHUTDOWN_MESSAGE)
            if time.monotonic() < next_beat:
                continue
            next_beat = time.monotonic() + settings.heartbeat_s
            try:
                now = self.workspace.metadata.heartbeat_job(
                    job.id, self.worker_id, settings.job_lease_s, log.text()
                )
            except JobFailed:
                signal.stop(f"worker lost its lease on the job; {RESUME_HINT}", failed=True)
                return
            except KozakError as exc:  # keep trying; the lease outlasts a few missed beats
                logger.warning("job %s: heartbeat failed: %s", job.id, exc.message)
                continue
            if now.cancel_requested:
                signal.stop(CANCEL_MESSAGE)


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")
