"""The report's interpretation sections: logos and the ATG plot inline, or why they are absent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from factories import tiny_experiment
from kozak.experiments import run_experiment
from kozak.interpret.report_sections import interpretation_sections, report_with_interpretation
from kozak.report import build_report
from kozak.workspace import Workspace


def test_the_report_shows_filter_logos_and_the_atg_effect(grammar: Any) -> None:
    html = report_with_interpretation(grammar.workspace, grammar.experiment)
    titles = re.findall(r"<h2>([^<]*)</h2>", html)
    assert titles == ["Training curves", "Evaluation", "Filter motifs", "Motif effects",
                      "Run settings", "Graph"]  # fmt: skip
    for kind in ("filter-logos", "motif-effects"):
        assert re.search(rf'data-figure="{kind}"><svg', html)
    assert "(in frame)" in html
    ours = html[html.index("<h2>Filter motifs") : html.index("<h2>Run settings")]
    assert not re.search(r"(src|href)=\"https?://", ours)  # inline figures, nothing fetched


def test_a_model_without_a_first_convolution_says_why(workspace: Workspace, tiny_dna: Path) -> None:
    dense = run_experiment(workspace, tiny_experiment(workspace, "P", tiny_dna))
    sections = interpretation_sections(workspace, dense, device="cpu")
    assert [s.title for s in sections] == ["Filter motifs", "Motif effects"]
    assert sections[0].html.startswith("<p>Not available: filter motifs read the first layer")
    assert 'data-figure="motif-effects"' in sections[1].html  # effects need no convolution
    assert "Not available" in build_report(workspace, dense, sections=sections)
