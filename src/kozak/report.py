"""A self-contained HTML report of one experiment, for looking at rather than reading.

`build_report(workspace, experiment)` returns one HTML document that opens offline: plotly.js is
inlined once in the head (no CDN or other network links) and every figure is a plotly div. It
holds, in order: a header (name, id, status, dataset version, best epoch), the per-epoch loss
and metric curves (training vs validation, the best epoch marked), then for every subset and
target of the stored evaluation the true-vs-predicted scatter (the density grid when the
evaluation holds one) with the identity line beside the residual histogram, and the subset's
metrics table; then any extra sections the caller hands in (interpretation computes its filter
motifs and motif effects above this layer and passes them as `ReportSection`s); last the run
settings and the graph's nodes. Every user-supplied value (names, targets, settings, parameters)
is HTML-escaped; user text never goes into figure JSON.

`write_report` writes that document to a file. Both raise `NotFound` when the experiment has no
stored evaluation of the checkpoint (it has not finished a run, or was never evaluated).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from kozak.errors import NotFound
from kozak.experiments import stored_evaluation
from kozak.store.entities import Experiment
from kozak.workspace import Workspace

__all__ = ["ReportSection", "build_report", "write_report"]


@dataclass(frozen=True)
class ReportSection:
    """An extra section: a title (escaped here) and HTML its producer made safe (user text
    escaped, figures inline, no network links)."""

    title: str
    html: str


_PLOT_CONFIG = {"displaylogo": False, "responsive": True}
_SKIPPED_CURVES = {"epoch", "time_s", "lr", "loss", "val_loss"}
_TRAIN, _VALID, _BEST = "#1f77b4", "#ff7f0e", "#2ca02c"

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.meta { color: #555; } .meta span { margin-right: 1.5rem; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .85rem; white-space: pre-wrap; }
"""


class _Figures:
    """Turns figures into divs with distinct ids (plotly.js itself is inlined once in the head)."""

    def __init__(self) -> None:
        self.count = 0

    def html(self, figure: go.Figure, kind: str) -> str:
        self.count += 1
        div = figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"figure-{self.count}",
            config=_PLOT_CONFIG,
        )
        return f'<div class="figure" data-figure="{kind}">{div}</div>'


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _number(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return _e("-" if value is None else value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return _e(value)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_number(v)}</td>' if i >= numeric_from else f"<td>{_e(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _flatten(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            rows.extend(_flatten(value, f"{name}."))
        else:
            rows.append((name, json.dumps(value)))
    return rows


def _version_label(workspace: Workspace, experiment: Experiment) -> str:
    for dataset in workspace.metadata.list_datasets(experiment.project_id):
        for version in workspace.metadata.list_dataset_versions(dataset.id):
            if version.id == experiment.dataset_version_id:
                return f"{dataset.name} / {version.name} ({version.id})"
    return experiment.dataset_version_id


def _curve_figure(
    epochs: list[int],
    series: Sequence[tuple[str, list[float | None], str | None]],
    title: str,
    best_epoch: int | None,
) -> go.Figure:
    figure = go.Figure()
    for name, values, color in series:
        line = {"color": color} if color else {}
        figure.add_trace(go.Scatter(x=epochs, y=values, mode="lines+markers", name=name, line=line))
    if best_epoch is not None:
        figure.add_vline(
            x=best_epoch, line={"color": _BEST, "dash": "dash"},
            annotation_text=f"best epoch {best_epoch}", annotation_position="top",
        )  # fmt: skip
    figure.update_layout(
        title=title, xaxis_title="epoch", height=360, margin={"t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )  # fmt: skip
    figure.update_xaxes(dtick=1 if len(epochs) <= 20 else None)
    return figure


def _curves(workspace: Workspace, experiment: Experiment, figures: _Figures) -> str:
    epochs = workspace.metadata.list_epochs(experiment.id)
    if not epochs:
        return "<p>No epochs recorded.</p>"
    numbers = [e.epoch for e in epochs]

    def values(key: str) -> list[float | None]:
        out: list[float | None] = []
        for e in epochs:
            found = e.metrics.get(key)
            out.append(float(found) if isinstance(found, int | float) else None)
        return out

    keys: list[str] = []
    for e in epochs:
        keys.extend(k for k in e.metrics if k not in keys)
    parts = []
    losses = [(k, values(k), c) for k, c in (("loss", _TRAIN), ("val_loss", _VALID)) if k in keys]
    if losses:
        parts.append(
            figures.html(_curve_figure(numbers, losses, "Loss", experiment.best_epoch), "curve")
        )
    others = [k for k in keys if k not in _SKIPPED_CURVES and any(v is not None for v in values(k))]
    for key in others:
        if not key.startswith("val_") and f"val_{key}" in others:
            continue  # drawn with its validation twin
        train_key = key.removeprefix("val_")
        series: list[tuple[str, list[float | None], str | None]] = [(key, values(key), _VALID)]
        if key.startswith("val_") and train_key in keys:
            series.insert(0, (train_key, values(train_key), _TRAIN))
        title = train_key.replace("_", " ")
        parts.append(figures.html(_curve_figure(numbers, series, title, experiment.best_epoch), "curve"))
    if "lr" in keys:
        lr = _curve_figure(numbers, [("lr", values("lr"), None)], "learning rate", experiment.best_epoch)
        parts.append(figures.html(lr, "curve"))
    rows = [[e.epoch, *(e.metrics.get(k) for k in keys if k != "epoch")] for e in epochs]
    table = _table(["epoch", *(k for k in keys if k != "epoch")], rows, numeric_from=0)
    return "".join(parts) + f"<details><summary>Per-epoch values</summary>{table}</details>"


def _evaluation_figure(found: Mapping[str, Any]) -> go.Figure:
    scatter, residuals = found["scatter"], found["residuals"]
    figure = make_subplots(
        rows=1, cols=2, column_widths=[0.55, 0.45],
        subplot_titles=("true vs predicted", "residuals (predicted − true)"),
    )  # fmt: skip
    low, high = scatter["range"]
    density = scatter.get("density")
    if scatter.get("kind") == "density" and density:
        xe, ye = density["x_edges"], density["y_edges"]
        centres_x = [(a + b) / 2 for a, b in pairwise(xe)]
        centres_y = [(a + b) / 2 for a, b in pairwise(ye)]
        counts = [[c or None for c in row] for row in density["counts"]]  # empty bins clear
        figure.add_trace(
            go.Heatmap(
                x=centres_x, y=centres_y, z=counts, colorscale="Viridis", name="examples",
                colorbar={"title": "examples", "x": 0.5, "len": 0.9},
            ),
            row=1, col=1,
        )  # fmt: skip
    else:
        points = go.Scattergl if scatter["n"] > 2000 else go.Scatter
        figure.add_trace(
            points(
                x=scatter["x"], y=scatter["y"], mode="markers", name="examples",
                marker={"size": 4, "opacity": 0.5, "color": _TRAIN},
            ),
            row=1, col=1,
        )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=[low, high], y=[low, high], mode="lines", name="identity",
            line={"color": "#d62728", "dash": "dash"},
        ),
        row=1, col=1,
    )  # fmt: skip
    edges = residuals["edges"]
    figure.add_trace(
        go.Bar(
            x=[(a + b) / 2 for a, b in pairwise(edges)],
            y=residuals["counts"],
            width=[b - a for a, b in pairwise(edges)],
            name="residuals", marker={"color": _VALID}, showlegend=False,
        ),
        row=1, col=2,
    )  # fmt: skip
    figure.add_vline(x=0, line={"color": "#555", "dash": "dot"}, row=1, col=2)
    figure.update_xaxes(title_text="true", range=[low, high], row=1, col=1)
    figure.update_yaxes(title_text="predicted", range=[low, high], row=1, col=1)
    figure.update_xaxes(title_text="error", row=1, col=2)
    figure.update_yaxes(title_text="examples", row=1, col=2)
    figure.update_layout(height=440, margin={"t": 50, "b": 40}, showlegend=False, bargap=0)
    return figure


def _residual_summary(residuals: Mapping[str, Any]) -> str:
    parts = [f"{key} {_number(residuals.get(key))}" for key in ("n", "mean", "sd", "skewness")]
    return f'<p class="meta">residuals: {_e(", ".join(parts))}</p>'


def _evaluation(evaluation: Mapping[str, Any], figures: _Figures) -> str:
    parts = [
        f'<p class="meta">checkpoint {_e(evaluation.get("checkpoint"))}, '
        f"epoch {_e(evaluation.get('epoch'))}</p>"
    ]
    for subset, targets in evaluation["subsets"].items():
        parts.append(f"<h3>Subset {_e(subset)}</h3>")
        if not targets:
            parts.append("<p>No regression targets evaluated.</p>")
            continue
        keys: list[str] = []
        for found in targets.values():
            keys.extend(k for k in found["metrics"] if k not in keys)
        rows = [[target, *(found["metrics"].get(k) for k in keys)] for target, found in targets.items()]
        parts.append(_table(["target", *keys], rows))
        for target, found in targets.items():
            parts.append(f"<h4>{_e(subset)} · {_e(target)}</h4>")
            parts.append(figures.html(_evaluation_figure(found), "evaluation"))
            parts.append(_residual_summary(found["residuals"]))
    return "".join(parts)


def _graph_nodes(graph: Mapping[str, Any]) -> str:
    inputs: dict[str, list[str]] = {}
    for edge in graph.get("edges", []):
        src, dst = (edge["src"], edge["dst"]) if isinstance(edge, Mapping) else edge
        inputs.setdefault(dst, []).append(src)
    rows = [
        [
            node["id"], node["type"], ", ".join(inputs.get(node["id"], [])) or "-",
            json.dumps(node.get("params", {}), sort_keys=True) if node.get("params") else "-",
        ]
        for node in graph.get("nodes", [])
    ]  # fmt: skip
    title = graph.get("name") or "graph"
    return f'<p class="meta">{_e(title)}</p>' + _table(
        ["node", "type", "inputs", "params"], rows, numeric_from=99
    )


def build_report(
    workspace: Workspace,
    experiment: Experiment,
    checkpoint: str = "best",
    sections: Sequence[ReportSection] = (),
) -> str:
    """The experiment's report as one self-contained HTML document (see the module docstring).

    Raises:
        NotFound: The experiment has no stored evaluation of `checkpoint`.
    """
    try:
        evaluation = stored_evaluation(workspace, experiment, checkpoint)
    except NotFound as exc:
        raise NotFound(
            f"experiment {experiment.name!r} has no stored evaluation of its {checkpoint!r} "
            f"checkpoint, so there is nothing to report; run it to completion or "
            f"`kozak evaluate {experiment.name}` first",
            experiment=experiment.name,
            checkpoint=checkpoint,
        ) from exc
    figures = _Figures()
    curves = _curves(workspace, experiment, figures)
    results = _evaluation(evaluation, figures)
    message = f" — {_e(experiment.message)}" if experiment.message else ""
    header = (
        f'<h1>{_e(experiment.name)}</h1><p class="meta">'
        f"<span>id <code>{_e(experiment.id)}</code></span>"
        f"<span>status <b>{_e(experiment.status)}</b>{message}</span>"
        f"<span>dataset {_e(_version_label(workspace, experiment))}</span>"
        f"<span>best epoch {_e(experiment.best_epoch or '-')} of {_e(experiment.epochs_done)}</span>"
        f"<span>created {_e(experiment.created_at.strftime('%Y-%m-%d %H:%M'))}</span></p>"
    )
    settings = _table(["setting", "value"], _flatten(experiment.settings), numeric_from=99)
    extra = "".join(f"<h2>{_e(section.title)}</h2>{section.html}" for section in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(experiment.name)} — Kozak report</title><style>{_STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f"{header}<h2>Training curves</h2>{curves}<h2>Evaluation</h2>{results}{extra}"
        f"<h2>Run settings</h2>{settings}<h2>Graph</h2>{_graph_nodes(experiment.graph)}"
        "</body></html>\n"
    )


def write_report(
    workspace: Workspace,
    experiment: Experiment,
    path: Path,
    checkpoint: str = "best",
    sections: Sequence[ReportSection] = (),
) -> Path:
    """Write `build_report` to `path` (parents created) and return the path."""
    document = build_report(workspace, experiment, checkpoint, sections)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path
