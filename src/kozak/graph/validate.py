"""Graph validation beyond shapes: structure, feature bindings, losses and final activations.

`validate_graph` never raises for a bad graph; it returns a `GraphReport` with every issue (each
with a stable code and severity) and the inferred shapes, which is what the Modeling view shows.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from kozak.blocks import BLOCKS, LOSSES, fmt_shape, get_loss
from kozak.blocks.io import InputParams, TargetParams
from kozak.graph.feature_shapes import FeatureInfo
from kozak.graph.graph_spec import GraphSpec, Node
from kozak.graph.shapes import GraphInfo, GraphIssue, analyze

# Last activations whose range cannot cover an unbounded regression target.
BOUNDED = {"relu", "sigmoid", "softmax", "tanh", "exp", "softplus", "elu"}
REGRESSION_LOSSES = {"mse", "mae", "huber"}


class GraphReport(BaseModel):
    """The result of validating a graph: inferred info plus every issue found."""

    model_config = ConfigDict(frozen=True)

    info: GraphInfo = Field(description="Shapes, parameters and FLOPs (None where unknown).")
    issues: list[GraphIssue] = Field(description="Errors and warnings, each with a code.")

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def errors(self) -> list[GraphIssue]:
        """Issues of severity error."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[GraphIssue]:
        """Issues of severity warning."""
        return [i for i in self.issues if i.severity == "warning"]

    def codes(self) -> list[str]:
        """The codes of all issues, in order."""
        return [i.code for i in self.issues]

    def raise_for_errors(self) -> None:
        """Raise the first error as a `KozakError`, with every error in `details["issues"]`.

        Raises:
            ShapeError: If the first error is a shape problem.
            InvalidConfig: For any other error.
        """
        errors = self.errors
        if errors:
            exc = errors[0].to_error()
            if len(errors) > 1:
                exc.details["issues"] = [e.model_dump() for e in errors]
            raise exc


def validate_graph(spec: GraphSpec, features: Mapping[str, FeatureInfo] | None = None) -> GraphReport:
    """Check a graph for everything that would stop it training or make it train badly.

    Args:
        spec: The graph.
        features: Dataset features by name; without them, feature bindings are checked only for
            presence.

    Returns:
        The report; `report.ok` is False when any error was found.
    """
    info, issues = analyze(spec, features)
    issues = list(issues)
    issues += _structure_issues(spec)
    issues += _input_issues(spec, features)
    issues += _target_issues(spec, info, features)
    # an unbound Input without a shape is reported once, as missing its feature
    unbound = {i.node for i in issues if i.code == "input.no_feature"}
    issues = [i for i in issues if not (i.code == "shape.unknown_input" and i.node in unbound)]
    return GraphReport(info=info, issues=issues)


def _structure_issues(spec: GraphSpec) -> list[GraphIssue]:
    issues: list[GraphIssue] = []
    if not spec.input_nodes():
        issues.append(
            GraphIssue(
                code="graph.no_input",
                severity="error",
                message="the graph has no Input block: add one and bind it to a feature",
            )
        )
    if not spec.target_nodes():
        issues.append(
            GraphIssue(
                code="graph.no_target",
                severity="error",
                message="the graph has no Target block: add one after the last "
                "block and bind it to the feature to predict",
            )
        )
    preds, succ = spec.predecessors(), spec.successors()
    for node in spec.nodes:
        name = f"{BLOCKS.get(node.type).display_name} {node.id!r}"
        if node.type == "input" and preds[node.id]:
            issues.append(
                GraphIssue(
                    code="graph.input_has_inputs",
                    severity="error",
                    node=node.id,
                    message=f"{name} receives edges from {', '.join(preds[node.id])}: an Input takes "
                    "its data from a feature; remove those edges",
                )
            )
        if node.type == "target" and succ[node.id]:
            issues.append(
                GraphIssue(
                    code="graph.target_has_outputs",
                    severity="error",
                    node=node.id,
                    message=f"{name} feeds {', '.join(succ[node.id])}: a Target ends the graph; "
                    "connect the block before it instead",
                )
            )
        if not preds[node.id] and not succ[node.id] and len(spec.nodes) > 1:
            issues.append(
                GraphIssue(
                    code="graph.unconnected",
                    severity="error",
                    node=node.id,
                    message=f"{name} is not connected to anything: connect it or delete it",
                )
            )
    # blocks whose output never reaches a target do not affect training
    reaches: set[str] = set()
    stack = [t.id for t in spec.target_nodes()]
    while stack:
        nid = stack.pop()
        if nid not in reaches:
            reaches.add(nid)
            stack.extend(preds[nid])
    connected = {e.src for e in spec.edges} | {e.dst for e in spec.edges}
    for node in spec.nodes:
        if node.id not in reaches and node.id in connected and spec.target_nodes():
            issues.append(
                GraphIssue(
                    code="graph.unused",
                    severity="warning",
                    node=node.id,
                    message=f"{BLOCKS.get(node.type).display_name} {node.id!r} does not lead to any "
                    "Target, so it does not affect the model: connect it onward or delete it",
                )
            )
    return issues


def _input_issues(spec: GraphSpec, features: Mapping[str, FeatureInfo] | None) -> list[GraphIssue]:
    issues: list[GraphIssue] = []
    targets = {p.feature for t in spec.target_nodes() if isinstance(p := t.parsed_params, TargetParams)}
    for node in spec.input_nodes():
        params = node.parsed_params
        if not isinstance(params, InputParams):
            continue
        if params.feature is None:
            issues.append(
                GraphIssue(
                    code="input.no_feature",
                    severity="error",
                    node=node.id,
                    message=f"Input {node.id!r} has no feature: choose the dataset feature that "
                    "feeds it",
                )
            )
        elif params.feature in targets:
            issues.append(
                GraphIssue(
                    code="input.is_target",
                    severity="warning",
                    node=node.id,
                    message=f"Input {node.id!r} reads {params.feature!r}, which is also a target: the "
                    "model can copy the answer; use another feature",
                    details={"feature": params.feature},
                )
            )
    return issues


def _final_activation(spec: GraphSpec, node: Node) -> tuple[str, str] | None:
    """(activation, node id) of the last block with an activation before `node`, if clear."""
    preds = spec.predecessors()
    current = preds[node.id]
    seen: set[str] = set()
    while len(current) == 1 and current[0] not in seen:
        nid = current[0]
        seen.add(nid)
        prev = spec.node(nid)
        block = BLOCKS.get(prev.type)
        act = block.final_activation(prev.parsed_params)
        if act is not None:
            return act, nid
        if not block.transparent:
            return None
        current = preds[nid]
    return None


def _target_issues(
    spec: GraphSpec, info: GraphInfo, features: Mapping[str, FeatureInfo] | None
) -> list[GraphIssue]:
    issues: list[GraphIssue] = []
    seen: dict[str, str] = {}
    for node in spec.target_nodes():
        params = node.parsed_params
        if not isinstance(params, TargetParams):
            continue
        loss = get_loss(params.loss)
        if params.feature is None:
            issues.append(
                GraphIssue(
                    code="target.no_feature",
                    severity="error",
                    node=node.id,
                    message=f"Target {node.id!r} has no feature: choose the dataset feature to predict",
                )
            )
        else:
            if params.feature in seen:
                issues.append(
                    GraphIssue(
                        code="target.duplicate_feature",
                        severity="error",
                        node=node.id,
                        message=f"Targets {seen[params.feature]!r} and {node.id!r} both predict "
                        f"{params.feature!r}: bind each Target to a different feature",
                        details={"feature": params.feature},
                    )
                )
            seen[params.feature] = node.id
            feature = features.get(params.feature) if features is not None else None
            if features is not None and feature is None:
                issues.append(
                    GraphIssue(
                        code="target.unknown_feature",
                        severity="error",
                        node=node.id,
                        message=f"Target {node.id!r}: the dataset has no feature "
                        f"{params.feature!r}; choose one of: {', '.join(sorted(features))}",
                        details={"feature": params.feature, "valid": sorted(features)},
                    )
                )
            if feature is not None:
                issues += _feature_fit(node.id, params, feature, info)
        act = _final_activation(spec, node)
        if act is not None:
            activation, act_node = act
            if not loss.fits_activation(activation):
                issues.append(
                    GraphIssue(
                        code="target.activation_mismatch",
                        severity="warning",
                        node=node.id,
                        message=f"Target {node.id!r} uses {loss.display_name} but the last "
                        f"activation ({act_node!r}) is {activation}: {loss.activation_advice}",
                        details={
                            "loss": loss.name,
                            "activation": activation,
                            "activation_node": act_node,
                        },
                    )
                )
            elif loss.name in REGRESSION_LOSSES and activation in BOUNDED:
                issues.append(
                    GraphIssue(
                        code="target.activation_range",
                        severity="warning",
                        node=node.id,
                        message=f"Target {node.id!r} is a regression but the last activation "
                        f"({act_node!r}) is {activation}, which limits the predictions' range: use "
                        "linear unless the values are known to lie in that range",
                        details={
                            "loss": loss.name,
                            "activation": activation,
                            "activation_node": act_node,
                        },
                    )
                )
    return issues


def _feature_fit(
    node_id: str, params: TargetParams, feature: FeatureInfo, info: GraphInfo
) -> list[GraphIssue]:
    issues: list[GraphIssue] = []
    loss = get_loss(params.loss)
    if not loss.fits_feature(feature.type):
        fitting = [name for name in LOSSES.names() if get_loss(name).fits_feature(feature.type)]
        issues.append(
            GraphIssue(
                code="target.loss_feature_mismatch",
                severity="error",
                node=node_id,
                message=f"Target {node_id!r}: {loss.display_name} does not fit the {feature.type} "
                f"feature {feature.name!r}; use one of: {', '.join(fitting) or '(none)'}",
                details={"loss": loss.name, "feature_type": feature.type, "valid": fitting},
            )
        )
    predicted = info.node(node_id).output_shape
    if predicted is not None and tuple(predicted) != tuple(feature.shape):
        issues.append(
            GraphIssue(
                code="shape.target_mismatch",
                severity="error",
                node=node_id,
                message=f"Target {node_id!r}: the model predicts {fmt_shape(predicted)} but "
                f"{feature.name!r} is {fmt_shape(feature.shape)}; make the last block output "
                f"{fmt_shape(feature.shape)} (e.g. a Dense block with "
                f"{feature.shape[-1] if feature.shape else 1} nodes)",
                details={
                    "expected": list(feature.shape),
                    "actual": list(predicted),
                    "feature": feature.name,
                },
            )
        )
    return issues
