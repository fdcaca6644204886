"""`kozak sweep` through the Typer app: run (queue only), list, show, stop, best, spaces, errors.

Nothing trains here: `--workers 0` only queues the trials (training is tested with the runner).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kozak.cli import app
from kozak.data import import_files
from kozak.experiments import create_experiment
from kozak.graph import chain
from kozak.settings import Settings
from kozak.training import RunSettings
from kozak.workspace import Workspace

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KOZAK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "home"


@pytest.fixture
def sweep_file(home: Path, tmp_path: Path, tiny_dna: Path) -> Path:
    workspace = Workspace.open(Settings(home=home))
    version = import_files(workspace, [tiny_dna], name="Tiny", project="Lab").save()
    graph = chain(
        ("seq", "input", {"feature": "seq"}),
        ("flatten", "flatten", {}),
        ("hidden", "dense", {"units": 4}),
        ("out", "dense", {"units": 1}),
        ("expression", "target", {"feature": "expression", "loss": "mse"}),
    )
    create_experiment(workspace, "Lab", "base", version, graph, RunSettings(epochs=1))
    workspace.metadata.close()
    spec = {
        "name": "search",
        "project": "Lab",
        "base": {"experiment": "base"},
        "space": {"dimensions": [{"name": "units", "values": [2, 8], "targets": ["hidden.units"]}]},
        "budget": {"trials": 4},
        "concurrency": 2,
    }
    path = tmp_path / "search.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_run_queues_then_show_list_stop(sweep_file: Path) -> None:
    result = runner.invoke(app, ["sweep", "run", str(sweep_file), "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "2 trials queued" in result.output and "kozak worker" in result.output
    shown = runner.invoke(app, ["sweep", "show", "search", "-p", "Lab"])
    assert shown.exit_code == 0, shown.output
    assert "0 complete, 0 pruned, 0 failed, 2 running of 4" in shown.output
    assert "search-trial-0" in shown.output and "units" in shown.output
    listed = runner.invoke(app, ["sweep", "list", "-p", "Lab"])
    assert "search" in listed.output and "running" in listed.output
    best = runner.invoke(app, ["sweep", "best", "search", "-p", "Lab"])
    assert best.exit_code == 1 and "no completed trial yet" in best.output
    stopped = runner.invoke(app, ["sweep", "stop", "search", "-p", "Lab"])
    assert stopped.exit_code == 0 and "stopped" in stopped.output
    again = runner.invoke(app, ["sweep", "stop", "search", "-p", "Lab"])
    assert again.exit_code == 1 and "is stopped already" in str(again.exception or again.output)


def test_a_file_naming_an_unknown_node_is_refused_with_the_field(sweep_file: Path) -> None:
    spec = yaml.safe_load(sweep_file.read_text())
    spec["space"]["dimensions"][0]["targets"] = ["hidden2.units"]
    sweep_file.write_text(yaml.safe_dump(spec))
    result = runner.invoke(app, ["sweep", "run", str(sweep_file), "--workers", "0"])
    assert result.exit_code == 1
    assert "targets node 'hidden2'" in str(result.exception)


def test_spaces_and_schema() -> None:
    spaces = runner.invoke(app, ["sweep", "spaces"])
    assert "cuperus2017-search" in spaces.output and "3072 combinations" in spaces.output
    schema = runner.invoke(app, ["sweep", "schema"])
    assert '"SearchSpace"' in schema.output
