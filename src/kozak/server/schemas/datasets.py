"""Dataset drafts, datasets and versions on the wire.

A draft's view embeds the library's own models (`DatasetSpec`, the `SubsetSpec` union,
`SequenceEncoding`), so the OpenAPI schema the UI's forms come from is the library's.
"""

from __future__ import annotations

from datetime import datetime
from typing import (
    Any,
    Literal,
    NotRequired,  # pydantic reads only this TypedDict on 3.11
)

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from kozak.data.dataset_spec import DatasetSpec
from kozak.data.feature_spec import FeatureType, NormalizationStats, OnInvalid, SequenceEncoding
from kozak.data.subsets import SubsetSpec
from kozak.sequences import Alignment
from kozak.server.schemas import Input, Schema
from kozak.store.entities import Dataset, DatasetVersion, Draft

Normalization = Literal["none", "zscore", "minmax"]


# Requests
class DraftCreate(Input):
    name: str = Field(min_length=1, max_length=200, description="Name of the dataset to create.")
    description: str = Field("", description="What the dataset holds.")


class DraftUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=200, description="New dataset name.")
    description: str | None = Field(None, description="New description.")


class UrlCreate(Input):
    url: str = Field(description="An http(s) URL of a file to download into the draft.")


class EncodingUpdate(Input):
    alphabet: Literal["dna", "rna", "protein"] | None = Field(None, description="Alphabet.")
    length: int | None = Field(None, gt=0, description="Window positions; null for the longest.")
    alignment: Alignment | None = Field(None, description="left, center or right.")
    padding: int | None = Field(None, ge=0, description="Zero positions added on each side.")


class FeatureUpdate(Input):
    name: str | None = Field(None, min_length=1, description="New label (subsets follow it).")
    type: FeatureType | None = Field(None, description="Override the detected type.")
    encoding: EncodingUpdate | None = Field(None, description="Sequence encoding fields to change.")
    normalization: Normalization | None = Field(None, description="Numeric normalization.")
    on_invalid: OnInvalid | None = Field(
        None,
        description="Rows the feature cannot read: refuse them, drop them, or (DNA, RNA) read "
        "unknown letters as N (`as_n`).",
    )


class OptionsUpdate(Input):
    normalize_on: str | None = Field(
        None, description="Subset supplying normalization statistics; null for the default."
    )
    drop_missing: bool | None = Field(None, description="Drop rows with missing values.")


class DraftSave(Input):
    version_name: str | None = Field(
        None, min_length=1, max_length=200, description="Name of the version; default v1, v2, ..."
    )


# Responses
class DraftFilePublic(Schema):
    name: str
    size: int = Field(description="Bytes as uploaded.")
    sha256: str
    version_id: str | None = Field(None, description="Set when the 'file' is a stored version.")

    @classmethod
    def of(cls, entry: dict[str, Any]) -> DraftFilePublic:
        return cls(
            name=entry["name"],
            size=entry["size"],
            sha256=entry["sha256"],
            version_id=entry.get("version_id"),
        )


class DraftSummary(Schema):
    id: str
    project_id: str
    name: str
    description: str
    dataset_id: str | None = Field(description="The dataset a save adds a version to; null: new.")
    files: list[DraftFilePublic]
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, draft: Draft) -> DraftSummary:
        fields = draft.model_dump(exclude={"spec", "files"})
        return cls(**fields, files=[DraftFilePublic.of(f) for f in draft.files])


@with_config(ConfigDict(extra="forbid"))
class DataWarning(TypedDict):
    """A draft's or version's warning: overlapping subsets, sequence leakage, dropped rows."""

    code: str
    message: str
    subsets: NotRequired[list[str]]
    rows: NotRequired[int]
    feature: NotRequired[str]
    action: NotRequired[Literal["drop", "as_n"]]
    letters: NotRequired[int]


@with_config(ConfigDict(extra="forbid"))
class Repair(TypedDict):
    """What a feature's `on_invalid` did at import: rows dropped, or letters read as N."""

    feature: str
    action: Literal["drop", "as_n"]
    rows: int
    letters: NotRequired[int]


@with_config(ConfigDict(extra="forbid"))
class Histogram(TypedDict):
    counts: list[int]
    edges: NotRequired[list[float]]


@with_config(ConfigDict(extra="forbid"))
class LengthStats(TypedDict):
    min: int
    max: int
    mean: float
    counts: dict[str, int]


@with_config(ConfigDict(extra="forbid"))
class PerPositionStats(TypedDict):
    window: int
    fractions: list[list[float]]
    coverage: list[int]


@with_config(ConfigDict(extra="forbid"))
class FeatureStats(TypedDict):
    """Statistics of one feature (`kozak.data.stats`); which keys are present depends on its type."""

    count: int
    mean: NotRequired[float]
    sd: NotRequired[float]
    min: NotRequired[float]
    max: NotRequired[float]
    histogram: NotRequired[Histogram]
    counts: NotRequired[dict[str, int]]
    distinct: NotRequired[int]
    shape: NotRequired[list[int]]
    length: NotRequired[LengthStats]
    composition: NotRequired[dict[str, float]]
    per_position: NotRequired[PerPositionStats]


@with_config(ConfigDict(extra="forbid"))
class DataStats(TypedDict):
    """Statistics for all rows and per subset; a version's also keep its warnings."""

    all: dict[str, FeatureStats]
    subsets: dict[str, dict[str, FeatureStats]]
    warnings: NotRequired[list[DataWarning]]
    dropped_rows: NotRequired[int]
    repairs: NotRequired[list[Repair]]


class DraftFeaturePublic(Schema):
    name: str
    source: str = Field(description="The imported column.")
    file: str = Field(description="The file the column comes from.")
    type: FeatureType
    detected_type: FeatureType | None = Field(description="What detection made of the column.")
    sequence: SequenceEncoding | None
    normalization: Normalization
    shape: list[int] = Field(description="Per-row shape of an array feature.")
    categories: list[str] | None = Field(description="Classes found (categorical, multi-label).")
    normalization_stats: NormalizationStats | None = Field(description="On the normalize-on subset.")
    tensor_shape: list[int] | None = Field(description="Shape a model sees per example.")
    on_invalid: OnInvalid = Field(description="What happens to rows the feature cannot read.")
    invalid_rows: int = Field(description="Rows the feature cannot read as its type says.")
    first_invalid_row: int | None = Field(description="The first of them, counted from 1.")
    unknown_letters: int = Field(description="Letters outside a sequence's alphabet, all rows.")


class DraftSubsetPublic(Schema):
    definition: SubsetSpec
    rows: int | None = Field(description="Rows in the subset now; null while the draft has an error.")


class ErrorPublic(Schema):
    code: str
    message: str
    details: dict[str, Any]


class DraftPublic(DraftSummary):
    spec: DatasetSpec | None = Field(description="Everything chosen so far; null before any file.")
    row_count: int
    dropped_rows: int = Field(
        description="Rows left out: missing values (drop_missing) and invalid rows dropped."
    )
    repairs: list[Repair] = Field(description="Per feature that drops or repairs rows: how many.")
    features: list[DraftFeaturePublic]
    preview: list[dict[str, Any]] = Field(description="The first rows, by feature name.")
    subsets: list[DraftSubsetPublic]
    warnings: list[DataWarning] = Field(description="Overlapping subsets, sequence leakage, ...")
    error: ErrorPublic | None = Field(description="What stops the draft from being saved.")
    stats: DataStats | None = Field(description="Statistics per feature and subset, if asked.")

    @classmethod
    def of_view(cls, view: dict[str, Any]) -> DraftPublic:
        files = [DraftFilePublic.of(f) for f in view["files"]]
        return cls.model_validate({**view, "files": files})


class VersionSummary(Schema):
    id: str
    dataset_id: str
    name: str
    digest: str = Field(description="SHA-256 of the choices and the stored data.")
    row_count: int
    subset_counts: dict[str, int]
    created_at: datetime

    @classmethod
    def of(cls, version: DatasetVersion) -> VersionSummary:
        return cls(**version.model_dump(include=set(cls.model_fields)))


class VersionPublic(VersionSummary):
    spec: DatasetSpec = Field(description="The DatasetSpec with statistics filled in.")
    stats: DataStats
    sources: list[dict[str, Any]] = Field(description="Imported files: name, format, bytes, sha256.")

    @classmethod
    def of(cls, version: DatasetVersion) -> VersionPublic:
        return cls(**version.model_dump(include=set(cls.model_fields)))


class DatasetPublic(Schema):
    id: str
    project_id: str
    name: str
    description: str
    created_at: datetime
    versions: list[VersionSummary] = Field(description="Oldest first.")

    @classmethod
    def of(cls, dataset: Dataset, versions: list[DatasetVersion]) -> DatasetPublic:
        return cls(**dataset.model_dump(), versions=[VersionSummary.of(v) for v in versions])


class PreviewPublic(Schema):
    features: list[str]
    rows: list[dict[str, Any]]
    row_count: int


class ChangesPublic(Schema):
    added: list[str]
    removed: list[str]
    changed: dict[str, dict[str, list[Any]]] = Field(description="name → field → [old, new].")


class VersionDiff(Schema):
    rows: list[int] = Field(description="[old, new] row counts.")
    features: ChangesPublic
    subsets: ChangesPublic
    subset_counts: dict[str, list[int | None]] = Field(description="Changed counts: [old, new].")


class RowPublic(Schema):
    number: int = Field(description="The row's number, counted from 1 as a spreadsheet does.")
    values: dict[str, Any] = Field(description="Feature name → value (sequences as letters).")
    invalid: dict[str, str] = Field(description="Feature name → why it cannot read this row.")


class RowsPage(Schema):
    rows: list[RowPublic]
    offset: int = Field(description="Position of the first row in the sorted, filtered list.")
    total: int = Field(description="Rows that pass the filter.")
    row_count: int = Field(description="All rows.")
    invalid_rows: int = Field(description="Rows some feature cannot read, among all rows.")
    position: int | None = Field(
        description="Where the asked-for row `find` stands in the sorted, filtered list (from "
        "0), or null when it is filtered out."
    )


class SubsetCount(Schema):
    rows: int = Field(description="Rows the subset would hold.")
    row_count: int = Field(description="All rows.")
