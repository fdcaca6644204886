"""Classification and multi-label metrics against scikit-learn and hand-computed cases."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn import metrics as skm

from kozak.errors import DataError, InvalidConfig, SchemaMismatch
from kozak.evaluation import classification_metrics, multilabel_metrics

CLASSES = ["low", "mid", "high"]


@pytest.fixture
def random_three_class() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 3, size=400)
    logits = rng.normal(size=(400, 3))
    logits[np.arange(400), labels] += 1.0  # better than chance
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    proba = proba.round(2)  # ties in the scores, which the curves must handle as sklearn does
    return labels, proba


def test_hand_computed_confusion_matrix() -> None:
    # true: a a a b b c ; predicted (argmax): a a b b c c
    proba = np.array(
        [
            [0.8, 0.1, 0.1],
            [0.6, 0.3, 0.1],
            [0.2, 0.7, 0.1],
            [0.1, 0.8, 0.1],
            [0.1, 0.3, 0.6],
            [0.2, 0.2, 0.6],
        ]
    )
    m = classification_metrics(["a", "a", "a", "b", "b", "c"], proba, ["a", "b", "c"])
    assert m["confusion_matrix"] == {
        "classes": ["a", "b", "c"],
        "matrix": [[2, 1, 0], [0, 1, 1], [0, 0, 1]],
    }
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["support"] == [3, 2, 1]
    assert m["precision"]["per_class"] == pytest.approx([1.0, 0.5, 0.5])
    assert m["recall"]["per_class"] == pytest.approx([2 / 3, 0.5, 1.0])
    assert m["f1"]["per_class"] == pytest.approx([0.8, 0.5, 2 / 3])
    assert m["precision"]["macro"] == pytest.approx(2 / 3)
    assert m["f1"]["micro"] == pytest.approx(4 / 6)
    # class c: scores of c-examples {0.6} vs others {0.1,0.1,0.1,0.1,0.6}: 4 wins + 1 tie of 5
    assert m["roc_auc"]["per_class"][2] == pytest.approx(4.5 / 5)


def test_matches_sklearn(random_three_class: tuple[np.ndarray, np.ndarray]) -> None:
    labels, proba = random_three_class
    m = classification_metrics(labels, proba, CLASSES)  # integer labels are indices
    predicted = proba.argmax(axis=1)
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(labels, predicted))
    for name in ("precision", "recall", "f1"):
        score = getattr(skm, f"{name}_score" if name != "f1" else "f1_score")
        for average in ("macro", "micro"):
            expected = score(labels, predicted, average=average, zero_division=0)
            assert m[name][average] == pytest.approx(expected, abs=1e-12)
        expected = score(labels, predicted, average=None, zero_division=0)
        assert m[name]["per_class"] == pytest.approx(expected, abs=1e-12)
    assert m["confusion_matrix"]["matrix"] == skm.confusion_matrix(labels, predicted).tolist()
    # sklearn's multi_class="ovr" wants rows summing to 1, which the rounded scores do not.
    ovr = [skm.roc_auc_score(labels == c, proba[:, c]) for c in range(3)]
    assert m["roc_auc"]["macro"] == pytest.approx(np.mean(ovr), abs=1e-12)
    for c in range(3):
        positive = labels == c
        assert m["roc_auc"]["per_class"][c] == pytest.approx(
            skm.roc_auc_score(positive, proba[:, c]), abs=1e-12
        )
        assert m["pr_auc"]["per_class"][c] == pytest.approx(
            skm.average_precision_score(positive, proba[:, c]), abs=1e-12
        )
        fpr, tpr, _ = skm.roc_curve(positive, proba[:, c], drop_intermediate=False)
        curve = m["roc_curves"][c]
        assert curve["fpr"] == pytest.approx(fpr) and curve["tpr"] == pytest.approx(tpr)
        precision, recall, _ = skm.precision_recall_curve(positive, proba[:, c])
        pr = m["pr_curves"][c]
        assert pr["recall"] == pytest.approx(recall[::-1])
        assert pr["precision"] == pytest.approx(precision[::-1])
    json.dumps(m, allow_nan=False)


def test_curves_are_downsampled_keeping_the_ends() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=5000)
    score = rng.random(5000) + 0.3 * labels
    m = classification_metrics(labels, score, ["no", "yes"])  # (N,) = probability of "yes"
    full = skm.roc_curve(labels, score, drop_intermediate=False)
    assert m["roc_auc"]["per_class"][1] == pytest.approx(skm.roc_auc_score(labels, score))
    for roc, pr in zip(m["roc_curves"], m["pr_curves"], strict=True):
        assert 2 < len(roc["fpr"]) <= 200 and len(roc["thresholds"]) == len(roc["fpr"])
        assert (roc["fpr"][0], roc["tpr"][0]) == (0.0, 0.0)
        assert (roc["fpr"][-1], roc["tpr"][-1]) == (1.0, 1.0)
        assert np.all(np.diff(roc["fpr"]) >= 0)
        assert 2 < len(pr["recall"]) <= 200 and pr["recall"][-1] == 1.0
    assert len(full[0]) > 200
    assert m["roc_curves"][1]["thresholds"][0] is None


def test_absent_class_gives_none_auc_and_zero_scores() -> None:
    proba = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.6, 0.4, 0.0]])
    m = classification_metrics(["x", "y", "x"], proba, ["x", "y", "z"])
    assert m["roc_auc"]["per_class"][2] is None and m["pr_auc"]["per_class"][2] is None
    assert m["roc_curves"][2] is None and m["pr_curves"][2] is None
    assert m["roc_auc"]["macro"] == pytest.approx(1.0)  # mean over the defined classes
    assert m["precision"]["per_class"][2] == 0.0 and m["f1"]["per_class"][2] == 0.0
    json.dumps(m, allow_nan=False)


@pytest.mark.parametrize(
    ("labels", "proba", "classes", "error"),
    [
        (["a", "q"], [[0.5, 0.5], [0.5, 0.5]], ["a", "b"], DataError),
        ([0, 1], [[0.5, 0.5], [0.5, 0.5]], ["a", "a"], InvalidConfig),
        ([0], [[1.0]], ["a"], InvalidConfig),
        ([0, 1, 1], [[0.5, 0.5], [0.5, 0.5]], ["a", "b"], SchemaMismatch),
        ([0, 1], [[np.nan, 0.5], [0.5, 0.5]], ["a", "b"], DataError),
        ([], np.zeros((0, 2)), ["a", "b"], SchemaMismatch),
    ],
)
def test_bad_classification_inputs(
    labels: object, proba: object, classes: list[str], error: type
) -> None:
    with pytest.raises(error):
        classification_metrics(labels, proba, classes)  # type: ignore[arg-type]


def test_multilabel_by_hand() -> None:
    true = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    proba = np.array([[0.9, 0.2, 0.7], [0.1, 0.4, 0.1], [0.8, 0.6, 0.5], [0.3, 0.1, 0.9]])
    # predicted: [1 0 1] [0 0 0] [1 1 1] [0 0 1]: wrong cells (1,1) and (2,2)
    m = multilabel_metrics(true, proba, ["uORF", "stop", "kozak"])
    assert m["hamming_loss"] == pytest.approx(2 / 12)
    assert m["subset_accuracy"] == pytest.approx(2 / 4)
    assert m["support"] == [2, 2, 2]
    # tp per label 2,1,2; fp 0,0,1; fn 0,1,0
    assert m["f1"]["per_class"] == pytest.approx([1.0, 2 / 3, 0.8])
    assert m["f1"]["micro"] == pytest.approx(2 * 5 / (2 * 5 + 1 + 1))
    assert m["f1"]["macro"] == pytest.approx((1.0 + 2 / 3 + 0.8) / 3)
    assert m["roc_auc"]["per_class"] == pytest.approx([1.0, 1.0, 1.0])


def test_multilabel_matches_sklearn() -> None:
    rng = np.random.default_rng(11)
    true = rng.random((300, 4)) < [0.1, 0.3, 0.5, 0.7]
    proba = np.clip(true * 0.3 + rng.random((300, 4)) * 0.7, 0, 1)
    m = multilabel_metrics(true.astype(np.int8), proba, ["a", "b", "c", "d"], threshold=0.4)
    predicted = proba >= 0.4
    assert m["hamming_loss"] == pytest.approx(skm.hamming_loss(true, predicted))
    assert m["subset_accuracy"] == pytest.approx(skm.accuracy_score(true, predicted))
    for average in ("micro", "macro"):
        assert m["f1"][average] == pytest.approx(skm.f1_score(true, predicted, average=average))
    assert m["f1"]["per_class"] == pytest.approx(skm.f1_score(true, predicted, average=None))
    assert m["roc_auc"]["per_class"] == pytest.approx(skm.roc_auc_score(true, proba, average=None))
    assert m["roc_auc"]["macro"] == pytest.approx(skm.roc_auc_score(true, proba, average="macro"))
    assert m["pr_auc"]["per_class"] == pytest.approx(
        skm.average_precision_score(true, proba, average=None)
    )
    json.dumps(m, allow_nan=False)


def test_multilabel_label_always_present_has_no_auc() -> None:
    m = multilabel_metrics([[1, 0], [1, 1]], [[0.9, 0.2], [0.8, 0.7]], ["always", "sometimes"])
    assert m["roc_auc"]["per_class"] == [None, 1.0]
    assert m["roc_auc"]["macro"] == 1.0


@pytest.mark.parametrize(
    ("true", "proba", "threshold", "error"),
    [
        ([[1, 2]], [[0.5, 0.5]], 0.5, DataError),
        ([[1, 0]], [[0.5, 0.5, 0.5]], 0.5, SchemaMismatch),
        ([[1, 0, 1]], [[0.5, 0.5, 0.5]], 0.5, SchemaMismatch),
        ([[1, 0]], [[0.5, 0.5]], 1.5, InvalidConfig),
    ],
)
def test_bad_multilabel_inputs(true: object, proba: object, threshold: float, error: type) -> None:
    with pytest.raises(error):
        multilabel_metrics(true, proba, ["a", "b"], threshold)  # type: ignore[arg-type]


@pytest.mark.filterwarnings("error")
def test_undefined_metrics_do_not_warn() -> None:
    # sklearn warns (UndefinedMetricWarning) for one-class AUC and zero divisions; none may leak.
    m = classification_metrics(["x", "x"], [[0.9, 0.1, 0.0], [0.2, 0.8, 0.0]], ["x", "y", "z"])
    assert m["roc_auc"]["per_class"] == [None, None, None] and m["roc_auc"]["macro"] is None
    assert m["precision"]["per_class"] == [1.0, 0.0, 0.0]
    multi = multilabel_metrics([[0, 1], [0, 1]], [[0.1, 0.2], [0.3, 0.4]], ["never", "always"])
    assert multi["roc_auc"]["per_class"] == [None, None]
    assert multi["pr_auc"]["per_class"] == [None, 1.0]
    assert multi["f1"]["per_class"] == [0.0, 0.0]
    json.dumps(multi, allow_nan=False)
