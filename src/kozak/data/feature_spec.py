"""Feature specifications: what a column is, how it is encoded, how it is normalised.

A `FeatureSpec` is user-facing configuration (pydantic, `extra="forbid"`). At save time the
numbers derived from data (normalisation statistics, categories, label sets) are filled in, so a
stored spec is everything the training, evaluation and prediction code needs to encode a row.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kozak.sequences import Alignment


class FeatureType(StrEnum):
    """The kinds of column Kozak knows."""

    INTEGER = "integer"
    FLOAT = "float"
    CATEGORICAL = "categorical"
    STRING = "string"
    SEQUENCE = "sequence"
    ARRAY = "array"
    MULTILABEL = "multilabel"


OnInvalid = Literal["refuse", "drop", "as_n"]

NUMERIC_TYPES = frozenset({FeatureType.INTEGER, FeatureType.FLOAT})


MAX_TEXT_LENGTH = 4096  # characters in any name, category or option a spec holds: ample, bounded


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=MAX_TEXT_LENGTH)


class SequenceEncoding(Spec):
    """How a sequence becomes a one-hot (channels × length) tensor."""

    alphabet: Literal["dna", "rna", "protein"] = Field(
        "dna", description="Alphabet; DNA and RNA have 4 channels, protein 20."
    )
    length: int | None = Field(
        None,
        gt=0,
        description="Positions in the one-hot window; default the longest sequence. Longer "
        "sequences are cut to fit their alignment.",
    )
    alignment: Alignment = Field(
        "left",
        description="Where a shorter sequence sits in the window: left, center or right "
        "(Cuperus et al. trained centred and predicted right-aligned to the start codon).",
    )
    padding: int = Field(
        0,
        ge=0,
        description="All-zero positions added on each side of the window (the paper: 10, "
        "making its 50-nt window 70 wide).",
    )

    def window(self, max_length: int) -> int:
        """One-hot width: the sequence positions plus padding on both sides."""
        return (self.length or max_length) + 2 * self.padding


class NormalizationStats(Spec):
    """Statistics of a numeric feature on the `normalize_on` subset."""

    mean: float
    std: float
    min: float
    max: float


class FeatureSpec(Spec):
    """One feature: a named, typed, encoded column of the dataset."""

    name: str = Field(description="The feature's label, used by models and the API.")
    source: str = Field(description="The imported column it comes from.")
    type: FeatureType = Field(description="Detected or chosen type.")
    sequence: SequenceEncoding | None = Field(None, description="Encoding of a sequence feature.")
    normalization: Literal["none", "zscore", "minmax"] = Field(
        "none", description="Numeric normalisation: z-score, min-max to [0, 1], or none."
    )
    shape: tuple[int, ...] = Field(
        (),
        description="Per-row shape of an array feature, or of the one-hot arrays a sequence "
        "feature was imported from (e.g. the tutorial's (4, 70, 1)).",
    )
    delimiter: str = Field("|", description="Label separator of a multi-label feature.")
    categories: tuple[str, ...] | None = Field(
        None, description="Classes of a categorical or multi-label feature (filled at save)."
    )
    stats: NormalizationStats | None = Field(
        None, description="Normalisation statistics (filled at save)."
    )
    on_invalid: OnInvalid = Field(
        "refuse",
        description="Rows whose value this feature cannot encode (a letter outside the alphabet, "
        "text in a number column, a missing value): `refuse` them (the version cannot be saved), "
        "`drop` those rows, or, for DNA and RNA sequences, read unknown letters as N (`as_n`).",
    )

    @model_validator(mode="before")
    @classmethod
    def _sequence_has_encoding(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("type") == "sequence" and not data.get("sequence"):
            return {**data, "sequence": {}}
        return data

    @model_validator(mode="after")
    def _as_n_needs_n(self) -> FeatureSpec:
        if self.on_invalid == "as_n" and (
            self.type is not FeatureType.SEQUENCE
            or self.sequence is None
            or self.sequence.alphabet == "protein"
        ):
            raise ValueError(
                f"feature {self.name!r}: on_invalid 'as_n' is for DNA and RNA sequences only; "
                "use 'drop' or 'refuse'"
            )
        return self

    def tensor_shape(self, max_length: int | None = None) -> tuple[int, ...]:
        """Per-example shape a model sees for this feature."""
        if self.type is FeatureType.SEQUENCE:
            assert self.sequence is not None  # guaranteed by _sequence_has_encoding
            channels = 20 if self.sequence.alphabet == "protein" else 4
            return (channels, self.sequence.window(max_length or 0))
        if self.type is FeatureType.ARRAY:
            return self.shape
        if self.type in (FeatureType.CATEGORICAL, FeatureType.MULTILABEL):
            return (len(self.categories or ()),)
        return (1,)
