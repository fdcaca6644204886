"""Model graphs: the spec (data), shape/parameter/FLOP inference, validation, compilation, presets.

Typical use: `spec = preset("cuperus2017")`, `info = infer(spec, features)`,
`report = validate_graph(spec, features)`, `module = compile_graph(spec, features)`.
"""

from kozak.graph.compile import GraphModule, compile_graph
from kozak.graph.feature_shapes import FeatureInfo
from kozak.graph.graph_spec import Edge, GraphSpec, Node, chain
from kozak.graph.presets import PRESETS, Preset, preset
from kozak.graph.shapes import GraphInfo, GraphIssue, NodeInfo, analyze, infer, topological_order
from kozak.graph.validate import GraphReport, validate_graph

__all__ = [
    "PRESETS",
    "Edge",
    "FeatureInfo",
    "GraphInfo",
    "GraphIssue",
    "GraphModule",
    "GraphReport",
    "GraphSpec",
    "Node",
    "NodeInfo",
    "Preset",
    "analyze",
    "chain",
    "compile_graph",
    "infer",
    "preset",
    "topological_order",
    "validate_graph",
]
