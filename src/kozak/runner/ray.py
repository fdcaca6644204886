"""`runner = ray`: each submitted job becomes one Ray task that runs a worker for one job.

The task opens the workspace from the same settings and claims from the same queue, so the
database still decides which job runs. Jobs queued without a `submit` here (a sweep trial
queues the next trial from inside its own task; a CLI on another machine queues too) get a
task at the reaper's next pass. Each task reserves `ray_cpus_per_job` CPUs and
`ray_gpus_per_job` GPUs. Ray is an optional extra (`pip install 'kozak[ray]'`)
and is imported only when the runner starts.
"""

from __future__ import annotations

import threading
from typing import Any

from kozak.errors import InvalidConfig
from kozak.runner.base import JobRunner, Reaper, SubmittedJob, logger
from kozak.settings import Settings
from kozak.store.entities import Job
from kozak.workspace import Workspace


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise InvalidConfig(
            "runner = ray needs Ray: pip install 'kozak[ray]' (or set KOZAK_RUNNER=local)"
        ) from None
    return ray


def run_one_job(settings: dict[str, Any]) -> bool:
    """The Ray task's body: open the workspace `settings` describe and run one queued job.

    Returns:
        Whether there was a job to run (another task may have taken it first).
    """
    from kozak.runner.worker import Worker

    return Worker(Workspace.open(Settings(**settings))).run_one()


class RayRunner(JobRunner):
    """Runs each submitted job as a Ray task on the cluster at `settings.ray_address`.

    Args:
        workspace: The workspace; its database and artifact store must be reachable from
            the cluster's nodes (PostgreSQL and shared or object storage, for a real cluster).
        num_gpus: GPUs per task; default `ray_gpus_per_job`, else one when the cluster has GPUs.
    """

    def __init__(self, workspace: Workspace, num_gpus: float | None = None) -> None:
        super().__init__(workspace)
        self.num_gpus = workspace.settings.ray_gpus_per_job if num_gpus is None else num_gpus
        self._ray: Any = None
        self._task: Any = None
        self._refs: list[Any] = []
        self._lock = threading.Lock()
        self._reaper = Reaper(workspace, also=self._cover_queue)

    def start(self) -> None:
        """Connect to the cluster (or start a local Ray) and start the reaper (idempotent).

        Raises:
            InvalidConfig: If Ray is not installed.
        """
        if self._ray is not None:
            return
        ray = _import_ray()
        ray.init(address=self.workspace.settings.ray_address or None, ignore_reinit_error=True)
        gpus = self.num_gpus
        if gpus is None:
            gpus = 1 if ray.cluster_resources().get("GPU", 0) > 0 else 0
        self._ray = ray
        cpus = self.workspace.settings.ray_cpus_per_job
        self._task = ray.remote(num_gpus=gpus, num_cpus=cpus, max_retries=0)(run_one_job)
        self._reaper.start()

    def submit(self, job: Job) -> SubmittedJob:
        """Launch one Ray task that claims and runs one queued job (normally this one)."""
        if self._task is None:
            self.start()
        self._launch(1)
        return SubmittedJob(self.workspace, job.id)

    def _launch(self, count: int) -> None:
        settings = self.workspace.settings.model_dump(mode="json")
        with self._lock:
            self._refs = [*self._unfinished(), *(self._task.remote(settings) for _ in range(count))]

    def _cover_queue(self) -> None:
        """Give every queued job that no pending task will claim a task of its own."""
        if self._task is None:
            return
        queued = len(self.workspace.metadata.list_jobs(statuses=("queued",)))
        with self._lock:
            missing = queued - len(self._unfinished())
        if missing > 0:
            self._launch(missing)

    def _unfinished(self) -> list[Any]:
        if not self._refs:
            return []
        _, pending = self._ray.wait(self._refs, num_returns=len(self._refs), timeout=0)
        return list(pending)

    def stop(self, timeout: float = 30.0) -> None:
        """Interrupt the running tasks (each records its run as stopped) and disconnect."""
        if self._ray is None:
            return
        self._reaper.stop()
        pending = self._unfinished()
        for ref in pending:
            self._ray.cancel(ref)  # a KeyboardInterrupt in the task: the run stops cleanly
        if pending:
            _, left = self._ray.wait(pending, num_returns=len(pending), timeout=timeout)
            for ref in left:
                logger.warning("ray task %s did not stop in %.0f s; forcing it", ref, timeout)
                self._ray.cancel(ref, force=True)
        self._ray.shutdown()
        self._ray, self._task, self._refs = None, None, []
