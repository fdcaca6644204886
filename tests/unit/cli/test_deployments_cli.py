"""`kozak deployments` on a workspace: create, list, disable/enable, re-key, delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import tiny_experiment
from kozak.cli import app
from kozak.deploy.tokens import token_matches
from kozak.experiments import run_experiment
from kozak.settings import Settings
from kozak.workspace import Workspace


@pytest.fixture
def workspace_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_dna: Path) -> Workspace:
    """A workspace (the CLI's, through KOZAK_HOME) with the tiny experiment trained in "P"."""
    monkeypatch.setenv("KOZAK_HOME", str(tmp_path / "home"))
    workspace = Workspace.open(Settings(home=tmp_path / "home"))
    run_experiment(workspace, tiny_experiment(workspace, "P", tiny_dna))
    return workspace


def test_the_deployment_lifecycle_from_the_command_line(workspace_home: Workspace) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["deployments", "create", "tiny", "-p", "P", "--checkpoint", "1"])
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    (deployment,) = workspace_home.metadata.list_deployments(workspace_home.metadata.get_project("P").id)
    assert deployment.epoch == 1 and token_matches(token, deployment.token_hash)
    assert "tiny" in runner.invoke(app, ["deployments", "list", "-p", "P"]).output

    refused = runner.invoke(app, ["deployments", "delete", "tiny", "-p", "P"])
    assert refused.exit_code == 1 and "disable it" in str(refused.exception)
    assert runner.invoke(app, ["deployments", "disable", "tiny", "-p", "P"]).exit_code == 0
    assert not workspace_home.metadata.get_deployment(deployment.id).enabled
    assert runner.invoke(app, ["deployments", "enable", "tiny", "-p", "P"]).exit_code == 0
    rekeyed = runner.invoke(app, ["deployments", "token", deployment.id, "-p", "P"])
    new_token = rekeyed.output.strip().splitlines()[-1]
    stored = workspace_home.metadata.get_deployment(deployment.id)
    assert stored.enabled and token_matches(new_token, stored.token_hash) and new_token != token
    runner.invoke(app, ["deployments", "disable", "tiny", "-p", "P"])
    assert runner.invoke(app, ["deployments", "delete", "tiny", "-p", "P"]).exit_code == 0
    assert workspace_home.metadata.list_deployments(stored.project_id) == []
