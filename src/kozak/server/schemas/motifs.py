"""Per-model interpretation on the wire: filter motifs, their comparison with a motif database,
motif effects. The answers are the library's own models (`kozak.interpret`)."""

from __future__ import annotations

from pydantic import Field

from kozak.experiments.checkpoints import CHECKPOINT_PATTERN
from kozak.interpret.filters import FilterAnalysis, FilterSettings
from kozak.interpret.meme import MAX_DATABASE_BYTES
from kozak.interpret.motif_effects import MotifEffectSettings
from kozak.server.schemas import Input

Checkpoint = Field("best", pattern=CHECKPOINT_PATTERN, description="best, last or epoch-N.")


class FiltersRequest(Input):
    """Which checkpoint's first-layer filters to read, and how."""

    checkpoint: str = Checkpoint
    settings: FilterSettings = Field(default_factory=FilterSettings)


class FilterMotifsRequest(FiltersRequest):
    """Filters to read, and how many of the most influential to draw."""

    logos: int = Field(
        0, ge=0, le=32, description="Draw the N most influential filters' logos (SVG, logomaker)."
    )


class FilterMotifsPublic(FilterAnalysis):
    """The filters as motifs, with the logos asked for."""

    logos: dict[str, str] = Field(
        default_factory=dict, description="Filter name → its logo as SVG text (in bits)."
    )


class FilterCompareRequest(FiltersRequest):
    """Filters to read and a motif database (MEME format) to match them against."""

    database: str = Field(
        min_length=1,
        max_length=MAX_DATABASE_BYTES,
        description="A motif database in MEME format (JASPAR and the MEME suite export it).",
    )
    matches: int = Field(3, ge=1, le=20, description="Best matches kept per filter.")


class MotifEffectsRequest(Input):
    """Which checkpoint, which motif, which background sequences."""

    checkpoint: str = Checkpoint
    settings: MotifEffectSettings = Field(default_factory=MotifEffectSettings)
