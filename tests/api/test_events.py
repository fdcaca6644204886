"""Live event streams: a real run's status, progress and epoch events, resumable by event id."""

from __future__ import annotations

import asyncio
import json
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from factories import UserClient
from kozak import accounts
from kozak.data import import_files
from kozak.graph import chain
from kozak.runner import Worker
from kozak.server import sse
from kozak.server.sse import KEEPALIVE, event_stream, start_after
from kozak.store.entities import Event
from kozak.workspace import Workspace

from .conftest import error

SMALL = chain(
    ("seq", "input", {"feature": "seq"}),
    ("conv", "conv1d", {"filters": 8, "kernel_size": 5}),
    ("pool", "global_pool1d", {"mode": "max"}),
    ("dense", "dense", {"units": 1, "activation": "linear"}),
    ("growth_rate", "target", {"feature": "growth_rate", "loss": "mse"}),
    name="small",
)


def parse(text: str) -> list[dict[str, Any]]:
    """SSE text as `{"id", "event", "data"}` dicts (comments and `retry:` skipped)."""
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if not line.startswith(":"))
        if "id" in fields:
            events.append(
                {"id": int(fields["id"]), "event": fields["event"], "data": json.loads(fields["data"])}
            )
    return events


@pytest.fixture
def trained(client: UserClient, api_workspace: Workspace, tiny_dna: Path) -> tuple[str, str]:
    """(project id, experiment id) of a two-epoch run of a small CNN on 40 rows."""
    project_id = client.post("/api/projects", json={"name": "Yeast"}).json()["id"]
    draft = import_files(api_workspace, [tiny_dna], name="Tiny", project="Yeast")
    draft.rename("expression", "growth_rate").set_encoding(
        "seq", alignment="right", length=50, padding=10
    )
    version = draft.save()
    body = {
        "name": "tutorial",
        "dataset_version_id": version.id,
        "graph": SMALL.to_dict(),
        "settings": {"epochs": 2, "batch_size": 16},
        "run": True,
    }
    experiment = client.post(f"/api/projects/{project_id}/experiments", json=body)
    assert experiment.status_code == 201, experiment.text
    assert Worker(api_workspace, "test-worker").run_one()
    return project_id, experiment.json()["id"]


def test_a_run_streams_status_progress_and_epochs_in_order(
    client: UserClient, trained: tuple[str, str]
) -> None:
    project_id, experiment_id = trained
    response = client.get(f"/api/projects/{project_id}/experiments/{experiment_id}/events?once=1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse(response.text)
    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    statuses = [e["data"]["status"] for e in events if e["event"] == "status"]
    assert statuses == ["queued", "running", "completed"]
    kinds = [e["event"] for e in events]
    assert kinds[:2] == ["status", "status"] and kinds[-1] == "status"
    assert kinds.index("progress") < kinds.index("epoch")
    epochs = [e["data"] for e in events if e["event"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2] and "val_loss" in epochs[0]["metrics"]
    last_progress = [e["data"] for e in events if e["event"] == "progress"][-1]
    assert last_progress["epoch"] == 2 and last_progress["batch"] == last_progress["batches"]
    assert all(e["data"]["experiment_id"] == experiment_id for e in events)
    block = response.text.split("\n\n")[0]
    assert (
        block
        == f"id: {ids[0]}\nevent: status\ndata: {json.dumps(events[0]['data'], separators=(',', ':'))}"
    )


def test_last_event_id_resumes_after_that_event(client: UserClient, trained: tuple[str, str]) -> None:
    project_id, experiment_id = trained
    url = f"/api/projects/{project_id}/experiments/{experiment_id}/events"
    every = parse(client.get(url, params={"once": 1}).text)
    first_epoch = next(i for i, e in enumerate(every) if e["event"] == "epoch")
    resumed = parse(
        client.get(
            url, params={"once": 1}, headers={"Last-Event-ID": str(every[first_epoch]["id"])}
        ).text
    )
    assert resumed == every[first_epoch + 1 :]
    after = parse(client.get(url, params={"once": 1, "after": every[1]["id"]}).text)
    assert after == every[2:]
    # a reconnecting browser sends the header with the URL it first opened: the header wins
    both = client.get(
        url, params={"once": 1, "after": every[1]["id"]}, headers={"Last-Event-ID": str(every[-2]["id"])}
    )
    assert parse(both.text) == every[-1:]
    assert parse(client.get(url, params={"once": 1, "after": every[-1]["id"]}).text) == []
    bad = client.get(url, params={"once": 1}, headers={"Last-Event-ID": "yesterday"})
    error(bad, 422)


def test_the_project_stream_holds_every_experiment(
    client: UserClient, api_workspace: Workspace, trained: tuple[str, str]
) -> None:
    project_id, experiment_id = trained
    project = parse(client.get(f"/api/projects/{project_id}/events", params={"once": 1}).text)
    api_workspace.metadata.append_event(
        Event(project_id=project_id, experiment_id=None, kind="status", data={"status": "note"})
    )
    again = parse(client.get(f"/api/projects/{project_id}/events", params={"once": 1}).text)
    assert again[:-1] == project and again[-1]["data"] == {"status": "note"}
    one = parse(client.get(f"/api/projects/{project_id}/experiments/{experiment_id}/events?once=1").text)
    assert one == project


def test_a_live_stream_keeps_alive_picks_up_new_events_and_ends_on_disconnect(
    api_workspace: Workspace, client: UserClient
) -> None:
    project_id = client.post("/api/projects", json={"name": "Live"}).json()["id"]
    gone = asyncio.Event()

    async def disconnected() -> bool:
        return gone.is_set()

    async def scenario() -> list[str]:
        stream = event_stream(
            api_workspace, project_id, disconnected=disconnected, poll_s=0.01, keepalive_s=0.05
        )
        chunks = [await anext(stream), await anext(stream)]  # retry, then a keep-alive
        api_workspace.metadata.append_event(
            Event(project_id=project_id, kind="progress", data={"epoch": 1, "batch": 1})
        )
        chunks.append(await anext(stream))
        while not chunks[-1].startswith("id:"):
            chunks.append(await anext(stream))
        gone.set()
        chunks += [chunk async for chunk in stream]
        return chunks

    chunks = asyncio.run(asyncio.wait_for(scenario(), timeout=10))
    assert chunks[0] == "retry: 2000\n\n" and chunks[1] == KEEPALIVE
    [event] = parse("".join(chunks))
    assert event["event"] == "progress" and event["data"] == {"epoch": 1, "batch": 1}
    assert start_after(None, None) == 0 and start_after(7, 3) == 7 and start_after(None, 3) == 3


def test_an_open_stream_ends_when_its_reader_leaves_the_project(
    api_workspace: Workspace, client: UserClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_id = client.post("/api/projects", json={"name": "Live"}).json()["id"]
    project = api_workspace.metadata.get_project(project_id)
    ada = accounts.create_user(api_workspace, "ada", "ada-password")
    accounts.add_member(api_workspace, project, "ada", "viewer")
    monkeypatch.setattr(sse, "RECHECK_S", 0.0)

    async def scenario() -> list[str]:
        allowed = partial(accounts.can_view, api_workspace, ada, project_id)
        stream = event_stream(api_workspace, project_id, allowed=allowed, poll_s=0.01)
        chunks = [await anext(stream)]
        accounts.remove_member(api_workspace, project, "ada")
        api_workspace.metadata.append_event(
            Event(project_id=project_id, kind="progress", data={"epoch": 1, "batch": 1})
        )
        return chunks + [chunk async for chunk in stream]  # ends on its own

    chunks = asyncio.run(asyncio.wait_for(scenario(), timeout=30))
    assert chunks == ["retry: 2000\n\n"]  # nothing after the removal reached ada


def test_an_event_id_past_64_bits_is_refused_by_name(client: UserClient, project_id: str) -> None:
    """Found by the fuzzer: the database cannot compare with it, and the stream broke off."""
    url = f"/api/projects/{project_id}/events?once=1"
    too_big = 2**63
    error(client.get(f"{url}&after={too_big}"), 422, "invalid_request")
    refused = error(client.get(url, headers={"Last-Event-ID": str(too_big)}), 422, "invalid_request")
    assert refused["details"]["problems"][0].startswith("Last-Event-ID:")
    assert client.get(f"{url}&after={too_big - 1}").status_code == 200
