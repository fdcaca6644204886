"""The model catalog the Modeling view lists: blocks with their params schemas, presets, losses.

Everything here is read from the registries; a preset's parameter count is inferred once per
(name, length) and cached, since presets are pure functions of the length.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kozak.blocks import BLOCKS, LOSSES, block_schema, get_loss
from kozak.errors import NotFound
from kozak.graph.graph_spec import GraphSpec
from kozak.graph.presets import PRESETS, Preset
from kozak.graph.shapes import infer


@dataclass(frozen=True)
class BlockEntry:
    """One block type as the block palette shows it."""

    type: str
    display_name: str
    category: str
    description: str
    min_inputs: int
    max_inputs: int | None
    params_schema: dict[str, Any]


@dataclass(frozen=True)
class PresetEntry:
    """One preset as the snippet list shows it."""

    preset: Preset
    input_length: int
    parameters: int
    graph: GraphSpec


@dataclass(frozen=True)
class LossEntry:
    """One loss as the Target block's menu shows it."""

    name: str
    display_name: str
    description: str
    feature_types: list[str]
    activations: list[str] | None
    activation_advice: str


def blocks() -> list[BlockEntry]:
    """Every registered block, by type name."""
    entries = []
    for name in BLOCKS.names():
        cls = BLOCKS.get(name)
        entries.append(
            BlockEntry(
                type=name,
                display_name=cls.display_name,
                category=cls.category,
                description=cls.summary(),
                min_inputs=cls.min_inputs,
                max_inputs=cls.max_inputs,
                params_schema=block_schema(name),
            )
        )
    return entries


@lru_cache(maxsize=256)
def _preset_entry(name: str, input_length: int) -> PresetEntry:
    found = PRESETS.get(name)
    graph = found.build(input_length)
    return PresetEntry(found, input_length, infer(graph).total_params, graph)


def preset_entry(name: str, input_length: int | None = None) -> PresetEntry:
    """A preset with its graph and parameter count at `input_length` (default the preset's).

    Raises:
        NotFound: If no preset has that name (the message lists them).
        InvalidConfig: If the length is not positive.
    """
    if name not in PRESETS:
        raise NotFound(f"no preset {name!r}; presets: {', '.join(PRESETS.names())}", preset=name)
    found = PRESETS.get(name)
    return _preset_entry(name, found.default_length if input_length is None else input_length)


def presets() -> list[PresetEntry]:
    """Every preset at its default length, by name."""
    return [preset_entry(name) for name in PRESETS.names()]


def losses() -> list[LossEntry]:
    """Every registered loss, by name."""
    entries = []
    for name in LOSSES.names():
        loss = get_loss(name)
        entries.append(
            LossEntry(
                name=loss.name,
                display_name=loss.display_name,
                description=loss.description,
                feature_types=sorted(loss.feature_types),
                activations=sorted(loss.activations) if loss.activations is not None else None,
                activation_advice=loss.activation_advice,
            )
        )
    return entries
