"""Shared fixtures: temporary settings and workspaces, both metadata backends, real data files."""

from __future__ import annotations

import http.server
import os
import threading
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kozak.settings import Settings
from kozak.store.artifacts import ArtifactStore, open_artifact_store
from kozak.store.sql import SqlAlchemyMetadataStore
from kozak.workspace import Workspace

FILES = Path(__file__).parent / "files"
NATIVE_UTRS = Path(__file__).resolve().parents[2] / "shared/data/cuperus2017/Native_UTRs.csv.gz"
POSTGRES_URL = os.environ.get("KOZAK_TEST_DATABASE_URL", "")

# `auto` precision is bf16 on CPUs with AMX or AVX-512-BF16 and fp32 elsewhere, so the same test
# would train in another precision on another CI machine; the margins the tests assert were
# measured in fp32. The bf16 paths have tests of their own that ask for bf16 by name (they run
# emulated where the CPU lacks it), and `KOZAK_AUTO_PRECISION=bf16 make test` runs the whole suite
# as a bf16 machine would. Servers and workers the tests start inherit the setting.
os.environ.setdefault("KOZAK_AUTO_PRECISION", "fp32")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose home, database and artifacts live in a temporary directory."""
    return Settings(home=tmp_path / "home")


@pytest.fixture
def artifact_store(tmp_path: Path) -> ArtifactStore:
    return open_artifact_store(str(tmp_path / "artifacts"))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("KOZAK_TEST_DATABASE_URL is not set; PostgreSQL store tests skipped")
    schema = f"kozak_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}_optuna" CASCADE'))  # sweeps' studies
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on SQLite and, when configured, on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'meta.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def metadata_store(database_url: str) -> Iterator[SqlAlchemyMetadataStore]:
    store = SqlAlchemyMetadataStore(database_url)
    yield store
    store.close()


@pytest.fixture
def workspace(settings: Settings) -> Workspace:
    """A fresh SQLite workspace."""
    return Workspace.open(settings)


@pytest.fixture
def native_utrs() -> Path:
    """The authors' native 5'UTR library (11,856 rows), outside the repository."""
    if not NATIVE_UTRS.exists():
        pytest.skip(f"{NATIVE_UTRS} is absent; real-data tests skipped")
    return NATIVE_UTRS


@pytest.fixture
def tiny_dna() -> Path:
    """A committed CSV of 40 short sequences with a measurement and a split column."""
    return FILES / "tiny_dna.csv"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server over a temporary folder: (base URL, folder)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()
