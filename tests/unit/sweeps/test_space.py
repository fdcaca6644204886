"""Search spaces: the paper's preset, repeated blocks, "none", settings, refusals before trials."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from kozak.errors import InvalidConfig
from kozak.graph import GraphSpec, preset, validate_graph
from kozak.sweeps import SPACES, SearchSpace, SweepSpec, sweep_file_schema
from kozak.training import RunSettings

ROOT = Path(__file__).resolve().parents[3]
PAPER = SPACES.get("cuperus2017-search")


def _apply(values: dict[str, object]) -> GraphSpec:
    graph, _ = PAPER.space.apply(preset("cuperus2017-search"), RunSettings(), values)
    return GraphSpec.from_data(graph)


def _chain_ids(graph: GraphSpec) -> list[str]:
    """Node ids from the Input along the edges (the graphs here are chains)."""
    nxt = {e.src: e.dst for e in graph.edges}
    order = [graph.nodes[0].id]
    while order[-1] in nxt:
        order.append(nxt[order[-1]])
    return order


def test_the_paper_space_is_the_notebooks() -> None:
    dims = {d.name: d.values for d in PAPER.space.dimensions}
    assert dims == {
        "conv_width": [9, 13, 17, 25],
        "conv_filters": [32, 64, 128, 256],
        "conv_layers": [2, 3, 4],
        "dense_layers": [1, 2],
        "conv_dropout": [None, 0.15],
        "dense_dropout": [None, 0.1, 0.25, 0.5],
        "dense_units": [32, 64, 128, 256],
    }
    assert PAPER.space.size() == 4 * 4 * 3 * 2 * 2 * 4 * 4
    assert PAPER.settings["early_stopping"] == {"enabled": True, "monitor": "val_loss", "patience": 1}


@pytest.mark.parametrize(("conv", "dense"), list(itertools.product([2, 3, 4], [1, 2])))
def test_layers_are_blocks_added_and_every_combination_passes_shape_inference(
    conv: int, dense: int
) -> None:
    values = {
        "conv_width": 25, "conv_filters": 32, "conv_layers": conv, "dense_layers": dense,
        "conv_dropout": 0.15, "dense_dropout": 0.5, "dense_units": 64,
    }  # fmt: skip
    graph = _apply(values)
    convs = [n for n in graph.nodes if n.type == "conv2d"]
    denses = [n for n in graph.nodes if n.type == "dense" and n.id != "output"]
    assert len(convs) == conv and len(denses) == dense
    # copies of a repeated block take the dimensions of the block they copy
    assert {n.params["width"] for n in convs} == {25} and {n.params["filters"] for n in convs} == {32}
    assert {n.params["units"] for n in denses} == {64}
    dropouts = [n for n in graph.nodes if n.type == "dropout"]
    assert len(dropouts) == conv + dense and {n.params["rate"] for n in dropouts} == {0.15, 0.5}
    order = _chain_ids(graph)
    assert len(order) == len(graph.nodes) and order[-2:] == ["output", "growth_rate"]
    assert validate_graph(graph).ok


def test_none_leaves_the_block_out_and_rewires_the_chain() -> None:
    values = {
        "conv_width": 9, "conv_filters": 64, "conv_layers": 3, "dense_layers": 2,
        "conv_dropout": None, "dense_dropout": None, "dense_units": 32,
    }  # fmt: skip
    graph = _apply(values)
    assert not [n for n in graph.nodes if n.type == "dropout"]
    assert _chain_ids(graph) == [
        "seq", "conv1", "conv2", "conv2_2", "flatten", "dense1", "dense1_2", "output", "growth_rate",
    ]  # fmt: skip
    assert validate_graph(graph).ok


def test_run_settings_and_log_scaled_floats() -> None:
    space = SearchSpace.model_validate(
        {
            "dimensions": [
                {"name": "lr", "type": "float", "low": 1e-4, "high": 1e-1, "log": True,
                 "targets": ["settings.optimizer.lr"]},
                {"name": "batch", "type": "int", "low": 16, "high": 64, "step": 16,
                 "targets": ["settings.batch_size"]},
            ]
        }
    )  # fmt: skip
    base = preset("cuperus2017")
    space.check(base, RunSettings())
    _, settings = space.apply(base, RunSettings(), {"lr": 0.003, "batch": 48})
    assert RunSettings.from_data(settings).optimizer.lr == 0.003
    assert settings["batch_size"] == 48
    assert space.dimensions[1].grid() == [16, 32, 48, 64] and space.size() is None


@pytest.mark.parametrize(
    ("dimension", "says"),
    [
        ({"name": "w", "values": [3], "targets": ["conv9.width"]}, "targets node 'conv9'"),
        ({"name": "w", "values": [3], "targets": ["conv1.kernel"]}, "targets 'kernel' of node 'conv1'"),
        (
            {"name": "w", "values": [3], "targets": ["settings.optimizer.learning_rate"]},
            "not a run setting",
        ),
        ({"name": "n", "values": [1, 2], "repeat": {"nodes": ["conv1", "conv3"]}}, "must form a chain"),
        ({"name": "n", "values": [1, 2], "repeat": {"nodes": ["convX"]}}, "'convX' is not in the graph"),
        ({"name": "n", "values": [1, 2], "repeat": {"nodes": ["conv2"], "besides": 2}}, "fewer than 0"),
        ({"name": "f", "values": [64, 0], "targets": ["conv1.filters"]}, "0 is not a valid 'filters'"),
        ({"name": "r", "type": "float", "low": 0.1, "high": 1.5, "targets": ["dropout1.rate"]}, "1.5"),
    ],
)
def test_a_space_naming_what_the_base_lacks_is_refused_before_any_trial(
    dimension: dict[str, object], says: str
) -> None:
    space = SearchSpace.model_validate({"dimensions": [dimension]})
    with pytest.raises(InvalidConfig, match=says) as caught:
        space.check(preset("cuperus2017"), RunSettings())
    assert caught.value.details["field"] == f"space.{dimension['name']}"


@pytest.mark.parametrize(
    ("dimension", "says"),
    [
        ({"name": "a", "targets": ["x.y"]}, "needs values"),
        (
            {"name": "a", "type": "float", "low": 0, "high": 1, "log": True, "targets": ["x.y"]},
            "above 0",
        ),
        ({"name": "a", "type": "int", "low": 5, "high": 1, "targets": ["x.y"]}, "above high"),
        ({"name": "a", "values": [1]}, "targets, repeat or both"),
        ({"name": "a", "values": [1.5], "repeat": {"nodes": ["x"]}}, "must be an integer"),
    ],
)
def test_malformed_dimensions_say_what_is_expected(dimension: dict[str, object], says: str) -> None:
    with pytest.raises(InvalidConfig, match=says):
        SweepSpec.from_data(
            {"name": "s", "base": {"experiment": "e"}, "space": {"dimensions": [dimension]}}
        )


def test_pruning_needs_an_epoch_objective() -> None:
    with pytest.raises(InvalidConfig, match="pruning watches the objective every epoch"):
        SweepSpec.from_data(
            {
                "name": "s", "base": {"experiment": "e"}, "space": "cuperus2017-search",
                "objective": {"metric": "pearson_r2", "subset": "test", "direction": "maximize"},
                "pruner": {"name": "median"},
            }
        )  # fmt: skip


def test_the_published_schema_is_current() -> None:
    published = json.loads((ROOT / "docs" / "sweep.schema.json").read_text())
    assert published == sweep_file_schema(), "run: kozak sweep schema > docs/sweep.schema.json"


CONV = {"filters": 4, "kernel_size": 3, "padding": "same"}


def test_a_repeat_keeps_the_place_of_its_output_among_a_merges_inputs() -> None:
    graph = GraphSpec.from_data(
        {
            "nodes": [
                {"id": "seq", "type": "input", "params": {"feature": "seq", "shape": [4, 20]}},
                {"id": "a", "type": "conv1d", "params": CONV},
                {"id": "b", "type": "conv1d", "params": CONV},
                {"id": "cat", "type": "concatenate", "params": {}},
                {"id": "flat", "type": "flatten", "params": {}},
                {"id": "out", "type": "dense", "params": {"units": 1}},
                {"id": "y", "type": "target", "params": {"feature": "y", "loss": "mse"}},
            ],
            "edges": [
                ["seq", "a"], ["seq", "b"], ["a", "cat"], ["b", "cat"], ["cat", "flat"],
                ["flat", "out"], ["out", "y"],
            ],
        }
    )  # fmt: skip
    space = SearchSpace.model_validate(
        {"dimensions": [{"name": "n", "values": [3], "repeat": {"nodes": ["a"]}}]}
    )
    space.check(graph, RunSettings())
    data, _ = space.apply(graph, RunSettings(), {"n": 3})
    into_cat = [e["src"] for e in data["edges"] if e["dst"] == "cat"]
    assert into_cat == ["a_3", "b"]
    assert validate_graph(GraphSpec.from_data(data)).ok
