"""The Data API's edges, in process: content types, file names, failed uploads, completion."""

from __future__ import annotations

from pathlib import Path

from factories import UserClient


def _wrapper(client: UserClient, project_id: str, name: str = "Up") -> str:
    answer = client.post(f"/api/projects/{project_id}/data-api", json={"name": name, "description": "d"})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["datasetWrapperId"])


def test_uploads_are_named_checked_and_completed(
    client: UserClient, project_id: str, tiny_dna: Path
) -> None:
    base = f"/api/projects/{project_id}/data-api"
    wrapper = _wrapper(client, project_id)
    unknown = client.post(
        f"{base}/{wrapper}/upload", content=b"x", headers={"Content-Type": "image/png"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"] == {"field": "Content-Type"}
    assert "text/csv" in unknown.json()["error"]["message"]

    early = client.post(f"{base}/{wrapper}/upload_complete")
    assert early.status_code == 422 and "no file" in early.json()["error"]["message"]

    bad = client.post(
        f"{base}/{wrapper}/upload", content=b"a,b\n1\n", headers={"Content-Type": "text/csv"}
    )
    assert bad.status_code == 201 and bad.json()["status"] == "FAILED"
    assert bad.json()["filename"] == "upload-1.csv" and "upload-1.csv" in bad.json()["message"]
    named = client.post(
        f"{base}/{wrapper}/upload",
        content=tiny_dna.read_bytes(),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="tiny.csv"',
        },
    )
    assert named.status_code == 201 and named.json()["status"] == "SUCCESS", named.text
    statuses = client.get(f"{base}/{wrapper}/uploads").json()["uploadStatuses"]
    assert [(s["filename"], s["status"]) for s in statuses] == [
        ("upload-1.csv", "FAILED"),
        ("tiny.csv", "SUCCESS"),
    ]

    done = client.post(f"{base}/{wrapper}/upload_complete", json={"save": True, "versionName": "first"})
    assert done.status_code == 200, done.text
    assert done.json()["draft"] is None
    assert (done.json()["version"]["name"], done.json()["version"]["row_count"]) == ("first", 40)
    again = _wrapper(client, project_id)
    assert client.get(f"{base}/{again}/uploads").json() == {"uploadStatuses": []}
    assert client.get(f"/api/projects/{project_id}/drafts/{again}").json()["name"] == "Up 2"
