"""Importing from a URL, tested against a local HTTP server."""

from __future__ import annotations

from pathlib import Path

import pytest

from kozak.data import import_files
from kozak.errors import NetworkError
from kozak.settings import Settings
from kozak.workspace import Workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A workspace whose URL import may reach the local test server."""
    return Workspace.open(Settings(home=tmp_path / "home", url_import_allow=["127.0.0.1"]))


def test_import_from_url(workspace: Workspace, served: tuple[str, Path], tiny_dna: Path) -> None:
    base, root = served
    (root / "tiny.csv").write_bytes(tiny_dna.read_bytes())
    draft = import_files(workspace, [f"{base}/tiny.csv"], name="Remote")
    assert draft.table.n_rows == 40 and draft.table.sources[0].file == "tiny.csv"
    assert draft.save().row_count == 40


def test_missing_url_is_a_network_error(workspace: Workspace, served: tuple[str, Path]) -> None:
    base, _ = served
    with pytest.raises(NetworkError, match="404"):
        import_files(workspace, [f"{base}/absent.csv"], name="X")
    cached = list((workspace.settings.home / "cache" / "downloads").glob("*"))
    assert cached == []
