"""In-silico mutagenesis: every substitution's effect, as scoring each variant alone would give."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from pydantic import ValidationError

from kozak.deploy.scoring import SequenceScorer, single_substitutions, substitution_sites
from kozak.errors import DataError, InvalidConfig
from kozak.interpret import ExplainSettings, explain, explanation_rows
from kozak.training.precision import resolve_precision

SEQUENCES = ["ACGTACGTAC", "ttgcaN", "GATTACAGATTACAGA"]


def _brute_force(scorer: SequenceScorer, sequence: str, column: int = 0) -> np.ndarray:
    """(4, n) effects from scoring each one-letter variant on its own."""

    def predict(text: str) -> float:
        values = scorer.score([text])[next(iter(scorer.model.targets))]
        return float(values[0] if values.ndim == 1 else values[0, column])

    reference = predict(sequence)
    effects = np.zeros((4, len(sequence)))
    for position, own in enumerate(sequence):
        for row, letter in enumerate("ACGT"):
            if letter != own:
                effects[row, position] = (
                    predict(sequence[:position] + letter + sequence[position + 1 :]) - reference
                )
    return effects


def test_effects_match_scoring_each_variant(right_aligned: SequenceScorer) -> None:
    result = explain(right_aligned, SEQUENCES, ExplainSettings(method="ism"))
    assert (result.method, result.effect, result.coordinates) == ("ism", "difference", "from_end")
    assert result.letters == ["A", "C", "G", "T"]
    for item, text in zip(result.sequences, SEQUENCES, strict=True):
        assert item.sequence == text.upper()
        assert item.positions == list(range(-len(text), 0))  # the distance to the start codon
        values = np.array(item.values)
        assert values.shape == (4, len(text))  # padding and the rest of the window left out
        assert values == pytest.approx(_brute_force(right_aligned, text.upper()), abs=1e-5)
        # Scored in another batch, so by other float kernels: 1.5e-6 apart, relatively, on one CPU.
        alone = float(right_aligned.score([text])["expression"][0])
        assert item.prediction == pytest.approx(alone, abs=1e-5)
    assert np.array(result.sequences[1].values)[:, -1].all()  # N: every letter is a change


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_variants_made_on_the_device_equal_their_spelled_out_codes(
    right_aligned: SequenceScorer, precision: str
) -> None:
    model = copy.copy(right_aligned.model)
    model.precision = resolve_precision(precision, model.device)
    scorer = SequenceScorer(model, batch_size=7)  # batches cut across sequences
    encoded = scorer.encode(SEQUENCES)  # lower case, an N, one as long as the window
    sites = substitution_sites(encoded.codes, encoded.lengths, 4)
    spelled = single_substitutions(encoded.codes, encoded.lengths, 4)
    texts = [text.upper() for text in SEQUENCES]
    strings = [
        texts[p][:q] + "ACGT"[a] + texts[p][q + 1 :]
        for p, q, a in zip(sites.parent, sites.position, sites.letter, strict=True)
    ]
    fast = scorer.score_substitutions(encoded.codes, encoded.lengths, sites)["expression"]
    assert len(fast) == len(strings) == len(spelled) == 3 * 31 + 4  # N: every letter a change
    # The same rows in the same batches: the same one-hot gives the same numbers.
    np.testing.assert_allclose(fast, scorer.score(strings)["expression"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        fast, scorer.score_codes(spelled.codes, spelled.lengths)["expression"], rtol=0, atol=1e-6
    )
    part = sites.part(3, 40, first_parent=0)
    assert scorer.score_substitutions(encoded.codes, encoded.lengths, part)["expression"] == (
        pytest.approx(fast[3:40], abs=1e-6)
    )


def test_substitutions_of_a_sequence_longer_than_the_window_refused(
    right_aligned: SequenceScorer,
) -> None:
    encoded = right_aligned.encode(["ACGT" * 5])  # 20 letters, a 16-letter window
    sites = substitution_sites(encoded.codes, encoded.lengths, 4)
    with pytest.raises(DataError, match="sequence 1 has 20 letters"):
        right_aligned.score_substitutions(encoded.codes, encoded.lengths, sites)


def test_classification_log_ratio_by_default(classifier: SequenceScorer) -> None:
    text = "ACGTTGCAACGTTGCA"
    result = explain(classifier, [text], ExplainSettings(method="ism"))
    assert (result.effect, result.label, result.coordinates) == (
        "log_ratio",
        "label: P(uatg)",
        "position",
    )
    p = classifier.score([text])["label"][0, 1]
    variant = "T" + text[1:]
    q = classifier.score([variant])["label"][0, 1]
    assert result.sequences[0].values[3][0] == pytest.approx(np.log(q / p), abs=1e-6)
    assert result.sequences[0].positions == list(range(1, 17))
    other = explain(
        classifier, [text], ExplainSettings(method="ism", class_name="none", effect="difference")
    )
    assert other.sequences[0].values[3][0] == pytest.approx(-(q - p), abs=1e-6)  # 2 classes


def test_other_inputs_held_at_the_context(two_inputs: SequenceScorer) -> None:
    result = explain(two_inputs, ["ACGTACGT"], ExplainSettings(method="ism"))
    model = two_inputs.model
    reference = model.predict([{"seq": "ACGTACGT", "count": 50.0}])[0]["expression"]
    variant = model.predict([{"seq": "ACGTACGG", "count": 50.0}])[0]["expression"]
    assert result.sequences[0].prediction == pytest.approx(reference, rel=1e-5)
    assert result.sequences[0].values[2][7] == pytest.approx(variant - reference, abs=1e-5)


def test_table_rows(right_aligned: SequenceScorer) -> None:
    result = explain(right_aligned, ["ACGTA"], ExplainSettings(method="ism"))
    letters = explanation_rows(result, "letter")
    assert len(letters) == 5 * 4
    assert letters[0] == {"sequence": 1, "position": -5, "reference": "A", "letter": "A", "value": 0.0}
    positions = explanation_rows(result, "position")
    assert [r["position"] for r in positions] == [-5, -4, -3, -2, -1]
    column = np.array(result.sequences[0].values)[:, 1]
    assert positions[1]["importance"] == pytest.approx(-column.sum() / 3)  # minus the mean change


def test_bad_requests_name_what_is_wrong(
    right_aligned: SequenceScorer, classifier: SequenceScorer
) -> None:
    with pytest.raises(DataError, match="sequence 2 has 17 letters; the model reads at most 16"):
        explain(right_aligned, ["ACGT", "A" * 17], ExplainSettings(method="ism"))
    with pytest.raises(DataError, match=r"row 1.*'X'"):
        explain(right_aligned, ["ACGT", "ACXT"], ExplainSettings(method="ism"))
    with pytest.raises(InvalidConfig, match="log-ratio needs an output that is always positive"):
        explain(right_aligned, ["ACGT"], ExplainSettings(method="ism", effect="log_ratio"))
    with pytest.raises(ValidationError, match="method"):
        ExplainSettings(method="magic")  # type: ignore[arg-type]
    with pytest.raises(InvalidConfig, match="class 'maybe' is not a class of 'label'"):
        explain(classifier, ["ACGT"], ExplainSettings(method="ism", class_name="maybe"))
    with pytest.raises(InvalidConfig, match="target 'growth' is not a target"):
        explain(classifier, ["ACGT"], ExplainSettings(method="ism", target="growth"))
