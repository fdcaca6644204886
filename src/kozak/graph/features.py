"""What the graph layer needs to know about a dataset feature: its name, type and tensor shape.

The datasets layer produces these from a dataset version: a DNA sequence of encoded length L is
`(4, L)`, a float or integer feature `(1,)`, a categorical target with k classes `(k,)`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
