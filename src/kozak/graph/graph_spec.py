"""The graph spec: a model as data — nodes (id, type, params), edges, inputs and targets.

Input blocks bind dataset features and Target blocks bind features with a loss. A node's params
are validated against its block's params model and stored complete (defaults filled in), so a
spec round-trips through JSON and YAML without loss. A node's inputs are ordered as its incoming
edges appear in `edges`.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from kozak.blocks import BLOCKS, BlockParams, BlockType
from kozak.errors import InvalidConfig

FORMAT_VERSION = 1
NODE_ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$"


class Node(BaseModel):
    """One block in the graph."""

    # a stored spec is complete, so the wire schema marks every field present
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )

    id: str = Field(
        pattern=NODE_ID_PATTERN,
        description="Unique name of the node: a letter or _, then letters, digits, _ or -.",
    )
    type: str = Field(description="Registered block type, e.g. 'conv2d'.")
    params: dict[str, Any] = Field(
        default_factory=dict, description="The block's parameters (see the block's schema)."
    )
    _parsed: BlockParams = PrivateAttr()

    @model_validator(mode="after")
    def _check_params(self) -> Node:
        if self.type not in BLOCKS:
            raise ValueError(
                f"node {self.id!r}: unknown block type {self.type!r}; valid: "
                + ", ".join(BLOCKS.names())
            )
        block = BLOCKS.get(self.type)
        try:
            parsed = block.params_model.model_validate(self.params)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'params'}: {e['msg']}" for e in exc.errors()
            )
            raise ValueError(f"node {self.id!r} ({self.type}): {problems}") from None
        self._parsed = parsed
        # complete, JSON-typed params: the canonical form that round-trips exactly
        self.__dict__["params"] = parsed.model_dump(mode="json")
        return self

    @property
    def block(self) -> BlockType:
        """The block class of this node."""
        return BLOCKS.get(self.type)

    @property
    def parsed_params(self) -> BlockParams:
        """The params as the block's params model."""
        return self._parsed


class Edge(BaseModel):
    """A connection from one node's output to another node's input."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    src: str = Field(description="Id of the node whose output is used.")
    dst: str = Field(description="Id of the node that receives it.")

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        # YAML shorthand: `- [conv1, drop1]`
        if isinstance(data, list | tuple) and len(data) == 2:
            return {"src": data[0], "dst": data[1]}
        return data


class GraphSpec(BaseModel):
    """A model graph: nodes, edges and a name; inputs and targets are its Input/Target nodes."""

    # a stored spec is complete, so the wire schema marks every field present
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )

    format_version: int = Field(FORMAT_VERSION, description="Version of this file format.")
    name: str = Field("", description="Human name of the model.")
    description: str = Field("", description="What the model is and where it comes from.")
    nodes: list[Node] = Field(default_factory=list, description="The blocks.")
    edges: list[Edge] = Field(default_factory=list, description="Connections between blocks.")

    @model_validator(mode="after")
    def _check_structure(self) -> GraphSpec:
        if self.format_version != FORMAT_VERSION:
            raise ValueError(
                f"graph format_version {self.format_version} is not supported "
                f"(this version reads {FORMAT_VERSION})"
            )
        seen: set[str] = set()
        for node in self.nodes:
            if node.id in seen:
                raise ValueError(f"duplicate node id {node.id!r}")
            seen.add(node.id)
        pairs: set[tuple[str, str]] = set()
        for edge in self.edges:
            for end in (edge.src, edge.dst):
                if end not in seen:
                    raise ValueError(f"edge {edge.src} -> {edge.dst} names unknown node {end!r}")
            if (edge.src, edge.dst) in pairs:
                raise ValueError(f"duplicate edge {edge.src} -> {edge.dst}")
            pairs.add((edge.src, edge.dst))
        return self

    # ---- queries ---------------------------------------------------------------------------

    def node(self, node_id: str) -> Node:
        """The node with this id.

        Raises:
            InvalidConfig: If there is none.
        """
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise InvalidConfig(f"graph has no node {node_id!r}", node=node_id)

    def input_nodes(self) -> list[Node]:
        """The Input nodes, in spec order."""
        return [n for n in self.nodes if n.type == "input"]

    def target_nodes(self) -> list[Node]:
        """The Target nodes, in spec order."""
        return [n for n in self.nodes if n.type == "target"]

    def predecessors(self) -> dict[str, list[str]]:
        """For every node id, the ids feeding it, in edge order."""
        preds: dict[str, list[str]] = {n.id: [] for n in self.nodes}
        for edge in self.edges:
            preds[edge.dst].append(edge.src)
        return preds

    def successors(self) -> dict[str, list[str]]:
        """For every node id, the ids it feeds, in edge order."""
        succ: dict[str, list[str]] = {n.id: [] for n in self.nodes}
        for edge in self.edges:
            succ[edge.src].append(edge.dst)
        return succ

    # ---- serialisation ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-compatible data."""
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        """YAML text that `from_yaml` reads back to an equal spec."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, default_flow_style=None)

    @classmethod
    def from_data(cls, data: Any) -> GraphSpec:
        """Validate parsed JSON/YAML data.

        Raises:
            InvalidConfig: With each problem in `details["errors"]`.
        """
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            errors = [{"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"]} for e in exc.errors()]
            first = errors[0]
            where = f"{first['loc']}: " if first["loc"] else ""
            raise InvalidConfig(f"invalid graph: {where}{first['msg']}", errors=errors) from None

    @classmethod
    def from_yaml(cls, text: str) -> GraphSpec:
        """Parse YAML (or JSON, which is YAML) text.

        Raises:
            InvalidConfig: If the text is not valid YAML or not a valid graph.
        """
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InvalidConfig(f"graph file is not valid YAML: {exc}") from None
        return cls.from_data(data)

    @classmethod
    def from_json(cls, text: str) -> GraphSpec:
        """Parse JSON text (as written by `model_dump_json`)."""
        return cls.from_yaml(text)

    @classmethod
    def load(cls, path: str | Path) -> GraphSpec:
        """Read a `.yaml`, `.yml` or `.json` graph file.

        Raises:
            InvalidConfig: If the file is missing, unreadable or not a valid graph.
        """
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidConfig(f"cannot read graph file {p}: {exc.strerror}", path=str(p)) from None
        return cls.from_yaml(text)

    def save(self, path: str | Path) -> None:
        """Write the spec as JSON (`.json`) or YAML (anything else)."""
        p = Path(path)
        text = self.model_dump_json(indent=2) if p.suffix == ".json" else self.to_yaml()
        p.write_text(text, encoding="utf-8")


def chain(*nodes: tuple[str, str, dict[str, Any]], name: str = "", description: str = "") -> GraphSpec:
    """A linear graph: each `(id, type, params)` feeds the next.

    Args:
        *nodes: The blocks in order, from an Input to a Target.
        name: The graph's name.
        description: The graph's description.

    Returns:
        The spec with edges between consecutive nodes.
    """
    built = [{"id": i, "type": t, "params": p} for i, t, p in nodes]
    edges = [[a[0], b[0]] for a, b in itertools.pairwise(nodes)]
    return GraphSpec.from_data(
        {"name": name, "description": description, "nodes": built, "edges": edges}
    )
