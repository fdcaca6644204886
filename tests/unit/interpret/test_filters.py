"""Filter motifs: matrix maths, sites and influence on a rewired model with known filters, the
window mapping of every supported first layer, MEME round trips and TomTom matches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from kozak.deploy.scoring import SequenceScorer
from kozak.errors import DataError, InvalidConfig
from kozak.graph import chain, compile_graph
from kozak.interpret.filters import FilterSettings, analyze_filters, first_layer, motif_matrices
from kozak.interpret.meme import compare, parse_meme, to_meme
from kozak.interpret.model import Background, choose_output
from kozak.sequences import DNA, encode_strings


def _background(sequences: list[str]) -> Background:
    encoded = encode_strings(sequences, DNA)
    return Background(np.arange(len(sequences)), encoded.codes, encoded.lengths, {})


def _random(count: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join("ACGT"[i] for i in row) for row in rng.integers(0, 4, (count, 50))]


def test_matrices_add_the_pseudocount_per_column() -> None:
    counts = np.array([[2.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    probabilities, information = motif_matrices(counts, 1.0)
    assert probabilities[:, 0] == pytest.approx([3 / 6, 1 / 6, 1 / 6, 1 / 6])
    assert probabilities[:, 1] == pytest.approx([0.25] * 4)  # no site covered it
    p = probabilities[:, 0]
    assert information[0] == pytest.approx(2 + float((p * np.log2(p)).sum()))
    assert information[1] == pytest.approx(0.0)
    exact, bits = motif_matrices(counts, 0.0)
    assert exact[:, 0] == pytest.approx([1, 0, 0, 0]) and bits[0] == pytest.approx(2.0)
    assert exact[:, 1] == pytest.approx([0.25] * 4)


def test_known_filters_give_their_words_sites_and_signed_influence(detector: SequenceScorer) -> None:
    sequences = _random(300)
    data = _background(sequences)
    output = choose_output(detector, None, None)
    analysis = analyze_filters(detector, data, output, FilterSettings(influence_sequences=300))
    atg, taa = analysis.motifs[0], analysis.motifs[1]
    occurrences = sum(len([i for i in range(48) if s.startswith("ATG", i)]) for s in sequences)
    assert atg.sites == occurrences
    assert np.asarray(atg.counts) == pytest.approx(np.eye(4)[:, [0, 3, 2]] * occurrences)
    assert "".join("ACGT"[i] for i in np.asarray(taa.probabilities).argmax(axis=0)) == "TAA"
    assert all(m.sites == 0 and m.influence == 0 for m in analysis.motifs[2:])
    # one ATG moves the prediction by `unit` (the dense weight −1, in the target's units)
    plain, one = (output.pick(detector.score([s])) for s in ("C" * 50, "C" * 20 + "ATG" + "C" * 27))
    unit = float(one[0] - plain[0])
    assert unit < 0
    assert atg.influence == pytest.approx(unit * occurrences / 300, rel=1e-4)
    assert atg.influence_abs == pytest.approx(-atg.influence, rel=1e-4)
    assert taa.influence is not None and taa.influence > 0  # read at +0.5: zeroing it lowers
    assert analysis.ranked()[0].name == "conv_f0"


def test_top_k_keeps_the_strongest_windows(detector: SequenceScorer) -> None:
    data = _background(_random(100))
    output = choose_output(detector, None, None)
    analysis = analyze_filters(detector, data, output, FilterSettings(top_k=5, influence_sequences=0))
    assert analysis.motifs[0].sites >= 5  # ties at the maximum all count
    assert analysis.motifs[0].influence is None


@pytest.mark.parametrize(
    ("node", "params", "shape"),
    [
        ("conv1d", {"filters": 5, "kernel_size": 4, "padding": "same", "dilation": 2}, [4, 20]),
        ("conv1d", {"filters": 5, "kernel_size": 3, "stride": 2}, [4, 20]),
        ("conv2d", {"filters": 5, "width": 5, "height": 4}, [4, 20, 1]),
    ],
)
def test_windows_are_what_each_output_position_reads(
    node: str, params: dict[str, object], shape: list[int]
) -> None:
    graph = chain(
        ("seq", "input", {"feature": "seq", "shape": shape}),
        ("conv", node, {**params, "activation": "linear"}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1}),
        ("y", "target", {"feature": "y"}),
    )
    model = compile_graph(graph)
    layer = first_layer(model, "seq", 4)
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (3, 20)), 4).float().transpose(1, 2)
    seen: list[torch.Tensor] = []
    layer.module.register_forward_hook(lambda m, a, out: seen.append(layer.activations(out)))
    model({"seq": x.reshape(3, *shape)})
    activations = seen[0]  # (3, F, L')
    conv = next(m for m in layer.module.modules() if isinstance(m, torch.nn.Conv1d | torch.nn.Conv2d))
    weight = conv.weight.reshape(5, 4, -1) if node == "conv1d" else conv.weight[:, 0]  # (F, 4, K)
    windows = layer.windows(x, activations.shape[-1])  # (3, 4, L', K)
    with torch.no_grad():
        manual = torch.einsum("fck,ncjk->nfj", weight, windows) + conv.bias[None, :, None]
    assert torch.allclose(manual, activations.detach(), atol=1e-5)


def test_a_model_without_a_first_convolution_is_refused() -> None:
    graph = chain(
        ("seq", "input", {"feature": "seq", "shape": [4, 20]}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1}),
        ("y", "target", {"feature": "y"}),
    )
    with pytest.raises(InvalidConfig, match=r"flatten \(flatten\)"):
        first_layer(compile_graph(graph), "seq", 4)
    tall = chain(
        ("seq", "input", {"feature": "seq", "shape": [4, 20, 1]}),
        ("conv", "conv2d", {"filters": 2, "width": 3, "height": 2}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1}),
        ("y", "target", {"feature": "y"}),
    )
    with pytest.raises(InvalidConfig, match="must span the 4 letters"):
        first_layer(compile_graph(tall), "seq", 4)


def test_meme_file_parses_back(detector: SequenceScorer, tmp_path: Path) -> None:
    from memelite.io import read_meme

    data = _background(_random(200))
    analysis = analyze_filters(
        detector, data, choose_output(detector, None, None), FilterSettings(influence_sequences=0)
    )
    text = to_meme(analysis)
    (tmp_path / "filters.meme").write_text(text)
    theirs = read_meme(str(tmp_path / "filters.meme"))
    ours = parse_meme(text)
    assert list(theirs) == list(ours) == ["conv_f0", "conv_f1"]  # filters without sites are left out
    for name, motif in zip(ours, analysis.motifs[:2], strict=True):
        assert theirs[name] == pytest.approx(np.asarray(motif.probabilities), abs=1e-5)
        assert ours[name] == pytest.approx(np.asarray(motif.probabilities), abs=1e-5)


def test_a_malformed_database_names_the_line() -> None:
    text = "MEME version 4\n\nMOTIF one\nletter-probability matrix: alength= 4 w= 2\n0.1 0.2 0.7\n"
    with pytest.raises(DataError, match="line 5: expected 4 non-negative probabilities"):
        parse_meme(text)
    with pytest.raises(DataError, match="no MEME motif"):
        parse_meme("hello\n")


def test_tomtom_matches_the_atg_filter_to_an_atg_motif(detector: SequenceScorer) -> None:
    data = _background(_random(200))
    analysis = analyze_filters(
        detector, data, choose_output(detector, None, None), FilterSettings(influence_sequences=0)
    )
    rng = np.random.default_rng(1)
    database = {f"random{i}": rng.dirichlet(np.ones(4), 6).T for i in range(30)}
    database["start codon"] = np.eye(4)[:, [0, 0, 3, 2, 1]] * 0.9 + 0.025  # AATGC
    result = compare(analysis, database, names=["conv_f0"])
    best = result.filters[0].matches[0]
    assert (best.motif, best.strand) == ("start codon", "+")
    assert best.p_value < 1e-3
    assert result.note is None  # 31 targets: enough for TomTom's background
