"""Shape, parameter and FLOP inference: the paper's numbers, feature binding, errors, speed."""

from __future__ import annotations

import time

import pytest

from kozak.errors import InvalidConfig, ShapeError
from kozak.graph import FeatureInfo, GraphSpec, chain, infer, preset, topological_order


def test_tutorial_shapes_and_parameters() -> None:
    info = infer(preset("cuperus2017-tutorial"))
    shapes = info.shapes()
    assert shapes["seq"] == (4, 70, 1)
    assert shapes["conv1"] == (1, 58, 128)
    assert shapes["dropout1"] == (1, 58, 128)
    assert shapes["conv2"] == (1, 46, 128)
    assert shapes["conv3"] == (1, 34, 128)
    assert shapes["flatten"] == (4352,)
    assert shapes["dense1"] == (64,)
    assert shapes["growth_rate"] == (1,)
    expected = {
        "conv1": 4 * 13 * 1 * 128 + 128,
        "conv2": 13 * 128 * 128 + 128,
        "conv3": 13 * 128 * 128 + 128,
        "dense1": 4352 * 64 + 64,
        "dense2": 64 + 1,
    }
    for node, count in expected.items():
        assert info.node(node).params == count
    assert info.total_params == sum(expected.values()) == 711_681


def test_released_cuperus_model_has_1451137_parameters() -> None:
    info = infer(preset("cuperus2017"))
    assert info.node("conv1").output_shape == (1, 54, 128)
    assert info.node("conv3").output_shape == (1, 54, 128)
    assert info.node("flatten").output_shape == (6912,)
    assert [info.node(n).params for n in ("conv1", "conv2", "conv3", "dense1", "dense2")] == [
        8_832,
        278_656,
        278_656,
        884_864,
        129,
    ]
    assert info.total_params == 1_451_137


def test_flops_follow_the_multiply_add_rule() -> None:
    info = infer(preset("cuperus2017-tutorial"))
    conv1 = info.node("conv1")
    # 2 FLOPs per multiply-add over 58 x 128 outputs of a 4x13x1 filter, + bias + ReLU
    assert conv1.flops == 58 * 128 * (2 * 4 * 13) + 2 * 58 * 128
    assert info.node("dense2").flops == 2 * 64 + 1
    assert info.total_flops == sum(n.flops for n in info.nodes)


def test_input_length_changes_every_downstream_shape() -> None:
    info = infer(preset("cuperus2017-tutorial", input_length=50))
    assert info.node("conv1").output_shape == (1, 38, 128)
    assert info.node("flatten").output_shape == (14 * 128,)


def test_inputs_take_their_shape_from_the_bound_feature(
    yeast_features: dict[str, FeatureInfo],
) -> None:
    spec = chain(
        ("seq", "input", {"feature": "seq", "shape": [4, 80, 1]}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("growth_rate", "target", {"feature": "growth_rate"}),
    )
    with pytest.raises(ShapeError) as err:
        infer(spec, yeast_features)
    assert err.value.details["node"] == "seq"
    assert err.value.details["expected"] == [4, 70]
    assert err.value.details["actual"] == [4, 80, 1]
    # a (4, 70) feature seen as the tutorial's (4, 70, 1) image
    info = infer(preset("cuperus2017-tutorial"), yeast_features)
    assert info.node("seq").input_shapes == [(4, 70)]
    assert info.node("seq").output_shape == (4, 70, 1)
    # without a shape param the feature's shape is used as is
    bare = chain(("seq", "input", {"feature": "seq"}), ("f", "flatten", {}), ("t", "target", {}))
    assert infer(bare, yeast_features).node("f").output_shape == (280,)


def test_shape_errors_name_the_node_and_what_to_change() -> None:
    spec = chain(
        ("seq", "input", {"feature": "seq", "shape": [4, 70, 1]}),
        ("conv1", "conv2d", {"filters": 16, "width": 13, "height": 4}),
        ("conv2", "conv2d", {"filters": 16, "width": 13, "height": 4}),
        ("t", "target", {"feature": "y"}),
    )
    with pytest.raises(ShapeError) as err:
        infer(spec)
    assert err.value.details["node"] == "conv2"
    assert err.value.details["code"] == "shape.mismatch"
    assert err.value.details["expected"] == "height >= 4"
    assert err.value.details["actual"] == 1
    assert "conv2" in err.value.message and "height" in err.value.details["hint"]


def test_branching_graph_with_two_inputs_and_two_targets() -> None:
    features = {
        "seq": FeatureInfo(name="seq", type="sequence", shape=(4, 30)),
        "gc": FeatureInfo(name="gc", type="float", shape=(1,)),
        "level": FeatureInfo(name="level", type="float", shape=(1,)),
        "bound": FeatureInfo(name="bound", type="multilabel", shape=(3,), classes=3),
    }
    spec = GraphSpec.from_data(
        {
            "nodes": [
                {"id": "seq", "type": "input", "params": {"feature": "seq"}},
                {"id": "gc", "type": "input", "params": {"feature": "gc"}},
                {"id": "conv", "type": "conv1d", "params": {"filters": 8, "kernel_size": 5}},
                {"id": "pool", "type": "global_pool1d", "params": {"mode": "max"}},
                {"id": "join", "type": "concatenate", "params": {}},
                {"id": "head1", "type": "dense", "params": {"units": 1, "activation": "linear"}},
                {"id": "head2", "type": "dense", "params": {"units": 3, "activation": "sigmoid"}},
                {"id": "level", "type": "target", "params": {"feature": "level"}},
                {
                    "id": "bound",
                    "type": "target",
                    "params": {"feature": "bound", "loss": "binary_crossentropy"},
                },
            ],
            "edges": [
                ["seq", "conv"],
                ["conv", "pool"],
                ["pool", "join"],
                ["gc", "join"],
                ["join", "head1"],
                ["join", "head2"],
                ["head1", "level"],
                ["head2", "bound"],
            ],
        }
    )
    info = infer(spec, features)
    assert info.node("conv").output_shape == (8, 26)
    assert info.node("join").input_shapes == [(8,), (1,)]
    assert info.node("join").output_shape == (9,)
    assert info.node("bound").output_shape == (3,)
    assert info.total_params == (4 * 5 * 8 + 8) + (9 + 1) + (9 * 3 + 3)


def test_topological_order_is_deterministic_and_finds_cycles() -> None:
    spec = GraphSpec.from_data(
        {
            "nodes": [{"id": i, "type": "dense", "params": {"units": 2}} for i in "abcd"],
            "edges": [["a", "b"], ["b", "c"], ["c", "b"], ["c", "d"]],
        }
    )
    order, cyclic = topological_order(spec)
    assert order == ["a"]
    assert cyclic == ["b", "c", "d"]
    with pytest.raises(InvalidConfig) as err:
        infer(spec)
    assert err.value.details["code"] == "graph.cycle"


def test_missing_inputs_are_reported_on_the_node() -> None:
    spec = GraphSpec.from_data(
        {
            "nodes": [
                {"id": "x", "type": "input", "params": {"shape": [3]}},
                {"id": "sum", "type": "add"},
                {"id": "t", "type": "target"},
            ],
            "edges": [["x", "sum"], ["sum", "t"]],
        }
    )
    with pytest.raises(InvalidConfig) as err:
        infer(spec)
    assert err.value.details["node"] == "sum"
    assert err.value.details["code"] == "graph.missing_input"


def test_inference_of_a_30_node_graph_takes_milliseconds() -> None:
    spec = preset("deepstarr")
    assert len(spec.nodes) == 30
    infer(spec)
    times = []
    for _ in range(20):
        start = time.perf_counter()
        infer(spec)
        times.append(time.perf_counter() - start)
    times.sort()
    assert times[len(times) // 2] < 0.010  # median; typically well under 1 ms
