"""`kozak explain` on a workspace with a tiny trained model: the table, logos and errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import tiny_experiment
from kozak.cli import app
from kozak.experiments import run_experiment
from kozak.interpret import ExplainSettings, explain_experiment
from kozak.settings import Settings
from kozak.workspace import Workspace


@pytest.fixture
def workspace_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setenv("KOZAK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    return Workspace.open(Settings(home=tmp_path / "home"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        return list(csv.DictReader(handle))


def test_table_and_logos(workspace_home: Workspace, tiny_dna: Path, tmp_path: Path) -> None:
    experiment = run_experiment(workspace_home, tiny_experiment(workspace_home, "P", tiny_dna))
    (tmp_path / "utrs.fa").write_text(">a\nACGTACGTAC\n>b\nTTGCAT\n")
    runner = CliRunner()
    out = tmp_path / "ism.csv"
    args = ["explain", "tiny", "-p", "P", "-s", str(tmp_path / "utrs.fa"), "-o", str(out)]
    ran = runner.invoke(app, [*args, "--plot", str(tmp_path / "logo.png")])
    assert ran.exit_code == 0, ran.output
    rows = _rows(out)
    assert len(rows) == (10 + 6) * 4
    assert list(rows[0]) == ["name", "sequence", "position", "reference", "letter", "value"]
    expected = explain_experiment(workspace_home, experiment, ["ACGTACGTAC", "TTGCAT"])
    b = expected.sequences[1]
    last = rows[-1]  # b, position 6, letter T (its own: no change)
    assert (last["name"], last["position"], last["reference"], last["letter"]) == ("b", "6", "T", "T")
    assert float(rows[-2]["value"]) == pytest.approx(b.values[2][5], abs=1e-6)
    for n in (1, 2):
        assert (tmp_path / f"logo-{n}.png").read_bytes()[:4] == b"\x89PNG"

    svg = tmp_path / "ig.svg"
    options = ["--method", "ig", "--per", "position", "--steps", "20", "--plot", str(svg)]
    ran = runner.invoke(app, [*args, *options])
    assert ran.exit_code == 0, ran.output
    rows = _rows(out)
    assert [r["position"] for r in rows[:3]] == ["1", "2", "3"] and len(rows) == 16
    ig = explain_experiment(
        workspace_home, experiment, ["ACGTACGTAC", "TTGCAT"], ExplainSettings(method="ig", steps=20)
    )
    assert float(rows[0]["importance"]) == pytest.approx(
        sum(v[0] for v in ig.sequences[0].values), abs=1e-6
    )
    assert (tmp_path / "ig-1.svg").read_text().lstrip().startswith("<?xml")


def test_errors_name_what_is_wrong(workspace_home: Workspace, tiny_dna: Path, tmp_path: Path) -> None:
    run_experiment(workspace_home, tiny_experiment(workspace_home, "P", tiny_dna))
    (tmp_path / "bad.txt").write_text("ACGT\nACQT\n")
    runner = CliRunner()
    base = ["explain", "tiny", "-p", "P", "-o", str(tmp_path / "x.csv")]
    refused = runner.invoke(app, [*base, "-s", str(tmp_path / "bad.txt")])
    assert refused.exit_code == 1 and "'Q'" in str(refused.exception)
    (tmp_path / "ok.txt").write_text("ACGT\n")
    refused = runner.invoke(app, [*base, "-s", str(tmp_path / "ok.txt"), "--method", "magic"])
    assert refused.exit_code == 1 and "method" in str(refused.exception)
    refused = runner.invoke(app, [*base, "-s", str(tmp_path / "ok.txt"), "--plot", "x.pdf"])
    assert refused.exit_code == 1 and ".png or .svg" in str(refused.exception)
