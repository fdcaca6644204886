"""What the graph layer needs to know about a dataset feature: its name, type and tensor shape.

`feature_infos(version)` makes them from a saved dataset version: a DNA sequence of one-hot
width L is `(4, L)`, a float or integer feature `(1,)`, a categorical target with k classes `(k,)`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kozak.data.feature_spec import FeatureSpec, FeatureType
from kozak.store.entities import DatasetVersion

FeatureKind = Literal["integer", "float", "categorical", "string", "sequence", "array", "multilabel"]


class FeatureInfo(BaseModel):
    """A dataset feature as a model input or target sees it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Feature name, as bound in Input and Target blocks.")
    type: FeatureKind = Field(description="Feature type.")
    shape: tuple[int, ...] = Field(
        description="Shape of one example's encoded tensor, without the batch axis."
    )
    classes: int | None = Field(
        None, ge=1, description="Number of classes or labels (categorical, multilabel)."
    )


def feature_info(spec: FeatureSpec, max_length: int | None = None) -> FeatureInfo:
    """How a model sees one dataset feature (`max_length`: longest sequence, for sequences)."""
    classes = None
    if spec.type in (FeatureType.CATEGORICAL, FeatureType.MULTILABEL):
        classes = len(spec.categories or ()) or None
    return FeatureInfo(
        name=spec.name, type=spec.type.value, shape=spec.tensor_shape(max_length), classes=classes
    )


def feature_infos(version: DatasetVersion) -> dict[str, FeatureInfo]:
    """Every feature of a saved dataset version, by name."""
    infos = {}
    for raw in version.spec["features"]:
        spec = FeatureSpec.model_validate(raw)
        stats = version.stats.get("all", {}).get(spec.name, {})
        infos[spec.name] = feature_info(spec, stats.get("length", {}).get("max"))
    return infos
