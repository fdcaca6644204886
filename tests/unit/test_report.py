"""The HTML report of a real (one-epoch) experiment on a few thousand native UTR rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from factories import native_experiment_file
from kozak.cli import app
from kozak.errors import NotFound
from kozak.experiments import clone_experiment, run_file, stored_evaluation
from kozak.report import build_report, write_report
from kozak.settings import Settings
from kozak.store.entities import Experiment
from kozak.workspace import Workspace

NATIVE_UTRS = Path(__file__).resolve().parents[3] / "shared/data/cuperus2017/Native_UTRs.csv.gz"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Experiment]:
    """One experiment trained for one epoch, shared by the tests of this module."""
    if not NATIVE_UTRS.exists():
        pytest.skip(f"{NATIVE_UTRS} is absent; real-data tests skipped")
    root = tmp_path_factory.mktemp("report")
    path = native_experiment_file(root, NATIVE_UTRS, "report-demo", project="Default")
    workspace = Workspace.open(Settings(home=root / "home"))
    return workspace, run_file(workspace, path)


def test_report_is_self_contained_with_one_figure_per_subset_and_target(
    trained: tuple[Workspace, Experiment],
) -> None:
    workspace, experiment = trained
    html = build_report(workspace, experiment)
    assert "<h1>report-demo</h1>" in html and experiment.id in html
    assert "growth_rate" in html and "Run settings" in html and "cuperus" in html.lower()
    # plotly.js is inline, exactly once, and nothing is fetched from the network
    assert html.count(get_plotlyjs()) == 1
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert not re.search(r"<link[^>]*https?://", html)
    evaluation = stored_evaluation(workspace, experiment)
    expected = sum(len(targets) for targets in evaluation["subsets"].values())
    assert expected >= 2  # training and validation, one target each
    assert html.count('data-figure="evaluation"') == expected
    assert html.count('data-figure="curve"') >= 2  # loss and at least one metric
    assert "best epoch 1" in html


def test_user_text_is_escaped(trained: tuple[Workspace, Experiment]) -> None:
    workspace, experiment = trained
    hostile = experiment.model_copy(update={"name": "<script>alert('x')</script>"})
    html = build_report(workspace, hostile)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_missing_evaluation_is_not_found(trained: tuple[Workspace, Experiment]) -> None:
    workspace, experiment = trained
    fresh = clone_experiment(workspace, experiment, "never-run")
    with pytest.raises(NotFound, match=r"no stored evaluation.*kozak evaluate never-run"):
        build_report(workspace, fresh)
    with pytest.raises(NotFound):
        write_report(workspace, experiment, Path("unused.html"), checkpoint="last")


def test_kozak_report_writes_the_file(
    trained: tuple[Workspace, Experiment], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, experiment = trained
    monkeypatch.setenv("KOZAK_HOME", str(workspace.settings.home))
    output = tmp_path / "out" / "report.html"
    # the interpretation sections are tested in tests/unit/interpret/test_report_sections.py;
    # on this model (128 filters, 1,000 rows) they add seconds
    command = ["report", experiment.name, "--output", str(output), "--no-interpretation"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert output.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert output.stat().st_size > 3_000_000  # plotly.js alone is ~4.8 MB


def test_density_evaluation_draws_a_heatmap() -> None:
    from kozak.evaluation import residual_histogram, scatter_data
    from kozak.report import _evaluation_figure

    true = [i / 100 for i in range(300)]
    pred = [t + (i % 7) / 50 for i, t in enumerate(true)]
    found = {
        "scatter": scatter_data(true, pred, max_points=50, bins=10),
        "residuals": residual_histogram(true, pred),
    }
    kinds = [trace.type for trace in _evaluation_figure(found).data]
    assert kinds == ["heatmap", "scatter", "bar"]  # density, identity line, residuals
