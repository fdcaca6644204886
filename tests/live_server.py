"""Real server processes on free ports, for tests that need one (API and browser).

`LiveServer(home, database_url).start()` runs `python -m kozak up` and waits until it answers
(`launch()` then `wait()` to do something meanwhile);
`stop()` sends SIGTERM and waits. The admin's password is `password` (default `ADMIN_PASSWORD`).
`ModelServer(checkpoint, folder, ...)` does the same for `python -m kozak serve`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from factories import ADMIN_PASSWORD, free_port
from kozak.client import Client
from kozak.errors import NetworkError


class LiveServer:
    """`python -m kozak up --no-example` on a free port, with one worker process.

    It serves the API from one process that computes list pages itself, unless `env` says
    otherwise (`KOZAK_API_PROCESSES`, `KOZAK_BULK_PROCESSES`): each further process imports the
    package, which took a start from 5 s to 17 s here. The browser tests' shared server, and the
    tests about those processes, ask for them.
    """

    def __init__(
        self,
        home: Path,
        database_url: str = "",
        *,
        password: str = ADMIN_PASSWORD,
        env: dict[str, str] | None = None,
    ) -> None:
        self.home, self.database_url, self.password = home, database_url, password
        self.extra_env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.home.parent / f"server-{self.port}.log"

    def start(self, timeout: float = 60) -> LiveServer:
        """Launch the server and wait until it answers."""
        return self.launch().wait(timeout)

    def launch(self) -> LiveServer:
        """Start the process without waiting for it (`wait` does), to do other work meanwhile."""
        env = {
            **os.environ,
            "KOZAK_HOME": str(self.home),
            "KOZAK_ADMIN_PASSWORD": self.password,
            "KOZAK_HEARTBEAT_S": "0.5",
            "KOZAK_JOB_LEASE_S": "5",
            "KOZAK_API_PROCESSES": "1",
            "KOZAK_BULK_PROCESSES": "0",
            **({"KOZAK_DATABASE_URL": self.database_url} if self.database_url else {}),
            **self.extra_env,
        }
        command = [sys.executable, "-m", "kozak", "up", "--port", str(self.port), "--no-example"]
        self.home.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait(self, timeout: float = 60) -> LiveServer:
        """Wait until the launched server answers."""
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                Client(self.url, "none").health()
                return self
            except NetworkError:
                time.sleep(0.2)
        self.stop()  # a server that never answered must not outlive the test
        raise AssertionError(f"the server did not answer within {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class ModelServer:
    """`python -m kozak serve CHECKPOINT --id ID` on a free port; its log goes to `folder`."""

    def __init__(
        self, checkpoint: Path, folder: Path, *, deployment_id: str, token: str, workers: int = 1
    ) -> None:
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.root}/deployment/{deployment_id}/forward"
        self.log_path = folder / f"serve-{self.port}.log"
        self.command = [
            sys.executable, "-m", "kozak", "serve", str(checkpoint), "--port", str(self.port),
            "--id", deployment_id, "--workers", str(workers),
        ]  # fmt: skip
        self.env = {**os.environ, "KOZAK_SERVE_TOKEN": token, "KOZAK_LOG_LEVEL": "warning"}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> ModelServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, self.log_path.read_text()
            try:
                httpx.get(f"{self.root}/health").raise_for_status()
                return self
            except httpx.TransportError:
                assert time.monotonic() < deadline, self.log_path.read_text()
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
