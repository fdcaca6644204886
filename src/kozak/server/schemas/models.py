"""The model catalog and graph checks on the wire: blocks, presets, losses, shapes and issues."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from kozak.graph.model_catalog import BlockEntry, LossEntry, PresetEntry
from kozak.graph.shapes import GraphInfo, GraphIssue, NodeInfo
from kozak.server.schemas import Input, Schema
from kozak.training.precision import PrecisionChoice
from kozak.training.settings import RunSettings, run_settings_schema


class BlockPublic(Schema):
    """A block type of the palette; its form is rendered from `params_schema`."""

    type: str = Field(description="The `type` of graph nodes of this block, e.g. 'conv2d'.")
    display_name: str
    category: str = Field(description="Palette group: io, convolution, pooling, ...")
    description: str
    min_inputs: int = Field(description="Fewest incoming edges the block takes.")
    max_inputs: int | None = Field(description="Most incoming edges; null for any number.")
    params_schema: dict[str, Any] = Field(
        description="JSON Schema of the params (UI hints in `display_name`, `group`, `x-kozak`)."
    )

    @classmethod
    def of(cls, entry: BlockEntry) -> BlockPublic:
        return cls(**vars(entry))


class PresetPublic(Schema):
    """A preset (snippet) with its provenance and size."""

    name: str
    title: str
    description: str
    task: str
    source: str
    url: str
    notes: str
    input_length: int = Field(description="Sequence length the graph and count are for.")
    parameters: int = Field(description="Trainable parameters at `input_length`.")

    @classmethod
    def of(cls, entry: PresetEntry) -> PresetPublic:
        p = entry.preset
        return cls(
            name=p.name,
            title=p.title,
            description=entry.graph.description,
            task=p.task,
            source=p.source,
            url=p.url,
            notes=p.notes,
            input_length=entry.input_length,
            parameters=entry.parameters,
        )


class LossPublic(Schema):
    """A loss a Target block can use and what it fits."""

    name: str
    display_name: str
    description: str
    feature_types: list[str] = Field(description="Target feature types the loss fits.")
    activations: list[str] | None = Field(description="Final activations it expects; null: any.")
    activation_advice: str

    @classmethod
    def of(cls, entry: LossEntry) -> LossPublic:
        return cls(**vars(entry))


class RunSettingsSchemaPublic(Schema):
    """What the run-settings form is rendered from."""

    json_schema: dict[str, Any] = Field(description="JSON Schema of RunSettings.")
    defaults: dict[str, Any] = Field(description="The settings an experiment gets by default.")

    @classmethod
    def current(cls) -> RunSettingsSchemaPublic:
        return cls(json_schema=run_settings_schema(), defaults=RunSettings().model_dump(mode="json"))


class AutoPrecisionPublic(Schema):
    """What `precision: auto` runs in on this server for one `device` setting, and why."""

    device: str = Field(description="The run settings' device value: auto, cpu or cuda.")
    precision: Literal["fp32", "bf16", "fp16"] = Field(description="What auto runs in there.")
    reason: str = Field(description="Why (the hardware found, or an override).")

    @classmethod
    def of(cls, device: str, choice: PrecisionChoice) -> AutoPrecisionPublic:
        return cls(device=device, precision=choice.used, reason=choice.reason)


class GraphCheck(Input):
    """A graph to check, optionally against a dataset version's features."""

    graph: dict[str, Any] = Field(description="The graph spec: {name, nodes, edges}.")
    dataset_version_id: str | None = Field(
        None, description="Bind Inputs and Targets to this version's features."
    )


class NodeInfoPublic(Schema):
    """One node's inferred shapes and sizes (shapes exclude the batch axis)."""

    id: str
    type: str
    input_shapes: list[list[int]]
    output_shape: list[int] | None = Field(description="Null when it cannot be known.")
    params: int = Field(description="Trainable parameters.")
    flops: int = Field(description="Floating-point operations per example.")

    @classmethod
    def of(cls, node: NodeInfo) -> NodeInfoPublic:
        return cls(
            id=node.id,
            type=node.type,
            input_shapes=[list(s) for s in node.input_shapes],
            output_shape=list(node.output_shape) if node.output_shape is not None else None,
            params=node.params,
            flops=node.flops,
        )


class IssuePublic(Schema):
    """One problem: a stable code, a message naming the node, and details."""

    code: str
    severity: str = Field(description="error (cannot train) or warning (can).")
    message: str
    node: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, issue: GraphIssue) -> IssuePublic:
        return cls(**issue.model_dump(mode="json"))


class GraphCheckPublic(Schema):
    """Every node's shape, parameters and FLOPs, the totals and every issue."""

    ok: bool = Field(description="True when there is no error (warnings allowed).")
    nodes: list[NodeInfoPublic]
    total_params: int
    total_flops: int
    issues: list[IssuePublic]

    @classmethod
    def of(cls, info: GraphInfo, issues: list[GraphIssue]) -> GraphCheckPublic:
        return cls(
            ok=not any(i.severity == "error" for i in issues),
            nodes=[NodeInfoPublic.of(n) for n in info.nodes],
            total_params=info.total_params,
            total_flops=info.total_flops,
            issues=[IssuePublic.of(i) for i in issues],
        )
