"""Attention blocks: a Transformer encoder layer and a learned position embedding.

Both take channels-first sequences `(C, L)`, the model width being the channel count `C`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
from pydantic import Field
from torch import Tensor, nn

from kozak.blocks.base import Block, BlockParams, Shape, numel, register_block, require_rank, ui
from kozak.blocks.layers import Dropout
from kozak.errors import ShapeError


class TransformerParams(BlockParams):
    """Parameters of a Transformer encoder block."""

    heads: int = Field(
        4,
        ge=1,
        description="Attention heads; must divide the channel count.",
        json_schema_extra=ui("Heads"),
    )
    ff_dim: int = Field(
        256,
        ge=1,
        description="Width of the feed-forward sublayer.",
        json_schema_extra=ui("Feed-forward width"),
    )
    dropout: float = Field(
        0.1,
        ge=0.0,
        lt=1.0,
        description="Dropout inside the layer.",
        json_schema_extra=ui("Dropout"),
    )
    activation: Literal["relu", "gelu"] = Field(
        "gelu",
        description="Activation of the feed-forward sublayer.",
        json_schema_extra=ui("Activation", group="Advanced"),
    )
    norm_first: bool = Field(
        True,
        description="Pre-norm (LayerNorm before each sublayer): trains more stably.",
        json_schema_extra=ui("Pre-norm", group="Advanced"),
    )


class _Transformer(nn.Module):
    def __init__(self, channels: int, params: TransformerParams) -> None:
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(
            channels,
            params.heads,
            dim_feedforward=params.ff_dim,
            dropout=params.dropout,
            activation=params.activation,
            batch_first=True,
            norm_first=params.norm_first,
        )
        for name in ("dropout", "dropout1", "dropout2"):  # exact 1/(1-p) in bf16 too
            setattr(self.layer, name, Dropout(params.dropout))

    def forward(self, x: Tensor) -> Tensor:
        return self.layer(x.transpose(1, 2)).transpose(1, 2)  # (N, C, L) via (N, L, C)


@register_block("transformer", params=TransformerParams)
class TransformerBlock(Block[TransformerParams]):
    """Transformer: one encoder layer, self-attention then a feed-forward sublayer, residual.

    Input shape: `(C, L)`, with `C` divisible by `heads`.
    Output shape: `(C, L)`.
    """

    display_name = "Transformer encoder"
    category = "attention"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: TransformerParams) -> Shape:
        shape = input_shapes[0]
        require_rank(
            shape,
            2,
            "(channels, length)",
            "the Transformer reads channels-first sequences, e.g. a Conv1D's output",
        )
        if shape[0] % params.heads:
            raise ShapeError(
                f"{params.heads} heads do not divide the {shape[0]} input channels",
                expected=f"channels divisible by {params.heads}",
                actual=shape[0],
                hint="change heads to a divisor of the channels, or the previous block's filters",
            )
        return tuple(shape)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: TransformerParams) -> nn.Module:
        return _Transformer(input_shapes[0][0], params)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: TransformerParams) -> int:
        c, ff = input_shapes[0][0], params.ff_dim
        attention = 4 * c * c + 4 * c  # q, k, v and output projections with biases
        feed_forward = 2 * c * ff + ff + c
        return attention + feed_forward + 4 * c  # two LayerNorms

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: TransformerParams) -> int:
        c, length = input_shapes[0]
        projections = 2 * length * 4 * c * c
        scores_and_mix = 2 * 2 * length * length * c
        feed_forward = 2 * length * 2 * c * params.ff_dim
        return projections + scores_and_mix + feed_forward + 10 * length * c


class PositionEmbeddingParams(BlockParams):
    """Position embedding has no parameters: its size comes from its input."""


class _PositionEmbedding(nn.Module):
    def __init__(self, channels: int, length: int) -> None:
        super().__init__()
        self.position = nn.Parameter(torch.zeros(channels, length))
        nn.init.normal_(self.position, std=0.02)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.position  # (N, C, L) + (C, L)


@register_block("position_embedding", params=PositionEmbeddingParams)
class PositionEmbeddingBlock(Block[PositionEmbeddingParams]):
    """PositionEmbedding: adds a learned vector per position, so attention can tell positions apart.

    Input shape: `(C, L)`.
    Output shape: `(C, L)`.
    """

    display_name = "Position embedding"
    category = "attention"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: PositionEmbeddingParams) -> Shape:
        require_rank(
            input_shapes[0],
            2,
            "(channels, length)",
            "add position embeddings to channels-first sequences",
        )
        return tuple(input_shapes[0])

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: PositionEmbeddingParams) -> nn.Module:
        c, length = input_shapes[0]
        return _PositionEmbedding(c, length)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: PositionEmbeddingParams) -> int:
        return numel(input_shapes[0])

    @classmethod
    def flops(
        cls, input_shapes: Sequence[Shape], output_shape: Shape, params: PositionEmbeddingParams
    ) -> int:
        return numel(output_shape)
