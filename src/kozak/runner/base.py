"""The job runner interface: `JobRunner.submit(job) -> SubmittedJob`, chosen by `settings.runner`.

The metadata store's queue is the source of truth: a runner only makes sure some worker will
claim queued jobs, and a `SubmittedJob` reads and cancels through the store, so it works
whichever runner (or a `kozak worker` on another machine) ends up running the job.
"""

from __future__ import annotations

import abc
import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType

from kozak.errors import KozakError
from kozak.runner.jobs import cancel_job, reap_lost_jobs
from kozak.store.entities import Job
from kozak.store.statuses import JOB_FINISHED
from kozak.workspace import Workspace

logger = logging.getLogger("kozak.runner")


class SubmittedJob:
    """A handle on a queued job; every call reads or writes the metadata store.

    Args:
        workspace: The workspace whose queue holds the job.
        job_id: The job's id.
    """

    def __init__(self, workspace: Workspace, job_id: str) -> None:
        self.workspace = workspace
        self.job_id = job_id

    def job(self) -> Job:
        """The job as the store has it now."""
        return self.workspace.metadata.get_job(self.job_id)

    def status(self) -> str:
        """queued, running, completed, failed or cancelled."""
        return self.job().status

    def wait(self, timeout: float | None = None, poll_s: float = 0.2) -> Job:
        """Block until the job has finished.

        Args:
            timeout: Seconds to wait at most; None waits for as long as it takes.
            poll_s: Seconds between looks at the store.

        Returns:
            The finished job (completed, failed or cancelled).

        Raises:
            TimeoutError: If the job is still queued or running after `timeout` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.job()
            if job.status in JOB_FINISHED:
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {self.job_id} is still {job.status} after {timeout} s")
            time.sleep(poll_s)

    def cancel(self) -> Job:
        """Cancel the job: at once while queued, after the current batch while running.

        Returns:
            The job after the request (cancelled, or running with `cancel_requested`).
        """
        return cancel_job(self.workspace, self.job_id)


class JobRunner(abc.ABC):
    """Makes sure queued jobs get run: starts workers (or tasks) and stops them.

    Args:
        workspace: The workspace whose queue the runner serves.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    @abc.abstractmethod
    def start(self) -> None:
        """Start serving the queue (idempotent)."""

    @abc.abstractmethod
    def stop(self, timeout: float = 30.0) -> None:
        """Stop every job this runner started cleanly within `timeout` seconds, then force it."""

    @abc.abstractmethod
    def submit(self, job: Job) -> SubmittedJob:
        """Make sure the queued `job` will be run; returns a handle on it."""

    def __enter__(self) -> JobRunner:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class QueueOnly(JobRunner):
    """Runs nothing: another process's runner serves the queue (the API processes of `kozak up
    --api-processes N` leave it to the supervising process). A job queued here is claimed there."""

    def start(self) -> None:
        pass

    def stop(self, timeout: float = 30.0) -> None:
        pass

    def submit(self, job: Job) -> SubmittedJob:
        """A handle on `job`, which is in the queue already."""
        return SubmittedJob(self.workspace, job.id)


class Reaper:
    """A daemon thread that calls `reap_lost_jobs` every `settings.heartbeat_s` seconds.

    No error ends it: a failed pass is logged and the next one comes on time. While the metadata
    database is away no worker can renew a lease, so once it answers again the reaper waits a
    whole lease before it counts anyone as lost: workers renew, or record the end of a job that
    finished meanwhile, first.

    Args:
        workspace: The workspace whose queue is watched.
        also: Called after each reaping pass (the local runner restarts dead workers there).
    """

    def __init__(self, workspace: Workspace, also: Callable[[], None] | None = None) -> None:
        self.workspace = workspace
        self.also = also
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._store_away = False
        self._reap_after = 0.0  # monotonic time before which no lease counts as run out

    def start(self) -> None:
        """Start the thread (idempotent)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="kozak-reaper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for its current pass to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.workspace.settings.heartbeat_s):
            self.run_pass()

    def run_pass(self) -> None:
        """One pass: reap the jobs whose lease ran out (unless the database was just away), then
        `also`. Errors are logged, never raised."""
        try:
            self._reap()
        except KozakError as exc:  # the database is away, most likely: leases are frozen
            self._store_away = True
            logger.warning("reaper pass failed: %s", exc.message)
        except Exception:
            logger.exception("reaper pass failed")
        if self.also is not None:
            try:
                self.also()
            except KozakError as exc:
                logger.warning("supervising the workers failed: %s", exc.message)
            except Exception:  # e.g. OSError starting a worker: supervision goes on
                logger.exception("supervising the workers failed")

    def _reap(self) -> None:
        if self._store_away:
            self.workspace.metadata.list_jobs(statuses=("running",))  # raises while still away
            self._store_away = False
            self._reap_after = time.monotonic() + self.workspace.settings.job_lease_s
            logger.warning("the metadata database answers again; no job is reaped for a lease")
        if time.monotonic() < self._reap_after:
            return
        for job in reap_lost_jobs(self.workspace):
            logger.warning("job %s: worker %s lost; marked failed", job.id, job.worker_id)
