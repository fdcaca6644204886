"""The graph spec: loss-free JSON/YAML round trips and structural validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from kozak.errors import InvalidConfig
from kozak.graph import PRESETS, GraphSpec, Node, chain, preset

TUTORIAL_YAML = """
name: tutorial by hand
nodes:
  - {id: seq, type: input, params: {feature: seq, shape: [4, 70, 1]}}
  - {id: conv1, type: conv2d, params: {filters: 128, width: 13, height: 4}}
  - {id: flatten, type: flatten}
  - {id: out, type: dense, params: {units: 1, activation: linear}}
  - {id: growth_rate, type: target, params: {feature: growth_rate}}
edges:
  - [seq, conv1]
  - [conv1, flatten]
  - {src: flatten, dst: out}
  - [out, growth_rate]
"""


@pytest.mark.parametrize("name", PRESETS.names())
def test_every_preset_round_trips_through_yaml_and_json(name: str, tmp_path: Path) -> None:
    spec = preset(name)
    assert GraphSpec.from_yaml(spec.to_yaml()) == spec
    assert GraphSpec.model_validate_json(spec.model_dump_json()) == spec
    assert GraphSpec.from_json(spec.model_dump_json()) == spec
    for suffix in (".yaml", ".json"):
        path = tmp_path / f"g{suffix}"
        spec.save(path)
        assert GraphSpec.load(path) == spec


def test_params_are_stored_complete_so_defaults_are_explicit() -> None:
    spec = GraphSpec.from_yaml(TUTORIAL_YAML)
    conv = spec.node("conv1")
    assert conv.params["padding"] == "valid" and conv.params["stride"] == 1
    assert spec.node("growth_rate").params == {"feature": "growth_rate", "loss": "mse"}
    assert [(e.src, e.dst) for e in spec.edges][:2] == [("seq", "conv1"), ("conv1", "flatten")]
    assert [n.id for n in spec.input_nodes()] == ["seq"]
    assert [n.id for n in spec.target_nodes()] == ["growth_rate"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"nodes": [{"id": "a", "type": "conv3d"}]}, "unknown block type 'conv3d'"),
        ({"nodes": [{"id": "a", "type": "dense", "params": {"units": 0}}]}, "node 'a' (dense)"),
        ({"nodes": [{"id": "a", "type": "dense", "params": {"nodes": 3}}]}, "nodes"),
        (
            {"nodes": [{"id": "a", "type": "flatten"}, {"id": "a", "type": "flatten"}]},
            "duplicate node id",
        ),
        ({"nodes": [{"id": "a", "type": "flatten"}], "edges": [["a", "b"]]}, "unknown node 'b'"),
        (
            {
                "nodes": [{"id": "a", "type": "flatten"}, {"id": "b", "type": "flatten"}],
                "edges": [["a", "b"], ["a", "b"]],
            },
            "duplicate edge",
        ),
        ({"nodes": [{"id": "bad.id", "type": "flatten"}]}, "nodes.0.id"),
        ({"nodes": [], "colour": "red"}, "colour"),
        ({"format_version": 9}, "format_version 9"),
    ],
)
def test_invalid_specs_raise_invalid_config(data: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidConfig) as err:
        GraphSpec.from_data(data)
    assert fragment in err.value.message or fragment in str(err.value.details)
    assert err.value.details["errors"]


def test_bad_yaml_and_missing_files_are_invalid_config(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfig, match="not valid YAML"):
        GraphSpec.from_yaml("nodes: [unclosed")
    with pytest.raises(InvalidConfig, match="cannot read"):
        GraphSpec.load(tmp_path / "missing.yaml")


def test_specs_are_immutable() -> None:
    spec = chain(("x", "input", {"shape": [3]}), ("y", "target", {}))
    with pytest.raises(Exception, match="frozen"):
        spec.name = "changed"  # type: ignore[misc]
    node = Node(id="d", type="dense", params={"units": 3})
    assert node.parsed_params.units == 3  # type: ignore[attr-defined]


def test_the_yaml_example_in_the_docs_is_runnable() -> None:
    import re

    import torch

    from kozak.graph import compile_graph, infer

    docs = Path(__file__).resolve().parents[3] / "docs" / "models.md"
    block = re.search(r"```yaml\n(.*?)```", docs.read_text(encoding="utf-8"), re.S)
    assert block is not None
    spec = GraphSpec.from_yaml(block.group(1))
    info = infer(spec)
    assert info.node("flatten").output_shape == (4352,)
    assert info.node("join").output_shape == (4353,)
    out = compile_graph(spec)({"seq": torch.rand(2, 4, 70, 1), "gc_content": torch.rand(2, 1)})
    assert out["growth_rate"].shape == (2, 1)
