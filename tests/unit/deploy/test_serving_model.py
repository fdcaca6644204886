"""`ServingModel`: raw rows in, predictions out, encoded exactly as training encoded them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from factories import float32_approx
from kozak.data.versions import load_version
from kozak.deploy import RowError, ServingModel
from kozak.errors import DataError
from kozak.experiments.checkpoints import local_checkpoint
from kozak.experiments.lifecycle import version_of
from kozak.store.entities import Experiment
from kozak.training.checkpoint import load_checkpoint
from kozak.training.precision import resolve_precision
from kozak.training.predict import predict
from kozak.workspace import Workspace


def _serving(workspace: Workspace, experiment: Experiment) -> ServingModel:
    path = local_checkpoint(workspace, experiment, "best")
    assert path is not None
    return ServingModel.load(path, "cpu")


def test_predictions_equal_the_training_codes(workspace: Workspace, trained: Experiment) -> None:
    model = _serving(workspace, trained)
    content = load_version(workspace, version_of(workspace, trained))
    rows = np.arange(content.n_rows)
    sequences = content.feature("seq").values.take(rows).decode()  # type: ignore[union-attr]
    counts = content.feature("count").values
    served = model.predict(
        [{"seq": s, "count": float(c)} for s, c in zip(sequences, counts, strict=True)]
    )
    loaded = load_checkpoint(local_checkpoint(workspace, trained))
    precision = loaded.run_settings.precision  # both in the run's precision
    _, expected = predict(loaded.build_model(), content, rows, precision=precision)["expression"]
    assert [r["expression"] for r in served] == float32_approx(expected.tolist())
    # Any case, RNA letters and extra keys are all fine.
    variants = [sequences[0].lower(), sequences[0].replace("T", "U")]
    again = model.predict([{"seq": s, "count": float(counts[0]), "id": "ignored"} for s in variants])
    assert [r["expression"] for r in again] == float32_approx([served[0]["expression"]] * 2)


def test_the_run_precision_serves_unless_another_is_asked_for(
    workspace: Workspace, trained: Experiment
) -> None:
    path = local_checkpoint(workspace, trained, "best")
    assert path is not None
    run = ServingModel.load(path, "cpu")
    assert run.precision == resolve_precision(load_checkpoint(path).run_settings.precision, "cpu")
    exact = ServingModel.load(path, "cpu", precision="fp32")
    reduced = ServingModel.load(path, "cpu", precision="bf16")
    assert exact.encode([OK])["seq"].dtype == torch.float32
    assert reduced.encode([OK])["seq"].dtype == torch.bfloat16
    rows = [{"seq": s, "count": float(i)} for i, s in enumerate(["ACGTACGTAC", "GGGCCCAAAT", "T" * 12])]
    want = [r["expression"] for r in exact.predict(rows)]
    got = [r["expression"] for r in reduced.predict(rows)]
    # bf16 keeps 8 significant bits: predictions agree to ~1 % of their spread
    assert got == pytest.approx(want, abs=0.02 * (max(want) - min(want)) + 1e-3)


def test_schema_describes_the_encoding(workspace: Workspace, trained: Experiment) -> None:
    schema = _serving(workspace, trained).schema()
    seq, count = schema["inputs"]
    assert seq == {
        "name": "seq",
        "type": "sequence",
        "alphabet": "dna",
        "length": 12,
        "alignment": "left",
        "padding": 0,
    }
    assert count["name"] == "count" and count["normalization"] == "zscore"
    (output,) = schema["outputs"]
    assert output["name"] == "expression" and output["type"] == "float"
    assert output["normalization"] == "zscore" and set(output["stats"]) == {"mean", "std", "min", "max"}


OK = {"seq": "ACGT", "count": 1.0}


@pytest.mark.parametrize(
    ("rows", "row", "words"),
    [
        ([OK, {"count": 1.0}], 1, ["'seq'", "missing", "DNA sequence"]),
        ([OK, {"seq": None, "count": 1.0}], 1, ["'seq'", "missing"]),
        ([OK, {"seq": "ACXT", "count": 1.0}], 1, ["'seq'", "'X'", "position 3", "ACGT"]),
        ([{"seq": 42, "count": 1.0}], 0, ["'seq'", "not a sequence string"]),
        ([{"seq": "", "count": 1.0}], 0, ["'seq'", "empty"]),
        ([OK, {"seq": "ACGT", "count": "5"}], 1, ["'count'", "not a finite number"]),
        ([OK, {"seq": "ACGT", "count": True}], 1, ["'count'", "not a finite number"]),
        ([OK, {"seq": "ACGT", "count": float("nan")}], 1, ["'count'", "not a finite number"]),
        ([OK, {"seq": "ACGT", "count": 1e300}], 1, ["'count'", "not a finite number"]),
        ([OK, {"seq": "ACGT", "count": 10**400}], 1, ["'count'", "not a finite number"]),
        ([OK, "ACGT"], 1, ["object"]),
    ],
)
def test_bad_rows_are_named(
    workspace: Workspace, trained: Experiment, rows: list, row: int, words: list[str]
) -> None:
    with pytest.raises(RowError) as caught:
        _serving(workspace, trained).predict(rows)
    assert caught.value.details["row"] == row
    assert all(word in caught.value.message for word in words), caught.value.message


def test_a_non_finite_prediction_names_its_row(workspace: Workspace, trained: Experiment) -> None:
    outputs = {"expression": np.array([[0.5], [np.inf], [np.nan]], np.float32)}
    with pytest.raises(RowError, match="not a finite number") as caught:
        _serving(workspace, trained).decode(outputs, first_row=10)
    assert caught.value.details == {"row": 11, "feature": "expression"}


def test_no_rows_is_an_error(workspace: Workspace, trained: Experiment) -> None:
    with pytest.raises(DataError, match="at least one"):
        _serving(workspace, trained).predict([])


def test_classes_come_back_as_probabilities(workspace: Workspace, classifier: Experiment) -> None:
    model = _serving(workspace, classifier)
    (first, second) = model.predict([{"seq": "CCATGCC"}, {"seq": "CCCCCCC"}])
    assert set(first["label"]) == {"none", "uatg"}
    assert sum(first["label"].values()) == pytest.approx(1.0, abs=1e-6)
    assert sum(second["label"].values()) == pytest.approx(1.0, abs=1e-6)
    assert model.schema()["outputs"] == [
        {"name": "label", "type": "categorical", "categories": ["none", "uatg"]}
    ]
