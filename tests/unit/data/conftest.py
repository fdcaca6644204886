"""Fixtures for stored-draft tests: a project, and a draft with the tiny CSV uploaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from kozak.data import stored_drafts, uploads
from kozak.store.entities import Draft, Project
from kozak.workspace import Workspace


@pytest.fixture
def project(workspace: Workspace) -> Project:
    return workspace.metadata.create_project(Project(name="Yeast"))


@pytest.fixture
def tiny_draft(workspace: Workspace, project: Project, tiny_dna: Path) -> Draft:
    """A draft of a new dataset called Tiny, with `tiny.csv` uploaded (40 rows, 5 columns)."""
    draft = stored_drafts.create_draft(workspace, project, "Tiny", created_by="alice")
    return uploads.add_file(workspace, draft, "tiny.csv", [tiny_dna.read_bytes()])
