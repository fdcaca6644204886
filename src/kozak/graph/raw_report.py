"""Checking a graph as an editor sends it: every problem becomes an issue, nothing raises.

`check_graph_data(data, features)` is `validate_graph` for raw JSON: a node whose type or params
are invalid is reported as a `node.invalid` issue naming it and left out (with its edges) while
the rest of the graph is still inferred, so the Modeling view keeps showing every other shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from kozak.graph.feature_shapes import FeatureInfo
from kozak.graph.graph_spec import Edge, GraphSpec, Node
from kozak.graph.shapes import GraphInfo, GraphIssue
from kozak.graph.validate import GraphReport, validate_graph

# Structural complaints that only echo a left-out node (its neighbours lost an edge).
_ECHOES = {
    "graph.missing_input",
    "graph.unconnected",
    "graph.unused",
    "graph.no_input",
    "graph.no_target",
}


def _message(error: Mapping[str, Any]) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _invalid(code: str, message: str, node: str | None = None, **details: Any) -> GraphIssue:
    return GraphIssue(code=code, severity="error", node=node, message=message, details=details)


def _clean_nodes(raw: Any) -> tuple[list[Node], set[str], list[GraphIssue]]:
    """The valid nodes, the ids of the left-out ones and an issue for each left out."""
    if not isinstance(raw, list):
        return [], set(), [_invalid("graph.invalid", "nodes: must be a list of blocks")]
    nodes: list[Node] = []
    dropped: set[str] = set()
    issues: list[GraphIssue] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        node_id = item.get("id") if isinstance(item, dict) else None
        label = node_id if isinstance(node_id, str) and node_id else f"#{i + 1}"
        try:
            node = Node.model_validate(item)
        except ValidationError as exc:
            dropped.add(label)
            problems = "; ".join(
                (f"{'.'.join(str(p) for p in e['loc'])}: " if e["loc"] else "") + _message(e)
                for e in exc.errors()
            )
            issues.append(
                _invalid(
                    "node.invalid",
                    problems if problems.startswith("node ") else f"node {label!r}: {problems}",
                    node=label,
                    index=i,
                )
            )
            continue
        if node.id in seen:
            issues.append(
                _invalid(
                    "graph.duplicate_node",
                    f"two blocks are called {node.id!r}: rename one",
                    node=node.id,
                    index=i,
                )
            )
            continue
        seen.add(node.id)
        nodes.append(node)
    return nodes, dropped, issues


def _clean_edges(raw: Any, known: set[str], dropped: set[str]) -> tuple[list[Edge], list[GraphIssue]]:
    if not isinstance(raw, list):
        return [], [_invalid("graph.invalid", "edges: must be a list of connections")]
    edges: list[Edge] = []
    issues: list[GraphIssue] = []
    pairs: set[tuple[str, str]] = set()
    for i, item in enumerate(raw):
        try:
            edge = Edge.model_validate(item)
        except ValidationError as exc:
            problems = "; ".join(_message(e) for e in exc.errors())
            issues.append(_invalid("graph.invalid", f"edge #{i + 1}: {problems}", index=i))
            continue
        if edge.src in dropped or edge.dst in dropped:
            continue  # the left-out node was reported already
        unknown = [end for end in (edge.src, edge.dst) if end not in known]
        if unknown:
            issues.append(
                _invalid(
                    "graph.unknown_node",
                    f"edge {edge.src} -> {edge.dst} names unknown node {unknown[0]!r}",
                    node=edge.src if edge.src in known else None,
                    index=i,
                )
            )
            continue
        if (edge.src, edge.dst) in pairs:
            continue  # a repeated connection means the same thing once
        pairs.add((edge.src, edge.dst))
        edges.append(edge)
    return edges, issues


def check_graph_data(
    data: Mapping[str, Any], features: Mapping[str, FeatureInfo] | None = None
) -> GraphReport:
    """Validate a graph given as JSON data, reporting invalid parts as issues.

    Args:
        data: A graph spec as parsed JSON (`{"nodes": [...], "edges": [...], ...}`).
        features: Dataset features by name (bindings are checked against them when given).

    Returns:
        The report: inferred shapes, parameters and FLOPs of every valid node, and every issue;
        a node left out for invalid params appears as an issue only.
    """
    try:
        return validate_graph(GraphSpec.model_validate(data), features)
    except ValidationError:
        pass
    nodes, dropped, issues = _clean_nodes(data.get("nodes", []))
    edges, edge_issues = _clean_edges(data.get("edges", []), {n.id for n in nodes}, dropped)
    issues += edge_issues
    header = {k: v for k, v in data.items() if k not in ("nodes", "edges")}
    try:
        spec = GraphSpec.model_validate({**header, "nodes": nodes, "edges": edges})
    except ValidationError as exc:
        issues += [
            _invalid("graph.invalid", f"{'.'.join(str(p) for p in e['loc']) or 'graph'}: {_message(e)}")
            for e in exc.errors()
        ]
        return GraphReport(info=GraphInfo(nodes=[], total_params=0, total_flops=0), issues=issues)
    report = validate_graph(spec, features)
    raw_edges = data.get("edges", [])
    neighbours = {
        end
        for ends in map(_ends, raw_edges if isinstance(raw_edges, list) else [])
        if set(ends) & dropped
        for end in ends
    }
    kept = [i for i in report.issues if not (dropped and _echoes_dropped(i, neighbours))]
    return GraphReport(info=report.info, issues=issues + kept)


def _echoes_dropped(issue: GraphIssue, neighbours: set[str]) -> bool:
    """Whether an issue only follows from leaving a node out (a lost edge, an unreached target)."""
    if issue.code == "graph.unused" or (issue.code in _ECHOES and issue.node is None):
        return True
    return issue.code in _ECHOES and issue.node in neighbours


def _ends(raw: Any) -> tuple[str, ...]:
    """Both ends of a raw edge, however it was written (`{src, dst}` or `[src, dst]`)."""
    try:
        edge = Edge.model_validate(raw)
    except ValidationError:
        return ()
    return edge.src, edge.dst
