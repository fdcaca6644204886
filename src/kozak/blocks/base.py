"""The block contract and the block registry.

A block is a `<Name>Params` model (user-facing, JSON-Schema-exported), a pure `output_shape` rule,
a `build` that returns a `torch.nn.Module`, and `param_count`/`flops` rules. Shapes exclude the
batch dimension: 1D sequence tensors are channels-first `(C, L)`, 2D tensors are channels-last
`(H, W, C)` as in Peltarion's Modeling view, vectors are `(F,)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any, ClassVar, Generic, Literal, TypeVar

import torch
from pydantic import BaseModel, ConfigDict
from torch import nn

from kozak.errors import InvalidConfig, ShapeError
from kozak.registry import Registry

Shape = tuple[int, ...]

ActivationName = Literal[
    "relu", "gelu", "elu", "sigmoid", "softmax", "tanh", "linear", "exp", "softplus"
]

PLUGIN_GROUP = "kozak.blocks"


class BlockParams(BaseModel):
    """Base of every block's parameters: frozen, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def ui(display_name: str, group: str = "Settings", **extra: Any) -> dict[str, Any]:
    """UI hints for a params field, placed in its JSON Schema (`json_schema_extra`).

    Args:
        display_name: Label the settings form shows.
        group: Section of the form the field belongs to.
        **extra: More hints, e.g. `suggested_values=[...]`.

    Returns:
        The dict to pass as `json_schema_extra`.
    """
    return {"display_name": display_name, "group": group, **extra}


P = TypeVar("P", bound=BlockParams)


class Block(Generic[P]):
    """A block type: its params model plus shape, build, parameter and FLOP rules.

    Subclasses override the classmethods; they hold no state. `input_shapes` always exclude the
    batch dimension. Shape rules raise `ShapeError` with `expected`, `actual` and `hint` details;
    the graph layer adds the node id.
    """

    type_name: ClassVar[str] = ""
    params_model: ClassVar[type[BlockParams]] = BlockParams
    display_name: ClassVar[str] = ""
    category: ClassVar[str] = "core"
    min_inputs: ClassVar[int] = 1
    max_inputs: ClassVar[int | None] = 1
    # Dropout, Flatten, Reshape and the like: the last activation before a target is looked up
    # through them.
    transparent: ClassVar[bool] = False

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: P) -> Shape:
        """The output shape for these input shapes; default: trace on the meta device."""
        return trace_output_shape(cls, input_shapes, params)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: P) -> nn.Module:
        """A fresh module taking `len(input_shapes)` tensors shaped `(N, *shape)`."""
        raise NotImplementedError(f"block {cls.type_name!r} has no builder")

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: P) -> int:
        """Trainable parameters; default: build on the meta device (allocates nothing) and count."""
        with torch.device("meta"):
            module = cls.build(input_shapes, params)
        return sum(p.numel() for p in module.parameters() if p.requires_grad)

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: P) -> int:
        """Floating-point operations per example of the forward pass (2 per multiply-add)."""
        return 0

    @classmethod
    def final_activation(cls, params: P) -> str | None:
        """The activation this block ends with, if it has one (checked against the loss)."""
        return None

    @classmethod
    def declares_shape_rule(cls) -> bool:
        """Whether the block has its own pure shape rule rather than the meta-device fallback."""
        return cls.output_shape.__func__ is not Block.output_shape.__func__  # type: ignore[attr-defined]

    @classmethod
    def summary(cls) -> str:
        """First line of the block's docstring."""
        return (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""


BlockType = type[Block[Any]]

BLOCKS: Registry[BlockType] = Registry("block")


def register_block(
    name: str, *, params: type[BlockParams]
) -> Callable[[type[Block[P]]], type[Block[P]]]:
    """Class decorator pairing a type string, a params model and a block implementation.

    Args:
        name: The `type` string used in graph specs (e.g. `"conv2d"`).
        params: The block's params model (a `BlockParams` subclass).

    Returns:
        A decorator that registers the class and returns it unchanged.

    Raises:
        ValueError: If the name is already registered or `params` is not a `BlockParams`.
    """

    def decorate(cls: type[Block[P]]) -> type[Block[P]]:
        if not (isinstance(params, type) and issubclass(params, BlockParams)):
            raise ValueError(f"block {name!r}: params must subclass BlockParams")
        cls.type_name = name
        cls.params_model = params
        if not cls.display_name:
            cls.display_name = name
        BLOCKS.register(name, cls)
        return cls

    return decorate


def get_block(name: str) -> BlockType:
    """The block class registered under `name`; `InvalidConfig` lists the valid names."""
    return BLOCKS.get(name)


def block_schema(name: str) -> dict[str, Any]:
    """JSON Schema of one block's params, with the block's UI metadata at the top level.

    Args:
        name: A registered block type.

    Returns:
        The params JSON Schema plus `x-kozak` (type, display name, category, input arity).
    """
    cls = get_block(name)
    schema = cls.params_model.model_json_schema()
    schema["title"] = cls.display_name
    schema["description"] = cls.summary()
    schema["x-kozak"] = {
        "type": name,
        "display_name": cls.display_name,
        "category": cls.category,
        "min_inputs": cls.min_inputs,
        "max_inputs": cls.max_inputs,
    }
    return schema


def block_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of every registered block's params, keyed by block type."""
    return {name: block_schema(name) for name in BLOCKS.names()}


def load_block_plugins() -> list[str]:
    """Import third-party blocks from the `kozak.blocks` entry-point group (call once).

    Returns:
        The entry-point names that were loaded. Never called automatically, so tests see only
        the built-in blocks.
    """
    loaded = []
    for ep in entry_points(group=PLUGIN_GROUP):
        ep.load()
        loaded.append(ep.name)
    return loaded


def trace_output_shape(cls: BlockType, input_shapes: Sequence[Shape], params: Any) -> Shape:
    """Output shape by building the block on the meta device and calling it on meta tensors.

    This is the fallback for blocks without a declared rule and the harness's cross-check; it
    never runs real arithmetic.
    """
    with torch.device("meta"):
        module = cls.build(input_shapes, params).eval()
        xs = [torch.empty((2, *s)) for s in input_shapes]
        out = module(*xs)
    return tuple(int(d) for d in out.shape[1:])


# ---- shared shape arithmetic -------------------------------------------------------------


def numel(shape: Shape) -> int:
    """Number of elements of a shape (1 for `()`)."""
    n = 1
    for d in shape:
        n *= d
    return n


def fmt_shape(shape: Shape | None) -> str:
    """`(1, 58, 128)` as `1 x 58 x 128`, as the Modeling view shows it."""
    if shape is None:
        return "?"
    return " x ".join(str(d) for d in shape) if shape else "scalar"


def require_rank(shape: Shape, rank: int, layout: str, hint: str) -> None:
    """Raise `ShapeError` unless `shape` has `rank` dimensions."""
    if len(shape) != rank:
        raise ShapeError(
            f"expected a {rank}D input {layout}, got {fmt_shape(shape)}",
            expected=layout,
            actual=list(shape),
            hint=hint,
        )


def conv_output_length(
    length: int, kernel: int, stride: int, dilation: int, padding: str, axis: str
) -> int:
    """Positions after a convolution or pooling window along one axis.

    Raises:
        ShapeError: If the (dilated) window is longer than the input with `valid` padding.
    """
    span = dilation * (kernel - 1) + 1
    if padding == "same":
        return -(-length // stride)
    if span > length:
        raise ShapeError(
            f"the {axis} window spans {span} positions but the input has only {length}",
            expected=f"{axis} >= {span}",
            actual=length,
            hint=f"make the {axis} at most {length}, or use padding 'same'",
        )
    return (length - span) // stride + 1


def same_padding(length: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """(before, after) zero padding that gives `ceil(length / stride)` outputs, as Keras does."""
    out = -(-length // stride)
    span = dilation * (kernel - 1) + 1
    total = max((out - 1) * stride + span - length, 0)
    return total // 2, total - total // 2


def check_params(cls: BlockType, params: Any) -> BlockParams:
    """Validate a params object or dict against `cls.params_model`.

    Raises:
        InvalidConfig: With the pydantic errors in `details["errors"]`.
    """
    if isinstance(params, cls.params_model):
        return params
    from pydantic import ValidationError

    try:
        return cls.params_model.model_validate(params)
    except ValidationError as exc:
        raise InvalidConfig(
            f"invalid params for block {cls.type_name!r}: {_first_error(exc)}",
            block=cls.type_name,
            errors=exc.errors(include_url=False, include_context=False),
        ) from None


def _first_error(exc: Any) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"]) or "params"
    return f"{loc}: {err['msg']}"
