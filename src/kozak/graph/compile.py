"""Compile a validated graph spec to a `torch.nn.Module`.

`GraphModule.forward` takes `{input feature: (N, *feature shape)}` and returns
`{target feature: (N, *target shape)}`; its real shapes equal those `infer` declares. Under
autocast, the blocks that produce targets run in float32, so predictions are not rounded to
the reduced precision (and softmax probabilities still sum to 1).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor, nn

from kozak.blocks import BLOCKS, fmt_shape
from kozak.blocks.io import InputParams, TargetParams
from kozak.errors import SchemaMismatch, ShapeError
from kozak.graph.feature_shapes import FeatureInfo
from kozak.graph.graph_spec import GraphSpec
from kozak.graph.shapes import GraphInfo
from kozak.graph.validate import validate_graph


class GraphModule(nn.Module):
    """A compiled graph: one submodule per node, run in topological order.

    Attributes:
        spec: The graph spec it was compiled from.
        info: The inferred shapes, parameter counts and FLOPs.
        input_shapes: Input feature -> shape of one example as fed in.
        output_shapes: Target feature -> shape of one example's prediction.
        losses: Target feature -> loss name.
    """

    def __init__(self, spec: GraphSpec, info: GraphInfo) -> None:
        super().__init__()
        self.spec = spec
        self.info = info
        self.blocks = nn.ModuleDict()
        self.input_shapes: dict[str, tuple[int, ...]] = {}
        self.output_shapes: dict[str, tuple[int, ...]] = {}
        self.losses: dict[str, str] = {}
        preds = spec.predecessors()
        # (node id, feature read or None, source ids, feature written or None)
        self._plan: list[tuple[str, str | None, list[str], str | None]] = []
        targets = [n.id for n in spec.nodes if isinstance(n.parsed_params, TargetParams)]
        self._heads = {source for target in targets for source in preds[target]}
        for node_info in info.nodes:
            node = spec.node(node_info.id)
            params = node.parsed_params
            self.blocks[node.id] = BLOCKS.get(node.type).build(node_info.input_shapes, params)
            read = write = None
            if isinstance(params, InputParams) and params.feature is not None:
                read = params.feature
                self.input_shapes[read] = tuple(node_info.input_shapes[0])
            if isinstance(params, TargetParams) and params.feature is not None:
                write = params.feature
                self.output_shapes[write] = tuple(node_info.output_shape or ())
                self.losses[write] = params.loss
            self._plan.append((node.id, read, preds[node.id], write))

    def forward(self, inputs: Mapping[str, Tensor]) -> dict[str, Tensor]:
        """Run the graph.

        Args:
            inputs: Input feature name -> tensor `(N, *feature shape)`.

        Returns:
            Target feature name -> prediction `(N, *target shape)`.

        Raises:
            SchemaMismatch: If an input feature is missing.
            ShapeError: If an input tensor's shape is not the feature's.
        """
        values: dict[str, Tensor] = {}
        outputs: dict[str, Tensor] = {}
        for node_id, read, sources, write in self._plan:
            block = self.blocks[node_id]
            if read is not None:
                values[node_id] = block(self._read(inputs, read))
            elif node_id in self._heads:
                values[node_id] = _in_float32(block, [values[s] for s in sources])
            else:
                values[node_id] = block(*(values[s] for s in sources))
            if write is not None:
                outputs[write] = values[node_id]
        return outputs

    def _read(self, inputs: Mapping[str, Tensor], feature: str) -> Tensor:
        if feature not in inputs:
            raise SchemaMismatch(
                f"missing input feature {feature!r}; the model takes: "
                + ", ".join(sorted(self.input_shapes)),
                feature=feature,
            )
        x = inputs[feature]
        expected = self.input_shapes[feature]
        if tuple(x.shape[1:]) != expected:
            raise ShapeError(
                f"input feature {feature!r} is {fmt_shape(tuple(x.shape[1:]))} per example, the "
                f"model was built for {fmt_shape(expected)}",
                feature=feature,
                expected=list(expected),
                actual=list(x.shape[1:]),
            )
        return x


def _in_float32(block: nn.Module, xs: list[Tensor]) -> Tensor:
    """Run `block` with autocast off and float32 inputs (a no-op outside autocast)."""
    device = xs[0].device.type
    if not (torch.amp.is_autocast_available(device) and torch.is_autocast_enabled(device)):
        return block(*xs)
    with torch.autocast(device, enabled=False):
        return block(*(x.float() if x.is_floating_point() else x for x in xs))


def compile_graph(spec: GraphSpec, features: Mapping[str, FeatureInfo] | None = None) -> GraphModule:
    """Validate a graph and build its module.

    Args:
        spec: The graph.
        features: Dataset features by name (Input shapes come from them when given).

    Returns:
        The module, in training mode, on the current default device (`with torch.device("meta")`
        builds it without allocating).

    Raises:
        ShapeError: If shapes do not fit.
        InvalidConfig: If the graph has any other error (cycle, unbound input or target, loss
            that does not fit its feature...). Warnings do not stop compilation.
    """
    report = validate_graph(spec, features)
    report.raise_for_errors()
    return GraphModule(spec, report.info)
