"""The Modeling view's catalog and live checks: blocks, presets, losses, run settings (schema,
and what `precision: auto` runs in here).

`POST /projects/{project_id}/graphs/validate` never fails for a broken graph: it answers 200
with every issue (naming the node) beside the shapes it could infer; 422 is for a body that is
not a graph at all.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kozak.experiments import setup
from kozak.graph import model_catalog
from kozak.graph.graph_spec import GraphSpec
from kozak.server.deps import CurrentUser, ProjectViewer, WorkspaceDep
from kozak.server.schemas import Page
from kozak.server.schemas.models import (
    AutoPrecisionPublic,
    BlockPublic,
    GraphCheck,
    GraphCheckPublic,
    LossPublic,
    PresetPublic,
    RunSettingsSchemaPublic,
)
from kozak.training.settings import auto_precision_choices

router = APIRouter(tags=["models"])

InputLength = Annotated[
    int | None, Query(ge=1, le=1_000_000, description="Sequence length; default the preset's.")
]


@router.get("/blocks")
def list_blocks(_: CurrentUser) -> Page[BlockPublic]:
    """Every block type with its params JSON Schema and input arity."""
    return Page.of([BlockPublic.of(b) for b in model_catalog.blocks()])


@router.get("/presets")
def list_presets(_: CurrentUser) -> Page[PresetPublic]:
    """Every preset with its source and parameter count at its default length."""
    return Page.of([PresetPublic.of(p) for p in model_catalog.presets()])


@router.get("/presets/{name}")
def get_preset(name: str, _: CurrentUser, input_length: InputLength = None) -> GraphSpec:
    """A preset's graph spec, built for `input_length`."""
    return model_catalog.preset_entry(name, input_length).graph


@router.get("/losses")
def list_losses(_: CurrentUser) -> Page[LossPublic]:
    """Every loss with the target types and final activations it fits."""
    return Page.of([LossPublic.of(loss) for loss in model_catalog.losses()])


@router.get("/run-settings/schema")
def get_run_settings_schema(_: CurrentUser) -> RunSettingsSchemaPublic:
    """JSON Schema and defaults of the run settings."""
    return RunSettingsSchemaPublic.current()


@router.get("/run-settings/precision")
def get_auto_precision(_: CurrentUser) -> Page[AutoPrecisionPublic]:
    """What `precision: auto` runs in on this server, per device setting, and why."""
    choices = auto_precision_choices()
    return Page.of([AutoPrecisionPublic.of(device, c) for device, c in choices.items()])


@router.post("/projects/{project_id}/graphs/validate")
def validate_graph(
    body: GraphCheck, project: ProjectViewer, workspace: WorkspaceDep
) -> GraphCheckPublic:
    """Per-node shapes, parameters and FLOPs, totals and issues (against a version if given)."""
    report = setup.check_graph(workspace, project, body.graph, body.dataset_version_id)
    return GraphCheckPublic.of(report.info, report.issues)
