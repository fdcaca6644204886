"""Gradient attributions: Captum's methods at the sequence's own positions, padding left out."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from pydantic import ValidationError

from kozak.deploy.scoring import SequenceScorer
from kozak.errors import InvalidConfig
from kozak.interpret import ExplainSettings, attribute, choose_output, dinucleotide_shuffle, explain
from kozak.sequences import DNA, encode_strings

TEXTS = ["ACGTACGTAC", "GATTACAGATTACAGA", "TTGCA"]
RANDOM = ["CATGGTCAAGCTTTGA", "AGCCTATGGATCCGTT"]  # with many dinucleotide walks each


def _window_gradient(scorer: SequenceScorer, text: str) -> tuple[np.ndarray, np.ndarray]:
    """The gradient of the prediction (target units) over the whole one-hot window, by hand,
    and the window column of each letter (right-aligned in 16 positions after 3 padding)."""
    model = scorer.model
    window = torch.zeros(1, 4, 22)
    columns = np.arange(3 + 16 - len(text), 3 + 16)
    for column, letter in zip(columns, text, strict=True):
        window[0, "ACGT".index(letter), column] = 1.0
    window.requires_grad_(True)
    output = model.model({"seq": window})["expression"].sum()
    stats = model.targets["expression"].stats
    assert stats is not None
    (grad,) = torch.autograd.grad(output * stats.std, window)
    return grad[0].numpy(), columns


def test_saliency_is_the_gradient_at_the_sequence_columns(right_aligned: SequenceScorer) -> None:
    result = explain(right_aligned, TEXTS, ExplainSettings(method="saliency"))
    assert result.coordinates == "from_end" and result.label == "expression"
    for item, text in zip(result.sequences, TEXTS, strict=True):
        grad, columns = _window_gradient(right_aligned, text)
        assert item.positions == list(range(-len(text), 0))
        assert np.array(item.values) == pytest.approx(grad[:, columns], abs=1e-5)


def test_input_x_gradient_and_the_gradient_correction(right_aligned: SequenceScorer) -> None:
    plain = explain(right_aligned, TEXTS[:1], ExplainSettings(method="input_x_gradient")).sequences[0]
    grad, columns = _window_gradient(right_aligned, TEXTS[0])
    hot = np.eye(4)[["ACGT".index(c) for c in TEXTS[0]]].T
    assert np.array(plain.values) == pytest.approx(hot * grad[:, columns], abs=1e-5)
    corrected = explain(
        right_aligned, TEXTS[:1], ExplainSettings(method="saliency", gradient_correction=True)
    )
    values = np.array(corrected.sequences[0].values)
    centred = grad[:, columns] - grad[:, columns].mean(axis=0)
    assert values == pytest.approx(centred, abs=1e-5)
    assert values.sum(axis=0) == pytest.approx(0.0, abs=1e-5)
    own = [values["ACGT".index(c), i] for i, c in enumerate(TEXTS[0])]
    assert corrected.sequences[0].importance == pytest.approx(own)  # the own letter's gradient


def _reference_predictions(scorer: SequenceScorer, texts: list[str], count: int) -> np.ndarray:
    """The predictions of the shuffled references `attribute` draws with seed 0."""
    encoded = encode_strings(texts, DNA)
    shuffled = dinucleotide_shuffle(encoded.codes, encoded.lengths, count, np.random.default_rng(0))
    flat = shuffled.reshape(-1, encoded.max_length)
    lengths = np.repeat(encoded.lengths, count)
    return scorer.score_codes(flat, lengths)["expression"].reshape(len(texts), count)


@pytest.mark.parametrize(
    ("method", "references", "tolerance"),
    [("deeplift", 1, 1e-4), ("deepshap", 6, 1e-4), ("ig", 2, 2e-2)],
)
def test_attributions_sum_to_the_change_from_the_references(
    right_aligned: SequenceScorer, method: str, references: int, tolerance: float
) -> None:
    """Completeness: a sequence's attributions add up to its prediction minus its references'
    (mean), which only holds if no attribution was lost to padding or the window's other columns."""
    result = explain(right_aligned, RANDOM, ExplainSettings(method=method, references=references))
    expected = _reference_predictions(right_aligned, RANDOM, references).mean(axis=1)
    for item, reference in zip(result.sequences, expected, strict=True):
        assert abs(item.prediction - reference) > 0.01  # the references differ from the sequence
        assert np.array(item.values).sum() == pytest.approx(item.prediction - reference, abs=tolerance)
        assert sum(item.importance) == pytest.approx(np.array(item.values).sum(), abs=1e-6)


def test_zeros_baseline(right_aligned: SequenceScorer) -> None:
    empty = float(
        right_aligned.score_codes(np.zeros((1, 0), np.uint8), np.zeros(1, np.int64))["expression"][0]
    )
    result = explain(right_aligned, TEXTS[:1], ExplainSettings(method="ig", baseline="zeros", steps=200))
    item = result.sequences[0]
    assert np.array(item.values).sum() == pytest.approx(item.prediction - empty, abs=2e-2)


def test_classification_and_context(classifier: SequenceScorer, two_inputs: SequenceScorer) -> None:
    result = explain(
        classifier, ["ACGATGCAACGTTGCA"], ExplainSettings(method="saliency", class_name="uatg")
    )
    assert (result.label, result.coordinates) == ("label: P(uatg)", "position")
    none = explain(
        classifier, ["ACGATGCAACGTTGCA"], ExplainSettings(method="saliency", class_name="none")
    )
    first, second = np.array(result.sequences[0].values), np.array(none.sequences[0].values)
    assert first == pytest.approx(-second, abs=1e-6)  # P(none) = 1 - P(uatg)
    assert first.shape == (4, 16)
    held = explain(two_inputs, ["ACGTACGT"], ExplainSettings(method="deepshap", references=3))
    assert held.sequences[0].prediction == pytest.approx(
        two_inputs.model.predict([{"seq": "ACGTACGT", "count": 50.0}])[0]["expression"], rel=1e-5
    )
    assert np.array(held.sequences[0].values).shape == (4, 8)


def test_options_out_of_range(right_aligned: SequenceScorer) -> None:
    output = choose_output(right_aligned)
    with pytest.raises(InvalidConfig, match="references 0: from 1 to 100"):
        attribute(right_aligned, ["ACGT"], output, "deepshap", references=0)
    with pytest.raises(InvalidConfig, match="steps 0: from 1 to 500"):
        attribute(right_aligned, ["ACGT"], output, "ig", steps=0)
    with pytest.raises(InvalidConfig, match="unknown attribution method 'ism'"):
        attribute(right_aligned, ["ACGT"], output, "ism")
    with pytest.raises(ValidationError, match="steps"):
        ExplainSettings(method="ig", steps=501)
