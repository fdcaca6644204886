"""Validation beyond shapes: every issue code, with the right severity and node."""

from __future__ import annotations

from typing import Any

import pytest

from kozak.errors import InvalidConfig, ShapeError
from kozak.graph import FeatureInfo, GraphSpec, chain, preset, validate_graph

FEATURES = {
    "seq": FeatureInfo(name="seq", type="sequence", shape=(4, 20)),
    "level": FeatureInfo(name="level", type="float", shape=(1,)),
    "cls": FeatureInfo(name="cls", type="categorical", shape=(3,), classes=3),
}


def graph(
    *,
    units: int = 1,
    activation: str = "linear",
    target: dict[str, Any] | None = None,
    input_params: dict[str, Any] | None = None,
) -> GraphSpec:
    return chain(
        ("seq", "input", input_params if input_params is not None else {"feature": "seq"}),
        ("conv", "conv1d", {"filters": 4, "kernel_size": 5}),
        ("flatten", "flatten", {}),
        ("dropout", "dropout", {"rate": 0.1}),
        ("out", "dense", {"units": units, "activation": activation}),
        ("target", "target", target if target is not None else {"feature": "level"}),
    )


def issue(spec: GraphSpec, code: str, features: dict[str, FeatureInfo] | None = FEATURES) -> Any:
    report = validate_graph(spec, features)
    found = [i for i in report.issues if i.code == code]
    assert found, f"expected {code}, got {report.codes()}"
    return found[0]


def test_a_good_graph_has_no_issues() -> None:
    report = validate_graph(graph(), FEATURES)
    assert report.ok and report.issues == []
    assert (
        validate_graph(
            preset("cuperus2017"),
            {
                "seq": FeatureInfo(name="seq", type="sequence", shape=(4, 70)),
                "growth_rate": FeatureInfo(name="growth_rate", type="float", shape=(1,)),
            },
        ).issues
        == []
    )


def test_categorical_crossentropy_on_a_float_target_is_an_error() -> None:
    found = issue(
        graph(activation="softmax", target={"feature": "level", "loss": "categorical_crossentropy"}),
        "target.loss_feature_mismatch",
    )
    assert found.severity == "error" and found.node == "target"
    assert "mse" in found.details["valid"]


def test_last_activation_that_does_not_fit_the_loss_is_a_warning_found_through_dropout() -> None:
    spec = chain(
        ("seq", "input", {"feature": "seq"}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 3, "activation": "relu"}),
        ("dropout", "dropout", {"rate": 0.1}),
        ("target", "target", {"feature": "cls", "loss": "categorical_crossentropy"}),
    )
    found = issue(spec, "target.activation_mismatch")
    assert found.severity == "warning"
    assert found.details == {
        "loss": "categorical_crossentropy",
        "activation": "relu",
        "activation_node": "out",
    }
    assert "Softmax" in found.message
    assert validate_graph(spec, FEATURES).ok  # warnings do not block training


def test_relu_before_a_regression_target_warns_about_the_range() -> None:
    found = issue(graph(activation="relu"), "target.activation_range")
    assert found.severity == "warning" and found.details["activation_node"] == "out"


def test_prediction_shape_must_match_the_target_feature() -> None:
    found = issue(
        graph(
            units=2,
            activation="softmax",
            target={"feature": "cls", "loss": "categorical_crossentropy"},
        ),
        "shape.target_mismatch",
    )
    assert found.details["expected"] == [3] and found.details["actual"] == [2]
    assert "3 nodes" in found.message
    with pytest.raises(ShapeError):
        validate_graph(
            graph(units=2, target={"feature": "cls", "loss": "categorical_crossentropy"}), FEATURES
        ).raise_for_errors()


@pytest.mark.parametrize(
    ("spec", "code", "node"),
    [
        (graph(input_params={}), "input.no_feature", "seq"),
        (graph(input_params={"feature": "dna"}), "input.unknown_feature", "seq"),
        (graph(target={}), "target.no_feature", "target"),
        (graph(target={"feature": "expression"}), "target.unknown_feature", "target"),
        (graph(input_params={"feature": "level"}), "input.is_target", "seq"),
    ],
)
def test_feature_binding_issues(spec: GraphSpec, code: str, node: str) -> None:
    assert issue(spec, code).node == node


def test_unbound_input_without_shape_is_reported_once_as_missing_its_feature() -> None:
    report = validate_graph(graph(input_params={}))
    assert "input.no_feature" in report.codes()
    assert "shape.unknown_input" not in report.codes()


def _structural(
    extra_nodes: list[dict[str, Any]], extra_edges: list[list[str]], base_edges: bool = True
) -> GraphSpec:
    nodes = [
        {"id": "x", "type": "input", "params": {"feature": "level", "shape": [1]}},
        {"id": "d", "type": "dense", "params": {"units": 1, "activation": "linear"}},
        {"id": "t", "type": "target", "params": {"feature": "y"}},
    ]
    edges = [["x", "d"], ["d", "t"]] if base_edges else []
    return GraphSpec.from_data({"nodes": nodes + extra_nodes, "edges": edges + extra_edges})


@pytest.mark.parametrize(
    ("spec", "code", "severity", "node"),
    [
        (
            _structural([{"id": "lonely", "type": "dropout"}], []),
            "graph.unconnected",
            "error",
            "lonely",
        ),
        (
            _structural([{"id": "side", "type": "dense"}], [["x", "side"]]),
            "graph.unused",
            "warning",
            "side",
        ),
        (_structural([], [["d", "x"]]), "graph.input_has_inputs", "error", "x"),
        (
            _structural([{"id": "after", "type": "dense"}], [["t", "after"]]),
            "graph.target_has_outputs",
            "error",
            "t",
        ),
        (
            _structural([{"id": "t2", "type": "target", "params": {"feature": "y"}}], [["d", "t2"]]),
            "target.duplicate_feature",
            "error",
            "t2",
        ),
        (
            _structural([{"id": "d2", "type": "dense"}], [["x", "d2"], ["d2", "t"]]),
            "graph.too_many_inputs",
            "error",
            "t",
        ),
        (_structural([], [["d", "d"]]), "graph.cycle", "error", "d"),
    ],
)
def test_structural_issues(spec: GraphSpec, code: str, severity: str, node: str) -> None:
    found = issue(spec, code, features=None)
    assert (found.severity, found.node) == (severity, node)


def test_empty_graph_lacks_input_and_target() -> None:
    report = validate_graph(GraphSpec())
    assert {"graph.no_input", "graph.no_target"} <= set(report.codes())
    with pytest.raises(InvalidConfig):
        report.raise_for_errors()


def test_a_broken_node_does_not_hide_the_rest_of_the_graph() -> None:
    spec = chain(
        ("seq", "input", {"feature": "seq", "shape": [4, 20]}),
        ("conv", "conv1d", {"filters": 4, "kernel_size": 50}),
        ("flatten", "flatten", {}),
        ("t", "target", {"feature": "level"}),
    )
    report = validate_graph(spec)
    assert report.info.node("seq").output_shape == (4, 20)
    assert report.info.node("conv").output_shape is None
    assert report.info.node("flatten").output_shape is None
    assert [i.code for i in report.errors] == ["shape.mismatch"]
    assert report.errors[0].node == "conv"


def test_raise_for_errors_carries_every_error() -> None:
    report = validate_graph(graph(input_params={}, target={}))
    with pytest.raises(InvalidConfig) as err:
        report.raise_for_errors()
    codes = [i["code"] for i in err.value.details["issues"]]
    assert codes == ["input.no_feature", "target.no_feature"]
