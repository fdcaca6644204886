"""Comparing experiments, exporting their predictions and evaluating them on other files.

Contract:

- `compare_experiments(workspace, experiments)` reads only what is stored (metadata, stored
  evaluations, at most the best checkpoint's feature shapes) and returns
  `{"experiments": [...], "settings_diff": {...}, "table": [...], "curves": {...}}`: per
  experiment its status, best epoch, dataset version, graph digest and parameter count, the run
  settings that differ between the experiments (flattened dotted keys such as `optimizer.lr`)
  and the stored best-epoch metrics per subset and target; curves hold per-epoch
  `loss`/`val_loss`/`val_pearson_r2` series.
- `export_predictions(...)` writes one row per dataset-version row (optionally one subset) to a
  CSV or Parquet file: `row`, every string or integer feature that is neither an input nor a
  target (ids such as `UTR_name`), `subsets` (`|`-joined) and per target `<target>_true` and
  `<target>_pred` (classification: the class names, plus `<target>_prob`, the top probability),
  named by `kozak.prediction_columns`.
- `evaluate_on_file(...)` encodes new files with the checkpoint's own feature specs (encodings,
  categories and normalisation statistics of the training version) and evaluates the model on
  every row; nothing is written to the workspace (no dataset version is created).

User errors are `KozakError`s: `MissingFeatureColumn` when a file lacks a column the model needs,
`UnknownExportFormat` for an output extension that is neither CSV nor Parquet.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from kozak.data.dataset_spec import DatasetSpec
from kozak.data.encode import FeatureData, encode_feature, missing_mask
from kozak.data.feature_spec import FeatureSpec, FeatureType
from kozak.data.formats.base import read_files
from kozak.data.prepare import VersionContent, done
from kozak.data.table import RawColumn, RawTable
from kozak.data.versions import load_version
from kozak.errors import DataError, InvalidConfig, KozakError
from kozak.evaluation import regression_metrics, residual_histogram, scatter_data
from kozak.experiments.checkpoints import experiment_checkpoint
from kozak.experiments.lifecycle import parameter_count, stored_metrics, version_of
from kozak.graph.compile import GraphModule
from kozak.graph.graph_spec import GraphSpec
from kozak.prediction_columns import predicted_column, probability_column, true_column
from kozak.store.entities import Experiment
from kozak.training.checkpoint import Checkpoint, load_checkpoint
from kozak.training.data import subset_rows
from kozak.training.predict import predict
from kozak.workspace import Workspace

CURVE_KEYS = ("loss", "val_loss", "val_pearson_r2")
ID_TYPES = (FeatureType.STRING, FeatureType.INTEGER)
FILE_SUBSET = "data"  # the subset name `evaluate_on_file` reports its rows under


class MissingFeatureColumn(DataError):
    """A file to evaluate on lacks a column a model input or target is read from."""

    code = "missing_feature_column"


class UnknownExportFormat(InvalidConfig):
    """A predictions file name ends in neither `.csv` nor `.parquet`."""

    code = "unknown_export_format"


# --- comparison -----------------------------------------------------------------------------


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as one level of dotted keys (`{"optimizer": {"lr": 1}}` → `optimizer.lr`)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def settings_diff(experiments: Sequence[Experiment]) -> dict[str, list[Any]]:
    """The flattened run-settings keys whose values differ, with each experiment's value (or None)."""
    flat = [flatten(e.settings) for e in experiments]
    keys = sorted({key for one in flat for key in one})
    return {
        key: [one.get(key) for one in flat]
        for key in keys
        if any(one.get(key) != flat[0].get(key) for one in flat[1:])
    }


def graph_digest(graph: Mapping[str, Any]) -> str:
    """SHA-256 of a graph's canonical JSON (equal digests: identical graphs)."""
    return hashlib.sha256(json.dumps(graph, sort_keys=True).encode()).hexdigest()


def _parameter_count(workspace: Workspace, experiment: Experiment) -> int | None:
    """Parameters as recorded at creation; inferred from the graph for experiments made before."""
    if experiment.param_count is not None:
        return experiment.param_count
    try:
        return parameter_count(GraphSpec.from_data(experiment.graph), version_of(workspace, experiment))
    except KozakError:
        return None


def compare_experiments(workspace: Workspace, experiments: Sequence[Experiment]) -> dict[str, Any]:
    """Side by side: settings that differ, graphs, best-epoch metrics and per-epoch curves.

    Args:
        workspace: Where the experiments are recorded.
        experiments: Two or more experiments (any project).

    Returns:
        `{"experiments": [names], "settings_diff": {key: [value per experiment]},
        "graphs_equal": bool, "table": [row per experiment], "curves": {name: {key: [values]}}}`;
        each table row holds name, id, status, best_epoch, epochs_done, dataset_version,
        graph (name, digest, parameters), settings (the differing keys) and metrics
        (`{subset: {target: metrics}}` of the stored best-epoch evaluation, `{}` when none).

    Raises:
        InvalidConfig: If fewer than two experiments are given.
    """
    if len(experiments) < 2:
        raise InvalidConfig("give at least two experiments to compare")
    diff = settings_diff(experiments)
    digests = [graph_digest(e.graph) for e in experiments]
    table = []
    curves: dict[str, dict[str, list[float | None]]] = {}
    for i, experiment in enumerate(experiments):
        table.append(
            {
                "name": experiment.name,
                "id": experiment.id,
                "status": experiment.status,
                "best_epoch": experiment.best_epoch,
                "epochs_done": experiment.epochs_done,
                "dataset_version": experiment.dataset_version_id,
                "graph": {
                    "name": experiment.graph.get("name", ""),
                    "digest": digests[i],
                    "parameters": _parameter_count(workspace, experiment),
                },
                "settings": {key: values[i] for key, values in diff.items()},
                "metrics": stored_metrics(workspace, experiment),
            }
        )
        epochs = workspace.metadata.list_epochs(experiment.id)
        series: dict[str, list[float | None]] = {"epoch": [float(e.epoch) for e in epochs]}
        for key in CURVE_KEYS:
            series[key] = [e.metrics.get(key) for e in epochs]
        curves[experiment.name] = series
    return {
        "experiments": [e.name for e in experiments],
        "settings_diff": diff,
        "graphs_equal": len(set(digests)) == 1,
        "table": table,
        "curves": curves,
    }


# --- predictions export ---------------------------------------------------------------------


def _checkpoint_and_model(
    workspace: Workspace, experiment: Experiment, checkpoint: str
) -> tuple[Checkpoint, GraphModule]:
    loaded = load_checkpoint(experiment_checkpoint(workspace, experiment, checkpoint))
    return loaded, loaded.build_model()


def _prediction_columns(
    model: GraphModule, specs: Mapping[str, FeatureSpec], predicted: Mapping[str, tuple[Any, Any]]
) -> dict[str, pa.Array]:
    columns: dict[str, pa.Array] = {}
    for target in model.output_shapes:
        true, pred = (np.asarray(a) for a in predicted[target])
        spec = specs[target]
        classes = np.asarray(spec.categories or (), dtype=object)
        if spec.type is FeatureType.CATEGORICAL:
            columns[true_column(target)] = pa.array(classes[true.astype(np.int64)], pa.string())
            columns[predicted_column(target)] = pa.array(classes[pred.argmax(axis=1)], pa.string())
            columns[probability_column(target)] = pa.array(pred.max(axis=1).astype(np.float64))
        elif spec.type is FeatureType.MULTILABEL:
            columns[true_column(target)] = pa.array(
                ["|".join(classes[row > 0.5]) for row in true], pa.string()
            )
            columns[predicted_column(target)] = pa.array(
                ["|".join(classes[row > 0.5]) for row in pred], pa.string()
            )
        else:
            columns[true_column(target)] = pa.array(true.astype(np.float64).reshape(-1))
            columns[predicted_column(target)] = pa.array(pred.astype(np.float64).reshape(-1))
    return columns


def _check_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise UnknownExportFormat(
            f"cannot write {path.name}: name the file .csv or .parquet", path=str(path)
        )
    return suffix


def write_table(table: pa.Table, path: Path) -> Path:
    """Write `table` as CSV or Parquet, chosen by the file's extension.

    Raises:
        UnknownExportFormat: If the name ends in neither `.csv` nor `.parquet`/`.pq`.
    """
    suffix = _check_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        pa_csv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return path


def export_predictions(
    workspace: Workspace,
    experiment: Experiment,
    path: str | Path,
    subset: str | None = None,
    checkpoint: str = "best",
) -> Path:
    """Write a checkpoint's predictions on its dataset version's rows to CSV or Parquet.

    Args:
        workspace: Where the experiment is recorded.
        experiment: A run experiment.
        path: Output file; `.csv` or `.parquet` chooses the format.
        subset: Only this subset's rows (default: every row of the version).
        checkpoint: `best` or `last`.

    Returns:
        The written file's path.

    Raises:
        NotFound: If the checkpoint does not exist.
        InvalidConfig: If the subset does not exist; `UnknownExportFormat` for other extensions.
    """
    target_path = Path(path)
    _check_format(target_path)
    loaded, model = _checkpoint_and_model(workspace, experiment, checkpoint)
    content = load_version(workspace, version_of(workspace, experiment))
    rows = subset_rows(content, subset) if subset is not None else np.arange(content.n_rows)
    used = {*model.input_shapes, *model.output_shapes}
    columns: dict[str, pa.Array] = {"row": pa.array(rows.astype(np.int64))}
    for data in content.features:
        if data.spec.name in used or data.spec.type not in ID_TYPES:
            continue
        values = data.values
        if isinstance(values, np.ndarray):
            columns[data.spec.name] = pa.array(values[rows])
        elif isinstance(values, pa.Array):
            columns[data.spec.name] = values.take(pa.array(rows))
    names = list(content.masks)
    member = np.stack([content.masks[n][rows] for n in names]) if names else np.zeros((0, len(rows)))
    columns["subsets"] = pa.array(
        ["|".join(n for n, inside in zip(names, flags, strict=True) if inside) for flags in member.T],
        pa.string(),
    )
    specs = {d.spec.name: d.spec for d in content.features}
    predicted = predict(model, content, rows, precision=loaded.run_settings.precision)
    columns.update(_prediction_columns(model, specs, predicted))
    return write_table(pa.table(columns), target_path)


# --- evaluation on other files --------------------------------------------------------------


def export_predictions_to_temporary(
    workspace: Workspace,
    experiment: Experiment,
    name: str,
    subset: str | None = None,
    checkpoint: str = "best",
) -> Path:
    """`export_predictions` into a new temporary folder, as the file `name`, for a download.

    The caller removes the folder (`path.parent`) when done with the file; when the export
    fails nothing is left behind.
    """
    folder = Path(tempfile.mkdtemp(prefix="kozak-predictions-"))
    try:
        return export_predictions(workspace, experiment, folder / name, subset, checkpoint)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _column_for(table: RawTable, spec: FeatureSpec, files: Sequence[str]) -> RawColumn:
    for name in (spec.source, spec.name):
        if name in table.names:
            return table.column(name)
    raise MissingFeatureColumn(
        f"feature {spec.name!r} (imported from column {spec.source!r}) is needed by the model, "
        f"but {', '.join(files)} has neither a {spec.source!r} nor a {spec.name!r} column; "
        f"columns: {', '.join(table.names)}",
        feature=spec.name,
        column=spec.source,
    )


def _fixed_spec(loaded: Checkpoint, spec: FeatureSpec) -> FeatureSpec:
    """A sequence spec with the training window's length, so new data is one-hot encoded alike."""
    if spec.type is not FeatureType.SEQUENCE or spec.sequence is None or spec.sequence.length:
        return spec
    window = loaded.feature_infos[spec.name].shape[-1]
    sequence = spec.sequence.model_copy(update={"length": window - 2 * spec.sequence.padding})
    return spec.model_copy(update={"sequence": sequence})


def encode_like_checkpoint(
    loaded: Checkpoint, model: GraphModule, table: RawTable, files: Sequence[str]
) -> tuple[VersionContent, int]:
    """The model's inputs and targets encoded from `table` exactly as in the training version.

    Rows with a missing value in a needed column are dropped.

    Returns:
        (content with one subset `data` of every kept row, number of dropped rows).

    Raises:
        MissingFeatureColumn: If a needed column is absent.
        DataError: If a value cannot be encoded (e.g. an unknown class).
    """
    specs = loaded.features
    needed = [specs[name] for name in [*model.input_shapes, *model.output_shapes]]
    columns = [_column_for(table, spec, files) for spec in needed]
    missing = np.zeros(table.n_rows, dtype=bool)
    for column in columns:
        missing |= missing_mask(column)
    if missing.all():
        raise DataError("every row has a missing value in a column the model needs; nothing to evaluate")
    if missing.any():
        keep = ~missing
        columns = [
            RawColumn(
                c.name,
                c.values[keep] if isinstance(c.values, np.ndarray) else c.values.filter(pa.array(keep)),
                c.file,
            )
            for c in columns
        ]
    features: list[FeatureData] = [
        FeatureData(spec, encode_feature(column, _fixed_spec(loaded, spec)).values)
        for spec, column in zip(needed, columns, strict=True)
    ]
    rows = int((~missing).sum())
    content = VersionContent(
        DatasetSpec(features=tuple(f.spec for f in features)),
        features,
        {FILE_SUBSET: np.ones(rows, dtype=bool)},
        done({}),
        dropped_rows=int(missing.sum()),
    )
    return content, int(missing.sum())


def evaluate_on_file(
    workspace: Workspace,
    experiment: Experiment,
    files: Sequence[str | Path],
    checkpoint: str = "best",
) -> dict[str, Any]:
    """Metrics and plot data of a checkpoint on other files, encoded like its training data.

    Columns are found by the feature's source column name, else by the feature's name. Nothing
    is stored: no dataset version, no evaluation file.

    Returns:
        `{"checkpoint", "epoch", "files", "rows", "dropped_rows",
        "subsets": {"data": {target: {metrics, scatter, residuals}}}}` (regression targets).

    Raises:
        NotFound: If the checkpoint does not exist.
        MissingFeatureColumn: If a file lacks a column the model reads or predicts.
        DataError: If the files cannot be read or a value cannot be encoded.
    """
    loaded, model = _checkpoint_and_model(workspace, experiment, checkpoint)
    table = read_files(list(files), workspace.settings)
    names = [str(f) for f in files]
    content, dropped = encode_like_checkpoint(loaded, model, table, names)
    per_target: dict[str, Any] = {}
    predicted = predict(
        model, content, np.arange(content.n_rows), precision=loaded.run_settings.precision
    )
    for target, (true, pred) in predicted.items():
        if pred.ndim != 1:
            continue  # classification evaluation comes with the classification views
        per_target[target] = {
            "metrics": regression_metrics(true, pred),
            "scatter": scatter_data(true, pred),
            "residuals": residual_histogram(true, pred),
        }
    return {
        "checkpoint": checkpoint,
        "epoch": loaded.epoch,
        "files": names,
        "rows": content.n_rows,
        "dropped_rows": dropped,
        "subsets": {FILE_SUBSET: per_target},
    }
