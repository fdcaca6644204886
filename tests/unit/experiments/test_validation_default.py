"""An experiment validates on the subset its version marks as validation unless told otherwise."""

from __future__ import annotations

import pytest

from kozak.experiments.setup import run_settings_for, validation_subset_of
from kozak.store.entities import DatasetVersion


def version(*subsets: str) -> DatasetVersion:
    counts = dict.fromkeys(subsets, 10)
    spec = {"features": [], "subsets": [{"name": s, "kind": "random", "end": 10} for s in subsets]}
    return DatasetVersion(
        dataset_id="ds",
        name="v1",
        digest="0",
        row_count=100,
        spec=spec,
        subset_counts=counts,
        artifact_path="x",
    )


@pytest.mark.parametrize(
    "subsets,expected",
    [
        (("training", "Validation 5%", "test"), "Validation 5%"),
        (("training", "val", "validation"), "validation"),
        (("Training 80%", "Val 20%"), "Val 20%"),
        (("training", "values over 3", "test"), None),
        (("training", "test"), None),
    ],
)
def test_the_validation_subset_is_found_by_its_name(
    subsets: tuple[str, ...], expected: str | None
) -> None:
    assert validation_subset_of(version(*subsets)) == expected


def test_settings_without_a_validation_subset_take_the_versions() -> None:
    found = version("training", "Validation 5%")
    assert run_settings_for(found, {}).validation_subset == "Validation 5%"
    assert run_settings_for(found, {"validation_subset": None}).validation_subset is None
    assert run_settings_for(version("training"), {}).validation_subset is None
