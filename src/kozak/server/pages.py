"""What bulk processes compute (`kozak.server.bulk`): a page of experiments as JSON.

Nothing here, nor anything it imports, loads PyTorch or the app: a bulk process imports this
module to run `experiment_page`, and holds about a sixth of an API process's memory.
"""

from __future__ import annotations

from kozak.experiments import listing
from kozak.server.access import ProjectAccess
from kozak.server.schemas import Page
from kozak.server.schemas.experiment_summaries import ExperimentSummary
from kozak.store.metadata import ExperimentFilter
from kozak.store.paging import PageRequest
from kozak.workspace import Workspace


def experiment_page(
    workspace: Workspace, access: ProjectAccess, page: PageRequest, where: ExperimentFilter
) -> bytes:
    """A page of experiments as the response's JSON, the caller checked first (in a bulk
    process, so a page costs the API process no thread trip)."""
    found = listing.overviews(workspace, access.project(workspace).id, page, where)
    return Page[ExperimentSummary].of_page(found, ExperimentSummary.of).model_dump_json().encode()
