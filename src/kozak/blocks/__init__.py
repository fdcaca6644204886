"""Blocks: the registry of graph building blocks, each a params model, shape rule and builder.

Importing this package registers every built-in block (one module per family); third-party
blocks come through `load_block_plugins()` and the same `register_block` path.
"""

from kozak.blocks import attention, conv, core, io, merge, norm, pooling, recurrent
from kozak.blocks.base import (
    BLOCKS,
    Block,
    BlockParams,
    BlockType,
    Shape,
    block_schema,
    block_schemas,
    check_params,
    fmt_shape,
    get_block,
    load_block_plugins,
    register_block,
    trace_output_shape,
)
from kozak.blocks.losses import LOSSES, LossDef, get_loss

__all__ = [
    "BLOCKS",
    "LOSSES",
    "Block",
    "BlockParams",
    "BlockType",
    "LossDef",
    "Shape",
    "attention",
    "block_schema",
    "block_schemas",
    "check_params",
    "conv",
    "core",
    "fmt_shape",
    "get_block",
    "get_loss",
    "io",
    "load_block_plugins",
    "merge",
    "norm",
    "pooling",
    "recurrent",
    "register_block",
    "trace_output_shape",
]
