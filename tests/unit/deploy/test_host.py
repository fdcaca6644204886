"""Processes serving one home see each other's deployment changes at once.

Two `DeploymentHost`s on one workspace stand for two API processes of `kozak up`: a change made
through one (with its own cache) must hold in the other at its next request, although the other
trusts a record for a minute here.
"""

from __future__ import annotations

import asyncio

import pytest

from kozak.deploy import create_deployment
from kozak.deploy.deployments import delete_deployment, regenerate_token, set_enabled
from kozak.deploy.host import DeploymentHost
from kozak.errors import Forbidden, NotAuthenticated, NotFound
from kozak.store.entities import Experiment
from kozak.workspace import Workspace


def test_a_change_in_one_process_holds_in_another_at_its_next_request(
    workspace: Workspace, trained: Experiment
) -> None:
    deployment, token = create_deployment(workspace, trained)
    serving = DeploymentHost(workspace, record_ttl_s=60)
    changing = DeploymentHost(workspace, record_ttl_s=60)

    async def scenario() -> None:
        await serving.open(deployment.id, token)  # its record is now cached for a minute

        disabled = set_enabled(workspace, deployment, False, cache=changing)
        with pytest.raises(Forbidden, match="disabled"):
            await serving.open(deployment.id, token)
        enabled = set_enabled(workspace, disabled, True, cache=changing)
        await serving.open(deployment.id, token)

        rekeyed, new_token = regenerate_token(workspace, enabled, cache=changing)
        with pytest.raises(NotAuthenticated):
            await serving.open(deployment.id, token)
        await serving.open(deployment.id, new_token)

        retired = set_enabled(workspace, rekeyed, False, cache=changing)
        delete_deployment(workspace, retired, cache=changing)
        with pytest.raises(NotFound):
            await serving.open(deployment.id, new_token)

    try:
        asyncio.run(scenario())
    finally:
        serving.close()
        changing.close()


def test_without_changes_a_record_is_read_once_per_lifetime(
    workspace: Workspace, trained: Experiment, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment, token = create_deployment(workspace, trained)
    host = DeploymentHost(workspace, record_ttl_s=60)
    reads = []
    read = workspace.metadata.get_deployment
    monkeypatch.setattr(workspace.metadata, "get_deployment", lambda ref: reads.append(ref) or read(ref))

    async def scenario() -> None:
        for _ in range(5):
            await host.open(deployment.id, token)

    try:
        asyncio.run(scenario())
    finally:
        host.close()
    assert reads == [deployment.id]
