"""The default runner: `settings.workers` local `kozak worker` processes, supervised.

Workers get the server's settings as `KOZAK_*` variables and, with GPUs, one GPU each in
turn. A worker that dies has its running job failed (resumable) and is started again; `stop`
asks every worker to end its run cleanly (SIGTERM) and kills the ones that do not in time.

A server can end without `stop` (`kill -9`, a crash). Its workers notice their parent is gone
and stop by themselves (`kozak worker --parent`); and each started worker is recorded under
`<home>/run/workers/`, so the next `start` on the workspace ends any that are still running
(one stuck in a long batch, say) before it starts its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kozak.runner.base import JobRunner, Reaper, SubmittedJob, logger
from kozak.runner.jobs import fail_worker_jobs
from kozak.runner.worker import default_worker_id
from kozak.settings import Settings
from kozak.store.entities import Job
from kozak.workspace import Workspace

WORKER_COMMAND = (sys.executable, "-m", "kozak", "worker")
LEFTOVER_STOP_S = 10.0  # how long a leftover worker gets to stop its run before it is killed
SECRET_SETTINGS = ("admin_password",)  # workers never need it; keep it out of their environment
MAX_RESTART_DELAY_S = 60.0  # a worker that keeps dying at start is retried at most this rarely
QUICK_DEATH_S = 10.0  # a worker dying sooner than this after its start counts as a crash loop


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as `KOZAK_*` environment variables that `Settings()` reads back equal."""
    env = {}
    for name, value in settings.model_dump(mode="json", exclude=set(SECRET_SETTINGS)).items():
        if value is None:  # unset: the default, and "null" would not read back as a number
            continue
        env[f"KOZAK_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return env


def worker_env(settings: Settings) -> dict[str, str]:
    """A worker's environment: this process's, less any secret (the server's own environment may
    hold KOZAK_ADMIN_PASSWORD), plus the settings."""
    secrets = {f"KOZAK_{name.upper()}" for name in SECRET_SETTINGS}
    inherited = {key: value for key, value in os.environ.items() if key not in secrets}
    return {**inherited, **settings_env(settings)}


def gpu_assignment(index: int) -> str | None:
    """The `CUDA_VISIBLE_DEVICES` of worker `index`: one visible GPU each, in turn; None without."""
    import torch

    count = torch.cuda.device_count()
    if count == 0:
        return None
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    ids = [d.strip() for d in visible.split(",") if d.strip()] if visible else []
    return ids[index % len(ids)] if len(ids) == count else str(index % count)


@dataclass
class _Slot:
    """One worker position: its process, and when to start it again after it died."""

    index: int
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None


class LocalProcessRunner(JobRunner):
    """Runs `settings.workers` worker processes on this machine.

    Args:
        workspace: The workspace whose queue the workers serve.
        workers: How many processes; default `settings.workers`.
    """

    def __init__(self, workspace: Workspace, workers: int | None = None) -> None:
        super().__init__(workspace)
        self.workers = workspace.settings.workers if workers is None else workers
        self._slots = [_Slot(i) for i in range(self.workers)]
        self._lock = threading.Lock()
        self._stopping = False
        self._reaper = Reaper(workspace, also=self._restart_dead)

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return [s.process.pid for s in self._slots if s.process and s.process.poll() is None]

    @property
    def _records(self) -> Path:
        return self.workspace.settings.home / "run" / "workers"

    def start(self) -> None:
        """End workers a previous server left behind, then start the worker processes and the
        supervising reaper thread (idempotent)."""
        with self._lock:
            self._stopping = False
            if not any(slot.process for slot in self._slots):
                self._end_leftovers()
            for slot in self._slots:
                if slot.process is None or slot.process.poll() is not None:
                    self._launch(slot)
        self._reaper.start()

    def _launch(self, slot: _Slot) -> None:
        env = worker_env(self.workspace.settings)
        gpu = gpu_assignment(slot.index)
        if gpu is not None:
            env["CUDA_VISIBLE_DEVICES"] = gpu
        slot.process = subprocess.Popen([*WORKER_COMMAND, "--parent", str(os.getpid())], env=env)
        slot.started_at = time.monotonic()
        self._records.mkdir(parents=True, exist_ok=True)
        (self._records / str(slot.process.pid)).touch()
        logger.info("worker %d started (pid %d)", slot.index, slot.process.pid)

    def _forget(self, process: subprocess.Popen[bytes]) -> None:
        (self._records / str(process.pid)).unlink(missing_ok=True)

    def _end_leftovers(self) -> None:
        """Stop the recorded workers that outlived their server and fail what they held."""
        for record in self._records.glob("*") if self._records.is_dir() else ():
            if not record.name.isdigit():
                continue
            pid = int(record.name)
            if _is_worker(pid):
                logger.warning("a worker (pid %d) of an earlier server is still running; ending it", pid)
                _terminate(pid, LEFTOVER_STOP_S)
            for job in fail_worker_jobs(self.workspace, default_worker_id(pid)):
                logger.warning("job %s: its worker (pid %d) was left behind", job.id, pid)
            record.unlink(missing_ok=True)

    def _restart_dead(self) -> None:
        """Fail the jobs of workers that died and start them again (called by the reaper)."""
        with self._lock:
            if self._stopping:
                return
            now = time.monotonic()
            for slot in self._slots:
                process = slot.process
                if process is None or process.poll() is None:
                    continue
                if slot.restart_at is None:  # noticed just now
                    self._forget(process)
                    for job in fail_worker_jobs(self.workspace, default_worker_id(process.pid)):
                        logger.warning("job %s: its worker (pid %d) died", job.id, process.pid)
                    quick = now - slot.started_at < QUICK_DEATH_S
                    slot.quick_deaths = slot.quick_deaths + 1 if quick else 0
                    # a crash loop (each start dying at once) is retried less and less often
                    backoff = self.workspace.settings.heartbeat_s * 2**slot.quick_deaths
                    delay = min(MAX_RESTART_DELAY_S, backoff) if quick else 0.0
                    slot.restart_at = now + delay
                    code = process.returncode
                    logger.warning(
                        "worker %d exited with %s; restart in %.1f s", slot.index, code, delay
                    )
                if now >= slot.restart_at:
                    slot.restart_at = None
                    self._launch(slot)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask every worker to stop (SIGTERM), wait up to `timeout` s, then kill the rest.

        Jobs of killed workers are failed at once, so nothing is left `running`.
        """
        with self._lock:
            self._stopping = True
        self._reaper.stop()
        with self._lock:
            live = [s.process for s in self._slots if s.process is not None and s.process.poll() is None]
            for process in live:
                process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout
            for process in live:
                try:
                    process.wait(max(deadline - time.monotonic(), 0.0))
                except subprocess.TimeoutExpired:
                    logger.warning(
                        "worker pid %d did not stop in %.0f s; killing it", process.pid, timeout
                    )
                    process.kill()
                    process.wait()
            for slot in self._slots:
                if slot.process is not None:
                    fail_worker_jobs(self.workspace, default_worker_id(slot.process.pid))
                    self._forget(slot.process)
                    slot.process = None

    def submit(self, job: Job) -> SubmittedJob:
        """A handle on `job`; it is in the queue already, and the next free worker claims it."""
        return SubmittedJob(self.workspace, job.id)


def _is_worker(pid: int) -> bool:
    """Whether `pid` is a running `kozak worker` (checked through /proc where there is one, so a
    recycled process id is never mistaken for a worker; elsewhere, nothing is ended)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"kozak" in command and b"worker" in command


def _terminate(pid: int, timeout: float) -> None:
    """SIGTERM `pid` (a worker stops its run cleanly on it), SIGKILL it after `timeout` seconds."""
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _is_worker(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                deadline = float("inf")
            time.sleep(0.1)
    except ProcessLookupError:
        pass
