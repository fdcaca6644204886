"""Shape, parameter and FLOP inference: walk the graph in topological order with pure block rules.

No tensor is created. `infer` raises on the first problem; `analyze` (used by validation and the
UI) records every problem as a `GraphIssue` and still infers every node it can.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from kozak.blocks import BLOCKS, Shape, fmt_shape
from kozak.blocks.io import InputParams
from kozak.errors import InvalidConfig, KozakError, ShapeError
from kozak.graph.feature_shapes import FeatureInfo
from kozak.graph.graph_spec import GraphSpec

Severity = Literal["error", "warning"]


class GraphIssue(BaseModel):
    """One problem found in a graph: a stable code, a message naming the node, and details."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(description="Stable identifier, e.g. 'shape.mismatch', 'graph.cycle'.")
    severity: Severity = Field(description="error: the graph cannot train; warning: it can.")
    message: str = Field(description="What is wrong and what to change.")
    node: str | None = Field(None, description="Id of the node concerned, if one.")
    details: dict[str, Any] = Field(default_factory=dict, description="Expected, actual, hint...")

    def to_error(self) -> KozakError:
        """The exception for this issue: `ShapeError` for shape codes, else `InvalidConfig`."""
        cls = ShapeError if self.code.startswith("shape.") else InvalidConfig
        return cls(self.message, code=self.code, node=self.node, **self.details)


class NodeInfo(BaseModel):
    """What inference knows about one node."""

    model_config = ConfigDict(frozen=True)

    id: str
    type: str
    input_shapes: list[Shape] = Field(description="Shapes arriving, without the batch axis.")
    output_shape: Shape | None = Field(description="Output shape; None when it cannot be known.")
    params: int = Field(0, description="Trainable parameters.")
    flops: int = Field(0, description="Floating-point operations per example (forward).")


class GraphInfo(BaseModel):
    """Every node's shape, parameters and FLOPs, in topological order, plus totals."""

    model_config = ConfigDict(frozen=True)

    nodes: list[NodeInfo]
    total_params: int
    total_flops: int

    def node(self, node_id: str) -> NodeInfo:
        """The info of one node.

        Raises:
            InvalidConfig: If the graph has no such node.
        """
        for info in self.nodes:
            if info.id == node_id:
                return info
        raise InvalidConfig(f"graph has no node {node_id!r}", node=node_id)

    def shapes(self) -> dict[str, Shape | None]:
        """Node id -> output shape."""
        return {n.id: n.output_shape for n in self.nodes}


def topological_order(spec: GraphSpec) -> tuple[list[str], list[str]]:
    """Node ids in dependency order (ties in spec order), and the ids left over by cycles.

    Returns:
        `(order, cyclic)`: `cyclic` holds the nodes on or downstream of a cycle, in spec order.
    """
    index = {n.id: i for i, n in enumerate(spec.nodes)}
    indegree = dict.fromkeys(index, 0)
    succ: dict[str, list[str]] = {n.id: [] for n in spec.nodes}
    for edge in spec.edges:
        indegree[edge.dst] += 1
        succ[edge.src].append(edge.dst)
    ready = [index[i] for i, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node_id = spec.nodes[heapq.heappop(ready)].id
        order.append(node_id)
        for nxt in succ[node_id]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, index[nxt])
    done = set(order)
    return order, [n.id for n in spec.nodes if n.id not in done]


def _input_source(
    node_id: str, params: InputParams, features: Mapping[str, FeatureInfo] | None
) -> tuple[Shape | None, GraphIssue | None]:
    """The shape arriving at an Input node: its feature's, else its own `shape` param."""
    if features is not None and params.feature is not None:
        info = features.get(params.feature)
        if info is not None:
            return tuple(info.shape), None
        issue = GraphIssue(
            code="input.unknown_feature",
            severity="error",
            node=node_id,
            message=f"Input {node_id!r}: the dataset has no feature {params.feature!r}; "
            f"choose one of: {', '.join(sorted(features)) or '(none)'}",
            details={"feature": params.feature, "valid": sorted(features)},
        )
        return (tuple(params.shape) if params.shape else None), issue
    if params.shape is not None:
        return tuple(params.shape), None
    return None, GraphIssue(
        code="shape.unknown_input",
        severity="error",
        node=node_id,
        message=f"Input {node_id!r} has no shape: bind it to a dataset feature or give it a shape",
        details={"hint": "set the Input's feature (with a dataset) or its shape"},
    )


def analyze(
    spec: GraphSpec, features: Mapping[str, FeatureInfo] | None = None
) -> tuple[GraphInfo, list[GraphIssue]]:
    """Infer every node that can be inferred and collect the problems met on the way.

    Args:
        spec: The graph.
        features: Dataset features by name; Input nodes take their shapes from them.

    Returns:
        The graph info (unknown shapes are None) and the issues, in topological order.
    """
    order, cyclic = topological_order(spec)
    nodes = {n.id: n for n in spec.nodes}
    preds = spec.predecessors()
    shapes: dict[str, Shape | None] = {}
    infos: list[NodeInfo] = []
    issues: list[GraphIssue] = []
    if cyclic:
        issues.append(
            GraphIssue(
                code="graph.cycle",
                severity="error",
                node=cyclic[0],
                message="the graph has a cycle through or before: "
                + ", ".join(cyclic)
                + "; remove an edge so data flows one way",
                details={"nodes": cyclic},
            )
        )
    for node_id in order:
        node = nodes[node_id]
        block = BLOCKS.get(node.type)
        params = node.parsed_params
        in_shapes: list[Shape]
        if node.type == "input":
            source, issue = _input_source(node_id, cast(InputParams, params), features)
            if issue is not None:
                issues.append(issue)
            if source is None:
                shapes[node_id] = None
                infos.append(NodeInfo(id=node_id, type=node.type, input_shapes=[], output_shape=None))
                continue
            in_shapes = [source]
        else:
            sources = preds[node_id]
            arity_issue = _arity_issue(node_id, node.type, len(sources))
            if arity_issue is not None:
                issues.append(arity_issue)
            known = [shapes.get(s) for s in sources]
            if arity_issue is not None or any(s is None for s in known):
                shapes[node_id] = None
                infos.append(
                    NodeInfo(
                        id=node_id,
                        type=node.type,
                        input_shapes=[s for s in known if s is not None],
                        output_shape=None,
                    )
                )
                continue
            in_shapes = [s for s in known if s is not None]
        try:
            out = tuple(block.output_shape(in_shapes, params))
            n_params = block.param_count(in_shapes, params)
            n_flops = block.flops(in_shapes, out, params)
        except ShapeError as exc:
            issues.append(
                GraphIssue(
                    code="shape.mismatch",
                    severity="error",
                    node=node_id,
                    message=f"{block.display_name} {node_id!r}: {exc.message}"
                    + (f"; {exc.details['hint']}" if "hint" in exc.details else ""),
                    details={
                        "type": node.type,
                        "input_shapes": [list(s) for s in in_shapes],
                        **exc.details,
                    },
                )
            )
            shapes[node_id] = None
            infos.append(NodeInfo(id=node_id, type=node.type, input_shapes=in_shapes, output_shape=None))
            continue
        shapes[node_id] = out
        infos.append(
            NodeInfo(
                id=node_id,
                type=node.type,
                input_shapes=in_shapes,
                output_shape=out,
                params=n_params,
                flops=n_flops,
            )
        )
    infos.extend(NodeInfo(id=i, type=nodes[i].type, input_shapes=[], output_shape=None) for i in cyclic)
    info = GraphInfo(
        nodes=infos,
        total_params=sum(n.params for n in infos),
        total_flops=sum(n.flops for n in infos),
    )
    return info, issues


def _arity_issue(node_id: str, type_name: str, count: int) -> GraphIssue | None:
    block = BLOCKS.get(type_name)
    low, high = block.min_inputs, block.max_inputs
    if count < low:
        need = f"{low}" if high == low else f"at least {low}"
        return GraphIssue(
            code="graph.missing_input",
            severity="error",
            node=node_id,
            message=f"{block.display_name} {node_id!r} has {count} input(s) but needs {need}: "
            "connect a block to it",
            details={"expected": need, "actual": count},
        )
    if high is not None and count > high:
        return GraphIssue(
            code="graph.too_many_inputs",
            severity="error",
            node=node_id,
            message=f"{block.display_name} {node_id!r} has {count} inputs but takes {high}: "
            "join the branches with an Add or Concatenate block first",
            details={"expected": high, "actual": count},
        )
    return None


def infer(spec: GraphSpec, features: Mapping[str, FeatureInfo] | None = None) -> GraphInfo:
    """Every node's output shape, parameter count and FLOPs per example, plus totals.

    Args:
        spec: The graph.
        features: Dataset features by name; when given, Input nodes take their feature's shape
            (reshaped to the Input's own `shape` if it has one with as many values).

    Returns:
        The graph info, nodes in topological order.

    Raises:
        ShapeError: If a block's input does not fit it; details name the node, the expected and
            actual shapes and a hint.
        InvalidConfig: If the graph has a cycle, a block lacks inputs, or an Input's feature is
            unknown.
    """
    info, issues = analyze(spec, features)
    for issue in issues:
        if issue.severity == "error":
            raise issue.to_error()
    return info


def describe_shape(shape: Shape | None) -> str:
    """A shape as the Modeling view prints it (`1 x 58 x 128`), `?` when unknown."""
    return fmt_shape(shape)
