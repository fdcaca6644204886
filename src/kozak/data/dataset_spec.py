"""The dataset spec: every choice a user makes about a dataset version, as one pydantic model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kozak.data.feature_spec import MAX_TEXT_LENGTH, FeatureSpec
from kozak.data.subsets import SubsetSpec
from kozak.errors import NotFound


class DatasetSpec(BaseModel):
    """Features (names, types, encodings, normalisation), subsets and import options."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=MAX_TEXT_LENGTH)

    features: tuple[FeatureSpec, ...] = Field(description="Features, in column order.")
    subsets: tuple[SubsetSpec, ...] = Field((), description="Subsets, in definition order.")
    normalize_on: str | None = Field(
        None,
        description="Subset whose rows supply normalisation statistics; default `training` "
        "when such a subset exists, else all rows.",
    )
    drop_missing: bool = Field(
        False,
        description="Drop rows with missing or NaN values (and report how many) instead of "
        "refusing the import.",
    )

    def feature(self, name: str) -> FeatureSpec:
        """The feature called `name`."""
        for feature in self.features:
            if feature.name == name:
                return feature

        raise NotFound(
            f"no feature {name!r}; features: {', '.join(f.name for f in self.features)}",
            feature=name,
        )

    def user_choices(self) -> dict[str, Any]:
        """The spec without values computed from data (for content addressing and diffs)."""
        data = self.model_dump(mode="json")
        for feature in data["features"]:
            feature.pop("stats", None)
            if feature.get("on_invalid") == "refuse":  # the default: digests as before it existed
                del feature["on_invalid"]
        return data
