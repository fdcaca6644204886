"""Core blocks: Dense, Dropout, Flatten, Reshape, Permute, Activation and Embedding."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field, field_validator
from torch import Tensor, nn

from kozak.blocks.base import (
    ActivationName,
    Block,
    BlockParams,
    Shape,
    fmt_shape,
    numel,
    register_block,
    require_rank,
    ui,
)
from kozak.blocks.layers import Dropout, Permute, Reshape, activation, activation_flops, glorot_
from kozak.errors import ShapeError

# ---- Dense -------------------------------------------------------------------------------


class DenseParams(BlockParams):
    """Parameters of a Dense block."""

    units: int = Field(64, ge=1, description="Number of nodes (outputs).", json_schema_extra=ui("Nodes"))
    activation: ActivationName = Field(
        "relu",
        description="Activation applied to the outputs; use linear for a regression output.",
        json_schema_extra=ui("Activation"),
    )
    use_bias: bool = Field(
        True,
        description="Add a learned bias to each node.",
        json_schema_extra=ui("Use bias", group="Advanced"),
    )


@register_block("dense", params=DenseParams)
class DenseBlock(Block[DenseParams]):
    """Dense: a fully connected layer, every input feeding every node.

    Input shape: `(F,)`.
    Output shape: `(units,)`.
    """

    display_name = "Dense"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: DenseParams) -> Shape:
        require_rank(
            input_shapes[0],
            1,
            "(features,)",
            "add a Flatten or a global pooling block before the Dense block",
        )
        return (params.units,)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: DenseParams) -> nn.Module:
        linear = glorot_(nn.Linear(input_shapes[0][0], params.units, bias=params.use_bias))
        return nn.Sequential(linear, activation(params.activation, dim=-1))

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: DenseParams) -> int:
        return input_shapes[0][0] * params.units + (params.units if params.use_bias else 0)

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: DenseParams) -> int:
        bias = params.units if params.use_bias else 0
        return (
            2 * input_shapes[0][0] * params.units
            + bias
            + activation_flops(params.activation, params.units)
        )

    @classmethod
    def final_activation(cls, params: DenseParams) -> str | None:
        return params.activation


# ---- Dropout -----------------------------------------------------------------------------


class DropoutParams(BlockParams):
    """Parameters of a Dropout block."""

    rate: float = Field(
        0.1,
        ge=0.0,
        lt=1.0,
        description="Fraction of activations set to zero during training.",
        json_schema_extra=ui("Rate", suggested_values=[0.1, 0.15, 0.2, 0.5]),
    )


@register_block("dropout", params=DropoutParams)
class DropoutBlock(Block[DropoutParams]):
    """Dropout: randomly zeroes a fraction of activations while training.

    Input shape: any.
    Output shape: the same.
    """

    display_name = "Dropout"
    category = "regularization"
    transparent = True

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: DropoutParams) -> Shape:
        return tuple(input_shapes[0])

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: DropoutParams) -> nn.Module:
        return Dropout(params.rate)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: DropoutParams) -> int:
        return 0


# ---- Flatten, Reshape, Permute -------------------------------------------------------------


class FlattenParams(BlockParams):
    """Flatten has no parameters."""


@register_block("flatten", params=FlattenParams)
class FlattenBlock(Block[FlattenParams]):
    """Flatten: unfolds a tensor into a vector, in row-major order of its shape.

    Input shape: any, e.g. `(1, 34, 128)`.
    Output shape: `(product of dims,)`, e.g. `(4352,)`.
    """

    display_name = "Flatten"
    category = "reshape"
    transparent = True

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: FlattenParams) -> Shape:
        return (numel(input_shapes[0]),)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: FlattenParams) -> nn.Module:
        return nn.Flatten()

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: FlattenParams) -> int:
        return 0


class ReshapeParams(BlockParams):
    """Parameters of a Reshape block."""

    shape: tuple[int, ...] = Field(
        description="New shape without the batch axis; one dimension may be -1 (inferred).",
        min_length=1,
        json_schema_extra=ui("Shape"),
    )

    @field_validator("shape")
    @classmethod
    def _one_wildcard(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if sum(d == -1 for d in v) > 1 or any(d == 0 or d < -1 for d in v):
            raise ValueError("dimensions must be positive, with at most one -1")
        return v


@register_block("reshape", params=ReshapeParams)
class ReshapeBlock(Block[ReshapeParams]):
    """Reshape: the same values seen with another shape.

    Input shape: any.
    Output shape: `shape`, with a -1 filled in so the number of values is unchanged.
    """

    display_name = "Reshape"
    category = "reshape"
    transparent = True

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: ReshapeParams) -> Shape:
        total = numel(input_shapes[0])
        known = numel(tuple(d for d in params.shape if d != -1))
        if -1 in params.shape:
            if total % known:
                raise ShapeError(
                    f"cannot reshape {fmt_shape(input_shapes[0])} ({total} values) to "
                    f"{fmt_shape(params.shape)}: {total} is not divisible by {known}",
                    expected=f"a multiple of {known} values",
                    actual=list(input_shapes[0]),
                    hint="choose dimensions whose product divides the number of values",
                )
            return tuple(total // known if d == -1 else d for d in params.shape)
        if known != total:
            raise ShapeError(
                f"cannot reshape {fmt_shape(input_shapes[0])} ({total} values) to "
                f"{fmt_shape(params.shape)} ({known} values)",
                expected=f"{total} values",
                actual=list(params.shape),
                hint="choose a shape with the same number of values, or use -1 for one axis",
            )
        return tuple(params.shape)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: ReshapeParams) -> nn.Module:
        return Reshape(cls.output_shape(input_shapes, params))

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: ReshapeParams) -> int:
        return 0


class PermuteParams(BlockParams):
    """Parameters of a Permute block."""

    dims: tuple[int, ...] = Field(
        (1, 0),
        description="New order of the axes, 0-based without the batch axis; (1, 0) turns "
        "(C, L) into (L, C).",
        json_schema_extra=ui("Axis order"),
    )

    @field_validator("dims")
    @classmethod
    def _is_permutation(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if sorted(v) != list(range(len(v))):
            raise ValueError(f"{list(v)} is not a permutation of 0..{len(v) - 1}")
        return v


@register_block("permute", params=PermuteParams)
class PermuteBlock(Block[PermuteParams]):
    """Permute: reorders the axes, e.g. between channels-first and channels-last.

    Input shape: a tensor with `len(dims)` axes.
    Output shape: its axes in the order `dims`.
    """

    display_name = "Permute"
    category = "reshape"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: PermuteParams) -> Shape:
        shape = input_shapes[0]
        if len(shape) != len(params.dims):
            raise ShapeError(
                f"dims {list(params.dims)} permute {len(params.dims)} axes but the input "
                f"{fmt_shape(shape)} has {len(shape)}",
                expected=f"{len(params.dims)} axes",
                actual=list(shape),
                hint=f"give a permutation of 0..{len(shape) - 1}",
            )
        return tuple(shape[d] for d in params.dims)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: PermuteParams) -> nn.Module:
        return Permute(params.dims)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: PermuteParams) -> int:
        return 0


# ---- Activation ----------------------------------------------------------------------------


class ActivationParams(BlockParams):
    """Parameters of an Activation block."""

    function: ActivationName = Field(
        "relu", description="The activation function.", json_schema_extra=ui("Function")
    )
    axis: int = Field(
        0,
        description="Axis softmax normalises over, without the batch axis: 0 for vectors and "
        "channels-first (C, L) tensors, -1 for channels-last (H, W, C) tensors.",
        json_schema_extra=ui("Softmax axis", group="Advanced"),
    )


@register_block("activation", params=ActivationParams)
class ActivationBlock(Block[ActivationParams]):
    """Activation: applies a function to every value.

    Input shape: any.
    Output shape: the same.
    """

    display_name = "Activation"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: ActivationParams) -> Shape:
        shape = input_shapes[0]
        if not -len(shape) <= params.axis < len(shape):
            raise ShapeError(
                f"axis {params.axis} does not exist in a {len(shape)}D input {fmt_shape(shape)}",
                expected=f"axis in [{-len(shape)}, {len(shape) - 1}]",
                actual=params.axis,
                hint="choose an existing axis",
            )
        return tuple(shape)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: ActivationParams) -> nn.Module:
        rank = len(input_shapes[0])
        return activation(params.function, dim=params.axis % rank + 1)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: ActivationParams) -> int:
        return 0

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: ActivationParams) -> int:
        return activation_flops(params.function, numel(output_shape))

    @classmethod
    def final_activation(cls, params: ActivationParams) -> str | None:
        return params.function


# ---- Embedding -----------------------------------------------------------------------------


class EmbeddingParams(BlockParams):
    """Parameters of an Embedding block."""

    vocab_size: int = Field(
        ge=1,
        description="Number of distinct integer codes (e.g. 5 for A, C, G, T, N codes).",
        json_schema_extra=ui("Vocabulary size"),
    )
    dim: int = Field(
        16, ge=1, description="Length of each learned vector.", json_schema_extra=ui("Dimensions")
    )


class _Embedding(nn.Module):
    def __init__(self, vocab_size: int, dim: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim)

    def forward(self, x: Tensor) -> Tensor:
        # (N, L) codes -> (N, L, D) -> (N, D, L), channels-first like every sequence tensor
        return self.embedding(x.long()).transpose(1, 2)


@register_block("embedding", params=EmbeddingParams)
class EmbeddingBlock(Block[EmbeddingParams]):
    """Embedding: a learned vector for each integer code of a sequence.

    Input shape: `(L,)` integer codes in `[0, vocab_size)`.
    Output shape: `(dim, L)`, channels-first.
    """

    display_name = "Embedding"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: EmbeddingParams) -> Shape:
        require_rank(
            input_shapes[0],
            1,
            "(length,) of integer codes",
            "feed the Embedding integer codes, not a one-hot tensor (use Conv1D for one-hot)",
        )
        return (params.dim, input_shapes[0][0])

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: EmbeddingParams) -> nn.Module:
        return _Embedding(params.vocab_size, params.dim)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: EmbeddingParams) -> int:
        return params.vocab_size * params.dim
