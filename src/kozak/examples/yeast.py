"""The Cuperus et al. 2017 replication: data, the paper's split, the preset, training, the numbers.

`replicate_yeast(workspace, source, ...)` puts the library (simulated, downloaded or a user's copy)
into the "Yeast" project with the paper's subsets — test = top 5 % by t0 (stable tie-break),
validation as Keras took it (the last 10 % of the training pool after the notebook's constant-
random Python 2 shuffle) or a seeded random 10 % — trains the preset with the paper's settings
(MSE, Adam 1e-3, batch 32, early stopping on validation loss with patience 0, best checkpoint),
and reports test / training / native-zero-shot Pearson r² beside the paper's values. Only numbers
computed in the run are reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from kozak.data import Condition, FilterSubset, import_files, load_version
from kozak.data.editor import DatasetEditor, default_spec
from kozak.data.table import RawColumn, RawTable
from kozak.evaluation import regression_metrics
from kozak.experiments import create_experiment, run_experiment, stored_evaluation
from kozak.experiments.checkpoints import local_checkpoint
from kozak.experiments.lifecycle import free_experiment_name
from kozak.graph.presets import preset
from kozak.store.entities import DatasetVersion, Experiment, Project, ReferenceLine
from kozak.training import RunSettings
from kozak.training.callbacks import Callback
from kozak.training.checkpoint import load_checkpoint
from kozak.training.precision import Precision
from kozak.training.predict import predict
from kozak.workspace import Workspace

PAPER = {"test_pearson_r2": 0.62, "train_pearson_r2": 0.49, "native_pearson_r2": 0.60}
PAPER_NATIVE_ONLY = {"test_pearson_r2": 0.47}  # Suppl. S6: CNN trained on native sequences only
# The paper's test r², as the reference line its projects draw on their plots.
PAPER_LINE = ReferenceLine(
    name="Paper (Cuperus 2017, test)", metric="pearson_r2", value=PAPER["test_pearson_r2"]
)
PROJECT = "Yeast"
TEST_SHARE = 0.05
VALIDATION_SPLIT = 0.1  # Keras `validation_split` of the final fit

Validation = Literal["paper", "random"]


def yeast_project(workspace: Workspace) -> Project:
    """The example's project, made when missing; one without reference lines gets the paper's."""
    project = workspace.metadata.get_or_create_project(PROJECT)
    if not project.reference_lines:
        project = workspace.metadata.set_reference_lines(project.id, [PAPER_LINE])
    return project


def python2_constant_shuffle(items: np.ndarray) -> np.ndarray:
    """`random.shuffle(x, lambda: 0.5)` as Python 2 ran it: swap i with (i + 1) // 2, i = n-1..1.

    Python ≥ 3.11 dropped the `random` argument, so the notebook's permutation is rebuilt here.
    """
    shuffled = items.copy()
    for i in range(len(shuffled) - 1, 0, -1):
        j = (i + 1) // 2
        shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
    return shuffled


def paper_split(t0: np.ndarray, validation: Validation = "paper", seed: int = 0) -> np.ndarray:
    """Each row's subset, "training", "validation" or "test", as the authors' notebook made them.

    Rows are sorted by t0 with a stable sort (ties keep file order: the notebook's unstable
    quicksort made membership at t0 = 101 arbitrary); the top 5 % are the test set. Of the rest,
    "paper" validation is the last 10 % after the constant shuffle (a banded, high-t0-biased
    set), "random" a seeded random 10 %.
    """
    order = np.argsort(t0, kind="stable")
    boundary = int(len(order) * (1 - TEST_SHARE))
    pool = order[:boundary]
    labels = np.full(len(t0), "training", dtype=object)
    labels[order[boundary:]] = "test"
    if validation == "paper":
        arranged = python2_constant_shuffle(pool)
    else:
        arranged = np.random.default_rng(seed).permutation(pool)
    split_at = int(len(arranged) * (1 - VALIDATION_SPLIT))
    labels[arranged[split_at:]] = "validation"
    return labels


@dataclass
class YeastResult:
    """What a replication measured, beside the paper's values."""

    experiment: Experiment
    version: DatasetVersion
    figures: dict[str, float | None] = field(default_factory=dict)
    paper: dict[str, float] = field(default_factory=lambda: dict(PAPER))

    def to_json(self) -> dict[str, Any]:
        """The figures, the experiment id and the paper's values, as one JSON-able dict."""
        return {"experiment_id": self.experiment.id, **self.figures, "paper": self.paper}


def _draft_with_split(
    workspace: Workspace, path: Path, name: str, labels_for: Callable[[np.ndarray], np.ndarray],
    rows: int | None, seed: int,
) -> DatasetEditor:  # fmt: skip
    """Import `path`, optionally sample `rows` rows, and add the `split` column."""
    table = import_files(workspace, [path], name=name, project=PROJECT).table
    if rows is not None and rows < table.n_rows:
        keep = np.sort(np.random.default_rng(seed).choice(table.n_rows, rows, replace=False))
        sampled = [RawColumn(c.name, c.values.take(pa.array(keep)), c.file) for c in table.columns]
        table = RawTable(sampled, table.sources)
    t0 = np.asarray(table.column("t0").values.to_numpy(zero_copy_only=False))
    split = RawColumn("split", pa.array(labels_for(t0).tolist(), pa.string()), "paper split")
    table = RawTable([*table.columns, split], table.sources)
    draft = DatasetEditor(workspace, table, default_spec(table), name=name, project=PROJECT)
    for default in list(draft.spec.subsets):
        draft.remove_subset(default.name)
    for label in ("training", "validation", "test"):
        draft.add_subset(
            FilterSubset(name=label, conditions=(Condition(feature="split", op="==", value=label),))
        )
    draft.add_subset(
        FilterSubset(
            name="training_pool", conditions=(Condition(feature="split", op="!=", value="test"),)
        )
    )
    return draft.rename("UTR", "seq")


def random_library_version(
    workspace: Workspace, path: Path, *, rows: int | None = None, validation: Validation = "paper",
    seed: int = 0,
) -> DatasetVersion:  # fmt: skip
    """The random library as a dataset version with the paper's subsets (centred, 50 + 2 × 10)."""
    draft = _draft_with_split(
        workspace, path, "Random UTRs", lambda t0: paper_split(t0, validation, seed), rows, seed
    )
    draft.set_encoding("seq", alignment="center", length=50, padding=10)
    return draft.save()


def native_version(workspace: Workspace, path: Path, *, seed: int = 0) -> DatasetVersion:
    """The native library right-aligned to the start codon: a seeded random 70/10/20 split, `deep`
    (t0 > 100, the rows the paper evaluates on) and `test_deep` (test rows with t0 > 100)."""
    draft = import_files(workspace, [path], name="Native UTRs", project=PROJECT)
    draft.rename("UTR", "seq").set_encoding("seq", alignment="right", length=50, padding=10)
    for subset in list(draft.spec.subsets):
        draft.remove_subset(subset.name)
    draft.split(("training", "validation", "test"), (70, 10, 20), seed=seed)
    deep = (Condition(feature="t0", op=">", value=100),)
    draft.add_subset(FilterSubset(name="deep", conditions=deep))
    draft.add_subset(FilterSubset(name="test_deep", conditions=deep, within=("test",)))
    return draft.save()


def paper_settings(epochs: int, seed: int = 0, precision: Precision = "auto") -> RunSettings:
    """MSE (in the preset), Adam 1e-3, batch 32, early stopping on val_loss with patience 0."""
    return RunSettings.from_data({
        "epochs": epochs, "batch_size": 32, "seed": seed, "precision": precision,
        "optimizer": {"name": "adam", "lr": 0.001},
        "early_stopping": {"enabled": True, "monitor": "val_loss", "patience": 0},
    })  # fmt: skip


def _pearson_r2(evaluation: dict[str, Any], subset: str) -> float | None:
    found = evaluation["subsets"].get(subset, {}).get("growth_rate", {}).get("metrics", {})
    value = found.get("pearson_r2")
    return None if value is None else float(value)


def native_zero_shot(
    workspace: Workspace, experiment: Experiment, native: DatasetVersion
) -> float | None:
    """Pearson r² of the experiment's best model on native rows with t0 > 100."""
    checkpoint = local_checkpoint(workspace, experiment, "best")
    if checkpoint is None:
        return None
    content = load_version(workspace, native)
    loaded = load_checkpoint(checkpoint)
    model, precision = loaded.build_model(), loaded.run_settings.precision
    true, pred = predict(model, content, np.flatnonzero(content.masks["deep"]), precision=precision)[
        "growth_rate"
    ]
    value = regression_metrics(true, pred)["pearson_r2"]
    return None if value is None else float(value)


def replicate_yeast(
    workspace: Workspace,
    library: Path,
    *,
    native: Path | None = None,
    rows: int | None = None,
    epochs: int = 10,
    preset_name: str = "cuperus2017",
    validation: Validation = "paper",
    seed: int = 0,
    callbacks: Sequence[Callback] = (),
    noise_ceiling: Callable[[DatasetVersion], float | None] | None = None,
    precision: Precision = "auto",
) -> YeastResult:
    """Train the preset on the random library with the paper's protocol and measure it.

    Args:
        workspace: Where the project, datasets and experiment go.
        library: The random library CSV(.gz) (downloaded, a user's copy or simulated).
        native: The native library, for the zero-shot figure (skipped when None).
        rows: Train on a seeded random sample of this many rows.
        epochs: Most epochs (early stopping usually ends sooner).
        preset_name: cuperus2017 or cuperus2017-tutorial.
        validation: "paper" (the notebook's banded set) or "random".
        seed: Seed of sampling, random validation and training.
        callbacks: Training callbacks (e.g. a progress bar).
        noise_ceiling: For simulated data: the noise ceiling on the test set of a version; the figures
            then also hold the test r² as a share of it.
        precision: The run settings' precision (auto, fp32, bf16, fp16).
    """
    yeast_project(workspace)
    version = random_library_version(workspace, library, rows=rows, validation=validation, seed=seed)
    settings = paper_settings(epochs, seed, precision).model_copy(
        update={"training_subset": "training", "validation_subset": "validation"}
    )
    name = free_experiment_name(workspace, PROJECT, f"{preset_name}-paper")
    experiment = create_experiment(workspace, PROJECT, name, version, preset(preset_name), settings)
    experiment = run_experiment(workspace, experiment, callbacks)
    evaluation = stored_evaluation(workspace, experiment)
    figures: dict[str, float | None] = {
        "test_pearson_r2": _pearson_r2(evaluation, "test"),
        "train_pearson_r2": _pearson_r2(evaluation, "training_pool"),
        "validation_pearson_r2": _pearson_r2(evaluation, "validation"),
        "best_epoch": experiment.best_epoch,
        "rows": version.row_count,
    }
    if native is not None:
        figures["native_pearson_r2"] = native_zero_shot(
            workspace, experiment, native_version(workspace, native)
        )
    if noise_ceiling is not None:
        ceiling = figures["noise_ceiling_pearson_r2"] = noise_ceiling(version)
        test = figures["test_pearson_r2"]
        if ceiling and test is not None:
            figures["test_share_of_noise_ceiling"] = test / ceiling
    return YeastResult(experiment, version, figures)


def replicate_native(
    workspace: Workspace,
    native: Path,
    *,
    epochs: int = 20,
    preset_name: str = "cuperus2017",
    seed: int = 0,
    callbacks: Sequence[Callback] = (),
    precision: Precision = "auto",
) -> YeastResult:
    """Train on the native library alone (the paper: test r² 0.47, Suppl. S6) and measure it."""
    yeast_project(workspace)
    version = native_version(workspace, native, seed=seed)
    settings = paper_settings(epochs, seed, precision)
    name = free_experiment_name(workspace, PROJECT, f"native-{preset_name}")
    experiment = create_experiment(workspace, PROJECT, name, version, preset(preset_name), settings)
    experiment = run_experiment(workspace, experiment, callbacks)
    evaluation = stored_evaluation(workspace, experiment)
    figures: dict[str, float | None] = {
        "test_pearson_r2": _pearson_r2(evaluation, "test"),
        "test_pearson_r2_t0_gt_100": _pearson_r2(evaluation, "test_deep"),
        "best_epoch": experiment.best_epoch,
        "rows": version.row_count,
    }
    return YeastResult(experiment, version, figures, dict(PAPER_NATIVE_ONLY))


def synthetic_library(
    workspace: Workspace, rows: int, seed: int
) -> tuple[Path, Callable[[DatasetVersion], float]]:
    """Simulate the random library into the workspace's cache, written like the GEO file.

    Returns:
        (the file's path, the noise ceiling on the test set of a version made from that file) —
        the pair `replicate_yeast` takes as `library` and `noise_ceiling`.
    """
    from kozak.examples.yeast_simulator import noise_ceiling, simulate

    folder = workspace.settings.home / "cache" / "yeast"
    folder.mkdir(parents=True, exist_ok=True)
    library = simulate(rows, seed=seed)
    path = library.write_csv_gz(folder / f"simulated_random_utrs_{rows}_{seed}.csv.gz")

    def ceiling(version: DatasetVersion) -> float:
        return noise_ceiling(library, load_version(workspace, version).masks["test"])

    return path, ceiling


__all__ = [
    "PAPER",
    "YeastResult",
    "native_version",
    "paper_split",
    "python2_constant_shuffle",
    "replicate_native",
    "replicate_yeast",
    "synthetic_library",
]
