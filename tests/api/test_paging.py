"""Paged lists over the API: a list call costs the same SQL at 10 and at 1,000 experiments,
cursors and sorts round-trip, bad paging is a 4xx naming the parameter, and the views' own
endpoints (recent experiments, active jobs) answer in one call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from api.conftest import error, ok
from factories import UserClient, many_experiments
from kozak.store.entities import DatasetVersion, Job
from kozak.workspace import Workspace


@contextmanager
def _statements(workspace: Workspace) -> Iterator[list[str]]:
    """The SQL statements the metadata store runs inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = workspace.metadata.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_list_page_runs_the_same_statements_at_10_and_1000_experiments(
    client: UserClient, api_workspace: Workspace, project_id: str, version: DatasetVersion
) -> None:
    url = f"/api/projects/{project_id}/experiments"
    ids = many_experiments(api_workspace.metadata, project_id, version.id, 10, trained_every=2)
    api_workspace.metadata.enqueue_job(
        Job(project_id=project_id, experiment_id=ids[1], kind="train", payload={})
    )
    counts = {}
    for size in (10, 1000):
        if size == 1000:
            many_experiments(
                api_workspace.metadata, project_id, version.id, 990, prefix="more", trained_every=3
            )
        for sort in ("", "best", "-updated"):
            with _statements(api_workspace) as seen:
                page = ok(client.get(url, params={"limit": 100, "sort": sort}))
            counts[size, sort] = len(seen)
            assert page["count"] == size and len(page["data"]) == min(size, 100)
    for sort in ("", "best", "-updated"):
        assert counts[10, sort] == counts[1000, sort], counts
    # the token with its user, the project with the role, the total and the page (best: its
    # values, then its NULLs)
    assert counts[10, ""] == 4 and counts[10, "best"] == counts[10, ""] + 1, counts
    with _statements(api_workspace) as seen:
        ok(client.get(f"{url}/{ids[1]}"))
    assert len(seen) == 3, "the token with its user, the project with the role, the experiment"


def test_pages_follow_cursors_in_the_asked_order(
    client: UserClient, api_workspace: Workspace, project_id: str, version: DatasetVersion
) -> None:
    url = f"/api/projects/{project_id}/experiments"
    many_experiments(api_workspace.metadata, project_id, version.id, 25, trained_every=2)
    names: list[str] = []
    values: list[float | None] = []
    params: dict[str, Any] = {"limit": 10, "sort": "best"}
    while True:
        page = ok(client.get(url, params=params))
        names += [e["name"] for e in page["data"]]
        values += [(e["best_metric"] or {}).get("value") for e in page["data"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert len(names) == len(set(names)) == 25
    found = [v for v in values if v is not None]
    assert found == sorted(found) and values[len(found) :] == [None] * (25 - len(found))
    first = ok(client.get(url, params={"q": "exp-0000", "status": ["completed"]}))
    assert [e["name"] for e in first["data"]] == [f"exp-0000{i}" for i in (0, 2, 4, 6, 8)]
    assert first["data"][0]["best_metric"] == {"name": "val_loss", "value": 1.0, "epoch": 2}


def test_bad_paging_is_a_4xx_naming_the_parameter(client: UserClient, project_id: str) -> None:
    url = f"/api/projects/{project_id}/experiments"
    assert error(client.get(url, params={"cursor": "garbage!"}), 400, "invalid_page")["details"] == {
        "field": "cursor"
    }
    found = error(client.get(url, params={"sort": "colour"}), 400, "invalid_page")
    assert found["details"]["field"] == "sort" and "best" in found["details"]["allowed"]
    assert "limit" in error(client.get(url, params={"limit": 0}), 422)["message"]
    assert "status" in error(client.get(url, params={"status": "sleeping"}), 422)["message"]


def test_recent_experiments_and_active_jobs_are_one_call_each(
    client: UserClient, api_workspace: Workspace, project_id: str, version: DatasetVersion
) -> None:
    ids = many_experiments(api_workspace.metadata, project_id, version.id, 12)
    api_workspace.metadata.update_experiment(ids[3], status="queued")
    api_workspace.metadata.enqueue_job(
        Job(project_id=project_id, experiment_id=ids[3], kind="train", payload={})
    )
    recent = ok(client.get("/api/experiments/recent", params={"limit": 3}))
    assert recent["data"][0]["experiment"]["id"] == ids[3]
    assert recent["data"][0]["project_name"] == "Yeast" and len(recent["data"]) == 3
    jobs = ok(
        client.get(
            f"/api/projects/{project_id}/jobs", params={"status": ["queued", "running"], "limit": 20}
        )
    )
    assert [j["experiment_id"] for j in jobs["data"]] == [ids[3]] and jobs["count"] == 1
    projects = ok(client.get("/api/projects", params={"q": "yea", "limit": 1}))
    assert [p["name"] for p in projects["data"]] == ["Yeast"] and projects["next_cursor"] is None


def test_counts_and_names_for_the_views(
    client: UserClient, api_workspace: Workspace, project_id: str, version: DatasetVersion
) -> None:
    ids = many_experiments(api_workspace.metadata, project_id, version.id, 9, trained_every=4)
    counts = ok(client.get(f"/api/projects/{project_id}/experiment-counts"))
    assert counts["statuses"] == {"completed": 3, "created": 6} and counts["count"] == 9
    assert counts["best"]["name"] == "exp-00008"  # the lowest validation loss of 0, 4 and 8
    named = ok(client.get(f"/api/projects/{project_id}/experiments", params={"id": ids[2:4]}))
    assert [e["name"] for e in named["data"]] == ["exp-00002", "exp-00003"]


def test_list_rows_carry_their_parent_name_and_parameters(
    client: UserClient, api_workspace: Workspace, project_id: str, version: DatasetVersion
) -> None:
    first, second = many_experiments(api_workspace.metadata, project_id, version.id, 2)
    api_workspace.metadata.update_experiment(second, parent_id=first)
    rows = ok(client.get(f"/api/projects/{project_id}/experiments", params={"parent_id": first}))
    assert [(e["id"], e["parent_name"], e["param_count"]) for e in rows["data"]] == [
        (second, "exp-00000", 1001)
    ]
    one = ok(client.get(f"/api/projects/{project_id}/experiments/{second}"))
    assert one["parent_name"] == "exp-00000"
