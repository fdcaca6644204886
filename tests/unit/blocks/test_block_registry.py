"""The block registry: lookups, plugin-style registration, the meta-device fallback, schemas."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
import torch
from pydantic import Field
from torch import Tensor, nn

from kozak.blocks import (
    BLOCKS,
    Block,
    BlockParams,
    Shape,
    block_schema,
    block_schemas,
    get_block,
    register_block,
)
from kozak.blocks.base import ui
from kozak.errors import InvalidConfig
from kozak.graph import chain, compile_graph, infer


class DoubleWidthParams(BlockParams):
    """Parameters of the test block."""

    factor: int = Field(2, ge=1, description="Repeat count.", json_schema_extra=ui("Factor"))


class _Repeat(nn.Module):
    def __init__(self, factor: int) -> None:
        super().__init__()
        self.factor = factor
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x: Tensor) -> Tensor:
        return x.repeat_interleave(self.factor, dim=-1) * self.scale


@pytest.fixture
def plugin_block() -> Iterator[type[Block[DoubleWidthParams]]]:
    @register_block("test_repeat", params=DoubleWidthParams)
    class RepeatBlock(Block[DoubleWidthParams]):
        """Repeat: a plugin block with no declared shape rule.

        Input shape: `(F,)`.
        Output shape: `(F * factor,)`.
        """

        @classmethod
        def build(cls, input_shapes: Sequence[Shape], params: DoubleWidthParams) -> nn.Module:
            return _Repeat(params.factor)

    yield RepeatBlock
    BLOCKS.unregister("test_repeat")


def test_unknown_block_lists_the_valid_names() -> None:
    with pytest.raises(InvalidConfig) as err:
        get_block("conv3d")
    assert "conv2d" in err.value.message and "dense" in err.value.message


def test_a_name_registers_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_block("dense", params=DoubleWidthParams)(Block)


def test_plugin_block_without_a_rule_falls_back_to_meta_tracing(
    plugin_block: type[Block[DoubleWidthParams]],
) -> None:
    assert not plugin_block.declares_shape_rule()
    graph = chain(
        ("x", "input", {"feature": "x", "shape": [3]}),
        ("rep", "test_repeat", {"factor": 3}),
        ("y", "target", {"feature": "y"}),
    )
    info = infer(graph)
    assert info.node("rep").output_shape == (9,)
    assert info.node("rep").params == 1  # counted on the meta device
    assert compile_graph(graph)({"x": torch.rand(2, 3)})["y"].shape == (2, 9)


def test_schemas_carry_descriptions_ui_hints_and_block_metadata() -> None:
    schemas = block_schemas()
    assert set(schemas) == set(BLOCKS.names())
    conv = block_schema("conv2d")
    assert conv["title"] == "2D Convolution"
    assert conv["additionalProperties"] is False
    assert conv["x-kozak"]["category"] == "convolution"
    filters = conv["properties"]["filters"]
    assert filters["display_name"] == "Filters" and filters["minimum"] == 1
    assert "enum" in str(conv["properties"]["activation"])
    loss = block_schema("target")["properties"]["loss"]
    assert "categorical_crossentropy" in loss["enum"]
    assert block_schema("add")["x-kozak"]["max_inputs"] is None
