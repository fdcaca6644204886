"""The report's interpretation sections: filter motifs (logos, ranked table) and the ATG effect.

`interpretation_sections` computes both on an experiment's checkpoint at report-sized samples
and returns `ReportSection`s for `kozak.report`, which sits below this layer and so never runs
an analysis itself. A model the analyses do not fit (no first convolution, no sequence input)
gets a section saying why instead of failing the whole report.
"""

from __future__ import annotations

from html import escape

import numpy as np

from kozak.errors import DataError, InvalidConfig
from kozak.interpret.filters import FilterAnalysis, FilterSettings
from kozak.interpret.motif_effects import MotifEffects, MotifEffectSettings
from kozak.interpret.per_model import experiment_filters, experiment_motif_effects
from kozak.report import ReportSection, build_report
from kozak.store.entities import Experiment
from kozak.workspace import Workspace

REPORT_FILTERS = FilterSettings(sequences=1000)  # the defaults: seconds on a CPU
REPORT_EFFECTS = MotifEffectSettings(motif="ATG")
SHOWN = 12


def interpretation_sections(
    workspace: Workspace,
    experiment: Experiment,
    checkpoint: str = "best",
    *,
    device: str | None = None,
) -> list[ReportSection]:
    """Filter motifs and the ATG motif effect of a checkpoint, as report sections."""
    sections = []
    try:
        analysis = experiment_filters(workspace, experiment, REPORT_FILTERS, checkpoint=checkpoint,
                                      device=device)  # fmt: skip
        sections.append(ReportSection("Filter motifs", _filters_html(analysis)))
    except (InvalidConfig, DataError) as exc:
        sections.append(ReportSection("Filter motifs", f"<p>Not available: {escape(exc.message)}</p>"))
    try:
        effects = experiment_motif_effects(workspace, experiment, REPORT_EFFECTS,
                                           checkpoint=checkpoint, device=device)  # fmt: skip
        sections.append(ReportSection("Motif effects", _effects_html(effects)))
    except (InvalidConfig, DataError) as exc:
        sections.append(ReportSection("Motif effects", f"<p>Not available: {escape(exc.message)}</p>"))
    return sections


def report_with_interpretation(
    workspace: Workspace, experiment: Experiment, checkpoint: str = "best"
) -> str:
    """`kozak.report.build_report` with the interpretation sections."""
    sections = interpretation_sections(workspace, experiment, checkpoint)
    return build_report(workspace, experiment, checkpoint, sections)


def _filters_html(analysis: FilterAnalysis) -> str:
    from kozak.interpret.plots import filter_logos, svg  # matplotlib only when a report is made

    how = (f"the {analysis.top_k} strongest windows" if analysis.top_k is not None
           else f"windows above {analysis.threshold:g} × its largest activation")  # fmt: skip
    intro = (
        f"<p>The first convolution <code>{escape(analysis.layer)}</code> "
        f"({len(analysis.motifs)} filters, {analysis.width} wide) read on {analysis.sequences} "
        f"sequences: each filter's motif is the letters of {how} (pseudocount "
        f"{analysis.pseudocount:g}), drawn in bits. Influence Δ: mean prediction of "
        f"{escape(analysis.output)} minus the prediction with the filter zeroed, over "
        f"{analysis.influence_sequences} sequences; r: correlation of each sequence's largest "
        "activation with the measured value.</p>"
    )
    rows = []
    for motif in analysis.ranked()[:SHOWN]:
        p = np.asarray(motif.probabilities)
        consensus = "".join(analysis.letters[i] for i in p.argmax(axis=0))
        cells = [motif.name, consensus, str(motif.sites), f"{motif.information_total:.2f}",
                 _signed(motif.influence), _signed(motif.correlation)]  # fmt: skip
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{h}</th>" for h in ("filter", "consensus", "sites", "bits", "Δ", "r"))
    table = f"<table><tr>{header}</tr>{''.join(rows)}</table>"
    figure = f'<div class="figure" data-figure="filter-logos">{svg(filter_logos(analysis, SHOWN))}</div>'
    return intro + figure + table


def _effects_html(effects: MotifEffects) -> str:
    from kozak.interpret.plots import motif_effect_figure, svg

    frames = ", ".join(
        f"frame {f.frame}{' (in frame)' if f.frame == 0 else ''} {f.mean:+.3g}"
        for f in effects.insertion.frames
    )
    intro = (
        f"<p><code>{escape(effects.motif)}</code> written over every position of "
        f"{effects.sequences} sequences: mean effect on {escape(effects.output)} "
        f"{effects.insertion.mean:+.3g} ({escape(frames) or 'no frames'}); deleted where present: "
        + ("nowhere" if effects.deletion is None else f"{effects.deletion.mean:+.3g}")
        + ".</p>"
    )
    return (
        intro
        + f'<div class="figure" data-figure="motif-effects">{svg(motif_effect_figure(effects))}</div>'
    )


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.3g}"
