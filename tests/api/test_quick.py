"""Quick reads run on the event loop from SQLite and in the thread pool from a database server,
their look-ups on one connection (`kozak.server.quick`), and a single experiment's GET is one of
them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, cast

import pytest

from factories import UserClient
from kozak.errors import NotFound
from kozak.experiments import listing
from kozak.server import quick
from kozak.workspace import Workspace

from .conftest import error, ok


class _Store:
    """Says whether a read runs inside `one_connection`."""

    held = False

    @contextmanager
    def one_connection(self) -> Iterator[None]:
        self.held = True
        try:
            yield
        finally:
            self.held = False


def _workspace(url: str) -> Workspace:
    return cast(
        Workspace, SimpleNamespace(settings=SimpleNamespace(database_url=url), metadata=_Store())
    )


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize(
    ("url", "here"),
    [
        ("sqlite:////tmp/kozak/kozak.db", True),
        ("sqlite://", True),
        ("postgresql+psycopg://kozak@db.example:5432/kozak", False),
    ],
)
def test_a_quick_read_runs_on_the_event_loop_only_from_sqlite(url: str, here: bool) -> None:
    workspace = _workspace(url)

    def where(given: Workspace, value: int) -> tuple[bool, bool, int]:
        assert given is workspace
        return _in_event_loop(), given.metadata.held, value  # type: ignore[attr-defined]

    assert asyncio.run(quick.read(workspace, where, 7)) == (here, True, 7)


def test_a_quick_read_raises_what_the_read_raises() -> None:
    workspace = _workspace("sqlite://")

    def missing(_: Workspace) -> None:
        raise NotFound("no such experiment")

    with pytest.raises(NotFound, match="no such experiment"):
        asyncio.run(quick.read(workspace, missing))


def test_a_single_experiment_is_read_on_the_event_loop_from_sqlite(
    client: UserClient,
    project_id: str,
    empty_experiment: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    created = empty_experiment
    seen: list[bool] = []
    original = listing.overview

    def recorded(*args: Any) -> Any:
        seen.append(_in_event_loop())
        return original(*args)

    monkeypatch.setattr(listing, "overview", recorded)
    got = ok(client.get(f"/api/projects/{project_id}/experiments/{created['id']}"))
    assert got["id"] == created["id"] and got["name"] == "one"
    assert seen == [True]
    error(client.get(f"/api/projects/{project_id}/experiments/exp_missing"), 404, "not_found")
