"""Per-model interpretation over the API: filter motifs (JSON and MEME), their comparison with
an uploaded database, motif effects, and the errors a model without a first convolution gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.conftest import error, ok
from factories import UserClient, tiny_experiment
from kozak.client import Client, Project
from kozak.experiments import create_experiment, run_experiment
from kozak.graph import chain
from kozak.store.entities import Experiment
from kozak.training import RunSettings
from kozak.workspace import Workspace


@pytest.fixture
def dense(api_workspace: Workspace, project_id: str, tiny_dna: Path) -> Experiment:
    return run_experiment(api_workspace, tiny_experiment(api_workspace, "Yeast", tiny_dna))


@pytest.fixture
def conv(api_workspace: Workspace, dense: Experiment) -> Experiment:
    version = api_workspace.metadata.get_dataset_version_by_id(dense.dataset_version_id)
    graph = chain(
        ("seq", "input", {"feature": "seq"}),
        ("conv", "conv1d", {"filters": 4, "kernel_size": 3}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("expression", "target", {"feature": "expression"}),
    )
    settings = RunSettings.from_data(dense.settings)
    return run_experiment(
        api_workspace, create_experiment(api_workspace, "Yeast", "conv", version, graph, settings)
    )


def _url(project_id: str, experiment: Experiment, route: str) -> str:
    return f"/api/projects/{project_id}/experiments/{experiment.id}/{route}"


def test_filters_as_json_meme_and_matches(client: UserClient, project_id: str, conv: Experiment) -> None:
    body = {"settings": {"threshold": 0.3, "subset": "training"}}
    analysis = ok(client.post(_url(project_id, conv, "filters"), json={**body, "logos": 2}))
    firing = {m["name"] for m in analysis["motifs"] if m["sites"] > 0}
    assert set(analysis["logos"]) <= firing and len(analysis["logos"]) == min(2, len(firing))
    assert all(logo.startswith("<svg") for logo in analysis["logos"].values())
    assert (analysis["layer"], analysis["letters"], analysis["width"]) == ("conv", "ACGT", 3)
    assert analysis["sequences"] == 30  # the training subset: 75 % of 40 rows
    assert len(analysis["motifs"]) == 4
    first = analysis["motifs"][0]
    assert len(first["probabilities"]) == 4 and len(first["probabilities"][0]) == 3
    assert first["influence"] is not None
    meme = client.post(_url(project_id, conv, "filters.meme"), json=body)
    assert meme.status_code == 200 and meme.headers["content-type"].startswith("text/plain")
    assert meme.text.startswith("MEME version 4") and "letter-probability matrix" in meme.text
    database = meme.text.replace("MOTIF conv_f", "MOTIF db_f")
    compared = ok(
        client.post(_url(project_id, conv, "filters/compare"), json={**body, "database": database})
    )
    assert compared["database_motifs"] == meme.text.count("MOTIF")
    for found in compared["filters"]:  # a filter's own matrix is its best match
        assert found["matches"][0]["motif"] == found["filter"].replace("conv_f", "db_f")


def test_motif_effects(client: UserClient, project_id: str, conv: Experiment) -> None:
    body = {"settings": {"motif": "atg", "sequences": 10}}
    effects = ok(client.post(_url(project_id, conv, "motif-effects"), json=body))
    assert effects["motif"] == "ATG" and effects["sequences"] == 10  # the validation subset
    assert effects["coordinates"] == "sequence"  # tiny_dna is left-aligned
    assert {f["frame"] for f in effects["insertion"]["frames"]} <= {0, 1, 2}
    assert sum(p["count"] for p in effects["insertion"]["positions"]) == effects["insertion"]["count"]


def test_errors_name_what_is_wrong(
    client: UserClient, project_id: str, conv: Experiment, dense: Experiment
) -> None:
    answer = error(client.post(_url(project_id, dense, "filters"), json={}), 422, "invalid_config")
    assert "flatten (flatten)" in answer["message"]
    answer = error(
        client.post(_url(project_id, conv, "motif-effects"), json={"settings": {"motif": "AXG"}}),
        422,
    )
    assert "position 2 ('X')" in answer["message"]
    bad = {"database": "MOTIF a\nletter-probability matrix: w= 1\n0.5 0.5\n"}
    answer = error(client.post(_url(project_id, conv, "filters/compare"), json=bad), 422)
    assert answer["message"] == "database motif 'a' has 2 letters; the filters have 4 (ACGT)"
    bad = {"database": "MOTIF a\nletter-probability matrix: alength= 4 w= 1\n0.5 0.5\n"}
    answer = error(client.post(_url(project_id, conv, "filters/compare"), json=bad), 422)
    assert "line 3: expected 4 non-negative probabilities" in answer["message"]
    error(client.post(_url(project_id, conv, "filters"), json={"settings": {"subset": "nope"}}), 422)
    error(client.post(_url(project_id, conv, "filters"), json={"checkpoint": "worst"}), 422)


def test_the_python_client(
    test_client: Any, client: UserClient, project_id: str, conv: Experiment
) -> None:
    sdk = Client("http://testserver", client.token, transport=test_client._transport)
    project = Project(sdk, {"id": project_id, "name": "Yeast"})
    analysis = project.filters("conv", threshold=0.3)
    assert len(analysis["motifs"]) == 4
    meme = project.filters_meme("conv", threshold=0.3)
    assert meme.startswith("MEME version 4")
    compared = project.compare_filters("conv", meme, matches=1, threshold=0.3)
    assert all(len(f["matches"]) == 1 for f in compared["filters"])
    effects = project.motif_effects("conv", "TA", sequences=5)
    assert effects["motif"] == "TA" and effects["sequences"] == 5
