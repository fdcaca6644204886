"""Design on a tiny trained model: the scorer agrees with serving, greedy rounds pick the
brute-force best, constraints always hold, ensembles report their disagreement."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from kozak.deploy.model import RowError
from kozak.deploy.scoring import SequenceScorer, single_substitutions
from kozak.design import Constraints, DesignSettings, Objective, designs_csv, designs_fasta, run_design
from kozak.errors import DataError, InvalidConfig

STARTS = ["ACGTACGTAC", "TTTTTTTTTTTT", "GGCA", "CATCATCATCAT"]


def _all_substitutions(sequence: str) -> list[str]:
    return [
        sequence[:p] + base + sequence[p + 1 :]
        for p in range(len(sequence))
        for base in "ACGT"
        if base != sequence[p]
    ]


def test_scorer_agrees_with_serving(scorer: SequenceScorer) -> None:
    served = scorer.model.predict([{"seq": s} for s in STARTS])
    scored = scorer.score([s.lower() for s in STARTS])["expression"]
    assert np.allclose(scored, [row["expression"] for row in served], atol=1e-5)


def test_substitutions_stay_inside_each_sequence(scorer: SequenceScorer) -> None:
    encoded = scorer.encode(STARTS)
    subs = single_substitutions(encoded.codes, encoded.lengths, 4)
    assert np.bincount(subs.parent).tolist() == [3 * len(s) for s in STARTS]
    assert (subs.position < encoded.lengths[subs.parent]).all()
    changed = (subs.codes != encoded.codes[subs.parent]).sum(axis=1)
    assert (changed == 1).all()


def test_greedy_round_takes_the_brute_force_best(scorer: SequenceScorer) -> None:
    result = run_design([scorer], STARTS, DesignSettings(rounds=1))
    for design in result.designs:
        candidates = _all_substitutions(design.start)
        scores = scorer.score(candidates)["expression"]
        best = float(scores.max())
        start_score = float(scorer.score([design.start])["expression"][0])
        if best > start_score + 1e-6:
            assert design.sequence in candidates
            assert len(design.edits) == 1
            assert design.prediction == pytest.approx(best, abs=1e-5)
        else:
            assert design.sequence == design.start


def test_greedy_is_monotone_and_converges(scorer: SequenceScorer) -> None:
    result = run_design([scorer], STARTS, DesignSettings(rounds=60))
    per_round = np.array(result.round_predictions)  # (rounds + 1, N)
    assert (np.diff(per_round, axis=0) >= 0).all()
    for design in result.designs:
        steps = [s.prediction for s in design.trajectory]
        assert steps == sorted(steps) and len(set(steps)) == len(steps)
        assert all(len(s.edits) == 1 for s in design.trajectory)
        assert design.prediction >= design.start_prediction
        assert len(design.edits) <= len(design.start)
    # A linear model's ascent ends, and no single substitution then improves the design.
    assert result.rounds < 60 and all(d.converged for d in result.designs)
    for design in result.designs:
        neighbours = scorer.score(_all_substitutions(design.sequence))["expression"]
        assert neighbours.max() <= design.prediction + 1e-5


def test_minimize_and_target_goals(scorer: SequenceScorer) -> None:
    low = run_design([scorer], STARTS, DesignSettings(rounds=5, objective=Objective(goal="minimize")))
    assert all(d.prediction <= d.start_prediction for d in low.designs)
    assert any(d.prediction < d.start_prediction for d in low.designs)
    aim = Objective(goal="target", value=0.0)
    near = run_design([scorer], STARTS, DesignSettings(rounds=5, objective=aim))
    assert all(abs(d.prediction) <= abs(d.start_prediction) + 1e-9 for d in near.designs)


def _gc(sequence: str) -> float:
    return sum(base in "GC" for base in sequence) / len(sequence)


@pytest.mark.parametrize("strategy", ["greedy", "beam", "annealing", "gradient"])
def test_constraints_are_never_broken(scorer: SequenceScorer, strategy: str) -> None:
    constraints = Constraints(
        forbidden_motifs=["ATG", "GGG"],
        fixed_positions=[1, -1],
        gc_min=0.25,
        gc_max=0.6,
        max_edits=3,
        min_distance=2,
    )
    starts = ["ACGTACGTACGT", "ACGTACGTACGA", "CATCATCATCAT", "TTTTTTTTTTTT"]
    settings = DesignSettings(strategy=strategy, rounds=8, constraints=constraints, proposals=16)
    result = run_design([scorer], starts, settings)
    assert any(d.edits for d in result.designs)
    for d in result.designs:
        assert len(d.edits) <= 3
        assert d.sequence[0] == d.start[0] and d.sequence[-1] == d.start[-1]
        for motif in ("ATG", "GGG"):
            gained = {i for i in range(len(d.sequence)) if d.sequence.startswith(motif, i)}
            had = {i for i in range(len(d.start)) if d.start.startswith(motif, i)}
            assert gained <= had
        # A start outside the GC range may only move toward it.
        if 0.25 <= _gc(d.start) <= 0.6:
            assert 0.25 <= _gc(d.sequence) <= 0.6
        else:
            assert abs(_gc(d.sequence) - 0.425) <= abs(_gc(d.start) - 0.425)
    finals = [d.sequence for d in result.designs]
    for i, a in enumerate(finals):
        for b in finals[i + 1 :]:
            assert sum(x != y for x, y in zip(a, b, strict=True)) >= 2


@pytest.mark.parametrize("strategy", ["beam", "annealing", "gradient"])
def test_other_strategies_improve(scorer: SequenceScorer, strategy: str) -> None:
    result = run_design([scorer], STARTS, DesignSettings(strategy=strategy, rounds=6, seed=1))
    assert all(d.prediction >= d.start_prediction for d in result.designs)
    assert sum(d.prediction > d.start_prediction for d in result.designs) >= 3


def test_ensemble_reports_disagreement(scorer: SequenceScorer, workspace, tiny_dna) -> None:  # type: ignore[no-untyped-def]
    from factories import tiny_experiment
    from kozak.deploy.model import ServingModel
    from kozak.experiments import run_experiment
    from kozak.experiments.checkpoints import experiment_checkpoint

    created = tiny_experiment(workspace, "P", tiny_dna, name="other")
    reseeded = {**created.settings, "seed": 7}  # another initialisation: another model
    created = workspace.metadata.update_experiment(created.id, settings=reseeded)
    other = run_experiment(workspace, created)
    second = SequenceScorer(ServingModel.load(experiment_checkpoint(workspace, other), "cpu", "fp32"))
    result = run_design([scorer, second], STARTS, DesignSettings(rounds=2), models=["a", "b"])
    for d in result.designs:
        assert d.prediction == pytest.approx(np.mean(d.per_model))
        assert d.uncertainty == pytest.approx(np.std(d.per_model))
    assert any(d.uncertainty > 0 for d in result.designs)
    penalised = DesignSettings(rounds=2, objective=Objective(uncertainty_penalty=2.0))
    careful = run_design([scorer, second], STARTS, penalised)
    for d in careful.designs:
        assert d.score == pytest.approx(d.prediction - 2.0 * d.uncertainty)


def test_bad_input_is_named(scorer: SequenceScorer) -> None:
    with pytest.raises(RowError, match=r"row 1.*'X'"):
        run_design([scorer], ["ACGT", "ACXT"], DesignSettings(rounds=1))
    with pytest.raises(DataError, match=r"start 0 \(seq1\) has 13 letters; the model reads at most 12"):
        run_design([scorer], ["A" * 13], DesignSettings(rounds=1))
    with pytest.raises(InvalidConfig, match="not a dna letter"):
        run_design([scorer], ["ACGT"], DesignSettings(constraints=Constraints(forbidden_motifs=["AXG"])))
    with pytest.raises(InvalidConfig, match="unknown design strategy"):
        run_design([scorer], ["ACGT"], DesignSettings(strategy="magic"))
    with pytest.raises(InvalidConfig, match="objective target"):
        run_design([scorer], ["ACGT"], DesignSettings(objective=Objective(target="nope")))


def test_stop_ends_after_the_current_round(scorer: SequenceScorer) -> None:
    stop = threading.Event()
    rounds: list[int] = []

    def on_round(_state: object, round_: int) -> None:
        rounds.append(round_)
        stop.set()

    result = run_design([scorer], STARTS, DesignSettings(rounds=30), on_round=on_round, stop=stop)
    assert rounds == [1] and result.rounds == 1 and result.stopped


def test_exports(scorer: SequenceScorer) -> None:
    result = run_design([scorer], STARTS[:2], DesignSettings(rounds=2), names=["u1", "u2"])
    table = designs_csv(result).splitlines()
    assert table[0].startswith("name,start,sequence,edits") and len(table) == 3
    fasta = designs_fasta(result, prefix="GG", suffix="CC", starts=True).splitlines()
    assert fasta[0].startswith(">u1|design") and fasta[1] == f"GG{result.designs[0].sequence}CC"
    assert fasta[2].startswith(">u1|start") and fasta[3] == f"GG{STARTS[0]}CC"
    with pytest.raises(InvalidConfig, match="prefix"):
        designs_fasta(result, prefix="GG-1")


def test_gradient_estimates_match_exact_effects_of_a_linear_model(scorer: SequenceScorer) -> None:
    """One dense layer on one-hot input: the first-order estimate is the exact effect, scaled."""
    from kozak.design.objective import Evaluator

    evaluator = Evaluator([scorer], Objective())
    encoded = scorer.encode(STARTS)
    subs = single_substitutions(encoded.codes, encoded.lengths, 4)
    before = scorer.score_codes(encoded.codes, encoded.lengths)["expression"]
    exact = scorer.score_codes(subs.codes, subs.lengths)["expression"] - before[subs.parent]
    estimate = evaluator.first_order(
        encoded.codes, encoded.lengths, before, subs.parent, subs.position, subs.letter
    )
    assert np.corrcoef(estimate, exact)[0, 1] > 0.999
    low = Evaluator([scorer], Objective(goal="minimize")).first_order(
        encoded.codes, encoded.lengths, before, subs.parent, subs.position, subs.letter
    )
    assert np.allclose(low, -estimate)
