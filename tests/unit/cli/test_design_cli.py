"""`kozak design` and `kozak example yeast-evolve` on a workspace with a tiny trained model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import tiny_experiment, tiny_version
from kozak.cli import app
from kozak.experiments import create_experiment, run_experiment
from kozak.graph import chain
from kozak.settings import Settings
from kozak.training import RunSettings
from kozak.workspace import Workspace


@pytest.fixture
def workspace_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setenv("KOZAK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    return Workspace.open(Settings(home=tmp_path / "home"))


def test_run_show_export_a_design_file(
    workspace_home: Workspace, tiny_dna: Path, tmp_path: Path
) -> None:
    run_experiment(workspace_home, tiny_experiment(workspace_home, "P", tiny_dna))
    (tmp_path / "starts.fa").write_text(">a\nACGTACGTAC\n>b\nTTGCATTGCA\n")
    (tmp_path / "design.yaml").write_text(
        "project: P\nname: brighter\nexperiments: [tiny]\nstarts: {file: starts.fa}\n"
        "settings:\n  rounds: 3\n  constraints: {forbidden_motifs: [ATG], max_edits: 2}\n"
    )
    runner = CliRunner()
    ran = runner.invoke(app, ["design", "run", str(tmp_path / "design.yaml"), "--json"])
    assert ran.exit_code == 0, ran.output
    figures = json.loads(ran.output.strip().splitlines()[-1])
    assert figures["designs"] == 2 and figures["final_mean"] >= figures["start_mean"]
    assert figures["mean_edits"] <= 2
    assert "brighter" in runner.invoke(app, ["design", "list", "-p", "P"]).output
    shown = runner.invoke(app, ["design", "show", "brighter", "-p", "P"])
    assert shown.exit_code == 0 and "ACGTACGTAC" in shown.output
    fasta = runner.invoke(
        app, ["design", "export", "brighter", "-p", "P", "--format", "fasta", "--prefix", "GG"]
    )
    lines = fasta.output.splitlines()
    assert lines[0].startswith(">a|design") and lines[1].startswith("GG") and "ATG" not in lines[1][2:]

    (tmp_path / "bad.yaml").write_text("project: P\nexperiments: [tiny]\nstarts: {sequences: [ACGTQ]}\n")
    refused = runner.invoke(app, ["design", "run", str(tmp_path / "bad.yaml")])
    assert refused.exit_code == 1 and "'Q'" in str(refused.exception)


def test_yeast_evolve_picks_the_papers_native_starts(
    workspace_home: Workspace, tiny_dna: Path, native_utrs: Path
) -> None:
    """The start set is the paper's (its uATG share is the authors' 28 %); the figures hold."""
    version = tiny_version(workspace_home, "Yeast", tiny_dna)  # 50-nt window, right-aligned
    graph = chain(
        ("seq", "input", {"feature": "seq"}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("growth_rate", "target", {"feature": "growth_rate"}),
    )
    settings = RunSettings.from_data({"epochs": 1, "batch_size": 8})
    run_experiment(
        workspace_home, create_experiment(workspace_home, "Yeast", "tiny", version, graph, settings)
    )
    answer = CliRunner().invoke(
        app,
        [
            "example",
            "yeast-evolve",
            "--from-file",
            str(native_utrs),
            "--experiment",
            "tiny",
            "--rounds",
            "2",
            "--json",
        ],
    )
    assert answer.exit_code == 0, answer.output
    figures = json.loads(answer.output.strip().splitlines()[-1])
    assert figures["starts"] == 100 and figures["native"]["starts"] == 100
    assert figures["atg_share_start"] == pytest.approx(0.28)
    assert figures["final_mean_pred"] >= figures["start_mean_pred"]
    assert 0 < figures["mean_edits"] <= 2 and figures["median_converged_round"] <= 2
    assert figures["paper"]["native"]["final_mean_pred"] == 2.99
