"""Comparing experiments, exporting predictions and evaluating on other files (native library)."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from factories import native_experiment_file
from kozak.cli import app
from kozak.data.versions import load_version
from kozak.evaluation import regression_metrics
from kozak.experiments import (
    compare_experiments,
    evaluate_on_file,
    export_predictions,
    run_file,
)
from kozak.experiments.checkpoints import local_checkpoint
from kozak.experiments.compare import MissingFeatureColumn, UnknownExportFormat
from kozak.experiments.lifecycle import version_of
from kozak.settings import Settings
from kozak.store.entities import Experiment
from kozak.training.checkpoint import load_checkpoint
from kozak.training.data import subset_rows
from kozak.training.predict import predict
from kozak.workspace import Workspace


def experiment_file(folder: Path, native: Path, name: str, **settings: object) -> Path:
    return native_experiment_file(folder, native, name, **settings)


@pytest.fixture(scope="module")
def trained(
    tmp_path_factory: pytest.TempPathFactory, native_utrs: Path
) -> tuple[Workspace, Experiment, Experiment]:
    """Two one-epoch experiments on the same data, differing only in the learning rate."""
    root = tmp_path_factory.mktemp("compare")
    workspace = Workspace.open(Settings(home=root / "home"))
    first = run_file(workspace, experiment_file(root, native_utrs, "slow"))
    second = run_file(workspace, experiment_file(root, native_utrs, "fast", optimizer={"lr": 3e-4}))
    return workspace, first, second


@pytest.fixture(scope="module")
def native_utrs() -> Path:  # module scope, so the trained experiments are shared
    native = Path(__file__).resolve().parents[4] / "shared/data/cuperus2017/Native_UTRs.csv.gz"
    if not native.exists():
        pytest.skip(f"{native} is absent; real-data tests skipped")
    return native


def test_comparison_lists_exactly_the_differing_setting(
    trained: tuple[Workspace, Experiment, Experiment],
) -> None:
    workspace, first, second = trained
    result = compare_experiments(workspace, [first, second])
    assert list(result["settings_diff"]) == ["optimizer.lr"]
    assert result["graphs_equal"] is True
    [a, b] = result["table"]
    assert a["status"] == b["status"] == "completed" and a["best_epoch"] == 1
    assert a["graph"]["parameters"] and a["graph"]["parameters"] == b["graph"]["parameters"]
    assert a["settings"]["optimizer.lr"] != b["settings"]["optimizer.lr"] == 3e-4
    assert "pearson_r2" in a["metrics"]["validation"]["growth_rate"]
    assert result["curves"][first.name]["val_loss"][0] is not None
    assert len(result["curves"][second.name]["loss"]) == 1


def test_compare_cli_prints_json(
    trained: tuple[Workspace, Experiment, Experiment], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, first, second = trained
    monkeypatch.setenv("KOZAK_HOME", str(workspace.settings.home))
    args = ["experiments", "compare", first.name, second.name, "-p", "Yeast", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.output)["settings_diff"]) == ["optimizer.lr"]
    table = CliRunner().invoke(app, args[:-1])
    assert table.exit_code == 0 and "optimizer.lr" in table.output


def test_exported_predictions_match_predict(
    trained: tuple[Workspace, Experiment, Experiment], tmp_path: Path
) -> None:
    workspace, first, _ = trained
    path = export_predictions(workspace, first, tmp_path / "pred.csv", subset="validation")
    with path.open() as handle:
        records = list(csv.DictReader(handle))
    content = load_version(workspace, version_of(workspace, first))
    rows = subset_rows(content, "validation")
    assert len(records) == len(rows)
    assert {"row", "UTR_name", "subsets", "growth_rate_true", "growth_rate_pred"} <= set(records[0])
    assert "seq" not in records[0] and "growth_rate" not in records[0]
    assert [int(r["row"]) for r in records] == rows.tolist()
    assert all("validation" in r["subsets"] for r in records)
    loaded = load_checkpoint(local_checkpoint(workspace, first, "best"))  # type: ignore[arg-type]
    precision = loaded.run_settings.precision  # both in the run's precision
    true, pred = predict(loaded.build_model(), content, rows, precision=precision)["growth_rate"]
    np.testing.assert_allclose([float(r["growth_rate_pred"]) for r in records], pred, rtol=1e-12)
    np.testing.assert_allclose([float(r["growth_rate_true"]) for r in records], true, rtol=1e-12)
    with pytest.raises(UnknownExportFormat):
        export_predictions(workspace, first, tmp_path / "pred.xlsx")


def test_evaluating_on_a_file_matches_the_version(
    trained: tuple[Workspace, Experiment, Experiment], tmp_path: Path, native_utrs: Path
) -> None:
    workspace, first, _ = trained
    content = load_version(workspace, version_of(workspace, first))
    assert content.dropped_rows == 0  # version rows are the file's rows in order
    rows = subset_rows(content, "validation")[:300]
    with gzip.open(native_utrs, "rt") as handle:
        lines = handle.readlines()
    some = tmp_path / "some.csv"
    some.write_text(lines[0] + "".join(lines[i + 1] for i in rows))
    result = evaluate_on_file(workspace, first, [some])
    assert result["rows"] == len(rows) and result["dropped_rows"] == 0
    found = result["subsets"]["data"]["growth_rate"]["metrics"]
    loaded = load_checkpoint(local_checkpoint(workspace, first, "best"))  # type: ignore[arg-type]
    predicted = predict(loaded.build_model(), content, rows, precision=loaded.run_settings.precision)
    expected = regression_metrics(*predicted["growth_rate"])
    for key, value in expected.items():
        assert found[key] == pytest.approx(value, abs=1e-9), key
    before = sum(
        len(workspace.metadata.list_dataset_versions(d.id))
        for d in workspace.metadata.list_datasets(first.project_id)
    )
    evaluate_on_file(workspace, first, [some])
    after = sum(
        len(workspace.metadata.list_dataset_versions(d.id))
        for d in workspace.metadata.list_datasets(first.project_id)
    )
    assert before == after


def test_a_file_without_the_sequence_column_is_refused(
    trained: tuple[Workspace, Experiment, Experiment], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, first, _ = trained
    bad = tmp_path / "bad.csv"
    bad.write_text("UTR_name,growth_rate\na,0.1\nb,0.2\n")
    with pytest.raises(MissingFeatureColumn, match=r"'seq'.*'UTR'") as err:
        evaluate_on_file(workspace, first, [bad])
    assert err.value.details["feature"] == "seq"
    monkeypatch.setenv("KOZAK_HOME", str(workspace.settings.home))
    result = CliRunner().invoke(app, ["evaluate", first.name, "-p", "Yeast", "--data", str(bad)])
    assert isinstance(result.exception, MissingFeatureColumn)
