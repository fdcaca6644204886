"""Motif effects: positions and frames in the user's coordinates, deletions, bad motifs, and the
simulator's grammar recovered (an out-of-frame upstream ATG costs more than an in-frame one)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from kozak.deploy.model import ServingModel
from kozak.deploy.scoring import SequenceScorer
from kozak.errors import DataError
from kozak.interpret.model import Background, choose_output
from kozak.interpret.motif_effects import MotifEffectSettings, motif_effects
from kozak.interpret.per_model import experiment_motif_effects
from kozak.sequences import DNA, encode_strings


def _background(sequences: list[str]) -> Background:
    encoded = encode_strings(sequences, DNA)
    return Background(np.arange(len(sequences)), encoded.codes, encoded.lengths, {})


def test_inserting_atg_costs_one_unit_per_new_site_by_position_and_frame(
    detector: SequenceScorer,
) -> None:
    data = _background(["C" * 50, "C" * 10 + "ATG" + "C" * 37])
    output = choose_output(detector, None, None)
    effects = motif_effects(detector, data, output, MotifEffectSettings())
    plain, one = (output.pick(detector.score([s])) for s in ("C" * 50, "C" * 20 + "ATG" + "C" * 27))
    unit = float(one[0] - plain[0])
    assert effects.coordinates == "start codon"
    table = effects.insertion
    assert table.count == 48 + 47  # every start but where ATG already is
    by_position = {p.position: p for p in table.positions}
    assert sorted(by_position) == list(range(-50, -2))
    assert by_position[-50].frame == 2 and by_position[-48].frame == 0 and by_position[-3].frame == 0
    # over the first sequence every insertion adds one site; over the second, overwriting the
    # ATG's neighbours destroys it (at −41 and −39 the new ATG overlaps the old one)
    assert by_position[-30].mean == pytest.approx(unit, rel=1e-4)
    assert by_position[-39].mean == pytest.approx(unit / 2, rel=1e-4)
    assert effects.deletion is not None
    assert effects.deletion.count == 4  # one occurrence, four random replacements
    assert effects.deletion.positions[0].position == -40
    assert effects.deletion.mean == pytest.approx(-unit, rel=1e-4)


def test_a_motif_outside_the_alphabet_is_named(detector: SequenceScorer) -> None:
    data = _background(["C" * 50])
    output = choose_output(detector, None, None)
    with pytest.raises(DataError, match=r"position 2 \('X'\) is not one of ACGT"):
        motif_effects(detector, data, output, MotifEffectSettings(motif="AXG"))
    with pytest.raises(DataError, match="longer than every background"):
        motif_effects(detector, _background(["CA"]), output, MotifEffectSettings())


def test_the_grammar_model_finds_out_of_frame_uatgs_worse(grammar: Any) -> None:
    """The simulator charges −1.25 per out-of-frame uATG and −0.9 per in-frame one."""
    effects = experiment_motif_effects(
        grammar.workspace, grammar.experiment, MotifEffectSettings(sequences=300), device="cpu"
    )
    frames = {f.frame: f for f in effects.insertion.frames}
    assert effects.insertion.mean < -0.1  # an uATG hurts everywhere
    out_of_frame = min(frames[1].mean, frames[2].mean)
    # measured over training seeds 0-2: in frame −0.11, −0.61, −0.60; the better out-of-frame
    # mean −0.23, −0.80, −0.83: a gap of 0.12 to 0.23
    assert frames[0].mean - max(frames[1].mean, frames[2].mean) > 0.05
    assert out_of_frame < frames[0].mean
    assert effects.deletion is not None and effects.deletion.mean > 0.05


def test_scores_go_through_the_sequence_scorer(grammar: Any) -> None:
    scorer = SequenceScorer(ServingModel.load(grammar.checkpoint, "cpu", "fp32"))
    data = _background(["ACGT" * 12 + "AC"])
    output = choose_output(scorer, None, None)
    effects = motif_effects(scorer, data, output, MotifEffectSettings(motif="GGG"))
    mutated = "GGG" + ("ACGT" * 12 + "AC")[3:]
    expected = output.pick(scorer.score([mutated])) - output.pick(scorer.score(["ACGT" * 12 + "AC"]))
    first = next(p for p in effects.insertion.positions if p.position == -50)
    assert first.mean == pytest.approx(float(expected[0]), abs=1e-5)
