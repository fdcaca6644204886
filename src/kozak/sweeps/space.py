"""Search spaces: named dimensions over graph parameters, repeated blocks and run settings.

A dimension is categorical (`values`, where null means "without it"), int or float (`low`,
`high`, optional `step`, `log`). It changes its `targets` — `node.param` (a block parameter; a
null value removes the node from its chain instead), or `settings.a.b` (a run setting) — and,
with `repeat`, the number of copies of a chain of nodes: "number of conv layers" is a
dimension that adds or removes blocks. Copies of a repeated chain get the targets of their
originals. `SearchSpace.apply(graph, settings, values)` returns the trial's graph and settings
as plain data; `SearchSpace.check(graph, settings)` refuses, before any trial, a space that
names an unknown node, parameter or setting, or a chain that cannot be repeated.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kozak.errors import InvalidConfig
from kozak.graph.graph_spec import GraphSpec, Node
from kozak.training import RunSettings

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
SETTINGS_PREFIX = "settings."
MAX_TEXT = 4096  # characters in any string of a search space
NONE_WORDS = ("none", "None")  # YAML authors write `none` for "without it", as the paper did


class Repeat(BaseModel):
    """A chain of nodes whose number of copies a dimension sets."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=MAX_TEXT)

    nodes: list[str] = Field(
        min_length=1, description="Node ids of the chain, in order (each feeds the next)."
    )
    besides: int = Field(
        0,
        ge=0,
        description="Layers the value counts outside the chain: copies = value - besides "
        "(conv_layers 2..4 with the first conv outside the chain: besides 1).",
    )


class Dimension(BaseModel):
    """One searched quantity and what it changes."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=MAX_TEXT)

    name: str = Field(pattern=NAME_PATTERN, description="Name of the dimension, e.g. conv_width.")
    type: Literal["categorical", "int", "float"] = Field(
        "categorical", description="categorical (values), int or float (low, high)."
    )
    values: list[Any] | None = Field(
        None, description="The choices of a categorical dimension; null (or 'none') means without."
    )
    low: float | None = Field(None, description="Lowest value (int, float).")
    high: float | None = Field(None, description="Highest value (int, float).")
    step: float | None = Field(None, gt=0, description="Spacing of the values (int, float).")
    log: bool = Field(False, description="Sample on a log scale (int, float).")
    targets: list[str] = Field(
        [],
        description="What the value sets: 'node.param' or 'settings.path' (e.g. settings.optimizer.lr).",
    )
    repeat: Repeat | None = Field(None, description="A chain of nodes the value counts copies of.")

    @model_validator(mode="after")
    def _check_kind(self) -> Dimension:
        if self.type == "categorical":
            if not self.values:
                raise ValueError(f"dimension {self.name!r}: a categorical dimension needs values")
            values = [None if v in NONE_WORDS else v for v in self.values]
            self.__dict__["values"] = values
        else:
            if self.low is None or self.high is None:
                raise ValueError(f"dimension {self.name!r}: an {self.type} dimension needs low and high")
            if self.low > self.high:
                raise ValueError(f"dimension {self.name!r}: low {self.low} is above high {self.high}")
            if self.log and self.low <= 0:
                raise ValueError(f"dimension {self.name!r}: a log-scaled range must be above 0")
            if self.log and self.step is not None:
                raise ValueError(f"dimension {self.name!r}: log and step cannot be combined")
        if not self.targets and self.repeat is None:
            raise ValueError(f"dimension {self.name!r}: give targets, repeat or both")
        if self.repeat is not None and not all(isinstance(v, int) for v in self.choices_or_range()):
            raise ValueError(f"dimension {self.name!r}: a repeat count must be an integer")
        return self

    def choices_or_range(self) -> list[Any]:
        """The categorical values, or the ends of the range."""
        if self.type == "categorical":
            return list(self.values or [])
        assert self.low is not None and self.high is not None
        if self.type == "int":
            return [int(self.low), int(self.high)]
        return [self.low, self.high]

    def grid(self) -> list[Any]:
        """Every value, for the grid sampler: the choices, or an int range (step 1 by default).

        Raises:
            InvalidConfig: For a float dimension without a step.
        """
        if self.type == "categorical":
            return list(self.values or [])
        assert self.low is not None and self.high is not None
        if self.type == "float" and self.step is None:
            raise InvalidConfig(
                f"the grid sampler needs a step for float dimension {self.name!r}",
                field=f"space.{self.name}.step",
            )
        step = self.step or 1
        count = round((self.high - self.low) / step) + 1
        values = [self.low + i * step for i in range(count)]
        return [int(v) for v in values] if self.type == "int" else values


class SearchSpace(BaseModel):
    """The dimensions of a search."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=MAX_TEXT)

    dimensions: list[Dimension] = Field(min_length=1, description="The searched dimensions.")

    @model_validator(mode="after")
    def _unique(self) -> SearchSpace:
        names = [d.name for d in self.dimensions]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"dimension names must be unique: {', '.join(duplicates)} repeated")
        return self

    def size(self) -> int | None:
        """How many combinations there are (None when a dimension is continuous)."""
        total = 1
        for dim in self.dimensions:
            if dim.type == "float" and dim.step is None:
                return None
            total *= len(dim.grid())
        return total

    def check(self, graph: GraphSpec, settings: RunSettings) -> None:
        """Refuse a space that cannot apply to this graph and these settings.

        Every target must name a node and one of its block's parameters, or an existing run
        setting; a repeated chain must be a chain (each node feeding the next, one input each).

        Raises:
            InvalidConfig: Naming the dimension (`field`) and what was expected.
        """
        nodes = {n.id: n for n in graph.nodes}
        for dim in self.dimensions:
            field = f"space.{dim.name}"
            for target in dim.targets:
                if target.startswith(SETTINGS_PREFIX):
                    _setting_path(settings.model_dump(mode="json"), target, field)
                    continue
                node_id, _, param = target.partition(".")
                if node_id not in nodes:
                    raise InvalidConfig(
                        f"dimension {dim.name!r} targets node {node_id!r}, which the graph does "
                        f"not have; nodes: {', '.join(nodes)}",
                        field=field,
                    )
                known = nodes[node_id].block.params_model.model_fields
                if param not in known:
                    raise InvalidConfig(
                        f"dimension {dim.name!r} targets {param!r} of node {node_id!r} "
                        f"({nodes[node_id].type}), which has: {', '.join(known) or 'no parameters'}",
                        field=field,
                    )
                _check_values(dim, nodes[node_id], param, field)
            if dim.repeat is not None:
                _chain_ends(graph, dim.repeat.nodes, field)
                low = min(dim.choices_or_range())
                if low - dim.repeat.besides < 0:
                    raise InvalidConfig(
                        f"dimension {dim.name!r}: value {low} minus besides "
                        f"{dim.repeat.besides} is fewer than 0 copies",
                        field=field,
                    )

    def apply(
        self, graph: GraphSpec, settings: RunSettings, values: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The graph and run settings (plain data) of one point of the space.

        Repeats are applied first (copies inherit their originals' targets), then values are
        set, then nodes whose target got null are removed from their chain.
        """
        data = graph.model_dump(mode="json")
        run = settings.model_dump(mode="json")
        copies: dict[str, list[str]] = {}
        for dim in self.dimensions:
            if dim.repeat is not None:
                count = int(values[dim.name]) - dim.repeat.besides
                for original, made in _repeat_chain(data, dim.repeat.nodes, count).items():
                    copies.setdefault(original, []).extend(made)
        removed: list[str] = []
        for dim in self.dimensions:
            value = values[dim.name]
            for target in dim.targets:
                if target.startswith(SETTINGS_PREFIX):
                    _set_setting(run, target, value)
                    continue
                node_id, _, param = target.partition(".")
                for node in [node_id, *copies.get(node_id, [])]:
                    found = next((n for n in data["nodes"] if n["id"] == node), None)
                    if found is None:  # a chain repeated zero times
                        continue
                    if value is None:
                        removed.append(node)
                    else:
                        found["params"][param] = value
        for node in dict.fromkeys(removed):
            _bypass(data, node)
        return data, run


def _check_values(dim: Dimension, node: Node, param: str, field: str) -> None:
    """Refuse a value the block's parameter cannot take (a range is checked at its ends)."""
    for value in dim.choices_or_range():
        if value is None:
            continue
        try:
            node.block.params_model.model_validate({**node.params, param: value})
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"]
            raise InvalidConfig(
                f"dimension {dim.name!r}: {value!r} is not a valid {param!r} of node "
                f"{node.id!r} ({node.type}): {reason}",
                field=field,
            ) from None


def _setting_path(run: dict[str, Any], target: str, field: str) -> None:
    here: Any = run
    parts = target[len(SETTINGS_PREFIX) :].split(".")
    for i, part in enumerate(parts):
        if not isinstance(here, dict) or part not in here:
            where = ".".join(parts[:i]) or "the run settings"
            choices = ", ".join(here) if isinstance(here, dict) else "nothing below it"
            raise InvalidConfig(f"{target!r} is not a run setting: {where} has {choices}", field=field)
        here = here[part]


def _set_setting(run: dict[str, Any], target: str, value: Any) -> None:
    *parents, last = target[len(SETTINGS_PREFIX) :].split(".")
    here = run
    for part in parents:
        here = here[part]
    here[last] = value


def _chain_ends(
    graph: GraphSpec | dict[str, Any], chain: list[str], field: str
) -> tuple[str, list[str]]:
    """The node feeding the chain and the nodes it feeds; InvalidConfig unless it is a chain."""
    data = graph.model_dump(mode="json") if isinstance(graph, GraphSpec) else graph
    ids = {n["id"] for n in data["nodes"]}
    edges = [(e["src"], e["dst"]) for e in data["edges"]]
    for node in chain:
        if node not in ids:
            raise InvalidConfig(
                f"repeated node {node!r} is not in the graph; nodes: {', '.join(sorted(ids))}",
                field=field,
            )
    for node in chain:
        feeding = [s for s, d in edges if d == node]
        if len(feeding) != 1:
            raise InvalidConfig(
                f"repeated node {node!r} must have exactly one input, has {len(feeding)}",
                field=field,
            )
    for a, b in itertools.pairwise(chain):
        if (a, b) not in edges or [d for s, d in edges if s == a] != [b]:
            raise InvalidConfig(
                f"repeated nodes must form a chain: {a!r} must feed only {b!r}", field=field
            )
    source = next(s for s, d in edges if d == chain[0])
    sinks = [d for s, d in edges if s == chain[-1]]
    return source, sinks


def _repeat_chain(data: dict[str, Any], chain: list[str], count: int) -> dict[str, list[str]]:
    """Make the chain appear `count` times in a row (0 removes it); the copies by original id."""
    _chain_ends(data, chain, "repeat")
    made: dict[str, list[str]] = {node: [] for node in chain}
    if count == 0:
        for node in reversed(chain):
            _bypass(data, node)
        return made
    taken = {n["id"] for n in data["nodes"]}
    originals = {n["id"]: n for n in data["nodes"]}
    # what the chain fed keeps its place among its receivers' inputs: those edges are moved
    leaving = [e for e in data["edges"] if e["src"] == chain[-1]]
    insert_at = max(i for i, n in enumerate(data["nodes"]) if n["id"] in chain) + 1
    new_nodes: list[dict[str, Any]] = []
    last = chain[-1]
    for copy_number in range(2, count + 1):
        for node in chain:
            new_id = _free_id(f"{node}_{copy_number}", taken)
            taken.add(new_id)
            new_nodes.append({**copy.deepcopy(originals[node]), "id": new_id})
            made[node].append(new_id)
            data["edges"].append({"src": last, "dst": new_id})
            last = new_id
    for edge in leaving:
        edge["src"] = last
    data["nodes"][insert_at:insert_at] = new_nodes
    return made


def _free_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def _bypass(data: dict[str, Any], node: str) -> None:
    """Remove a one-input node, connecting its input to what it fed."""
    feeding = [e["src"] for e in data["edges"] if e["dst"] == node]
    if len(feeding) != 1:
        raise InvalidConfig(
            f"node {node!r} can be left out only when it has one input; it has {len(feeding)}",
            node=node,
        )
    # what `node` fed keeps its place among the inputs of each receiver
    data["edges"] = [
        {"src": feeding[0], "dst": e["dst"]} if e["src"] == node else e
        for e in data["edges"]
        if e["dst"] != node
    ]
    data["nodes"] = [n for n in data["nodes"] if n["id"] != node]
