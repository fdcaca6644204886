"""Fixtures for graph tests: dataset features as the datasets layer describes them."""

from __future__ import annotations

import pytest

from kozak.graph import FeatureInfo


@pytest.fixture
def yeast_features() -> dict[str, FeatureInfo]:
    """The tutorial's dataset: a 70-position one-hot UTR and a float growth rate."""
    return {
        "seq": FeatureInfo(name="seq", type="sequence", shape=(4, 70)),
        "growth_rate": FeatureInfo(name="growth_rate", type="float", shape=(1,)),
    }
