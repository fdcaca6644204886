"""Setting up an experiment before it runs: the wizard's choices, checks, and edits while created.

`create_from_wizard` does what the New-experiment wizard does (dataset, version, training and
validation subsets, a preset bound to the version's features or a blank graph);
`create_from_choices` takes a graph or preset and partial run settings; `check_setup` checks a
graph and settings against a version without writing anything; `edit_experiment` changes the name
any time and the graph and settings only while the experiment has not run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kozak.errors import AlreadyExists, Conflict, InvalidConfig, NotFound
from kozak.experiments.lifecycle import create_experiment, parameter_count, version_of
from kozak.graph.feature_shapes import FeatureInfo, feature_infos
from kozak.graph.graph_spec import GraphSpec
from kozak.graph.presets import PRESETS
from kozak.graph.raw_report import check_graph_data
from kozak.graph.shapes import GraphInfo, GraphIssue
from kozak.graph.validate import GraphReport
from kozak.store.entities import DatasetVersion, Experiment, Project
from kozak.training import RunSettings
from kozak.workspace import Workspace

# The loss a blank graph's Target starts with, by the target feature's type.
DEFAULT_LOSS = {"categorical": "categorical_crossentropy", "multilabel": "binary_crossentropy"}


class _Choices(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WizardChoices(_Choices):
    """What the New-experiment wizard asks: data, subsets, and a preset or a blank graph."""

    name: str = Field(
        min_length=1, max_length=200, description="Experiment name, unique in the project."
    )
    dataset: str = Field(description="Dataset id or name.")
    version: str | None = Field(None, description="Version id or name; default the newest.")
    training_subset: str = Field("training", description="Subset the model learns from.")
    validation_subset: str | None = Field(
        "validation",
        description="Subset evaluated after each epoch; none to skip validation. Left out: the "
        "subset the version marks as validation (named `validation`, else one whose name says "
        "so, e.g. `Validation 5%`).",
    )
    preset: str | None = Field(None, description="Preset to start from; none for a blank graph.")
    inputs: list[str] = Field(
        [],
        description="Features feeding the Input blocks, in order; default the version's "
        "sequence features (a preset's own feature names are kept where the version has them).",
    )
    target: str | None = Field(
        None,
        description="Feature to predict (bound to the Target block); needed unless the "
        "preset's target feature is in the version.",
    )
    settings: dict[str, Any] = Field(
        {}, description="Run settings to change from the defaults (the subsets above win)."
    )


class ExperimentChoices(_Choices):
    """An experiment as a program describes it: a version, a graph or preset, run settings."""

    name: str = Field(
        min_length=1, max_length=200, description="Experiment name, unique in the project."
    )
    dataset_version_id: str | None = Field(None, description="Dataset version id.")
    dataset: str | None = Field(None, description="Dataset id or name (instead of a version id).")
    version: str | None = Field(None, description="Version id or name of `dataset`; default newest.")
    graph: dict[str, Any] | None = Field(None, description="The graph spec (see GraphSpec).")
    preset: str | None = Field(None, description="A preset, bound to the version's features.")
    inputs: list[str] = Field([], description="Features for a preset's Input blocks, in order.")
    target: str | None = Field(None, description="Feature for a preset's Target block.")
    settings: dict[str, Any] = Field({}, description="Run settings to change from the defaults.")

    @model_validator(mode="after")
    def _one_of_each(self) -> ExperimentChoices:
        if (self.dataset_version_id is None) == (self.dataset is None):
            raise ValueError("give either dataset_version_id or dataset (with an optional version)")
        if self.version is not None and self.dataset is None:
            raise ValueError("version needs dataset")
        if (self.graph is None) == (self.preset is None):
            raise ValueError("give either graph or preset")
        return self


class SetupReport(BaseModel):
    """A graph and run settings checked against a dataset version."""

    model_config = ConfigDict(frozen=True)

    info: GraphInfo = Field(description="Shapes, parameters and FLOPs of the graph.")
    issues: list[GraphIssue] = Field(description="Graph and settings problems, errors first.")
    settings: RunSettings | None = Field(description="The complete run settings; None when invalid.")

    @property
    def ok(self) -> bool:
        """True when nothing stops the experiment from running (warnings allowed)."""
        return not any(i.severity == "error" for i in self.issues)


# ---- data --------------------------------------------------------------------------------


def version_in_project(workspace: Workspace, project: Project, version_id: str) -> DatasetVersion:
    """A dataset version by id, if it belongs to one of the project's datasets.

    Raises:
        NotFound: If there is no such version in the project.
    """
    try:
        version = workspace.metadata.get_dataset_version_by_id(version_id)
        workspace.metadata.get_dataset(project.id, version.dataset_id)
    except NotFound:
        raise NotFound(
            f"no dataset version {version_id!r} in project {project.name!r}", version=version_id
        ) from None
    return version


def resolve_version(
    workspace: Workspace,
    project: Project,
    *,
    version_id: str | None = None,
    dataset: str | None = None,
    version: str | None = None,
) -> DatasetVersion:
    """The version named by id, or by dataset (id or name) and version (id or name, or newest).

    Raises:
        NotFound: If the dataset or version is not in the project, or the dataset has no version.
        InvalidConfig: If neither a version id nor a dataset is given.
    """
    if version_id is not None:
        return version_in_project(workspace, project, version_id)
    if dataset is None:
        raise InvalidConfig("name a dataset version: give dataset_version_id or dataset")
    found = workspace.metadata.get_dataset(project.id, dataset)
    if version is not None:
        return workspace.metadata.get_dataset_version(found.id, version)
    versions = workspace.metadata.list_dataset_versions(found.id)
    if not versions:
        raise NotFound(f"dataset {found.name!r} has no versions yet", dataset=found.name)
    return versions[-1]


def _subset_issues(version: DatasetVersion, settings: RunSettings) -> list[GraphIssue]:
    issues = []
    known = sorted(version.subset_counts)
    for field, subset in (
        ("training_subset", settings.training_subset),
        ("validation_subset", settings.validation_subset),
    ):
        if subset is None:
            continue
        if subset not in version.subset_counts:
            message = f"{field}: the dataset version has no subset {subset!r}; subsets: " + (
                ", ".join(known) or "(none)"
            )
        elif version.subset_counts[subset] == 0:
            message = f"{field}: subset {subset!r} has no rows"
        else:
            continue
        issues.append(
            GraphIssue(
                code="settings.unknown_subset",
                severity="error",
                message=message,
                details={"field": field, "subset": subset, "valid": known},
            )
        )
    return issues


_VALIDATION_NAME = re.compile(r"\bval(id|idation)?\b", re.IGNORECASE)


def validation_subset_of(version: DatasetVersion) -> str | None:
    """The subset a version marks as validation: `validation`, else the first whose name says so
    ("Validation 5%", "val"); None when no subset does."""
    names = list(version.subset_counts)
    if "validation" in names:
        return "validation"
    return next((name for name in names if _VALIDATION_NAME.search(name)), None)


def run_settings_for(version: DatasetVersion, data: Mapping[str, Any]) -> RunSettings:
    """Complete run settings from a partial mapping, checked against the version's subsets.

    A mapping without `validation_subset` validates on the subset the version marks as
    validation (`validation_subset_of`), or on none when it has no such subset.

    Raises:
        InvalidConfig: If a setting is invalid or a subset is not in the version.
    """
    if "validation_subset" not in data:
        data = {**data, "validation_subset": validation_subset_of(version)}
    settings = RunSettings.from_data(dict(data))
    issues = _subset_issues(version, settings)
    if issues:
        raise InvalidConfig(issues[0].message, **issues[0].details)
    return settings


# ---- graphs ------------------------------------------------------------------------------


def _sequence_features(features: Mapping[str, FeatureInfo]) -> list[str]:
    return [name for name, info in features.items() if info.type == "sequence"]


def _require_features(names: Sequence[str], features: Mapping[str, FeatureInfo], what: str) -> None:
    for name in names:
        if name not in features:
            raise InvalidConfig(
                f"{what}: the dataset version has no feature {name!r}; features: " + ", ".join(features),
                feature=name,
            )


def bind_preset(
    name: str,
    features: Mapping[str, FeatureInfo],
    inputs: Sequence[str] = (),
    target: str | None = None,
) -> GraphSpec:
    """A preset built for a version's sequence length, its Inputs and Target bound to features.

    An Input keeps its preset feature when the version has it, else takes the next of `inputs`
    (default: the version's sequence features); the first Target whose feature the version
    lacks takes `target`. Sequence Inputs are built for the bound feature's length.

    Raises:
        InvalidConfig: If the preset or a named feature does not exist.
    """
    found = PRESETS.get(name)
    targets = [target] if target is not None else []
    _require_features([*inputs, *targets], features, f"preset {name!r}")
    data = found.build().to_dict()
    spare = list(inputs) or [f for f in _sequence_features(features)]
    bound_inputs = []
    for node in data["nodes"]:
        params = node["params"]
        if node["type"] == "input":
            if inputs or params.get("feature") not in features:
                feature = spare.pop(0) if spare else params.get("feature")
                params["feature"] = feature
            bound_inputs.append(params["feature"])
        elif node["type"] == "target" and target is not None and params.get("feature") not in features:
            params["feature"], target = target, None
    lengths = [
        features[f].shape[-1] for f in bound_inputs if f in features and features[f].type == "sequence"
    ]
    if lengths and lengths[0] != found.default_length:
        rebuilt = found.build(lengths[0]).to_dict()
        for node, old in zip(rebuilt["nodes"], data["nodes"], strict=True):
            if node["type"] in ("input", "target"):
                node["params"]["feature"] = old["params"]["feature"]
        data = rebuilt
    return GraphSpec.from_data(data)


def _node_id(name: str, taken: set[str]) -> str:
    """A node id made from a feature name (ids allow letters, digits, `_` and `-`)."""
    base = re.sub(r"[^A-Za-z0-9_\-]", "_", name)[:60]
    base = base if base and (base[0].isalpha() or base[0] == "_") else f"_{base}"
    node_id, k = base, 2
    while node_id in taken:
        node_id, k = f"{base}_{k}", k + 1
    taken.add(node_id)
    return node_id


def blank_graph(
    features: Mapping[str, FeatureInfo], inputs: Sequence[str] = (), target: str | None = None
) -> GraphSpec:
    """An empty canvas holding only Input blocks (default: every sequence feature) and a Target,
    named "custom": the user builds the rest.

    Raises:
        InvalidConfig: If a named feature does not exist.
    """
    _require_features([*inputs, *([target] if target is not None else [])], features, "blank graph")
    taken: set[str] = set()
    nodes: list[dict[str, Any]] = [
        {"id": _node_id(name, taken), "type": "input", "params": {"feature": name}}
        for name in list(inputs) or _sequence_features(features)
    ]
    if target is not None:
        loss = DEFAULT_LOSS.get(features[target].type, "mse")
        nodes.append(
            {
                "id": _node_id(target, taken),
                "type": "target",
                "params": {"feature": target, "loss": loss},
            }
        )
    return GraphSpec.from_data({"name": "custom", "nodes": nodes})


# ---- creating ----------------------------------------------------------------------------


def create_from_wizard(workspace: Workspace, project: Project, choices: WizardChoices) -> Experiment:
    """Create an experiment from the wizard's choices (not run yet).

    Raises:
        NotFound: If the dataset or version is not in the project.
        InvalidConfig: If a subset, feature, preset or setting is invalid.
        AlreadyExists: If the project has an experiment of that name.
    """
    version = resolve_version(workspace, project, dataset=choices.dataset, version=choices.version)
    chosen: dict[str, str | None] = {"training_subset": choices.training_subset}
    if "validation_subset" in choices.model_fields_set:  # else the version's validation subset
        chosen["validation_subset"] = choices.validation_subset
    settings = run_settings_for(version, {**choices.settings, **chosen})
    features = feature_infos(version)
    if choices.preset is not None:
        graph = bind_preset(choices.preset, features, choices.inputs, choices.target)
    else:
        graph = blank_graph(features, choices.inputs, choices.target)
    return create_experiment(workspace, project.id, choices.name, version, graph, settings)


def create_from_choices(
    workspace: Workspace, project: Project, choices: ExperimentChoices, *, runnable: bool = False
) -> Experiment:
    """Create an experiment from a graph (or a preset bound to the version) and run settings.

    Args:
        workspace: The workspace.
        project: The project it goes in.
        choices: Name, version, graph or preset, partial settings.
        runnable: Refuse (creating nothing) a graph or settings that cannot train.

    Raises:
        NotFound: If the version is not in the project.
        InvalidConfig: If the graph, preset, a feature or a setting is invalid (with
            `runnable`, also when the graph cannot train on the version; issues in details).
        AlreadyExists: If the project has an experiment of that name.
    """
    version = resolve_version(
        workspace,
        project,
        version_id=choices.dataset_version_id,
        dataset=choices.dataset,
        version=choices.version,
    )
    settings = run_settings_for(version, choices.settings)
    if choices.graph is not None:
        graph = GraphSpec.from_data(choices.graph)
    else:
        assert choices.preset is not None  # _one_of_each
        graph = bind_preset(choices.preset, feature_infos(version), choices.inputs, choices.target)
    if runnable:
        _refuse_errors(choices.name, version, graph.to_dict(), settings.model_dump(mode="json"))
    return create_experiment(workspace, project.id, choices.name, version, graph, settings)


# ---- checking ----------------------------------------------------------------------------


def check_graph(
    workspace: Workspace, project: Project, graph: Mapping[str, Any], version_id: str | None = None
) -> GraphReport:
    """Shapes, parameters, FLOPs and issues of a graph, against a version's features if given.

    Raises:
        NotFound: If the version is not in the project.
    """
    features = feature_infos(version_in_project(workspace, project, version_id)) if version_id else None
    return check_graph_data(graph, features)


def _settings_issues(
    version: DatasetVersion, data: Mapping[str, Any]
) -> tuple[RunSettings | None, list[GraphIssue]]:
    try:
        settings = RunSettings.from_data(dict(data))
    except InvalidConfig as exc:
        problems = exc.details.get("problems", [exc.message])
        return None, [
            GraphIssue(
                code="settings.invalid", severity="error", message=p, details={"field": p.split(":")[0]}
            )
            for p in problems
        ]
    return settings, _subset_issues(version, settings)


def check_setup(
    workspace: Workspace,
    project: Project,
    version_id: str,
    graph: Mapping[str, Any],
    settings: Mapping[str, Any],
) -> SetupReport:
    """Check a graph and (partial) run settings against a version; nothing is written.

    Raises:
        NotFound: If the version is not in the project.
    """
    version = version_in_project(workspace, project, version_id)
    report = check_graph_data(graph, feature_infos(version))
    resolved, settings_issues = _settings_issues(version, settings)
    issues = sorted([*report.issues, *settings_issues], key=lambda i: i.severity != "error")
    return SetupReport(info=report.info, issues=issues, settings=resolved)


def _refuse_errors(
    name: str, version: DatasetVersion, graph: Mapping[str, Any], settings: Mapping[str, Any]
) -> None:
    report = check_graph_data(graph, feature_infos(version))
    _, settings_issues = _settings_issues(version, settings)
    errors = [i for i in [*report.issues, *settings_issues] if i.severity == "error"]
    if errors:
        raise InvalidConfig(
            f"experiment {name!r} cannot run: {errors[0].message}",
            node=errors[0].node,
            issues=[e.model_dump(mode="json") for e in errors],
        )


def require_runnable(workspace: Workspace, experiment: Experiment) -> None:
    """Refuse to queue an experiment whose graph or settings cannot train on its version.

    Raises:
        InvalidConfig: Naming the first error, every error in `details["issues"]`.
    """
    _refuse_errors(
        experiment.name, version_of(workspace, experiment), experiment.graph, experiment.settings
    )


# ---- editing -----------------------------------------------------------------------------


def deep_merge(current: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`current` with `patch` laid over it: nested mappings merge, any other value (null too,
    which means "none" for settings such as `validation_subset`) replaces."""
    merged = dict(current)
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def edit_experiment(
    workspace: Workspace,
    experiment: Experiment,
    *,
    name: str | None = None,
    graph: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Experiment:
    """Rename an experiment, or (while it is `created`) replace its graph or patch its settings.

    Args:
        workspace: The workspace.
        experiment: The experiment.
        name: A new name.
        graph: A complete new graph spec.
        settings: Run settings to change, merged into the current ones (`{"optimizer": {"lr": 0.01}}`).

    Raises:
        Conflict: If the graph or settings change after the experiment has run or been queued.
        InvalidConfig: If the graph or settings are invalid.
        AlreadyExists: If the name is taken.
    """
    changes: dict[str, Any] = {}
    if name is not None and name != experiment.name:
        if not name.strip():
            raise InvalidConfig("an experiment needs a name", field="name")
        taken = {e.name for e in workspace.metadata.list_experiments(experiment.project_id)}
        if name.strip() in taken:
            raise AlreadyExists(f"the project has an experiment named {name.strip()!r}", name=name)
        changes["name"] = name.strip()
    if graph is not None or settings is not None:
        if experiment.status != "created":
            raise Conflict(
                f"experiment {experiment.name!r} is {experiment.status}: its model and settings "
                "can change only before it runs; clone it to try changes",
                experiment=experiment.name,
                status=experiment.status,
            )
        if graph is not None:
            spec = GraphSpec.from_data(dict(graph))
            changes["graph"] = spec.model_dump(mode="json")
            changes["param_count"] = parameter_count(spec, version_of(workspace, experiment))
        if settings is not None:
            merged = deep_merge(experiment.settings, settings)
            changes["settings"] = run_settings_for(version_of(workspace, experiment), merged).model_dump(
                mode="json"
            )
    if not changes:
        return experiment
    return workspace.metadata.update_experiment(experiment.id, **changes)
