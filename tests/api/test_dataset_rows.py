"""Bad rows over HTTP: one numbering from 1, the row browser, repairs at import, subset counts.

A DNA column with one typo (an `X` in row 78, as a spreadsheet counts) must be findable, and
fixable by dropping the row or reading the letter as N, with the counts kept in the version.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from factories import UserClient

from .conftest import error, ok

ROWS = 120
BAD_ROW = 78  # counted from 1: the 78th data line of the file


def typo_csv() -> bytes:
    rng = np.random.default_rng(3)
    lines = ["seq,growth_rate,condition"]
    for i in range(ROWS):
        seq = "".join(rng.choice(list("ACGT"), 30))
        if i + 1 == BAD_ROW:
            seq = seq[:11] + "X" + seq[12:]
        lines.append(f"{seq},{i / 10:.1f},{'T' if i % 3 else 'V'}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def draft_url(client: UserClient) -> str:
    project = ok(client.post("/api/projects", json={"name": "Typos"}), 201)["id"]
    draft = ok(client.post(f"/api/projects/{project}/drafts", json={"name": "UTRs"}), 201)
    url = f"/api/projects/{project}/drafts/{draft['id']}"
    ok(client.put(f"{url}/files/utrs.csv", content=typo_csv()))
    return url


def feature(view: dict, name: str) -> dict:
    return next(f for f in view["features"] if f["name"] == name)


def test_a_typo_is_named_by_its_row_from_1_and_shown_by_the_browser(
    client: UserClient, draft_url: str
) -> None:
    view = ok(client.get(draft_url))
    assert view["error"]["details"]["row"] == BAD_ROW
    assert f"row {BAD_ROW};" in view["error"]["message"] and "'X'" in view["error"]["message"]
    seq = feature(view, "seq")
    assert (seq["invalid_rows"], seq["first_invalid_row"], seq["unknown_letters"]) == (1, BAD_ROW, 1)

    page = ok(client.get(f"{draft_url}/rows?offset=0&limit=500"))
    assert page["total"] == page["row_count"] == ROWS and page["invalid_rows"] == 1
    assert [r["number"] for r in page["rows"]] == list(range(1, ROWS + 1))  # all rows, not 12
    bad = ok(client.get(f"{draft_url}/rows?invalid=true"))
    assert [r["number"] for r in bad["rows"]] == [BAD_ROW]
    assert "'X' at position 12" in bad["rows"][0]["invalid"]["seq"]

    where = json.dumps([{"feature": "condition", "op": "==", "value": "V"}])
    filtered = ok(
        client.get(
            f"{draft_url}/rows",
            params={"where": where, "sort": "growth_rate", "descending": "true", "limit": 3},
        )
    )
    assert filtered["total"] == ROWS // 3
    assert [r["values"]["growth_rate"] for r in filtered["rows"]] == [11.7, 11.4, 11.1]
    assert {r["values"]["condition"] for r in filtered["rows"]} == {"V"}
    found = ok(client.get(f"{draft_url}/rows", params={"find": BAD_ROW, "limit": 1}))
    assert found["position"] == BAD_ROW - 1
    page = ok(client.get(f"{draft_url}/rows", params={"offset": BAD_ROW - 1, "limit": 1}))
    assert page["rows"][0]["number"] == BAD_ROW and "X" in page["rows"][0]["values"]["seq"]

    refused = error(client.get(f"{draft_url}/rows", params={"sort": "nope"}), 404)
    assert "nope" in refused["message"]
    refused = error(client.get(f"{draft_url}/rows", params={"where": "[{}]"}), 422)
    assert "where" in refused["message"]


def test_unknown_letters_read_as_n_are_counted_before_save_and_kept_in_the_version(
    client: UserClient, draft_url: str
) -> None:
    view = ok(client.patch(f"{draft_url}/features/seq", json={"on_invalid": "as_n"}))
    assert view["error"] is None and view["row_count"] == ROWS
    assert view["repairs"] == [{"feature": "seq", "action": "as_n", "rows": 1, "letters": 1}]
    assert "read 1 unknown letter in 1 row of seq as N" in [w["message"] for w in view["warnings"]]

    back = ok(client.patch(f"{draft_url}/features/seq", json={"on_invalid": "refuse"}))
    assert back["error"]["details"]["row"] == BAD_ROW  # refusing again is allowed: on purpose
    view = ok(client.patch(f"{draft_url}/features/seq", json={"on_invalid": "as_n"}))
    version = ok(client.post(f"{draft_url}/save", json={}), 201)
    assert version["stats"]["repairs"] == view["repairs"]
    assert version["spec"]["features"][0]["on_invalid"] == "as_n"
    base = f"{draft_url.split('/drafts/')[0]}/datasets/UTRs/versions/v1"
    row = ok(client.get(f"{base}/rows", params={"offset": BAD_ROW - 1, "limit": 1}))["rows"][0]
    assert row["number"] == BAD_ROW and row["values"]["seq"][11] == "N" and row["invalid"] == {}


def test_dropping_invalid_rows_and_refusing_as_n_where_n_is_a_letter(
    client: UserClient, draft_url: str
) -> None:
    view = ok(client.patch(f"{draft_url}/features/seq", json={"on_invalid": "drop"}))
    assert view["error"] is None and view["row_count"] == ROWS - 1 and view["dropped_rows"] == 1
    assert view["repairs"] == [{"feature": "seq", "action": "drop", "rows": 1}]
    refused = error(client.patch(f"{draft_url}/features/growth_rate", json={"on_invalid": "as_n"}), 422)
    assert "DNA and RNA sequences only" in refused["message"]
    version = ok(client.post(f"{draft_url}/save", json={}), 201)
    assert version["row_count"] == ROWS - 1 and version["stats"]["dropped_rows"] == 1


def test_a_number_column_with_a_typo_opens_and_its_row_can_be_dropped(client: UserClient) -> None:
    project = ok(client.post("/api/projects", json={"name": "Numbers"}), 201)["id"]
    draft = ok(client.post(f"/api/projects/{project}/drafts", json={"name": "N"}), 201)
    url = f"/api/projects/{project}/drafts/{draft['id']}"
    rows = [f"{i},{i / 10}" for i in range(30)]
    rows[17] = "17,0.1.7"
    view = ok(client.put(f"{url}/files/bad.csv", content=("id,y\n" + "\n".join(rows)).encode()))
    assert view["error"]["details"] == {
        "file": "bad.csv",
        "column": "y",
        "row": 18,
        "expected": "a number",
    }
    assert feature(view, "y")["first_invalid_row"] == 18
    bad = ok(client.get(f"{url}/rows?invalid=true"))["rows"]
    assert bad == [
        {"number": 18, "values": {"id": 17, "y": "0.1.7"}, "invalid": {"y": "'0.1.7' is not a number"}}
    ]
    view = ok(client.patch(f"{url}/features/y", json={"on_invalid": "drop"}))
    assert view["error"] is None and view["row_count"] == 29


def test_a_subset_definition_is_counted_without_being_added(client: UserClient, draft_url: str) -> None:
    ok(client.patch(f"{draft_url}/features/seq", json={"on_invalid": "as_n"}))
    subset = {
        "name": "v",
        "kind": "filter",
        "conditions": [{"feature": "condition", "op": "==", "value": "V"}],
    }
    assert ok(client.post(f"{draft_url}/subsets/count", json=subset)) == {
        "rows": ROWS // 3,
        "row_count": ROWS,
    }
    ranked = {
        "name": "top",
        "kind": "rank",
        "feature": "growth_rate",
        "percent": 10,
        "within": ["training"],
    }
    counted = ok(client.post(f"{draft_url}/subsets/count", json=ranked))["rows"]
    training = next(
        s["rows"] for s in ok(client.get(draft_url))["subsets"] if s["definition"]["name"] == "training"
    )
    assert counted == training - int(training * 0.9)
    assert [s["definition"]["name"] for s in ok(client.get(draft_url))["subsets"]] == [
        "training",
        "validation",
    ]
    refused = error(
        client.post(
            f"{draft_url}/subsets/count",
            json={**subset, "conditions": [{"feature": "nope", "op": "==", "value": 1}]},
        ),
        422,
    )
    assert "nope" in refused["message"]
