"""The one settings object: workspace home, database URL, artifact root, runner and limits.

Values come from `KOZAK_*` environment variables (or keyword arguments in code and tests);
paths derived from `home` are filled in when not given.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the OS has one (Linux), else
    every core."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


class Settings(BaseSettings):
    """Where the workspace lives and what it allows."""

    model_config = SettingsConfigDict(env_prefix="KOZAK_", extra="forbid")

    home: Path = Field(
        default_factory=lambda: Path.home() / ".kozak",
        description="Workspace directory (database, artifacts, caches).",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the metadata database; default SQLite in the home.",
    )
    artifact_root: str = Field(
        default="",
        description="Root URL or path of the artifact store; default `<home>/artifacts`.",
    )
    runner: Literal["local", "ray"] = Field(
        default="local", description="Job runner; chosen explicitly, never auto-detected."
    )
    max_upload_bytes: int = Field(
        default=2 * 1024**3, gt=0, description="Largest file a dataset import accepts."
    )
    max_inflated_bytes: int = Field(
        default=2 * 1024**3,
        gt=0,
        description="Most bytes one import may inflate to, over every gzip stream and archive "
        "member it reads (a member named many times counts once; assembled arrays count too).",
    )
    max_zip_expansion: int = Field(
        # Real bundles of .npy arrays and gzipped tables compress at most ~10-20x; 200x is a bomb.
        default=200,
        gt=1,
        description="Largest allowed ratio of a compressed stream's (gzip file, ZIP or NPZ "
        "member) inflated to compressed size, past its first MiB.",
    )
    download_timeout_s: float = Field(default=60.0, gt=0, description="HTTP timeout per read.")
    url_import_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names, addresses and CIDR networks that URL import may reach although "
        "they are loopback, private, link-local or multicast (comma-separated in the environment).",
    )
    api_processes: int = Field(
        # One interpreter serves about one core of requests; more share the port (docs/server.md).
        default_factory=lambda: min(4, usable_cores()),
        ge=1,
        description="Processes `kozak up` serves the API and web UI from, sharing its port; "
        "default: the cores this process may use, at most 4.",
    )
    bulk_processes: int = Field(
        default=1,
        ge=0,
        description="Processes each API process computes experiment list pages in, at a lower "
        "CPU priority than single-item requests; 0 computes them in the API process.",
    )
    workers: int = Field(
        default=1, ge=0, description="Local worker processes the server starts for training jobs."
    )
    job_lease_s: float = Field(
        # Several missed heartbeats before a worker is declared lost, so a busy machine is not.
        default=30.0,
        gt=0,
        description="Seconds a worker holds a job without a heartbeat before it counts as lost.",
    )
    heartbeat_s: float = Field(default=5.0, gt=0, description="Seconds between a worker's heartbeats.")
    auth: bool = Field(
        default=True,
        description="Require logging in; without it every request acts as the admin (loopback only).",
    )
    compress: bool = Field(
        default=True,
        description="Gzip responses of 1 KiB or more (JSON, CSV, the web UI's code) for clients "
        "that accept it; false behind a proxy that compresses them itself.",
    )
    admin_password: str = Field(
        default="",
        description="Password of the admin account created on first start; random when empty.",
    )
    login_attempts: int = Field(
        default=10,
        gt=0,
        description="Failed log-ins allowed per client address and per user "
        "name within `login_window_s`; more get 429 with Retry-After.",
    )
    login_window_s: float = Field(default=300.0, gt=0, description="The log-in failure window.")
    login_concurrency: int = Field(
        # Each check holds 64 MiB of argon2 memory: four at once bound it to 256 MiB.
        default=4,
        gt=0,
        description="Password checks running at once; a log-in waits briefly for a slot, then 503.",
    )
    long_work_threads: int = Field(
        default=2,
        gt=0,
        description="Threads for slow requests (URL import, prediction downloads, reports), "
        "apart from the ones serving log-ins and event streams.",
    )
    long_work_queue: int = Field(
        default=8, ge=0, description="Slow requests that may wait for a thread; more get 503."
    )
    session_hours: float = Field(default=24 * 7, gt=0, description="Lifetime of a browser session.")
    secure_cookies: bool = Field(
        default=False,
        description="Mark session cookies Secure (set when the server is behind HTTPS).",
    )
    ray_address: str = Field(
        default="", description="Ray cluster address for `runner = ray`; empty starts a local Ray."
    )
    ray_cpus_per_job: float = Field(
        default=1.0, gt=0, description="CPUs Ray reserves for each job (a sweep trial, a run)."
    )
    ray_gpus_per_job: float | None = Field(
        default=None,
        ge=0,
        description="GPUs Ray reserves for each job; empty: one when the cluster has GPUs, else none.",
    )
    max_request_body_bytes: int = Field(
        default=4 * 2**20,
        gt=0,
        description="Largest request body of an API route other than file uploads and "
        "deployment endpoints (which have their own limits), in bytes.",
    )
    serve_max_rows: int = Field(
        default=10_000, gt=0, description="Most rows one deployment request may hold."
    )
    serve_max_queue: int = Field(
        default=256, gt=0, description="Requests one deployment's model may have waiting; more get 503."
    )
    serve_timeout_s: float = Field(
        default=30.0, gt=0, description="Longest a deployment request waits for its answer (then 503)."
    )
    serve_max_body_bytes: int = Field(
        default=16 * 2**20, gt=0, description="Largest deployment request body, in bytes."
    )

    @field_validator("url_import_allow", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str) and value.lstrip().startswith("["):
            return json.loads(value)  # as workers receive it (`settings_env` writes JSON)
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _derive_paths(self) -> Settings:
        self.home = self.home.expanduser()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'kozak.db'}"
        if not self.artifact_root:
            self.artifact_root = str(self.home / "artifacts")
        return self
